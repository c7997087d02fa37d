"""The JSON API under /api/v1: regions, points, screening, sessions, ratings, history, insights.

Each route validates its input with the schemas, calls one service function and returns a
public schema. Errors become 4xx JSON naming the field (see `backpoints.web.errors`).

The session routes are `async def`. On SQLite they call the service directly: a local write
of a millisecond or two costs less on the event loop than a hop to the thread pool, and it
keeps writes from queueing on the database lock (benchmarks/bench_api). On a database server
the call goes to the thread pool, so one worker overlaps the network round trips
(benchmarks/bench_scale).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from backpoints.app import begin, service
from backpoints.core.errors import BackpointsError
from backpoints.core.guided import SessionState
from backpoints.core.screening import Profile
from backpoints.core.vocab import REGION_IDS, RegionId, region_label
from backpoints.i18n import gettext as _
from backpoints.web import jsonbody
from backpoints.web.deps import StateDep
from backpoints.web.schemas import (
    ERROR_RESPONSES,
    AllClearCreate,
    InsightPublic,
    PointPublic,
    ProfileIn,
    QuestionPublic,
    RatingCreate,
    RegionPublic,
    ScreeningPublic,
    SessionCreate,
    SessionPublic,
)
from backpoints.web.state import AppState

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)


State = StateDep


@router.get("/regions", response_model=list[RegionPublic])
def list_regions() -> list[RegionPublic]:
    """The 13 regions of the back, with labels (the person's left and right)."""
    return [RegionPublic(id=r, label=region_label(r)) for r in REGION_IDS]


@router.get("/points", response_model=list[PointPublic])
def list_points(state: State, region: RegionId | None = None) -> list[PointPublic]:
    """Every point, or those that help one region."""
    points = state.catalog.for_region(region) if region else state.catalog.points
    return [PointPublic.of(p) for p in points]


@router.get("/points/{point_id}", response_model=PointPublic)
def get_point(state: State, point_id: str) -> PointPublic:
    """One point: names, regions it helps and why, how to find it, technique, cautions."""
    return PointPublic.of(state.catalog.get(point_id))


@router.get("/profile", response_model=ProfileIn)
def get_profile(state: State) -> ProfileIn:
    """The saved profile (contraindications, height, sex)."""
    return ProfileIn.model_validate(state.profile().model_dump())


@router.put("/profile", response_model=ProfileIn)
def put_profile(state: State, body: ProfileIn) -> ProfileIn:
    """Replace the saved profile."""
    service.save_profile(state.services, state.person(), Profile.model_validate(body.model_dump()))
    return body


def _json(model: SessionPublic, status_code: int = 200) -> Response:
    """Serialise a session once, in pydantic's core (the hot path of the session cycle)."""
    return Response(model.model_dump_json(), status_code, media_type="application/json")


@router.post(
    "/sessions",
    response_model=SessionPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=jsonbody.documented(SessionCreate),
)
async def create_session(request: Request) -> Response:
    """Screen the answers, plan, and return the first step (or a referral).

    While the questions are due and not all answered: 422 naming `answers`.
    """
    # the session cycle takes the request alone: no dependency to solve on the hot path
    state: AppState = request.app.state.bp
    body = await jsonbody.parse(request, SessionCreate)
    person = state.person()
    return await _run(state, _create, state, person, body)


def _create(state: AppState, person: str, body: SessionCreate) -> Response:
    pain: dict[str, int] = {p.region: p.intensity for p in body.pain}
    profile = Profile.model_validate(body.profile.model_dump()) if body.profile else None
    answers = None if body.answers is None else {str(k): v for k, v in body.answers.items()}
    outcome = begin.begin(state.services, person, pain, answers, profile, flags=body.flags)
    if isinstance(outcome, begin.AskScreening):
        raise begin.ScreeningDue(outcome.missing)
    if isinstance(outcome, begin.Referred):
        assert outcome.session_id is not None and outcome.session is not None
        session_id, session = outcome.session_id, outcome.session
    else:
        assert outcome.session is not None
        session_id, session = outcome.id, outcome.session
    return _json(SessionPublic.of(session_id, session), status.HTTP_201_CREATED)


@router.get("/screening", response_model=ScreeningPublic)
def get_screening(
    state: State,
    pain: Annotated[
        list[str],
        Query(description="Where it hurts now, e.g. lower_back_left=6 (repeat); for `due`"),
    ] = [],  # noqa: B006  (FastAPI copies query defaults)
) -> ScreeningPublic:
    """The red-flag questions (emergency ones first), the flags standing for this person, and
    whether the questions are due now (first time, a new or worse pain, or a flag stands)."""
    found = begin.screening_status(state.services, state.person(), _pain_query(pain))
    return ScreeningPublic(
        questions=[
            QuestionPublic(
                id=q.id,
                text=_(q.text),
                urgency=q.urgency,
                group=_(q.group),
                sources=list(q.sources),
            )
            for q in found.questions
        ],
        standing=list(found.standing),
        due=found.due,
    )


@router.post("/screening/all-clear", response_model=ScreeningPublic)
def post_all_clear(state: State, body: AllClearCreate) -> ScreeningPublic:
    """Record a clinician's all-clear for flags that stand: they no longer stand. 422 naming
    the field when a flag does not stand, the check is in the future or over 28 days old, or
    `confirmed` is not true."""
    begin.record_all_clear(
        state.services,
        state.person(),
        body.flags,
        body.checked_on,
        body.clinician,
        confirmed=body.confirmed,
    )
    return get_screening(state)


def _pain_query(items: list[str]) -> dict[str, int]:
    pain: dict[str, int] = {}
    for item in items[: len(REGION_IDS)]:
        region, _, value = item.partition("=")
        if region not in REGION_IDS or not value.isdigit() or not 0 <= int(value) <= 10:
            raise BadPainQuery(
                f"pain must look like lower_back_left=6 (a region id, 0-10), not {item[:40]!r}."
            )
        pain[region] = int(value)
    return pain


class BadPainQuery(BackpointsError, ValueError):
    field = "pain"


def _guarded(state: AppState, person: str, session_id: str, session: SessionState) -> Response:
    """The session, or its referral while a red flag stands (no step is shown then)."""
    referred = begin.guard(state.services, person)
    if referred is not None and session.status == "active":
        session = begin.as_referral(session, referred)
    return _json(SessionPublic.of(session_id, session))


async def _run(state: AppState, func: Callable[..., Response], *args: Any) -> Response:
    """Call inline on SQLite, in the thread pool on a database server (module docstring)."""
    if state.services.settings.resolved_database_url.startswith("sqlite"):
        return func(*args)
    return await run_in_threadpool(func, *args)


@router.get("/sessions/{session_id}", response_model=SessionPublic)
def get_session(state: State, session_id: str) -> Response:
    """A session as it stands (referred, with no step, while a red flag stands)."""
    person = state.person()
    _stored, session = service.load(state.services, session_id, person)
    return _guarded(state, person, session_id, session)


@router.post(
    "/sessions/{session_id}/ratings",
    response_model=SessionPublic,
    openapi_extra=jsonbody.documented(RatingCreate),
)
async def rate(session_id: str, request: Request) -> Response:
    """ "How is the pain now?" for the current step; returns the next step or the outcome."""
    state: AppState = request.app.state.bp
    body = await jsonbody.parse(request, RatingCreate)
    return await _run(state, _rate, state, state.person(), session_id, body)


def _rate(state: AppState, person: str, session_id: str, body: RatingCreate) -> Response:
    session = begin.rate(
        state.services, person, session_id, body.point_id, body.side, body.pain_after
    )
    return _json(SessionPublic.of(session_id, session))


@router.post("/sessions/{session_id}/skip", response_model=SessionPublic)
def skip(state: State, session_id: str) -> Response:
    """Try a different point without rating this one."""
    person = state.person()
    if begin.guard(state.services, person) is not None:
        _, current = service.load(state.services, session_id, person)
        return _guarded(state, person, session_id, current)
    return _json(SessionPublic.of(session_id, service.skip(state.services, session_id, person)))


@router.post("/sessions/{session_id}/stop", response_model=SessionPublic)
def stop(state: State, session_id: str) -> Response:
    """End the session; ratings stay in the diary."""
    person = state.person()
    stopped = service.stop(state.services, session_id, person)
    return _guarded(state, person, session_id, stopped)


@router.get("/history", response_model=list[SessionPublic])
def history(state: State, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[SessionPublic]:
    """Past sessions, newest first, with their ratings."""
    found = service.history(state.services, state.person(), limit)
    return [SessionPublic.of_summary(s) for s in found]


@router.get("/insights", response_model=list[InsightPublic])
def insights(state: State) -> list[InsightPublic]:
    """What helps this person: per region and point, how often it relieved the pain."""
    found = service.insights(state.services, state.person())
    return [InsightPublic.of(i, state.catalog) for i in found]
