"""Repository functions: every read and write of the diary, as plain data in and out.

Each function takes an open SQLAlchemy `Session` or `Connection`. The writes of a session's
hot path (profile, screening, a new session, a saved state) belong to the caller's
transaction: the use case commits once, before the next step is shown (so a rating is
durable first). The other writing functions commit before they return. Session states are
saved with an optimistic version check: two ratings racing for one step cannot both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backpoints.core.errors import ConflictError
from backpoints.store.models import PainEntry as PainEntryRow
from backpoints.store.models import (
    PegCheckin,
    Person,
    PointTally,
    RatingRow,
    Screening,
    SessionRow,
    StepRow,
)

LOCAL_PERSON = "local"
#: What the hot-path functions run on: an ORM session, or a plain connection (lighter: the
#: session start and the rating use one, see `Services.conn`).
Db = Session | Connection


class Conflict(ConflictError):
    """Another request changed the session first (a double click, a second tab)."""

    field = "session"


@dataclass(frozen=True)
class StoredSession:
    id: str
    person_id: str
    version: int
    state: dict[str, Any]


@dataclass(frozen=True)
class StoredRating:
    session_id: str
    n: int
    region: str
    point_id: str
    side: str | None
    pain_before: int
    pain_after: int
    relieved: bool
    rated_at: datetime


@dataclass(frozen=True)
class SessionSummary:
    id: str
    status: str
    urgency: str | None
    started_at: datetime
    ended_at: datetime | None
    pain: dict[str, int]
    ratings: tuple[StoredRating, ...]


@dataclass(frozen=True)
class PointInsight:
    region: str
    point_id: str
    helped: int
    tried: int
    mean_drop: float


_PEOPLE = cast(Table, Person.__table__)
_FIND_PERSON = select(_PEOPLE.c.id).where(_PEOPLE.c.id == bindparam("pid"))
_PROFILE = select(_PEOPLE.c.profile).where(_PEOPLE.c.id == bindparam("pid"))
_INSERT_PERSON = insert(_PEOPLE)
_SAVE_PROFILE = (
    update(_PEOPLE).where(_PEOPLE.c.id == bindparam("pid")).values(profile=bindparam("profile"))
)
_INSERT_SCREENING = insert(cast(Table, Screening.__table__))


def ensure_person(db: Db, person_id: str, now: datetime) -> str:
    """Create the person on first use; returns the id."""
    if db.execute(_FIND_PERSON, {"pid": person_id}).first() is None:
        try:
            db.execute(_INSERT_PERSON, {"id": person_id, "created_at": now, "profile": {}})
            db.commit()
        except IntegrityError:  # created meanwhile by another request
            db.rollback()
    return person_id


def load_profile(db: Db, person_id: str) -> dict[str, Any]:
    profile = db.execute(_PROFILE, {"pid": person_id}).scalar()
    return dict(profile) if profile else {}


def save_profile(db: Db, person_id: str, profile: dict[str, Any]) -> None:
    """Replace the person's profile (no commit: the caller's transaction)."""
    db.execute(_SAVE_PROFILE, {"pid": person_id, "profile": profile})


def record_screening(db: Db, person_id: str, answers: dict[str, Any], at: datetime) -> None:
    """Store the answers to the red-flag questions and the pain map they were asked for (no
    commit: the caller's transaction)."""
    db.execute(_INSERT_SCREENING, {"person_id": person_id, "at": at, "answers": answers})


def screenings_of(db: Session, person_id: str) -> list[tuple[datetime, dict[str, Any]]]:
    """(when, answers) of every screening of the person, oldest first."""
    rows = db.scalars(
        select(Screening).where(Screening.person_id == person_id).order_by(Screening.at)
    )
    return [(r.at, dict(r.answers)) for r in rows]


def created_at(db: Session, person_id: str) -> datetime | None:
    """When the person's diary was created (None if there is no such person)."""
    person = db.get(Person, person_id)
    return None if person is None else person.created_at


def add_peg(db: Session, person_id: str, at: datetime, items: dict[str, int]) -> None:
    """Store a PEG check-in (the three 0-10 items by name)."""
    db.add(PegCheckin(person_id=person_id, at=at, **items))
    db.commit()


def pegs_of(
    db: Session, person_id: str, since: datetime | None = None, before: datetime | None = None
) -> list[tuple[datetime, int, int, int]]:
    """(when, pain, enjoyment, activity) of the person's PEG check-ins in [since, before)."""
    query = select(PegCheckin).where(PegCheckin.person_id == person_id)
    if since is not None:
        query = query.where(PegCheckin.at >= since)
    if before is not None:
        query = query.where(PegCheckin.at < before)
    rows = db.scalars(query.order_by(PegCheckin.at, PegCheckin.id))
    return [(r.at, r.pain, r.enjoyment, r.activity) for r in rows]


_SCREENINGS = cast(Table, Screening.__table__)
_LAST_SCREENING = (
    select(_SCREENINGS.c.at, _SCREENINGS.c.answers)
    .where(_SCREENINGS.c.person_id == bindparam("pid"))
    .order_by(_SCREENINGS.c.at.desc(), _SCREENINGS.c.id.desc())
    .limit(1)
)


def last_screening(db: Db, person_id: str) -> dict[str, Any] | None:
    """The person's latest screening: when, and its answers and pain map."""
    row = db.execute(_LAST_SCREENING, {"pid": person_id}).first()
    return None if row is None else {"at": row.at, **row.answers}


@dataclass(frozen=True)
class ShownStep:
    """A step as it is recorded when shown."""

    n: int
    region: str
    point_id: str
    side: str | None
    shown_at: datetime


_INSERT_SESSION = insert(cast(Table, SessionRow.__table__))
_INSERT_PAIN = insert(cast(Table, PainEntryRow.__table__))


def insert_session(
    db: Db,
    person_id: str,
    session_id: str,
    state: dict[str, Any],
    summary: dict[str, Any],
    pain: dict[str, int],
    step: ShownStep | None,
) -> None:
    """Store a new session with its pain map and first step (no commit: the caller's
    transaction)."""
    row = {"id": session_id, "person_id": person_id, "version": 1, "state": state, **summary}
    db.execute(_INSERT_SESSION, row)
    at = summary["started_at"]
    db.execute(
        _INSERT_PAIN,
        [
            {"session_id": session_id, "region": r, "intensity": i, "recorded_at": at}
            for r, i in pain.items()
        ],
    )
    if step is not None:
        db.execute(_INSERT_STEP, {"session_id": session_id, **vars(step)})


def load_session(db: Db, session_id: str) -> StoredSession | None:
    row = db.execute(_LOAD_SESSION, {"sid": session_id}).first()
    if row is None:
        return None
    return StoredSession(session_id, row.person_id, row.version, row.state)


_SESSIONS = cast(Table, SessionRow.__table__)
_LOAD_SESSION = select(_SESSIONS.c.person_id, _SESSIONS.c.version, _SESSIONS.c.state).where(
    _SESSIONS.c.id == bindparam("sid")
)
#: What a saved state writes: the state, its version and the summary columns.
_STATE_COLUMNS = ("state", "version", "status", "urgency", "started_at", "ended_at")
_SAVE_STATE = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("sid"), _SESSIONS.c.version == bindparam("expected"))
    .values({k: bindparam(k) for k in _STATE_COLUMNS})
)
_INSERT_RATING = insert(cast(Table, RatingRow.__table__))
_INSERT_STEP = insert(cast(Table, StepRow.__table__))


