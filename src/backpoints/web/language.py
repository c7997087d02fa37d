"""The language of each request: a remembered choice (cookie) or the browser's Accept-Language.

`Language` (ASGI middleware) puts the language in force for the request (`backpoints.i18n`)
and says which one answered (`Content-Language`, `Vary`). `POST /language` remembers an
explicit choice from the menu for a year and goes back to the page it came from.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Final

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backpoints import i18n

COOKIE: Final = "bp_lang"
YEAR_S: Final = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


def request_language(headers: Headers) -> str:
    """The remembered choice if it is a supported language, else Accept-Language's best."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header means no choice remembered
        jar = SimpleCookie()
    chosen = jar.get(COOKIE)
    if chosen is not None and chosen.value in i18n.LANGUAGES:
        return chosen.value
    return i18n.negotiate(headers.get("accept-language"))


class Language:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = request_language(Headers(scope=scope))

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Language", lang)
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
            await send(message)

        with i18n.language(lang):
            await self.app(scope, receive, send_with_language)


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no host, no `//`), else the start page."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.post("/language")
def choose_language(lang: str = Form(...), next: str = Form("/")) -> RedirectResponse:
    """Remember the language chosen in the menu and return to the page."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=YEAR_S, samesite="lax", httponly=True)
    return response
