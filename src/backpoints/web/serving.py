"""How files and pages travel: content fingerprints for static files with year-long caching,
HEAD answered on every GET route, and (wired in `create_app`) gzip.

Static URLs carry a hash of the file's content (`/static/app.css?v=1a2b3c4d`), so a changed
file gets a new URL and the old one can be cached for good.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LONG_CACHE: Final = "public, max-age=31536000, immutable"


@cache
def fingerprint(directory: Path, name: str) -> str:
    """A short hash of a static file's content (computed once per process)."""
    return hashlib.sha256((directory / name).read_bytes()).hexdigest()[:10]


class FingerprintedStatic(StaticFiles):
    """Static files; a request carrying a `v=` fingerprint may be cached for a year."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if b"v=" not in scope.get("query_string", b""):
            await super().__call__(scope, receive, send)
            return

        async def long_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                MutableHeaders(scope=message)["Cache-Control"] = LONG_CACHE
            await send(message)

        await super().__call__(scope, receive, long_cache)


class HeadAsGet:
    """Answers HEAD on every GET route: the GET response's status and headers, no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
