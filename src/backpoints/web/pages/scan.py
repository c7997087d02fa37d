"""The scan page: walk down the back, mark tender spots by tapping the map (or by region and
level without a pointer), see the points they match, forget a spot. While a red flag stands
the page shows the referral instead (no suggested points)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backpoints.app import begin, scan_service
from backpoints.core.anatomy import Position
from backpoints.core.cautions import cautions_for
from backpoints.core.errors import BackpointsError
from backpoints.core.render import Marker, back_svg
from backpoints.core.scan import HOW_TO_SCAN, SCAN_ORDER, spot_at, spot_from_words, suggest
from backpoints.core.vocab import LEVELS, region_label
from backpoints.web.pages.library import render, see_other
from backpoints.web.pages.refer import refer_page
from backpoints.web.state import app_state

router = APIRouter(include_in_schema=False)


@router.get("/scan", response_class=HTMLResponse)
def scan_page(request: Request) -> Response:
    return _page(request)


def _page(request: Request, status_code: int = 200, error: str | None = None) -> Response:
    state = app_state(request)
    referred = begin.guard(state.services, state.person())
    if referred is not None:  # no suggested points while a red flag stands
        return refer_page(request, referred)
    found = scan_service.spots(state.services, state.person())
    markers = [
        Marker(Position("spot", None, s.x_cm, s.y_cm, "", 1.0), str(n), highlight=True)
        for n, s in enumerate(found, start=1)
    ]
    svg = back_svg(
        state.body(),
        markers=markers,
        title="Your back: tap where it feels tender",
        landmark_labels=True,  # the form asks for a spine level
    )
    limits = cautions_for(state.profile(), state.catalog)
    rows = []
    for n, s in enumerate(found, start=1):
        offered = suggest(s.region, s.points, state.catalog, limits)
        rows.append(
            {
                "n": n,
                "spot": s,
                "region": region_label(s.region),
                "points": [state.catalog.get(p).display_name for p in offered.points],
                "left_out": offered.left_out,
            }
        )
    regions = [{"id": r, "label": region_label(r)} for r in SCAN_ORDER]
    return render(
        request,
        "scan.html",
        status_code,
        map_svg=svg,
        rows=rows,
        regions=regions,
        levels=LEVELS,
        ways=HOW_TO_SCAN,
        error=error,
    )


@router.post("/scan/spot", response_class=HTMLResponse)
async def mark(request: Request) -> Response:
    state = app_state(request)
    if begin.guard(state.services, state.person()) is not None:
        return see_other("/refer")
    form = await request.form()
    raw = str(form.get("tenderness", "")).strip()
    try:
        tenderness = int(raw) if raw.isdigit() else 0
        x, y = str(form.get("x_cm", "")).strip(), str(form.get("y_cm", "")).strip()
        body = state.body()
        if x and y:
            spot = spot_at(body, float(x), float(y), tenderness)
        else:
            region, level = str(form.get("region", "")), str(form.get("level", ""))
            spot = spot_from_words(body, region, level, tenderness)
            if not 1 <= tenderness <= 10:
                raise ValueError
        scan_service.record(state.services, state.person(), spot)
    except BackpointsError as exc:
        return _page(request, 422, str(exc))
    except ValueError:
        return _page(request, 422, "Give the spot's tenderness from 1 to 10 and where it is.")
    return see_other("/scan#found")


@router.post("/scan/{spot_id}/forget", response_class=HTMLResponse)
def forget(request: Request, spot_id: int) -> Response:
    state = app_state(request)
    scan_service.forget(state.services, state.person(), spot_id)
    return see_other("/scan#found")
