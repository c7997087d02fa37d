"""The shell around routines: list them, run one (stored after every move), keep custom ones.

Like `backpoints.app.service`: each call commits before returning, so a run survives a closed
tab; time comes from the `Services` clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from backpoints.app import routine_run as engine
from backpoints.app.service import Services, body_of, profile, shown_catalog
from backpoints.core.errors import BackpointsError, ConflictError, NotFoundError
from backpoints.core.routines import Routine, builtin_routines, check_points, find
from backpoints.core.steps import Guide
from backpoints.i18n import gettext as _
from backpoints.store import flags_repo
from backpoints.store.routine_models import CustomRoutine, RoutineRunRow


class UnknownRun(NotFoundError):
    field = "run_id"


class RunConflict(ConflictError):
    field = "run"


def routines_for(services: Services, person: str) -> tuple[Routine, ...]:
    """Built-in routines, then the person's own."""
    return (*builtin_routines(), *custom_routines(services, person))


def custom_routines(services: Services, person: str) -> tuple[Routine, ...]:
    with services.db() as db:
        rows = db.scalars(
            select(CustomRoutine)
            .where(CustomRoutine.person_id == person)
            .order_by(CustomRoutine.routine_id)
        ).all()
        return tuple(Routine.model_validate(r.routine) for r in rows)


def save_custom(services: Services, person: str, routine: Routine) -> Routine:
    """Save (or replace) one of the person's own routines; built-in ids are taken."""
    check_points(routine, services.catalog)
    if any(r.id == routine.id for r in builtin_routines()):
        raise BackpointsError(f"{routine.id!r} is a built-in routine; choose another id.")
    data = routine.model_dump(mode="json")
    now = services.clock.now()
    with services.db() as db:
        row = db.scalars(
            select(CustomRoutine).where(
                CustomRoutine.person_id == person, CustomRoutine.routine_id == routine.id
            )
        ).first()
        if row is None:
            db.add(
                CustomRoutine(person_id=person, routine_id=routine.id, routine=data, updated_at=now)
            )
        else:
            row.routine, row.updated_at = data, now
        db.commit()
    return routine


def start(
    services: Services,
    person: str,
    routine_id: str,
    flags: Sequence[str] = (),
    stress_before: int | None = None,
) -> tuple[str, engine.RoutineRun]:
    """Screen, fit and start a routine; stored before it is returned.

    Only `backpoints.app.begin` calls this; flags standing for the person are added to
    `flags` here too, so no caller can start past one.
    """
    routine = find(routine_id, custom_routines(services, person))
    prof = profile(services, person)
    with services.db() as db:
        flags = [*flags, *flags_repo.standing_flags(db, person)]
    run = engine.start_run(
        routine,
        flags,
        prof,
        Guide(shown_catalog(services), body_of(prof)),
        now=services.clock.now(),
        stress_before=stress_before,
    )
    run_id = secrets.token_urlsafe(12)
    with services.db() as db:
        db.add(
            RoutineRunRow(
                id=run_id,
                person_id=person,
                routine_id=routine.id,
                version=1,
                state=run.model_dump(mode="json"),
                **_summary(run),
            )
        )
        db.commit()
    return run_id, run


@dataclass(frozen=True)
class _Stored:
    version: int
    run: engine.RoutineRun


def load(services: Services, run_id: str, person: str | None = None) -> engine.RoutineRun:
    return _load(services, run_id, person).run


def _load(services: Services, run_id: str, person: str | None) -> _Stored:
    with services.db() as db:
        row = db.get(RoutineRunRow, run_id)
        if row is None or (person is not None and row.person_id != person):
            raise UnknownRun(_("No routine run {run!r}.").format(run=run_id))
        return _Stored(row.version, engine.RoutineRun.model_validate(row.state))


def next_step(services: Services, run_id: str, person: str | None = None) -> engine.RoutineRun:
    return _move(services, run_id, person, lambda r, now: engine.next_step(r, now=now))


def skip_step(services: Services, run_id: str, person: str | None = None) -> engine.RoutineRun:
    return _move(services, run_id, person, lambda r, now: engine.skip_step(r, now=now))


def stop(services: Services, run_id: str, person: str | None = None) -> engine.RoutineRun:
    return _move(services, run_id, person, lambda r, now: engine.stop_run(r, now=now))


def record_stress(
    services: Services, run_id: str, stress_after: int, person: str | None = None
) -> engine.RoutineRun:
    return _move(services, run_id, person, lambda r, _: engine.record_stress(r, stress_after))


def _move(services: Services, run_id: str, person: str | None, event: Any) -> engine.RoutineRun:
    stored = _load(services, run_id, person)
    run: engine.RoutineRun = event(stored.run, services.clock.now())
    with services.db() as db:
        result = db.execute(
            update(RoutineRunRow)
            .where(RoutineRunRow.id == run_id, RoutineRunRow.version == stored.version)
            .values(state=run.model_dump(mode="json"), version=stored.version + 1, **_summary(run))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            db.rollback()
            raise RunConflict(_("This routine moved on in another tab; reload to continue."))
        db.commit()
    return run


def _summary(run: engine.RoutineRun) -> dict[str, Any]:
    return {
        "status": run.status,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "stress_before": run.stress_before,
        "stress_after": run.stress_after,
    }


@dataclass(frozen=True)
class RunSummary:
    id: str
    routine_id: str
    name: str
    status: str
    started_at: datetime
    stress_before: int | None
    stress_after: int | None
    steps_done: int


def runs(services: Services, person: str, limit: int = 100) -> list[RunSummary]:
    """The person's routine runs, newest first."""
    with services.db() as db:
        rows = db.scalars(
            select(RoutineRunRow)
            .where(RoutineRunRow.person_id == person)
            .order_by(RoutineRunRow.started_at.desc())
            .limit(limit)
        ).all()
        found = []
        for row in rows:
            run = engine.RoutineRun.model_validate(row.state)
            done = min(run.index, len(run.steps)) - len(run.skipped_steps)
            found.append(
                RunSummary(
                    row.id,
                    row.routine_id,
                    run.name,
                    row.status,
                    row.started_at,
                    row.stress_before,
                    row.stress_after,
                    max(0, done),
                )
            )
        return found
