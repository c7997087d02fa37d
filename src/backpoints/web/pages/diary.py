"""Diary pages: history with trends, what helps this person, the printable points chart, profile.

Read-only views over the service's history and insights, plus the "about you" form.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backpoints.app import begin, routine_service, service
from backpoints.core.anatomy import locate
from backpoints.core.render import Marker, back_svg
from backpoints.core.routines import shown_name
from backpoints.core.steps import technique_summary
from backpoints.core.vocab import PROFILE_CONDITIONS, REGION_IDS, condition_phrase, region_label
from backpoints.i18n import format_day
from backpoints.i18n import gettext as _
from backpoints.report.diary import chart_points
from backpoints.store.repo import SessionSummary
from backpoints.web.charts import before_after_svg, trend_svg
from backpoints.web.pages.library import render, see_other
from backpoints.web.pages.session import profile_from
from backpoints.web.state import app_state
from backpoints.web.words import expert_name, outcome, plain_name, with_side

router = APIRouter(include_in_schema=False)


@router.get("/history", response_class=HTMLResponse)
def history(request: Request) -> Response:
    state = app_state(request)
    service.close_stale(state.services, state.person())
    sessions = service.history(state.services, state.person())
    catalog = state.catalog
    by_region: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for s in reversed(sessions):
        for region, level in s.pain.items():
            by_region[region].append((s.started_at, level))
    trends = [
        {"label": region_label(r), "svg": trend_svg(region_label(r), by_region[r])}
        for r in REGION_IDS
        if len(by_region[r]) >= 2
    ]
    rated = [s for s in reversed(sessions) if s.ratings]
    pairs = [_before_after(s) for s in rated]
    rows = [
        {
            "when": s.started_at,
            "pain": ", ".join(f"{region_label(r)} {v}" for r, v in s.pain.items()),
            "tries": [
                f"{with_side(plain_name(catalog.get(r.point_id)), r.side)}: "
                f"{r.pain_before} → {r.pain_after}"
                for r in s.ratings
            ],
            "status": s.status,
            "outcome": outcome(s.status),
            "id": s.id,
        }
        for s in sessions
    ]
    runs = [
        (
            f"{format_day(r.started_at, time=True)}, {shown_name(r.routine_id, r.name)}",
            r.stress_before,
            r.stress_after,
        )
        for r in reversed(routine_service.runs(state.services, state.person()))
        if r.stress_before is not None and r.stress_after is not None
    ]
    stress = before_after_svg(runs, _("Stress before and after each routine")) if runs else None
    return render(
        request,
        "history.html",
        rows=rows,
        trends=trends,
        before_after=(
            before_after_svg(pairs, _("Pain before and after each session"))
            if len(pairs) >= 2
            else None
        ),
        stress=stress,
    )


def _before_after(s: SessionSummary) -> tuple[str, int, int]:
    """The first treated region of a session: its pain at the start and after the last try."""
    region = s.ratings[0].region
    after = [r.pain_after for r in s.ratings if r.region == region][-1]
    label = f"{format_day(s.started_at, time=True)}, {region_label(region)}"
    return label, s.pain.get(region, s.ratings[0].pain_before), after


@router.get("/insights", response_class=HTMLResponse)
def insights(request: Request) -> Response:
    state = app_state(request)
    found = service.insights(state.services, state.person())
    rows = [
        {
            "region": region_label(i.region),
            "point": state.catalog.get(i.point_id),
            "name": plain_name(state.catalog.get(i.point_id)),
            "helped": i.helped,
            "tried": i.tried,
            "mean_drop": i.mean_drop,
        }
        for i in found
    ]
    return render(request, "insights.html", rows=rows)


@router.get("/chart", response_class=HTMLResponse)
def chart(request: Request) -> Response:
    """My points: the points that helped (else the first suggestions), drawn on my back."""
    state = app_state(request)
    if begin.guard(state.services, state.person()) is not None:
        return see_other("/refer")  # no guidance while a red flag stands
    profile = state.profile()
    points, personal = chart_points(state.services, state.person())
    body = service.body_of(profile)
    markers = [
        Marker(pos, str(n), highlight=True)
        for n, point in enumerate(points, start=1)
        for pos in locate(point, body)
    ]
    items = [
        {
            "n": n,
            "point": point,
            "name": plain_name(point),
            "expert": expert_name(point),
            "how": technique_summary(
                point.technique.motion, point.technique.pressure, point.technique.tools[0]
            ),
        }
        for n, point in enumerate(points, start=1)
    ]
    svg = back_svg(body, markers=markers, title=_("My points, seen from behind"))
    return render(request, "chart.html", items=items, map_svg=svg, personal=personal)


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request) -> Response:
    return _profile_page(request)


def _profile_page(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    return render(
        request,
        "profile.html",
        status_code,
        profile=app_state(request).profile(),
        conditions=[{"id": c, "text": condition_phrase(c)} for c in PROFILE_CONDITIONS],
        regions=[{"id": r, "label": region_label(r)} for r in REGION_IDS],
        error=error,
    )


@router.post("/profile", response_class=HTMLResponse)
async def save_profile(request: Request) -> Response:
    state = app_state(request)
    try:
        profile = profile_from(await request.form())
    except ValueError as exc:
        return _profile_page(request, str(exc), 422)
    service.save_profile(state.services, state.person(), profile)
    return see_other("/profile?saved=1")
