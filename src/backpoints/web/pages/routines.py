"""Routine pages: the list (built-in and your own), starting one (screening if never done,
stress before), each step with the timer, stress after; importing, exporting and building
your own; and the tools library. Forms post and redirect, like the session pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backpoints.app import routine_service, service
from backpoints.app.routine_run import RoutineRun
from backpoints.core.errors import BackpointsError
from backpoints.core.routines import RoutineError, build_routine, describe, find, from_json, to_json
from backpoints.core.screening import QUESTIONS
from backpoints.core.tools import FIRMNESS, guide_for, tool_guides
from backpoints.i18n import gettext as _
from backpoints.web import words
from backpoints.web.pages.library import render, see_other
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
    rows = [{"routine": r, "length": describe(r)} for r in found]
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
    steps = [{"step": s, "point": state.catalog.get(s.point_id)} for s in routine.steps]
    ask = routine_service.needs_screening(state.services, person)
    questions = [{"id": k, "text": _(v)} for k, v in QUESTIONS.items()] if ask else []
    return render(
        request,
        "routine.html",
        status_code,
        routine=routine,
        steps=steps,
        length=describe(routine),
        questions=questions,
        error=error,
    )


@router.post("/routines/{routine_id}/start", response_class=HTMLResponse)
async def start(request: Request, routine_id: str) -> Response:
    state = app_state(request)
    person = state.person()
    form = await request.form()
    stress = _level(form, "stress_before")
    ask = routine_service.needs_screening(state.services, person)
    missing = [q for q in QUESTIONS if form.get(q) not in ("yes", "no")] if ask else []
    if stress is None or missing:
        message = (
            "Please answer every safety question."
            if missing
            else "Choose how stressed or tense you feel, 0 to 10."
        )
        return _routine(request, routine_id, 422, message)
    flags = [q for q in QUESTIONS if form.get(q) == "yes"]
    if ask:
        service.record_screening(state.services, person, flags, {})
    try:
        run_id, _run = routine_service.start(state.services, person, routine_id, flags, stress)
    except BackpointsError as exc:
        return _routine(request, routine_id, 422, str(exc))
    return see_other(f"/runs/{run_id}")


def _level(form: FormData, name: str) -> int | None:
    raw = str(form.get(name, "")).strip()
    return int(raw) if raw.isdigit() and 0 <= int(raw) <= 10 else None


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> Response:
    state = app_state(request)
    try:
        run = routine_service.load(state.services, run_id, state.person())
    except BackpointsError as exc:
        return render(request, "message.html", 404, title="No such routine run", message=str(exc))
    if run.status == "refer":
        return render(
            request,
            "refer.html",
            urgency=run.urgency,
            message=_(run.message or ""),
            sources=words.sources(state.catalog, ["nice-cks-lbp"]),
        )
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
        firmness=FIRMNESS,
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
    return render(request, "tools.html", tools=list(tool_guides().values()), firmness=FIRMNESS)