def save_session(
    db: Db,
    stored: StoredSession,
    state: dict[str, Any],
    summary: dict[str, Any],
    rating: StoredRating | None = None,
    step: ShownStep | None = None,
) -> None:
    """Save a new state (its rating, its next step) in one transaction, if nobody saved
    in between; `summary` holds the state's status, urgency, started_at and ended_at."""
    values = {"state": state, "version": stored.version + 1, **summary}
    result = db.execute(_SAVE_STATE, {**values, "sid": stored.id, "expected": stored.version})
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise Conflict("This step was already answered (in another tab?). Reload to continue.")
    if rating is not None:  # Core inserts with bound parameters: the hot path stays cheap
        db.execute(_INSERT_RATING, {"person_id": stored.person_id, **vars(rating)})
        _count_try(db, stored.person_id, rating)
    if step is not None:
        db.execute(_INSERT_STEP, {"session_id": stored.id, **vars(step)})
    try:
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise Conflict("This step was already answered. Reload to continue.") from exc


_TALLIES = cast(Table, PointTally.__table__)
_READ_TALLIES = select(
    _TALLIES.c.region, _TALLIES.c.point_id, _TALLIES.c.helped, _TALLIES.c.tried
).where(_TALLIES.c.person_id == bindparam("pid"))


def _tally_upsert(insert_of: Any) -> Any:
    """Add one try (and `helped`, 0 or 1) to a tally, creating it on the first try."""
    new = insert_of(_TALLIES).values(
        person_id=bindparam("pid"),
        region=bindparam("region"),
        point_id=bindparam("point_id"),
        helped=bindparam("helped"),
        tried=1,
    )
    return new.on_conflict_do_update(
        index_elements=[_TALLIES.c.person_id, _TALLIES.c.region, _TALLIES.c.point_id],
        set_={"helped": _TALLIES.c.helped + new.excluded.helped, "tried": _TALLIES.c.tried + 1},
    )


_COUNT_TRY = {
    "sqlite": _tally_upsert(sqlite.insert),
    "postgresql": _tally_upsert(postgresql.insert),
}


