"""Routine pages: the list (built-in and your own), starting one (through `begin`: the safety
questions when due, a referral while a red flag stands, stress before), each step with the
timer, stress after; importing, exporting and building
your own; and the tools library. Forms post and redirect, like the session pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backpoints.app import begin, routine_service
from backpoints.app.routine_run import RoutineRun
from backpoints.core.errors import BackpointsError
from backpoints.core.records import parse_level
from backpoints.core.routines import (
    RoutineError,
    build_routine,
    describe_shown,
    find,
    from_json,
    shown,
    to_json,
)
from backpoints.core.tools import firmness, guide_for, tool_guides
from backpoints.i18n import gettext as _
from backpoints.web.pages.library import render, see_other
from backpoints.web.pages.refer import answers_from, question_groups, refer_page
from backpoints.web.state import app_state
from backpoints.web.words import plain_name

router = APIRouter(include_in_schema=False)


@router.get("/routines", response_class=HTMLResponse)
def routines_page(request: Request) -> Response:
    return _routines(request)


def _routines(request: Request, status_code: int = 200, error: str | None = None) -> Response:
    state = app_state(request)
    person = state.person()
    found = routine_service.routines_for(state.services, person)
    rows = [{"routine": shown(r), "length": describe_shown(r)} for r in found]
    return render(
        request,
        "routines.html",
        status_code,
        rows=rows,
        error=error,
        runs=routine_service.runs(state.services, person, 20),
        points=state.catalog.points,
    )


@router.get("/routines/{routine_id}.json")
def routine_file(request: Request, routine_id: str) -> Response:
    state = app_state(request)
    try:
        routine = find(routine_id, routine_service.custom_routines(state.services, state.person()))
    except BackpointsError as exc:
        return render(request, "message.html", 404, title="No such routine", message=str(exc))
    headers = {"Content-Disposition": f'attachment; filename="{routine.id}.json"'}
    return Response(to_json(routine), media_type="application/json", headers=headers)


@router.get("/routines/{routine_id}", response_class=HTMLResponse)
def routine_page(request: Request, routine_id: str) -> Response:
    return _routine(request, routine_id)


def _routine(
    request: Request, routine_id: str, status_code: int = 200, error: str | None = None
) -> Response:
    state = app_state(request)
    person = state.person()
    try:
        routine = find(routine_id, routine_service.custom_routines(state.services, person))
    except BackpointsError as exc:
        return render(request, "message.html", 404, title="No such routine", message=str(exc))
    referred = begin.guard(state.services, person)
    if referred is not None:
        return refer_page(request, referred)
    steps = [{"step": s, "point": state.catalog.get(s.point_id)} for s in routine.steps]
    ask = begin.screening_status(state.services, person).due
    return render(
        request,
        "routine.html",
        status_code,
        routine=shown(routine),
        steps=steps,
        length=describe_shown(routine),
        groups=question_groups() if ask else [],
        error=error,
    )


@router.post("/routines/{routine_id}/start", response_class=HTMLResponse)
async def start(request: Request, routine_id: str) -> Response:
    state = app_state(request)
    person = state.person()
    form = await request.form()
    stress = _level(form, "stress_before")
    if stress is None:
        return _routine(request, routine_id, 422, "Choose how stressed or tense you feel, 0 to 10.")
    answers, _unanswered = answers_from(form)
    try:
        outcome = begin.begin(
            state.services, person, {}, answers, routine=routine_id, stress_before=stress
        )
    except BackpointsError as exc:
        return _routine(request, routine_id, 422, str(exc))
    if isinstance(outcome, begin.AskScreening):
        return _routine(request, routine_id, 422, _("Please answer every safety question."))
    if isinstance(outcome, begin.Referred):
        return see_other("/refer")
    return see_other(f"/runs/{outcome.id}")


def _level(form: FormData, name: str) -> int | None:
    return parse_level(form.get(name, ""))


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> Response:
    state = app_state(request)
    try:
        run = routine_service.load(state.services, run_id, state.person())
    except BackpointsError as exc:
        return render(request, "message.html", 404, title="No such routine run", message=str(exc))
    referred = begin.guard(state.services, state.person())
    if referred is not None and run.status in ("active", "refer"):
        return refer_page(request, referred)
    if run.status == "refer":
        return refer_page(request, begin.Referred(run.urgency, (), run.message or ""))
    return _run_page(request, run_id, run)


def _run_page(
    request: Request, run_id: str, run: RoutineRun, status_code: int = 200, error: str | None = None
) -> Response:
    step = run.current
    if step is None:
        return render(
            request, "routine_done.html", status_code, run=run, run_id=run_id, error=error
        )
    from backpoints.web.pages.session import cues_json, step_map

    guide = guide_for(step.technique.tool)
    return render(
        request,
        "routine_step.html",
        status_code,
        run=run,
        run_id=run_id,
        step=step,
        map_svg=step_map(request, step),
        tool=guide,
        firmness=firmness(),
        total=len(run.steps),
        point=app_state(request).catalog.get(step.point.id),
        cues_json=cues_json(step, plain_name(app_state(request).catalog.get(step.point.id))),
    )


@router.post("/runs/{run_id}/{event}", response_class=HTMLResponse)
async def run_event(request: Request, run_id: str, event: str) -> Response:
    state = app_state(request)
    person = state.person()
    moves = {
        "next": routine_service.next_step,
        "skip": routine_service.skip_step,
        "stop": routine_service.stop,
    }
    if event in moves and begin.guard(state.services, person) is not None:
        return see_other(f"/runs/{run_id}")  # a red flag stands: the run page refers
    try:
        if event == "stress":
            level = _level(await request.form(), "stress_after")
            if level is None:
                run = routine_service.load(state.services, run_id, person)
                return _run_page(request, run_id, run, 422, "Choose a number from 0 to 10.")
            routine_service.record_stress(state.services, run_id, level, person)
        elif event in moves:
            moves[event](state.services, run_id, person)
        else:
            return render(request, "message.html", 404, title="Not found", message="No such step.")
    except routine_service.UnknownRun as exc:
        return render(request, "message.html", 404, title="No such routine run", message=str(exc))
    except BackpointsError:
        pass  # moved on already (another tab): show where it stands
    return see_other(f"/runs/{run_id}")


@router.post("/routines/import", response_class=HTMLResponse)
async def import_routine(request: Request) -> Response:
    state = app_state(request)
    async with request.form() as form:  # closes the uploaded file's spool
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _routines(request, 422, "Choose a routine file (.json) to import.")
        text = (await upload.read()).decode("utf-8", "replace")
    try:
        routine = from_json(text, state.catalog)
        routine_service.save_custom(state.services, state.person(), routine)
    except BackpointsError as exc:
        return _routines(request, 422, str(exc))
    return see_other(f"/routines/{routine.id}")


@router.post("/routines/build", response_class=HTMLResponse)
async def build(request: Request) -> Response:
    """Build your own routine from points (both sides, one duration)."""
    state = app_state(request)
    form = await request.form()
    seconds = str(form.get("duration_s", "90")).strip()
    try:
        if not (seconds.isdigit() and len(seconds) <= 3):
            raise RoutineError("Seconds per point must be a number from 30 to 180.")
        routine = build_routine(
            str(form.get("name", "")),
            [str(p) for p in form.getlist("points")],
            int(seconds),
            state.catalog,
        )
        routine_service.save_custom(state.services, state.person(), routine)
    except BackpointsError as exc:
        return _routines(request, 422, str(exc))
    return see_other(f"/routines/{routine.id}")


@router.get("/tools", response_class=HTMLResponse)
def tools_page(request: Request) -> Response:
    return render(request, "tools.html", tools=list(tool_guides().values()), firmness=firmness())
