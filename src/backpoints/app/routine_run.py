"""Running a routine: the same steps, timer and cues as a guided session, in a fixed order.

A pure state machine like `backpoints.core.guided`: `start_run` screens first (a red flag means
`refer` and no step), fits the routine to the profile (`routines.fit_routine`), and builds
every step; `next_step`, `skip_step` and `stop_run` move on; `record_stress` stores the
stress rating (0-10) after it. States: `active`, `completed`, `stopped`, `refer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from backpoints.core.cautions import cautions_for
from backpoints.core.errors import ConflictError
from backpoints.core.guided import Queued
from backpoints.core.records import Rating010
from backpoints.core.routines import Routine, fit_routine, shown
from backpoints.core.screening import Profile, Urgency, screen
from backpoints.core.steps import Guide, Step, build_step
from backpoints.i18n import gettext as _

RunStatus = Literal["active", "completed", "stopped", "refer"]


class RunError(ConflictError):
    """An event that does not fit the routine run's state."""


class RoutineRun(BaseModel):
    """A routine in progress or done."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    routine_id: str
    name: str
    status: RunStatus
    urgency: Urgency | None = None
    message: str | None = None
    steps: tuple[Step, ...] = ()
    index: int = 0
    skipped_steps: tuple[int, ...] = ()
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stress_before: Rating010 | None = None
    stress_after: Rating010 | None = None
    started_at: datetime
    ended_at: datetime | None = None

    @property
    def current(self) -> Step | None:
        if self.status != "active" or self.index >= len(self.steps):
            return None
        return self.steps[self.index]


def start_run(
    routine: Routine,
    flags: Sequence[str],
    profile: Profile,
    guide: Guide,
    *,
    now: datetime,
    stress_before: int | None = None,
) -> RoutineRun:
    """Screen, fit the routine to the profile, and show its first step."""
    verdict = screen(flags)
    base = {
        "routine_id": routine.id,
        "name": routine.name,
        "started_at": now,
        "stress_before": stress_before,
    }
    if verdict.refer:
        return RoutineRun(
            status="refer", urgency=verdict.urgency, message=verdict.message, ended_at=now, **base
        )
    fitted = fit_routine(routine, profile, guide.catalog)
    limits = cautions_for(profile, guide.catalog)
    total = len(fitted.steps)
    steps = tuple(
        build_step(
            n,
            planned.region,
            Queued(
                point_id=planned.step.point_id,
                side=None if planned.step.side in (None, "both") else planned.step.side,
                why=_("step {n} of {total} of “{routine}”").format(
                    n=n, total=total, routine=shown(routine).name
                ),
            ),
            profile,
            guide,
            duration_s=planned.step.duration_s,
            tool=planned.step.tool,
            cautions=limits,
        )
        for n, planned in enumerate(fitted.steps, start=1)
    )
    notes = _adapted(steps)
    if not steps:
        return RoutineRun(
            status="completed",
            steps=(),
            skipped=fitted.skipped,
            notes=notes,
            message=_("Every step of this routine was left out for your safety."),
            ended_at=now,
            **base,
        )
    return RoutineRun(status="active", steps=steps, skipped=fitted.skipped, notes=notes, **base)


def _adapted(steps: Sequence[Step]) -> tuple[str, ...]:
    """What the cautions changed, once each, with the steps it changed."""
    by_note: dict[str, list[str]] = {}
    for step in steps:
        for note in step.adapted:
            by_note.setdefault(note, []).append(str(step.n))
    return tuple(
        f"{note} (step{'s' if len(ns) > 1 else ''} {', '.join(ns)})" for note, ns in by_note.items()
    )


def _require_active(run: RoutineRun) -> None:
    if run.status != "active":
        raise RunError(_("This routine has already ended ({status}).").format(status=run.status))


def next_step(run: RoutineRun, *, now: datetime) -> RoutineRun:
    """The current step is done: show the next one, or complete the routine."""
    _require_active(run)
    return _advance(run, now)


def skip_step(run: RoutineRun, *, now: datetime) -> RoutineRun:
    """Leave out the current step and go on."""
    _require_active(run)
    return _advance(run.model_copy(update={"skipped_steps": (*run.skipped_steps, run.index)}), now)


def _advance(run: RoutineRun, now: datetime) -> RoutineRun:
    index = run.index + 1
    if index >= len(run.steps):
        return run.model_copy(update={"index": index, "status": "completed", "ended_at": now})
    return run.model_copy(update={"index": index})


def stop_run(run: RoutineRun, *, now: datetime) -> RoutineRun:
    _require_active(run)
    return run.model_copy(update={"status": "stopped", "ended_at": now})


def record_stress(run: RoutineRun, stress_after: int) -> RoutineRun:
    """The stress rating (0-10) after the routine."""
    if run.status == "active":
        raise RunError(_("Finish or stop the routine first."))
    if not 0 <= stress_after <= 10:
        raise RunError(_("Stress must be a whole number from 0 to 10."))
    return run.model_copy(update={"stress_after": stress_after})
