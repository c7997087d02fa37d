"""The app's perimeter: which hosts it answers to, which proxies it believes, and the
security headers on every response.

Pure ASGI middlewares, so they also cover errors and static files:

- `TrustedHosts`: only localhost, 127.0.0.1, [::1] and the configured host names (a page on
  another site cannot reach a personal install by DNS rebinding); 400 otherwise.
- `ProxyHeaders`: X-Forwarded-For / X-Forwarded-Proto change the client address and scheme
  only when the peer is a configured trusted proxy.
- `SecurityHeaders`: a strict Content-Security-Policy (no inline scripts, nothing from other
  origins), no sniffing, no framing, no referrer leaks, and `Cache-Control: no-store` on
  everything that is not a public, shareable page or file.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backpoints.core.errors import BackpointsError
from backpoints.i18n import gettext as _
from backpoints.settings import Settings

CSP: Final = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",  # the camera page's pose model (WebAssembly)
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Host names every install answers to (the machine itself).
LOOPBACK_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
#: Paths whose answers are the same for everybody and may be kept by browsers and the
#: service worker; every other answer is private (`Cache-Control: no-store`).
PUBLIC_PREFIXES: Final = ("/static/", "/points", "/api/v1/points", "/api/v1/regions")
PUBLIC_PATHS: Final = frozenset({"/offline", "/manifest.webmanifest", "/sw.js", "/openapi.json"})


class HostsMissing(BackpointsError):
    """Server mode started without the host names it is reached by."""

    field = "allowed_hosts"

    def __init__(self) -> None:
        super().__init__(
            "Server mode needs BACKPOINTS_ALLOWED_HOSTS: the host names people use to reach "
            "this server, comma separated (e.g. backpoints.example.org)."
        )


def require_hosts(settings: Settings) -> None:
    """Refuse to build a server-mode app that would answer to any Host header."""
    if settings.server_mode and not settings.allowed_hosts:
        raise HostsMissing()


def host_name(host_header: str) -> str:
    """`Example.org:8000` -> `example.org`; `[::1]:8000` -> `[::1]`."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def is_private(path: str) -> bool:
    """Whether an answer may hold a person's data (and must not be stored by caches)."""
    return not (path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES))


class TrustedHosts:
    """Answer 400 to a request whose Host header is not loopback or one of `allowed`."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed = LOOPBACK_HOSTS | {host_name(h) for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = host_name(Headers(scope=scope).get("host", ""))
        if host not in self.allowed:
            message = _(
                "This app does not answer to the host name {host}. "
                "Its administrator can add it to BACKPOINTS_ALLOWED_HOSTS."
            ).format(host=repr(host[:100]))
            await PlainTextResponse(message, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ProxyHeaders:
    """Believe X-Forwarded-For and X-Forwarded-Proto only from the `trusted` proxy addresses.

    The client is the right-most address not itself a trusted proxy (what the last proxy saw).
    """

    def __init__(self, app: ASGIApp, trusted: tuple[str, ...] = ()) -> None:
        self.app = app
        self.trusted = frozenset(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and peer[0] in self.trusted:
            headers = Headers(scope=scope)
            scope = dict(scope)
            chain = [a.strip() for a in headers.get("x-forwarded-for", "").split(",")]
            outside = [a for a in chain if a and a not in self.trusted]
            if outside:
                scope["client"] = (outside[-1][:64], 0)
            proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)


def add_headers(headers: MutableHeaders, path: str) -> None:
    """Set the security headers (and no-store on private answers) unless already set."""
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if is_private(path):
        headers["Cache-Control"] = "no-store"


class SecurityHeaders:
    """Adds `HEADERS` to every HTTP response (and no-store to private ones)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_headers(MutableHeaders(scope=message), scope["path"])
            await send(message)

        await self.app(scope, receive, with_headers)
