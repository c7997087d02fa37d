"""The imperative shell around the engine: load what a step needs, run it, store the result.

Shared by the web app and the terminal session. Each call opens one database session,
commits before returning (a rating is durable before the next step is shown), and hands
back plain data. Time comes from the `Services` object, never from globals. Ranking is
deterministic (posterior means, see `backpoints.core.learning`), so no randomness is needed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from backpoints.catalog import Catalog, load_catalog
from backpoints.core import guided as engine
from backpoints.core import learning, screening
from backpoints.core.anatomy import Body, body_from_stature
from backpoints.core.clock import Clock, SystemClock
from backpoints.core.errors import BackpointsError, NotFoundError
from backpoints.core.planner import PainEntry, expected_relief
from backpoints.core.steps import Guide
from backpoints.i18n import gettext as _
from backpoints.settings import Settings
from backpoints.store import accounts_repo, flags_repo, repo
from backpoints.store.engine import make_engine, make_sessionmaker, upgrade

#: The stature (cm) used when a person has not given theirs (mean of ansur2 men and women).
DEFAULT_STATURE_CM = 169.25


class UnknownSession(NotFoundError):
    """No session has this id."""

    field = "session_id"


@dataclass
class Services:
    """What the shell needs: settings, catalogue, database and clock."""

    settings: Settings
    catalog: Catalog = field(default_factory=load_catalog)
    clock: Clock = field(default_factory=SystemClock)
    engine: Engine | None = None
    _sessions: sessionmaker[Session] | None = None

    def open(self) -> None:
        """Connect and migrate the database to the newest schema."""
        if self.engine is None:
            engine = make_engine(self.settings)
            try:
                upgrade(engine)  # refuses a foreign or damaged database
            except BaseException:
                engine.dispose()
                raise
            self.engine, self._sessions = engine, make_sessionmaker(engine)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None

    @contextmanager
    def db(self) -> Iterator[Session]:
        """One database session; opens the database on first use."""
        self.open()
        assert self._sessions is not None
        with self._sessions() as db:
            yield db

    @contextmanager
    def conn(self) -> Iterator[Connection]:
        """One plain connection (Core statements only: a tenth of an ORM session's overhead,
        for the session start and the rating); rolled back unless committed."""
        self.open()
        assert self.engine is not None
        with self.engine.connect() as conn:
            yield conn


# ---- the person ---------------------------------------------------------------------------


def person_id(services: Services, name: str = repo.LOCAL_PERSON) -> str:
    """The person's id (the local single user by default), created on first use. Server mode
    has no shared local person: every diary there belongs to an account."""
    if services.settings.server_mode and name == repo.LOCAL_PERSON:
        raise BackpointsError("In server mode every diary belongs to an account: log in.")
    with services.db() as db:
        return repo.ensure_person(db, name, services.clock.now())


def profile(services: Services, person: str) -> screening.Profile:
    """The person's saved profile, or an empty one."""
    with services.conn() as db:
        saved = repo.load_profile(db, person)
    return screening.Profile.model_validate(saved)


def save_profile(services: Services, person: str, new: screening.Profile) -> None:
    with services.conn() as db:
        repo.save_profile(db, person, new.model_dump(mode="json"))
        db.commit()


def body_of(prof: screening.Profile) -> Body:
    """The body the points are drawn on: from the profile's height and sex when known."""
    return body_from_stature(prof.stature_cm or DEFAULT_STATURE_CM, prof.sex)


# ---- sessions -----------------------------------------------------------------------------


def start_session(
    services: Services,
    person: str,
    pain: Mapping[str, int],
    flags: Sequence[str],
    prof: screening.Profile | None = None,
) -> tuple[str, engine.SessionState]:
    """Screen, plan and start a session; stored before it is returned.

    Only `backpoints.app.begin` starts sessions for people (it asks the questions when due);
    flags standing for the person are added to `flags` here too, so no caller can start past
    one.
    """
    prof = prof or profile(services, person)
    with services.conn() as db:
        flags = [*flags, *flags_repo.standing_flags(db, person)]
        started = start_in(services, db, person, pain, flags, prof)
        db.commit()
    return started


def start_in(
    services: Services,
    db: Connection,
    person: str,
    pain: Mapping[str, int],
    flags: Sequence[str],
    prof: screening.Profile,
) -> tuple[str, engine.SessionState]:
    """`start_session` within the caller's transaction (no commit); `flags` must hold every
    flag standing for the person (the caller has just read them)."""
    entries = [PainEntry(region=r, intensity=i) for r, i in pain.items() if i > 0]
    if not entries:
        raise NoPain(_("Mark at least one painful region (1-10) to start."))
    evidence = learning.evidence_from_counts(repo.tallies(db, person))
    state = engine.start(
        entries,
        list(flags),
        prof,
        Guide(shown_catalog(services), body_of(prof)),
        now=services.clock.now(),
        evidence=evidence,
        routine=_routine(services, db, person),
        found=_found_points(db, person),
    )
    session_id = insert_new(db, person, state, pain, _shown(None, state, services))
    return session_id, state


def insert_new(
    db: repo.Db,
    person: str,
    state: engine.SessionState,
    pain: Mapping[str, int],
    shown: repo.ShownStep | None = None,
) -> str:
    """Store a new session with its pain map and first step (no commit); its new id."""
    session_id = secrets.token_urlsafe(12)
    repo.insert_session(db, person, session_id, _json(state), _summary(state), dict(pain), shown)
    return session_id


