"""How the web app answers bad input: 4xx JSON naming the field, and no 500 for any request.

Also owns the request body size limit (a pure ASGI middleware, so it limits streamed bodies
too). HTML pages get the same rules through `wants_html`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backpoints.core.errors import (
    BackpointsError,
    ConflictError,
    NotAuthenticated,
    NotFoundError,
    RateLimited,
    UnknownPoint,
)
from backpoints.i18n import gettext as _

log = logging.getLogger("backpoints.web")


class BodyTooLarge(Exception):
    """Raised inside the body-size middleware when a request body passes the limit."""


class BodySizeLimit:
    """Refuse request bodies larger than `max_bytes` with 413, whether declared or streamed.

    Paths in `uploads` (restoring a backup) may send up to `max_upload_bytes`.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_upload_bytes: int = 0,
        uploads: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max(max_bytes, max_upload_bytes)
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload_bytes if scope["path"] in self.uploads else self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(limit)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await _too_large(limit)(scope, receive, send)


#: The one table from a kind of domain error to its HTTP status (the most specific class wins).
STATUS_BY_ERROR: dict[type[BackpointsError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    NotAuthenticated: 401,
    RateLimited: 429,
    BackpointsError: 422,
}


def status_for(exc: BackpointsError, path: str = "") -> int:
    """The HTTP status of a domain error: the table entry of its nearest base class.

    An unknown point id is a 404 where the point is the resource looked up
    (`/api/v1/points/{id}`) and a 422 where it is a field of a request body.
    """
    if isinstance(exc, UnknownPoint):
        return 404 if path.startswith("/api/v1/points/") else 422
    for kind in type(exc).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 422


def _too_large(limit: int) -> Response:
    return JSONResponse(
        {"detail": [{"field": "body", "message": f"request body is larger than {limit} bytes"}]},
        status_code=413,
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "flags", 0, "literal['a','b']")` -> "flags.0" (no validator internals)."""
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "query", "path", "form")
        and (isinstance(p, int) or str(p).replace("_", "a").isalnum())
    ]
    return ".".join(parts) or "body"


def error_body(field: str, message: str) -> dict[str, Any]:
    """The one JSON shape of every error: a list of {field, message}."""
    return {"detail": [{"field": field, "message": message}]}


def install_error_handlers(app: FastAPI) -> None:
    """Map validation, domain and unexpected errors to clear 4xx (or a safe 500) answers."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        by_field: dict[str, list[str]] = {}
        for e in exc.errors():
            messages = by_field.setdefault(_field_name(e.get("loc", ())), [])
            message = str(e.get("msg", "invalid"))
            if message not in messages:
                messages.append(message)
        details = [{"field": f, "message": "; ".join(m)} for f, m in by_field.items()]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(BackpointsError)
    async def _domain(request: Request, exc: BackpointsError) -> Response:
        status = status_for(exc, request.url.path)
        return JSONResponse(error_body(exc.field or "body", str(exc)), status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            return PlainTextResponse(_("Page not found."), status_code=404)
        return JSONResponse(
            error_body("path" if exc.status_code == 404 else "request", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("request", _("Something went wrong on our side; nothing was lost.")),
            status_code=500,
        )
