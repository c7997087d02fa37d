"""HTML pages: the pain map, screening, the guided step, summaries, history and the library.

Server-rendered Jinja2; forms post and redirect (POST/redirect/GET), so every page works
without JavaScript and every rating is stored before the next step is shown.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backpoints.core.anatomy import locate
from backpoints.core.errors import BackpointsError
from backpoints.core.render import Marker, back_svg
from backpoints.core.vocab import REGION_IDS, condition_phrase, region_label
from backpoints.i18n import gettext as _
from backpoints.web.body3d import view_3d
from backpoints.web.context import current_visitor
from backpoints.web.state import app_state
from backpoints.web.words import expert_name, plain_name

router = APIRouter(include_in_schema=False)


#: Pages that stay open while a red flag stands (reference, or where guidance would start:
#: starting is refused there) and say so in a banner that leads to the referral.
FLAG_BANNER_PAGES = frozenset(
    {"home.html", "routines.html", "points.html", "point.html", "camera.html", "tools.html"}
)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page template with the request in its context; the pages above carry the
    banner that sends the person to their referral while a red flag stands."""
    if template in FLAG_BANNER_PAGES:
        context.setdefault("flag_referral", _standing_referral(request))
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)  # type: ignore[no-any-return]


def _standing_referral(request: Request) -> Any:
    """The referral while a red flag stands (or the age rule applies) for the person asking,
    else None; a visitor who has not logged in has no answers."""
    state = app_state(request)
    if state.services.settings.server_mode and current_visitor.get() is None:
        return None
    from backpoints.app import begin

    return begin.guard(state.services, state.person())


def _regions() -> list[dict[str, str]]:
    return [{"id": rid, "label": region_label(rid)} for rid in REGION_IDS]


def see_other(url: str) -> RedirectResponse:
    """Redirect after a POST so reloading never repeats it."""
    return RedirectResponse(url, status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    visitor = current_visitor.get()
    if visitor is not None and visitor.role == "therapist":
        return see_other("/care")  # a therapist's start is their clients
    return home_page(request)


def home_page(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    """The pain map: each region a button; a segmented 0-10 scale for each; start."""
    body = app_state(request).body()
    svg = back_svg(body, interactive=True, title="Map of your back, seen from behind")
    return render(
        request, "home.html", status_code, map_svg=svg, regions=_regions(), pain={}, error=error
    )


@router.get("/offline", response_class=HTMLResponse)
def offline(request: Request) -> Response:
    """Shown by the service worker for a page that was never visited while online."""
    return render(
        request,
        "message.html",
        title="You are offline",
        message="This page has not been saved for offline use yet. The start page, the point "
        "library and pages you visited work offline; a guided session you started keeps "
        "working.",
    )


@router.get("/points", response_class=HTMLResponse)
def library(request: Request, region: str = "") -> Response:
    catalog = app_state(request).catalog
    try:
        points = catalog.for_region(region) if region else catalog.points
    except BackpointsError as exc:
        return render(request, "message.html", 404, title="Unknown region", message=str(exc))
    rows = [
        {"point": p, "helps": ", ".join(region_label(r) for r in dict.fromkeys(p.regions))}
        for p in points
    ]
    return render(request, "points.html", rows=rows, regions=_regions(), region=region)


@router.get("/points/{point_id}", response_class=HTMLResponse)
def point_page(request: Request, point_id: str) -> Response:
    state = app_state(request)
    try:
        point = state.catalog.get(point_id)
    except BackpointsError as exc:
        return render(request, "message.html", 404, title=_("Unknown point"), message=str(exc))
    body = state.public_body()
    name = plain_name(point)
    positions = locate(point, body)
    markers = [Marker(pos, name, highlight=True) for pos in positions]
    svg = back_svg(body, markers=markers, title=f"Where {name} is")
    helps = [
        f"{region_label(h.region)}: "
        + ("the point lies here" if h.why == "local" else "it sends pain here")
        for h in point.helps
    ]
    cautions = [f"Not if {condition_phrase(c)}." for c in point.avoid_when] + list(point.cautions)
    return render(
        request,
        "point.html",
        point=point,
        name=name,
        expert=expert_name(point),
        map_svg=svg,
        helps=helps,
        cautions=cautions,
        linked=state.catalog.linked(point),
        also_known_as=state.catalog.also_known_as(point),
        sources=[state.catalog.sources[k] for k in point.sources],
        body3d=view_3d(name, positions, body),
    )
