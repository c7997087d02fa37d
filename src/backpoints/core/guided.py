"""The guided session: a pure state machine driven by events (start, rate, skip, stop).

States: `active` (a step is shown), `refer` (a red flag: no guidance at all), `relieved`,
`exhausted` (no untried point left, with honest advice) and `stopped`. Relief is a drop of at
least 2 points or 30% from the pain at the start of the session in the region being treated
(farrar2001); otherwise the next step is a point not yet tried for that region. Several
painful regions are treated in order of intensity. Time comes in as `now`; the state is a
pydantic model the shell stores as JSON. Steps are built by `backpoints.core.steps`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

from backpoints.catalog import Catalog
from backpoints.core.errors import BackpointsError, ConflictError
from backpoints.core.learning import NO_EVIDENCE, Evidence
from backpoints.core.planner import PainEntry, RegionPlan, plan
from backpoints.core.records import PainLevel
from backpoints.core.screening import Profile, Urgency, screen
from backpoints.core.steps import Guide, Step, build_step, limits_for
from backpoints.core.vocab import Side, region_label
from backpoints.i18n import N_, ngettext
from backpoints.i18n import gettext as _

Status = Literal["active", "refer", "relieved", "exhausted", "stopped"]
RegionOutcome = Literal["relieved", "exhausted", "excluded", "stopped"]

RELIEF_POINTS: Final = 2
RELIEF_FRACTION: Final = 0.3
EXHAUSTED_ADVICE: Final = N_(
    "None of the points eased the pain enough today. That happens: massage helps many people "
    "(low-certainty evidence) but is not a cure. Rest in a comfortable position, "
    "keep moving gently (short walks, changing position often), and try again later. See a "
    "doctor or physiotherapist if the pain lasts more than a few weeks, stops you doing daily "
    "things, or gets worse."
)
NOTHING_ADVICE: Final = N_(
    "No point was suggested: every painful region is left out for your safety (see why "
    "above). Keep moving gently, and ask a doctor or physiotherapist what is safe for you."
)
RELIEVED_ADVICE: Final = N_(
    "Keep moving gently. If the pain comes back, you can repeat the points that helped "
    "once or twice a day."
)

#: Where each piece of advice comes from (source keys, shown as full titles).
ADVICE_SOURCES: Final[dict[str, tuple[str, ...]]] = {
    EXHAUSTED_ADVICE: ("furlan2015", "nice-cks-lbp", "nhs-back-pain"),
    NOTHING_ADVICE: ("nice-cks-lbp",),
    RELIEVED_ADVICE: ("nice-cks-lbp",),
}


class SessionError(ConflictError):
    """An event that does not fit the session's state."""


class WrongPoint(BackpointsError, ValueError):
    """A rating for a point other than the one being shown."""

    field = "point_id"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Queued(_Model):
    """A planned point for a region (the step is built when it is reached)."""

    point_id: str
    side: Side | None
    why: str


class RegionPlanState(_Model):
    """One painful region: its pain at the start, its queue, and how it ended."""

    region: str
    pain_start: PainLevel
    pain_now: PainLevel
    queue: tuple[Queued, ...]
    tried: tuple[str, ...] = ()
    outcome: RegionOutcome | None = None
    excluded_reason: str | None = None


class Rating(_Model):
    """One answer to "How is the pain now?"."""

    n: int
    region: str
    point_id: str
    side: Side | None
    pain_before: PainLevel
    pain_after: PainLevel
    relieved: bool
    rated_at: datetime


class SessionState(_Model):
    """Everything about a session; what the shell stores and the pages show."""

    status: Status
    urgency: Urgency | None = None
    message: str | None = None
    advice: str | None = None
    flags: tuple[str, ...] = ()
    profile: Profile = Profile()
    regions: tuple[RegionPlanState, ...] = ()
    current: Step | None = None
    steps_shown: int = 0
    ratings: tuple[Rating, ...] = ()
    notes: tuple[str, ...] = ()
    #: Seconds per point set by a therapist's home routine (None: the point's default).
    duration_s: int | None = None
    started_at: datetime
    ended_at: datetime | None = None

    @property
    def pain(self) -> tuple[PainEntry, ...]:
        """The pain map at the start of the session."""
        return tuple(PainEntry(r.region, r.pain_start) for r in self.regions)


def relieved(pain_start: int, pain_after: int) -> bool:
    """A clinically important drop: at least 2 points or 30% (farrar2001)."""
    drop = pain_start - pain_after
    return drop >= RELIEF_POINTS or (pain_start > 0 and drop / pain_start >= RELIEF_FRACTION)


