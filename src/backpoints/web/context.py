"""Who is asking: the person and log-in of the current request, as context variables.

Set by `backpoints.web.auth.Authenticate` for each request (they follow the request into the
thread pool); read by `AppState.person()` and by the templates' `csrf_field()`.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Visitor:
    """The logged-in account of this request (server mode)."""

    account_id: str
    email: str
    role: str
    csrf_token: str
    token: str


current_visitor: ContextVar[Visitor | None] = ContextVar("current_visitor", default=None)


def csrf_field() -> Markup:
    """A hidden form field with this log-in's CSRF token (nothing on a personal install)."""
    visitor = current_visitor.get()
    if visitor is None:
        return Markup("")
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(visitor.csrf_token)}">')
