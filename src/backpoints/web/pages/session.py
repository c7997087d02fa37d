"""Pages of a guided session: start from the pain map, screening, each step, rating, the end.

Starting goes through `backpoints.app.begin` only (ask, refer or start); while a red flag
stands, a session page shows the referral instead of its step.

Forms post and redirect (POST/redirect/GET): a rating is committed before the next step is
shown, and reloading a page never repeats a post. Bad form input re-renders the page with a
message (422), never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backpoints.app import begin, service
from backpoints.core import guided
from backpoints.core.anatomy import Body, Position
from backpoints.core.cautions import site_question
from backpoints.core.errors import BackpointsError
from backpoints.core.guided import SessionState
from backpoints.core.records import parse_level
from backpoints.core.render import Marker, back_svg, focus_view
from backpoints.core.screening import Profile
from backpoints.core.steps import Step
from backpoints.core.tools import firmness, guide_for
from backpoints.core.vocab import (
    PROFILE_CONDITIONS,
    REGION_IDS,
    TOOLS,
    condition_phrase,
    region_label,
)
from backpoints.i18n import gettext as _
from backpoints.store.repo import Conflict
from backpoints.web.body3d import view_3d
from backpoints.web.pages.library import home_page, render, see_other
from backpoints.web.pages.refer import answers_from, question_groups, refer_page
from backpoints.web.state import app_state
from backpoints.web.words import expert_name, plain_name, sources, with_side

router = APIRouter(include_in_schema=False)


def _pain_from(form: FormData, prefix: str = "") -> dict[str, int]:
    """Pain levels from form fields named `<prefix><region id>`; raises ValueError if bad."""
    pain: dict[str, int] = {}
    for region in REGION_IDS:
        level = parse_level(form.get(prefix + region, "0") or "0")
        if level is None:
            raise ValueError(f"Pain for {region_label(region)} must be a number from 0 to 10.")
        if level > 0:
            pain[region] = level
    if not pain:
        raise ValueError("Mark at least one place that hurts (1 to 10) to start.")
    return pain


@router.post("/start", response_class=HTMLResponse)
async def start(request: Request) -> Response:
    form = await request.form()
    try:
        pain = _pain_from(form)
    except ValueError as exc:
        return home_page(request, error=str(exc), status_code=422)
    return _begin(request, pain, None, None)


def _begin(
    request: Request,
    pain: dict[str, int],
    answers: dict[str, bool] | None,
    profile: Profile | None,
    error: str | None = None,
) -> Response:
    """Ask, refer or start, through the one use case (`backpoints.app.begin`)."""
    state = app_state(request)
    outcome = begin.begin(state.services, state.person(), pain, answers, profile)
    if isinstance(outcome, begin.AskScreening):
        return _screening_page(request, pain, error, 422 if error else 200)
    if isinstance(outcome, begin.Referred):
        return see_other("/refer")
    return see_other(f"/sessions/{outcome.id}")


def _screening_page(
    request: Request, pain: dict[str, int], error: str | None = None, status_code: int = 200
) -> Response:
    profile = app_state(request).profile()
    return render(
        request,
        "screening.html",
        status_code,
        pain=pain,
        groups=question_groups(),
        conditions=[{"id": c, "text": condition_phrase(c)} for c in PROFILE_CONDITIONS],
        profile=profile,
        regions=[{"id": r, "label": region_label(r)} for r in REGION_IDS],
        error=error,
    )


@router.post("/screening", response_class=HTMLResponse)
async def screening(request: Request) -> Response:
    form = await request.form()
    try:
        pain = _pain_from(form, "pain_")
    except ValueError as exc:
        return home_page(request, error=str(exc), status_code=422)
    try:
        profile = profile_from(form)
    except ValueError as exc:
        return _screening_page(request, pain, str(exc), 422)
    answers, missing = answers_from(form)
    message = (
        _("Please answer every question ({n} not answered).").format(n=missing) if missing else None
    )
    return _begin(request, pain, answers, profile, message)


def profile_from(form: FormData) -> Profile:
    """A profile from the "about you" form fields; raises ValueError naming a bad field."""
    data: dict[str, Any] = {c: form.get(c) == "on" for c in PROFILE_CONDITIONS}
    data["affected_regions"] = tuple(r for r in form.getlist("affected_regions") if r in REGION_IDS)
    data["tools_owned"] = tuple(t for t in form.getlist("tools_owned") if t in TOOLS)
    sex = str(form.get("sex", "") or "")
    if sex not in ("", "female", "male"):
        raise ValueError("Sex must be female or male (or left blank).")
    data["sex"] = sex or None
    stature = str(form.get("stature_cm", "") or "").strip()
    if stature:
        try:
            data["stature_cm"] = float(stature)
        except ValueError:
            raise ValueError("Height must be a number of centimetres, e.g. 168.") from None
        if not 100 <= data["stature_cm"] <= 250:
            raise ValueError("Height must be between 100 and 250 cm.")
    age = str(form.get("age", "") or "").strip()
    if age:
        if not age.isdigit() or not 0 <= int(age) <= 120:
            raise ValueError("Age must be a whole number of years, e.g. 42 (or left blank).")
        data["age"] = int(age)
    profile = Profile.model_validate(data)
    unnamed = site_question(profile)
    if unnamed:
        raise ValueError(unnamed)
    return profile


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session_id: str) -> Response:
    state = app_state(request)
    try:
        _stored, session = service.load(state.services, session_id, state.person())
    except BackpointsError as exc:
        return render(request, "message.html", 404, title=_("No such session"), message=str(exc))
    referred = begin.guard(state.services, state.person())
    if session.status == "refer" or (referred is not None and session.status == "active"):
        return refer_page(request, referred or _stored_referral(session))
    if session.status == "active" and session.current is not None:
        return step_page(request, session_id, session)
    return _summary_page(request, session)


def _stored_referral(session: SessionState) -> begin.Referred:
    """The referral a stored session was given (its flags have since been answered "no")."""
    return begin.Referred(session.urgency, session.flags, session.message or "")


def step_page(
    request: Request,
    session_id: str,
    session: SessionState,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    step = session.current
    assert step is not None
    pain = {r.region: r.pain_now for r in session.regions}
    region = next(r for r in session.regions if r.region == step.region)
    body = service.body_of(session.profile)
    svg = step_map(request, step, pain, body)
    spots = [
        Position(step.point.id, s.side, s.x_cm, s.y_cm, s.level, s.uncertainty_cm)
        for s in step.point.spots
    ]
    catalog = app_state(request).catalog
    point = catalog.get(step.point.id)
    return render(
        request,
        "step.html",
        status_code,
        step=step,
        place=guided.region_progress(session, catalog),
        name=with_side(plain_name(point), step.point.side, len(step.point.spots)),
        expert=expert_name(point),
        source_list=sources(catalog, step.sources),
        session_id=session_id,
        map_svg=svg,
        cues_json=cues_json(step, plain_name(point)),
        pain_before=region.pain_start,
        pain_now=region.pain_now,
        tool=guide_for(step.technique.tool),
        firmness=firmness(),
        notes=session.notes,
        error=error,
        body3d=view_3d(step.point.name, spots, body),
    )


def cues_json(step: Step, plain: str) -> str:
    """The spoken cues, the get-ready one naming the point in plain words."""
    cues = [c.model_dump() for c in step.cues]
    for cue in cues:
        if cue["kind"] == "ready":
            cue["say"] = _("Get ready: find {point}. Start at the tone.").format(point=plain)
    return json.dumps(cues).replace("</", "<\\/")


def step_map(
    request: Request, step: Step, pain: dict[str, int] | None = None, body: Body | None = None
) -> str:
    """The back zoomed to this step's point, highlighted and named in plain words (both
    spots for "both sides")."""
    name = plain_name(app_state(request).catalog.get(step.point.id))
    markers = [
        Marker(
            Position(step.point.id, s.side, s.x_cm, s.y_cm, s.level, s.uncertainty_cm),
            name,
            highlight=True,
        )
        for s in step.point.spots
    ]
    body = body or app_state(request).body()
    view = focus_view(body, [(s.x_cm, s.y_cm) for s in step.point.spots])
    title = f"Where to press: {with_side(name, step.point.side, len(step.point.spots))}"
    return back_svg(body, pain=pain, markers=markers, title=title, view=view)


def _summary_page(request: Request, session: SessionState) -> Response:
    catalog = app_state(request).catalog
    ratings = [
        {
            **r.model_dump(),
            "name": with_side(plain_name(catalog.get(r.point_id)), r.side),
            "region_label": region_label(r.region),
        }
        for r in session.ratings
    ]
    return render(
        request,
        "summary.html",
        status=session.status,
        pain=[
            {"label": region_label(r.region), "start": r.pain_start, "now": r.pain_now}
            for r in session.regions
        ],
        message=session.message,
        advice=_(session.advice) if session.advice else None,
        advice_sources=sources(
            app_state(request).catalog, guided.ADVICE_SOURCES.get(session.advice or "", ())
        ),
        notes=session.notes,
        ratings=ratings,
    )


@router.post("/sessions/{session_id}/rate", response_class=HTMLResponse)
async def rate(request: Request, session_id: str) -> Response:
    state = app_state(request)
    form = await request.form()
    raw = str(form.get("pain_after", "")).strip()
    side = str(form.get("side", "") or "") or None
    try:
        _stored, session = service.load(state.services, session_id, state.person())
    except BackpointsError as exc:
        return render(request, "message.html", 404, title=_("No such session"), message=str(exc))
    if begin.guard(state.services, state.person()) is not None:
        return see_other(f"/sessions/{session_id}")  # a red flag stands: the page refers
    if parse_level(raw) is None:
        if session.current is None:
            return see_other(f"/sessions/{session_id}")
        message = "Choose how much it hurts now, from 0 to 10, then save."
        return step_page(request, session_id, session, message, 422)
    try:
        point_id = str(form.get("point_id", ""))
        service.rate(state.services, session_id, point_id, side, int(raw), state.person())
    except (Conflict, BackpointsError):
        pass  # already answered or ended: the session page shows where it stands
    return see_other(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/skip", response_class=HTMLResponse)
async def skip(request: Request, session_id: str) -> Response:
    state = app_state(request)
    if begin.guard(state.services, state.person()) is not None:
        return see_other(f"/sessions/{session_id}")  # a red flag stands: the page refers
    form = await request.form()
    point_id = str(form.get("point_id", "") or "")
    if point_id:  # a skip sent again (offline replay) must not skip the next point too
        try:
            _stored, session = service.load(state.services, session_id, state.person())
        except BackpointsError as exc:
            return render(
                request, "message.html", 404, title=_("No such session"), message=str(exc)
            )
        if session.current is None or session.current.point.id != point_id:
            return see_other(f"/sessions/{session_id}")
    return _event(request, session_id, service.skip)


@router.post("/sessions/{session_id}/stop", response_class=HTMLResponse)
def stop(request: Request, session_id: str) -> Response:
    return _event(request, session_id, service.stop)


def _event(request: Request, session_id: str, event: Any) -> Response:
    state = app_state(request)
    try:
        event(state.services, session_id, state.person())
    except service.UnknownSession as exc:
        return render(request, "message.html", 404, title=_("No such session"), message=str(exc))
    except BackpointsError:
        pass  # the session already ended; show it as it is
    return see_other(f"/sessions/{session_id}")