def referral(
    urgency: Urgency | None,
    message: str,
    flags: Sequence[str],
    profile: Profile,
    pain: Sequence[PainEntry],
    now: datetime,
) -> SessionState:
    """A session that refers: no step, its pain map kept, started and ended `now`."""
    return SessionState(
        status="refer",
        urgency=urgency,
        message=message,
        flags=tuple(flags),
        profile=profile,
        regions=tuple(
            RegionPlanState(region=e.region, pain_start=e.intensity, pain_now=e.intensity, queue=())
            for e in pain
        ),
        started_at=now,
        ended_at=now,
    )


def start(
    pain: Sequence[PainEntry],
    flags: Sequence[str],
    profile: Profile,
    guide: Guide,
    *,
    now: datetime,
    evidence: Evidence = NO_EVIDENCE,
    rng: random.Random | None = None,
    routine: Mapping[str, Any] | None = None,
    found: Mapping[str, Sequence[str]] | None = None,
) -> SessionState:
    """Screen, plan and show the first step, or refer when a red flag was reported.

    A therapist's `routine` ({"points": [...], "duration_s": n}) puts its points first and
    sets their duration; screening and the profile's limits still apply to every step.
    """
    verdict = screen(flags)
    if verdict.refer:
        return referral(verdict.urgency, verdict.message, verdict.flags, profile, pain, now)
    limits = limits_for(profile, guide.catalog)
    preferred = tuple(routine.get("points", ())) if routine else ()
    plans = plan(pain, guide.catalog, limits, evidence, rng, preferred, found)
    state = SessionState(
        status="active",
        profile=profile,
        duration_s=routine.get("duration_s") if routine else None,
        regions=tuple(_region_state(p) for p in plans),
        notes=limits.notes
        + tuple(
            dict.fromkeys(
                p.excluded_reason
                for p in plans
                if p.excluded_reason and p.excluded_reason not in limits.notes
            )
        ),
        started_at=now,
    )
    return _advance(state, guide, now)


def _region_state(p: RegionPlan) -> RegionPlanState:
    queue = tuple(Queued(point_id=c.point.id, side=c.side, why=c.why) for c in p.candidates)
    return RegionPlanState(
        region=p.region,
        pain_start=p.intensity,
        pain_now=p.intensity,
        queue=queue,
        outcome="excluded" if p.excluded_reason else None,
        excluded_reason=p.excluded_reason,
    )


def rate(
    state: SessionState,
    guide: Guide,
    point_id: str,
    side: Side | None,
    pain_after: int,
    *,
    now: datetime,
) -> SessionState:
    """Record "how is the pain now?" for the current step and move on."""
    step = _require_step(state)
    if point_id.lower() != step.point.id.lower():
        raise WrongPoint(
            _("The current step is {point}, not {given!r}.").format(
                point=step.point.id, given=point_id
            )
        )
    if side is not None and step.point.side is not None and side != step.point.side:
        raise WrongPoint(
            _("The current step is on the {side} side, not the {given}.").format(
                side=step.point.side, given=side
            )
        )
    if not 0 <= pain_after <= 10:
        raise WrongPoint(_("pain_after must be a whole number from 0 to 10."))
    index, region = _active_region(state)
    ok = relieved(region.pain_start, pain_after)
    rating = Rating(
        n=step.n,
        region=region.region,
        point_id=step.point.id,
        side=step.point.side,
        pain_before=region.pain_now,
        pain_after=pain_after,
        relieved=ok,
        rated_at=now,
    )
    updated = region.model_copy(
        update={"pain_now": pain_after, "outcome": "relieved" if ok else None}
    )
    state = _replace_region(state, index, updated)
    state = state.model_copy(update={"ratings": (*state.ratings, rating), "current": None})
    return _advance(state, guide, now)


def skip(state: SessionState, guide: Guide, *, now: datetime) -> SessionState:
    """Leave the current point without rating it and show a different one."""
    _require_step(state)
    return _advance(state.model_copy(update={"current": None}), guide, now)


def stop(state: SessionState, *, now: datetime) -> SessionState:
    """End the session now; what was rated stays."""
    if state.status != "active":
        raise SessionError(
            _("This session has already ended ({status}).").format(status=state.status)
        )
    regions = tuple(
        r if r.outcome else r.model_copy(update={"outcome": "stopped"}) for r in state.regions
    )
    rated = len(state.ratings)
    summary = _pain_summary([r for r in regions if r.pain_now != r.pain_start or rated])
    if rated:
        stopped = ngettext(
            "Stopped after {n} rated point.", "Stopped after {n} rated points.", rated
        )
        message = f"{stopped.format(n=rated)} {summary}".strip()
    else:
        message = _("Stopped before any point was rated.")
    return state.model_copy(
        update={
            "status": "stopped",
            "current": None,
            "regions": regions,
            "ended_at": now,
            "message": message,
        }
    )