def _count_try(db: Db, person_id: str, rating: StoredRating) -> None:
    values = {
        "pid": person_id,
        "region": rating.region,
        "point_id": rating.point_id,
        "helped": int(rating.relieved),
    }
    db.execute(_COUNT_TRY[_dialect(db).name], values)


def _dialect(db: Db) -> Dialect:
    return db.dialect if isinstance(db, Connection) else db.get_bind().dialect


def tallies(db: Db, person_id: str) -> list[tuple[str, str, int, int]]:
    """(region, point id, times it relieved, times tried) for the person: one row per point
    tried, however long the diary (kept with each rating, see `save_session`)."""
    rows = db.execute(_READ_TALLIES, {"pid": person_id}).all()
    return [(region, point, helped, tried) for region, point, helped, tried in rows]


def _counted(person_id: str | None = None) -> Any:
    """(person, region, point, helped, tried) counted from the ratings themselves."""
    helped = func.sum(func.cast(RatingRow.relieved, RatingRow.n.type))
    query = select(
        RatingRow.person_id, RatingRow.region, RatingRow.point_id, helped, func.count()
    ).group_by(RatingRow.person_id, RatingRow.region, RatingRow.point_id)
    return query if person_id is None else query.where(RatingRow.person_id == person_id)


def counted_tallies(db: Db, person_id: str) -> list[tuple[str, str, int, int]]:
    """The tallies recounted from every rating (what `tallies` must always equal)."""
    rows = db.execute(_counted(person_id)).all()
    return [(region, point, int(ok or 0), int(n)) for _, region, point, ok, n in rows]


def rebuild_tallies(db: Db) -> None:
    """Recount every tally from the ratings (after ratings arrive by another way: a restore).
    No commit: it belongs to the caller's transaction."""
    db.execute(delete(_TALLIES))
    columns = ["person_id", "region", "point_id", "helped", "tried"]
    db.execute(insert(_TALLIES).from_select(columns, _counted()))


def ratings_for_person(db: Session, person_id: str) -> list[StoredRating]:
    rows = db.scalars(
        select(RatingRow).where(RatingRow.person_id == person_id).order_by(RatingRow.rated_at)
    )
    return [_rating(r) for r in rows]


def _rating(r: RatingRow) -> StoredRating:
    return stored_rating(r.session_id, r)


def stored_rating(session_id: str, r: Any) -> StoredRating:
    """A rating as stored, from anything with a rating's fields (a row, a session's Rating)."""
    return StoredRating(
        session_id,
        r.n,
        r.region,
        r.point_id,
        r.side,
        r.pain_before,
        r.pain_after,
        r.relieved,
        r.rated_at,
    )


def history(db: Session, person_id: str, limit: int | None = 100) -> list[SessionSummary]:
    """The person's sessions, newest first, each with its pain map and ratings (all of them
    with `limit=None`)."""
    rows = db.scalars(
        select(SessionRow)
        .where(SessionRow.person_id == person_id)
        .order_by(SessionRow.started_at.desc())
        .limit(limit)
    ).all()
    by_session: dict[str, list[StoredRating]] = {r.id: [] for r in rows}
    if rows:
        ratings = db.scalars(
            select(RatingRow)
            .where(RatingRow.session_id.in_(list(by_session)))
            .order_by(RatingRow.n)
        )
        for rating in ratings:
            by_session[rating.session_id].append(_rating(rating))
    return [_summary(row, by_session[row.id]) for row in rows]


def _summary(row: SessionRow, ratings: Sequence[StoredRating]) -> SessionSummary:
    pain = {r["region"]: int(r["pain_start"]) for r in row.state.get("regions", [])}
    return SessionSummary(
        row.id, row.status, row.urgency, row.started_at, row.ended_at, pain, tuple(ratings)
    )


def insights(db: Session, person_id: str) -> list[PointInsight]:
    """Per (region, point): how often it relieved this person, best first."""
    helped = func.sum(func.cast(RatingRow.relieved, RatingRow.n.type))
    rows = db.execute(
        select(
            RatingRow.region,
            RatingRow.point_id,
            helped,
            func.count(),
            func.avg(RatingRow.pain_before - RatingRow.pain_after),
        )
        .where(RatingRow.person_id == person_id)
        .group_by(RatingRow.region, RatingRow.point_id)
    ).all()
    found = [
        PointInsight(region, point, int(ok or 0), int(n), round(float(drop or 0.0), 2))
        for region, point, ok, n, drop in rows
    ]
    return sorted(found, key=lambda i: (-(i.helped + 1) / (i.tried + 2), -i.tried, i.point_id))


def steps_of(db: Session, session_id: str) -> list[ShownStep]:
    """Every step shown in a session, in order (skipped ones included)."""
    rows = db.scalars(select(StepRow).where(StepRow.session_id == session_id).order_by(StepRow.n))
    return [ShownStep(r.n, r.region, r.point_id, r.side, r.shown_at) for r in rows]
