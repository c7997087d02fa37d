"""Safety first: red-flag screening and the restrictions a person's profile puts on guidance.

`screen(flags)` turns the yes answers to the red-flag questions (`backpoints.core.redflags`)
into a verdict: any emergency flag means "get help now", any other flag "see a doctor before
self-massage" (nice-cks-lbp, bass2018, nhs-back-pain). `restrictions(profile, catalog)` turns
contraindications into what the planner and the session must respect (nccih-massage).
Pure: imports only the catalogue models and vocabularies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from backpoints.catalog.models import Point, SpineLocation, Technique
from backpoints.core.redflags import (
    EMERGENCY_MESSAGE,
    QUESTIONS,
    URGENT_MESSAGE,
    UnknownFlag,
    Urgency,
    check_flags,
    gravest,
    pain_is_new_or_worse,
)
from backpoints.core.vocab import (
    PRESSURES,
    REGION_LABELS,
    Pressure,
    RegionId,
    Sex,
    Tool,
)

#: Re-exported: the questions and messages live in `backpoints.core.redflags`.
__all__ = [
    "EMERGENCY_MESSAGE",
    "QUESTIONS",
    "URGENT_MESSAGE",
    "Profile",
    "UnknownFlag",
    "Urgency",
    "Verdict",
    "needs_screening",
    "restrictions",
    "screen",
]

GENTLE_NOTE: Final = (
    "Gentle pressure only, because you take blood thinners or have a bleeding disorder."
)
OSTEOPOROSIS_NOTE: Final = "No firm pressure on or beside the spine, because of osteoporosis."
#: Tools that put body weight onto the back (not with osteoporosis).
BODY_WEIGHT_TOOLS: Final = frozenset({"body_weight", "foam_roller"})
#: A point this close to the midline is "on the spine" for the osteoporosis rule.
SPINE_ZONE_CUN: Final = 1.0
SITE_CONDITIONS: Final = ("recent_surgery", "broken_skin", "blood_clot_history", "cancer_at_site")


class Profile(BaseModel):
    """What a person tells about themselves that changes the guidance (the `profile`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pregnant: bool = False
    anticoagulants: bool = False
    bleeding_disorder: bool = False
    osteoporosis: bool = False
    recent_surgery: bool = False
    broken_skin: bool = False
    blood_clot_history: bool = False
    cancer_at_site: bool = False
    #: Where the surgery, broken skin, clot or tumour is (these regions are never pressed).
    affected_regions: tuple[RegionId, ...] = ()
    sex: Sex | None = None
    stature_cm: float | None = Field(default=None, ge=100, le=250)
    age: int | None = Field(default=None, ge=0, le=120)
    #: The tools the person has; steps lead with one of these when the point allows it.
    tools_owned: tuple[Tool, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The outcome of screening: go ahead, or refer (with how urgently and why)."""

    refer: bool
    urgency: Urgency | None
    flags: tuple[str, ...]
    message: str


def screen(flags: Iterable[str]) -> Verdict:
    """Judge the yes answers; emergency wins over urgent; no flag means go ahead."""
    yes = check_flags(flags)
    urgency = gravest(yes)
    if urgency == "emergency":
        return Verdict(True, "emergency", yes, EMERGENCY_MESSAGE)
    if urgency == "urgent":
        return Verdict(True, "urgent", yes, URGENT_MESSAGE)
    return Verdict(False, None, (), "")


#: Kept for callers of the older name: ask the first time and for a new or worse pain.
needs_screening = pain_is_new_or_worse


@dataclass(frozen=True)
class Restrictions:
    """What a profile forbids or limits: points, regions, pressure, tools, and why."""

    excluded_points: frozenset[str]
    excluded_regions: dict[str, str]
    max_pressure: Pressure
    spine_max_pressure: Pressure
    banned_tools: frozenset[str]
    notes: tuple[str, ...]

    def allows(self, point: Point) -> bool:
        return point.id not in self.excluded_points


NO_RESTRICTIONS: Final = Restrictions(frozenset(), {}, "firm", "firm", frozenset(), ())


def restrictions(profile: Profile, points: Iterable[Point]) -> Restrictions:
    """The limits a profile puts on guidance, for this catalogue."""
    catalogue = tuple(points)
    excluded = _avoided(profile, catalogue)
    notes: list[str] = []
    max_pressure: Pressure = "firm"
    if profile.anticoagulants or profile.bleeding_disorder:
        max_pressure = "gentle"
        notes.append(GENTLE_NOTE)
    spine_max: Pressure = max_pressure
    banned: frozenset[str] = frozenset()
    if profile.osteoporosis:
        spine_max = "gentle"
        max_pressure = _lower(max_pressure, "moderate")
        banned = BODY_WEIGHT_TOOLS
        notes.append(OSTEOPOROSIS_NOTE + " No foam roller and no lying on a ball.")
    if profile.pregnant:
        notes.append(
            "You are pregnant: points classically avoided in pregnancy are left out; "
            "talk to your midwife or doctor before starting."
        )
    regions = _excluded_regions(profile)
    return Restrictions(frozenset(excluded), regions, max_pressure, spine_max, banned, tuple(notes))


def _avoided(profile: Profile, catalogue: tuple[Point, ...]) -> set[str]:
    """Points whose avoid_when matches, and every point that coincides with one of them."""
    conditions = {name for name in Profile.model_fields if getattr(profile, name) is True}
    avoided = {p.id for p in catalogue if conditions & set(p.avoid_when)}
    linked = {p.id for p in catalogue if avoided & set(p.coincides_with)}
    linked |= {other for p in catalogue if p.id in avoided for other in p.coincides_with}
    return avoided | linked


def _excluded_regions(profile: Profile) -> dict[str, str]:
    reasons = [c.replace("_", " ") for c in SITE_CONDITIONS if getattr(profile, c)]
    if not reasons:
        return {}
    why = " / ".join(reasons)
    return {
        region: f"{REGION_LABELS[region]} is left out ({why}): never press there."
        for region in profile.affected_regions
    }


def _lower(a: Pressure, b: Pressure) -> Pressure:
    return a if PRESSURES.index(a) <= PRESSURES.index(b) else b


def on_the_spine(point: Point) -> bool:
    """Whether a point lies on or right beside the spinous processes."""
    loc = point.location
    return isinstance(loc, SpineLocation) and loc.lateral_cun <= SPINE_ZONE_CUN


def adjust_technique(point: Point, limits: Restrictions) -> tuple[Technique, tuple[str, ...]]:
    """The point's technique within the limits, and the notes explaining any change."""
    technique = point.technique
    cap = limits.spine_max_pressure if on_the_spine(point) else limits.max_pressure
    pressure = _lower(technique.pressure, cap)
    tools = tuple(t for t in technique.tools if t not in limits.banned_tools) or ("fingers",)
    changed = (pressure, tools) != (technique.pressure, technique.tools)
    notes = tuple(limits.notes) if changed else ()
    return technique.model_copy(update={"pressure": pressure, "tools": tools}), notes
