"""How the web app answers bad input: 4xx JSON naming the field, and no 500 for any request.

Also owns the request body size limit, the refusal of NUL characters in paths and forms,
and the nesting and number-length limits on JSON bodies (pure ASGI middlewares, so
they see streamed bodies and every route). A full disk is
a 503 that says the write was not saved; even an unexpected 500 carries the security headers.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backpoints import i18n
from backpoints.core import jsonlimits
from backpoints.core.errors import (
    BackpointsError,
    ConflictError,
    NotAuthenticated,
    NotFoundError,
    RateLimited,
    UnknownPoint,
)
from backpoints.i18n import N_
from backpoints.i18n import gettext as _
from backpoints.vision.errors import ImageTooLarge
from backpoints.web.asgi import read_body, replay
from backpoints.web.language import request_language
from backpoints.web.security import add_headers

DISK_FULL = N_(
    "The server's disk is full: your last change was NOT saved. Try again later; if it "
    "keeps happening, tell whoever runs this server."
)

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


class RefuseNul:
    """422 for a NUL character in the path or a form (urlencoded) body: no route could store
    it. JSON bodies are checked by `JsonBodyLimits`; query values are read by pages that say
    what is wrong with them, and the database guard refuses any that would be stored."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = "path" if "\x00" in scope["path"] else None
        if where is None and _content_type(scope) == b"application/x-www-form-urlencoded":
            body = await read_body(receive)
            receive = replay(body, receive)
            where = "form" if b"%00" in body or b"\x00" in body else None
        if where is not None:
            said = (
                _("The path holds a NUL character (\\x00).")
                if where == "path"
                else _("The form holds a NUL character (\\x00).")
            )
            refusal = error_body(where, said)
            await JSONResponse(refusal, status_code=422)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _content_type(scope: Scope) -> bytes:
    declared: bytes = dict(scope.get("headers") or []).get(b"content-type", b"")
    return declared.split(b";")[0].strip().lower()


class JsonBodyLimits:
    """422 for a JSON request body nested too deeply, with an absurdly long number (before
    the parser recurses or converts it) or a NUL escape; the body is then replayed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _content_type(scope).endswith(b"json"):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        text = body.decode("utf-8", "replace")
        try:
            jsonlimits.check(text)
            if "\\u0000" in text.lower():
                raise jsonlimits.JsonTooComplex(_("The JSON holds a NUL character (\\u0000)."))
        except jsonlimits.JsonTooComplex as exc:
            await JSONResponse(error_body("body", str(exc)), status_code=422)(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


def is_disk_full(exc: BaseException) -> bool:
    """A write that failed because the disk (or the database's space) is full."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if isinstance(exc, OperationalError):
        orig = exc.orig
        if getattr(orig, "sqlstate", None) == "53100":  # PostgreSQL disk_full
            return True
        return "disk is full" in str(orig) or "No space left on device" in str(orig)
    return False


#: The one table from a kind of domain error to its HTTP status (the most specific class wins).
STATUS_BY_ERROR: dict[type[BackpointsError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    NotAuthenticated: 401,
    RateLimited: 429,
    ImageTooLarge: 413,
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

    async def _storage(request: Request, exc: Exception) -> Response:
        if not is_disk_full(exc):
            raise exc
        return _disk_full(request, exc)

    app.add_exception_handler(OperationalError, _storage)
    app.add_exception_handler(OSError, _storage)

    async def _long_number(request: Request, exc: Exception) -> Response:
        # Python refuses to convert more than 4,300 digits: a form or query number that long
        if "integer string conversion" not in str(exc):
            raise exc
        message = _("A number in the request has far too many digits.")
        return JSONResponse(error_body("body", message), status_code=422)

    app.add_exception_handler(ValueError, _long_number)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # runs outside every middleware (Starlette's outermost layer): add the headers here
        if is_disk_full(exc):
            with i18n.language(request_language(request.headers)):
                response = _disk_full(request, exc)
        else:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            # outside every middleware: the request's language is chosen again here
            with i18n.language(request_language(request.headers)):
                message = _(
                    "Something went wrong on our side. If you were saving something, check "
                    "whether it was saved before trying again."
                )
            response = _plain_or_json(request, message, "request", 500)
        add_headers(response.headers, request.url.path)
        return response


def _disk_full(request: Request, exc: Exception) -> Response:
    log.error("disk full on %s %s: %s", request.method, request.url.path, exc)
    response = _plain_or_json(request, _(DISK_FULL), "storage", 503)
    response.headers["Retry-After"] = "60"
    return response


def _plain_or_json(request: Request, message: str, field: str, status: int) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        return PlainTextResponse(message, status_code=status)
    return JSONResponse(error_body(field, message), status_code=status)