def shown_catalog(services: Services) -> Catalog:
    """The catalogue with its point texts in the language in force (steps, pages, PDFs)."""
    from backpoints import i18n

    lang = i18n.current()
    if lang == i18n.DEFAULT or services.catalog is not load_catalog():
        return services.catalog
    from backpoints.i18n.points import localized_catalog

    return localized_catalog(lang)


class NoPain(BackpointsError, ValueError):
    """A session needs at least one painful region."""

    field = "pain"


def _routine(services: Services, db: repo.Db, person: str) -> dict[str, Any] | None:
    """A therapist's active routine: only on a server (a personal install has no therapists)."""
    if not services.settings.server_mode:
        return None
    return accounts_repo.active_routine(db, person)


def _found_points(db: repo.Db, person: str) -> dict[str, list[str]]:
    from backpoints.app.scan_service import found_points_in  # the scan shell builds on this one

    return found_points_in(db, person)


def load(
    services: Services, session_id: str, person: str | None = None
) -> tuple[repo.StoredSession, engine.SessionState]:
    """A stored session and its state; UnknownSession if there is none, or (with `person`)
    if it belongs to someone else: the two look the same, so ids cannot be probed."""
    with services.conn() as db:
        return load_in(db, session_id, person)


def load_in(
    db: repo.Db, session_id: str, person: str | None
) -> tuple[repo.StoredSession, engine.SessionState]:
    found = repo.load_session(db, session_id)
    if found is None or (person is not None and found.person_id != person):
        raise UnknownSession(_("No session {id!r}. Start a new one.").format(id=session_id))
    return found, engine.SessionState.model_validate(found.state)


def rate(
    services: Services,
    session_id: str,
    point_id: str,
    side: str | None,
    pain_after: int,
    person: str | None = None,
    *,
    db: Connection | None = None,
) -> engine.SessionState:
    """Record a rating and move the session on: read, checked and saved in one transaction
    (the save checks the version read, so a racing answer is a Conflict), on the caller's
    connection `db` if given; committed when it returns."""
    if db is None:
        with services.conn() as own:
            return rate(services, session_id, point_id, side, pain_after, person, db=own)
    stored, state = load_in(db, session_id, person)
    guide = Guide(shown_catalog(services), body_of(state.profile))
    try:
        now = services.clock.now()
        new_state = engine.rate(state, guide, point_id, side, pain_after, now=now)  # type: ignore[arg-type]
    except engine.WrongPoint:
        if state.ratings and state.ratings[-1].point_id.lower() == point_id.lower():
            raise repo.Conflict(_("This step was already answered. Reload to continue.")) from None
        raise
    rating = repo.stored_rating(session_id, new_state.ratings[-1])
    shown = _shown(state, new_state, services)
    repo.save_session(db, stored, _json(new_state), _summary(new_state), rating, shown)
    return new_state


def skip(services: Services, session_id: str, person: str | None = None) -> engine.SessionState:
    """Move on to a different point without rating this one."""
    stored, state = load(services, session_id, person)
    guide = Guide(shown_catalog(services), body_of(state.profile))
    new_state = engine.skip(state, guide, now=services.clock.now())
    with services.conn() as db:
        shown = _shown(state, new_state, services)
        repo.save_session(db, stored, _json(new_state), _summary(new_state), step=shown)
    return new_state


def stop(services: Services, session_id: str, person: str | None = None) -> engine.SessionState:
    """End the session; what was rated stays."""
    stored, state = load(services, session_id, person)
    return _save(services, stored, engine.stop(state, now=services.clock.now()))


def _save(
    services: Services, stored: repo.StoredSession, state: engine.SessionState
) -> engine.SessionState:
    with services.conn() as db:
        repo.save_session(db, stored, _json(state), _summary(state))
    return state


def _shown(
    before: engine.SessionState | None, after: engine.SessionState, services: Services
) -> repo.ShownStep | None:
    """The step `after` shows, if it is a new one."""
    step = after.current
    if step is None or (before is not None and before.steps_shown == after.steps_shown):
        return None
    return repo.ShownStep(step.n, step.region, step.point.id, step.point.side, services.clock.now())


def _json(state: engine.SessionState) -> dict[str, Any]:
    return state.model_dump(mode="json")


def _summary(state: engine.SessionState) -> dict[str, Any]:
    return {
        "status": state.status,
        "urgency": state.urgency,
        "started_at": state.started_at,
        "ended_at": state.ended_at,
    }


# ---- diary --------------------------------------------------------------------------------


def history(services: Services, person: str, limit: int | None = 100) -> list[repo.SessionSummary]:
    with services.db() as db:
        return repo.history(db, person, limit)


#: A session left open this long (a phone put down mid-session) is closed as stopped.
STALE_AFTER = timedelta(hours=12)


def close_stale(services: Services, person: str) -> int:
    """Stop this person's recent sessions that have been open for 12 hours; how many."""
    cutoff = services.clock.now() - STALE_AFTER
    closed = 0
    for summary in history(services, person):
        started = summary.started_at
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        if summary.status == "active" and started < cutoff:
            stop(services, summary.id, person)
            closed += 1
    return closed


def insights(services: Services, person: str) -> list[repo.PointInsight]:
    """What helped, ranked as the planner ranks: by the expected chance of relief (the
    catalogue's prior weighed with the tries), so one lucky try does not come first."""
    with services.db() as db:
        found = repo.insights(db, person)

    def chance(i: repo.PointInsight) -> float:
        tally = learning.Tally(i.helped, i.tried)
        return expected_relief(services.catalog, i.region, i.point_id, tally)

    return sorted(found, key=lambda i: (-chance(i), -i.tried, i.point_id))
