"""Who may do what over HTTP: log-in resolution, the pages that need none, CSRF and Origin.

A pure ASGI middleware. Every unsafe request (POST, PUT, PATCH, DELETE) from a browser must
come from this site's own pages (its Origin header, when sent, names this host), on a
personal install too. In server mode it also finds the log-in (cookie or bearer token),
sends visitors without one to /login (pages) or answers 401 (API), and checks the CSRF token
of every cookie-authenticated unsafe request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final
from urllib.parse import parse_qs, quote, urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from backpoints.web.asgi import read_body, replay
from backpoints.web.context import Visitor, current_visitor

COOKIE: Final = "bp_session"
TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{16,128}")
UNSAFE: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PREFIXES: Final = ("/static/", "/points", "/api/v1/points")
PUBLIC_PATHS: Final = frozenset(
    {
        "/login",
        "/register",
        "/offline",
        "/language",
        "/sw.js",
        "/manifest.webmanifest",
        "/openapi.json",
        "/api/v1/regions",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
    }
)
LoginLookup = Callable[[str], Visitor | None]


def _error(status: int, field: str, message: str) -> Response:
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=status)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class Authenticate:
    """See the module docstring. `lookup` turns a token into a Visitor (or None)."""

    def __init__(self, app: ASGIApp, server_mode: bool, lookup: LoginLookup) -> None:
        self.app = app
        self.server_mode = server_mode
        self.lookup = lookup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method, path = scope["method"], scope["path"]
        if method in UNSAFE and not _same_origin(headers):
            await _error(403, "origin", "Cross-site request refused.")(scope, receive, send)
            return
        if not self.server_mode:
            await self.app(scope, receive, send)
            return
        token, by_cookie = _token(headers)
        visitor = self.lookup(token) if token else None
        if visitor is None and not is_public(path):
            await _refuse(scope, path)(scope, receive, send)
            return
        if visitor is not None and by_cookie and method in UNSAFE:
            receive, ok = await _csrf_ok(scope, receive, headers, visitor.csrf_token)
            if not ok:
                message = "The form expired or came from elsewhere; reload the page and try again."
                await _error(403, "csrf_token", message)(scope, receive, send)
                return
        reset = current_visitor.set(visitor)
        try:
            await self.app(scope, receive, send)
        finally:
            current_visitor.reset(reset)


def _same_origin(headers: Headers) -> bool:
    """False for a browser request another site made (scripts and programs send no Origin)."""
    site = headers.get("sec-fetch-site")
    if site in ("cross-site", "same-site"):
        return False
    origin = headers.get("origin")
    if origin is None or (origin == "null" and site == "same-origin"):
        return True
    return urlsplit(origin).netloc == headers.get("host", "")


def _token(headers: Headers) -> tuple[str | None, bool]:
    """The log-in token and whether it came in the cookie; a malformed one counts as none."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return _well_formed(auth[7:].strip()), False
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return _well_formed(value), True
    return None, False


def _well_formed(token: str) -> str | None:
    return token if TOKEN.fullmatch(token) else None


def _refuse(scope: Scope, path: str) -> Response:
    if path.startswith("/api/"):
        return _error(401, "login", "Log in first (POST /api/v1/auth/login).")
    target = path + (f"?{scope['query_string'].decode()}" if scope.get("query_string") else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def _csrf_ok(
    scope: Scope, receive: Receive, headers: Headers, expected: str
) -> tuple[Receive, bool]:
    """Check the CSRF token (header, query, or urlencoded form field); replay the body."""
    given = headers.get("x-csrf-token") or _first(parse_qs(scope.get("query_string", b"").decode()))
    body = b""
    if not given and headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        body = await read_body(receive)
        given = _first(parse_qs(body.decode("utf-8", "replace")))
    again = replay(body, receive) if body else receive
    return again, bool(given) and given == expected


def _first(fields: dict[str, list[str]]) -> str | None:
    values = fields.get("csrf_token")
    return values[0] if values else None


def login_response(response: Response, token: str, secure: bool, days: int) -> Response:
    """Set the log-in cookie: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        COOKIE, token, max_age=days * 86400, httponly=True, samesite="lax", secure=secure
    )
    return response
