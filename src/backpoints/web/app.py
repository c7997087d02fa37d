"""The web app factory: `create_app(settings)` wires settings, database, templates and routes.

Nothing is created at import time; each app owns its engine and session factory.
"""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from backpoints import __version__, i18n
from backpoints.core.routines import shown_name
from backpoints.core.vocab import TOOLS
from backpoints.settings import Settings
from backpoints.web import words
from backpoints.web.auth import Authenticate
from backpoints.web.context import csrf_field, current_visitor
from backpoints.web.errors import (
    BodySizeLimit,
    JsonBodyLimits,
    RefuseNul,
    install_error_handlers,
)
from backpoints.web.language import Language
from backpoints.web.language import router as language_router
from backpoints.web.security import ProxyHeaders, SecurityHeaders, TrustedHosts, require_hosts
from backpoints.web.serving import FingerprintedStatic, HeadAsGet, fingerprint

STATIC_FILES = ("app.css", "app.js", "icon.svg")


def _package_dir(name: str) -> Path:
    return Path(str(resources.files("backpoints.web").joinpath(name)))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for these settings; the database is migrated when it starts."""
    settings = settings or Settings()
    require_hosts(settings)
    from backpoints.web.state import AppState

    state = AppState.create(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.open()
        gc.collect()
        gc.freeze()  # what start-up built lives for good: keep it out of every later GC pass
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="backpoints",
        version=__version__,
        description="Guided self-massage of back pressure points: screening first, the right "
        "points on your own back, a timed massage, and a private pain diary.",
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json stays
        redoc_url=None,
    )
    app.state.bp = state
    app.state.templates = _templates(settings)
    install_error_handlers(app)
    # outermost last: headers on everything, known hosts only, proxies, the size limit,
    # no NUL in paths, JSON bodies within limits, then who is asking
    app.add_middleware(Authenticate, server_mode=settings.server_mode, lookup=state.visitor)
    app.add_middleware(JsonBodyLimits)
    app.add_middleware(RefuseNul)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        uploads=frozenset({"/restore", "/camera/photo"}),
    )
    app.add_middleware(ProxyHeaders, trusted=settings.trusted_proxies)
    app.add_middleware(TrustedHosts, allowed=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(GZipMiddleware, minimum_size=600)
    app.add_middleware(HeadAsGet)
    app.add_middleware(Language)  # outermost: every page, error and API text in one language
    app.mount("/static", FingerprintedStatic(directory=_package_dir("static")), name="static")
    _install_pwa_routes(app, settings.server_mode)
    from backpoints.web.api import care as care_api
    from backpoints.web.api import v1 as api
    from backpoints.web.pages import account as account_pages
    from backpoints.web.pages import camera as camera_pages
    from backpoints.web.pages import diary as diary_pages
    from backpoints.web.pages import export as export_pages
    from backpoints.web.pages import library as pages
    from backpoints.web.pages import refer as refer_pages
    from backpoints.web.pages import report as report_pages
    from backpoints.web.pages import routines as routine_pages
    from backpoints.web.pages import scan as scan_pages
    from backpoints.web.pages import session as session_pages

    app.include_router(api.router)  # first: the session cycle is matched soonest
    app.include_router(language_router)
    app.include_router(care_api.router)
    app.include_router(account_pages.router)
    app.include_router(pages.router)
    app.include_router(session_pages.router)
    app.include_router(refer_pages.router)
    app.include_router(diary_pages.router)
    app.include_router(report_pages.router)
    app.include_router(routine_pages.router)
    app.include_router(scan_pages.router)
    app.include_router(camera_pages.router)
    app.include_router(export_pages.router)
    from backpoints.web import jsonbody

    jsonbody.install_schemas(app)
    return app


def _templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(_package_dir("templates")))
    env = templates.env
    # {{ _("...") }} in templates: gettext in the language of the request (jinja2.ext.i18n)
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    templates.env.filters["number"] = i18n.format_number
    templates.env.filters["when"] = functools.partial(i18n.format_day, time=True, year=True)
    templates.env.globals["static"] = static_url
    templates.env.globals["countdown_speed"] = settings.countdown_speed
    templates.env.globals["csrf_field"] = csrf_field
    templates.env.globals["visitor"] = current_visitor.get
    templates.env.globals["server_mode"] = settings.server_mode
    templates.env.globals["tools"] = TOOLS
    templates.env.globals["plain_name"] = words.plain_name
    templates.env.globals["outcome"] = words.outcome
    templates.env.globals["routine_name"] = shown_name
    templates.env.globals["citations"] = lambda request, keys: words.sources(
        request.app.state.bp.catalog, keys
    )
    templates.env.globals["lang"] = i18n.current
    templates.env.globals["js_texts"] = _js_texts
    templates.env.globals["languages"] = i18n.LANGUAGES
    return templates


#: What app.js writes on the page itself; translated here and handed over as JSON.
JS_TEXTS = (
    i18n.N_("Time is up. How is the pain now?"),
    i18n.N_("Time is up. Rate your pain now."),
    i18n.N_("Pause"),
    i18n.N_("Timer started"),
    i18n.N_("Resume"),
    i18n.N_("Paused"),
    i18n.N_("Resumed"),
    i18n.N_("%(num)d seconds, after a short get-ready"),
    i18n.N_("Get ready: the tone starts the massage in %(num)d s"),
    i18n.N_("%(num)d seconds left"),
    i18n.N_("Saved on this device; it will sync when the connection is back."),
    i18n.N_("LEFT"),
    i18n.N_("RIGHT"),
    i18n.N_("Loading the 3-D back…"),
    i18n.N_("The 3-D back could not be shown here; the flat map shows the same place."),
)


def _js_texts() -> dict[str, str]:
    return {text: i18n.gettext(text) for text in JS_TEXTS}


def static_url(name: str) -> str:
    """The address of a static file, fingerprinted by its content (cacheable for a year)."""
    return f"/static/{name}?v={fingerprint(_package_dir('static'), name)}"


def _install_pwa_routes(app: FastAPI, server_mode: bool) -> None:
    # in server mode "/" is a person's own page: the worker keeps only public pages
    pages = ["/offline", "/points"] if server_mode else ["/", "/offline", "/points"]
    shell = [*pages, *[static_url(n) for n in STATIC_FILES]]
    release = __version__ + "-" + fingerprint(_package_dir("static"), "app.js")[:6]
    release += fingerprint(_package_dir("static"), "app.css")[:6]
    worker = (
        _package_dir("static")
        .joinpath("sw.js")
        .read_text("utf-8")
        .replace("__VERSION__", release)
        .replace("__SHELL__", json.dumps(shell))
        .replace("__SERVER_MODE__", json.dumps(server_mode))
    )
    manifest: dict[str, Any] = {
        "name": "backpoints",
        "short_name": "backpoints",
        "description": "Guided self-massage of back pressure points",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#faf7f2",
        "theme_color": "#0e6b68",
        "icons": [{"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
    }

    @app.get("/sw.js", include_in_schema=False)
    def service_worker() -> Response:
        return Response(worker, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/manifest.webmanifest", include_in_schema=False)
    def web_manifest() -> Response:
        return Response(json.dumps(manifest), media_type="application/manifest+json")