def _pain_summary(regions: Sequence[RegionPlanState]) -> str:
    """'Pain Lower back, left: 6 → 3.' for the regions given ('' for none)."""
    parts = "; ".join(f"{region_label(r.region)}: {r.pain_start} → {r.pain_now}" for r in regions)
    return _("Pain {regions}.").format(regions=parts) if parts else ""


def _require_step(state: SessionState) -> Step:
    if state.status != "active" or state.current is None:
        raise SessionError(
            _("This session has already ended ({status}); start a new one.").format(
                status=state.status
            )
        )
    return state.current


def _active_region(state: SessionState) -> tuple[int, RegionPlanState]:
    for i, region in enumerate(state.regions):
        if region.outcome is None:
            return i, region
    raise SessionError(_("No region is being treated."))


def _replace_region(state: SessionState, index: int, region: RegionPlanState) -> SessionState:
    regions = list(state.regions)
    regions[index] = region
    return state.model_copy(update={"regions": tuple(regions)})


def _advance(state: SessionState, guide: Guide, now: datetime) -> SessionState:
    """Show the next untried point of the first unfinished region, or finish."""
    for index, region in enumerate(state.regions):
        if region.outcome is not None:
            continue
        queued = _next_untried(region, guide.catalog, _failed(state))
        if queued is None:
            state = _replace_region(
                state, index, region.model_copy(update={"outcome": "exhausted"})
            )
            continue
        tried = region.model_copy(update={"tried": (*region.tried, queued.point_id)})
        state = _replace_region(state, index, tried)
        n = state.steps_shown + 1
        step = build_step(n, region.region, queued, state.profile, guide, state.duration_s)
        return state.model_copy(update={"current": step, "steps_shown": n})
    return _finish(state, now)


def _failed(state: SessionState) -> set[tuple[str, str | None]]:
    """(point, side) pairs rated without relief in this session, for any region."""
    return {(r.point_id, r.side) for r in state.ratings if not r.relieved}


def region_progress(state: SessionState, catalog: Catalog) -> tuple[int, int] | None:
    """Where the step shown stands among its region's points: (its place, at most how many
    there can be: those tried and those still untried; relief ends it sooner)."""
    step = state.current
    region = next(
        (r for r in state.regions if step and r.region == step.region and r.outcome is None),
        None,
    )
    if step is None or region is None:
        return None
    shown = len(region.tried)
    return shown, shown + sum(1 for _ in _untried(region, catalog, _failed(state)))


def _next_untried(
    region: RegionPlanState,
    catalog: Catalog,
    failed: AbstractSet[tuple[str, str | None]] = frozenset(),
) -> Queued | None:
    return next(_untried(region, catalog, failed), None)


def _untried(
    region: RegionPlanState, catalog: Catalog, failed: AbstractSet[tuple[str, str | None]]
) -> Iterator[Queued]:
    """The queued points neither tried here nor coinciding with one tried here, nor the very
    spot that just failed for another region (a midline point, or its twin under another
    name, is one spot), in order."""
    tried = set(region.tried)
    failed_midline = {pid for pid, side in failed if side is None}
    for queued in region.queue:
        if queued.point_id in tried:
            continue
        point = catalog.get(queued.point_id)
        if (queued.point_id, queued.side if point.bilateral else None) in failed:
            continue
        linked = {p.id for p in catalog.linked(point)}
        if not point.bilateral and linked & failed_midline:
            continue
        if not linked & tried:
            yield queued


def _finish(state: SessionState, now: datetime) -> SessionState:
    treated = [r for r in state.regions if r.outcome in ("relieved", "exhausted")]
    eased = [r for r in treated if r.outcome == "relieved"]
    if treated and len(eased) == len(treated):
        status: Status = "relieved"
        advice = RELIEVED_ADVICE
    else:
        status = "exhausted"
        advice = EXHAUSTED_ADVICE if treated else NOTHING_ADVICE
    excluded = list(dict.fromkeys(r.excluded_reason for r in state.regions if r.excluded_reason))
    message = " ".join(filter(None, [_pain_summary(treated), *excluded])) or None
    return state.model_copy(
        update={"status": status, "advice": advice, "message": message, "ended_at": now}
    )
