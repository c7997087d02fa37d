"""Safety first: red-flag screening and the restrictions a person's profile puts on guidance.

`screen(flags)` turns the yes answers to the red-flag questions into a verdict: any emergency
flag means "seek urgent care now", any other flag "see a doctor before self-massage"
(nice-cks-lbp, bass2018). `restrictions(profile, catalog)` turns contraindications into what
the planner and the session must respect (nccih-massage). Pure: imports only the catalogue
models and vocabularies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from backpoints.catalog.models import Point, SpineLocation, Technique
from backpoints.core.errors import BackpointsError
from backpoints.core.vocab import (
    EMERGENCY_FLAGS,
    PRESSURES,
    RED_FLAGS,
    Pressure,
    RegionId,
    Sex,
    Tool,
    region_label,
)
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

Urgency = Literal["emergency", "urgent"]

#: The red-flag questions, asked as yes/no, in the order people should see them.
QUESTIONS: Final[dict[str, str]] = {
    "bladder_or_bowel_change": N_(
        "Since the back pain started, have you had new trouble passing or holding urine, "
        "or lost control of your bowels?"
    ),
    "saddle_numbness": N_(
        "Is there numbness or tingling between your legs or around your back passage "
        "(where you would sit on a saddle)?"
    ),
    "progressive_leg_weakness": N_("Is one or both of your legs getting weaker?"),
    "major_trauma": N_(
        "Did the pain start after a bad fall, a car accident or another big injury?"
    ),
    "chest_pain_or_breathless": N_("Do you have chest pain, or are you short of breath?"),
    "fever_or_unwell": N_("Do you have a fever, or feel generally unwell?"),
    "cancer_history": N_("Have you ever had cancer?"),
    "unexplained_weight_loss": N_("Have you lost weight recently without trying?"),
    "constant_night_pain": N_("Is the pain constant at night, even when you lie still?"),
    "osteoporosis_or_steroids": N_(
        "Did the pain start after a minor fall or strain while you have osteoporosis "
        "or take steroid tablets long-term?"
    ),
    "immunosuppressed_or_iv_drugs": N_(
        "Is your immune system weakened (for example by medicines), or do you inject drugs?"
    ),
}

EMERGENCY_MESSAGE: Final = N_(
    "What you describe can be a sign that nerves at the base of the spine are squeezed "
    "(cauda equina syndrome). This needs urgent care now: go to an emergency department or "
    "call your emergency number. Do not massage your back."
)
URGENT_MESSAGE: Final = N_(
    "What you describe needs a doctor to look at it before you do self-massage. Please "
    "see your doctor soon (today if you feel unwell). backpoints will not suggest points "
    "until then."
)
#: A rise of this many points in a region counts as "much worse" (and asks the questions again).
MUCH_WORSE_POINTS: Final = 3
GENTLE_NOTE: Final = N_(
    "Gentle pressure only, because you take blood thinners or have a bleeding disorder."
)
OSTEOPOROSIS_NOTE: Final = N_(
    "No firm pressure on or beside the spine, because of osteoporosis."
    " No foam roller and no lying on a ball."
)
#: Tools that put body weight onto the back (not with osteoporosis).
BODY_WEIGHT_TOOLS: Final = frozenset({"body_weight", "foam_roller"})
#: A point this close to the midline is "on the spine" for the osteoporosis rule.
SPINE_ZONE_CUN: Final = 1.0
SITE_CONDITIONS: Final = ("recent_surgery", "broken_skin", "blood_clot_history", "cancer_at_site")
SITE_WORDS: Final[dict[str, str]] = {
    "recent_surgery": N_("recent surgery"),
    "broken_skin": N_("broken skin"),
    "blood_clot_history": N_("blood clot history"),
    "cancer_at_site": N_("cancer at site"),
}


class UnknownFlag(BackpointsError, ValueError):
    """A red-flag answer that is not one of the questions."""

    field = "flags"


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
    yes = tuple(dict.fromkeys(flags))
    unknown = [f for f in yes if f not in RED_FLAGS]
    if unknown:
        raise UnknownFlag(f"Unknown red-flag answer {unknown[0]!r}; expected one of the questions.")
    if any(f in EMERGENCY_FLAGS for f in yes):
        return Verdict(True, "emergency", yes, EMERGENCY_MESSAGE)
    if yes:
        return Verdict(True, "urgent", yes, URGENT_MESSAGE)
    return Verdict(False, None, (), "")


def needs_screening(last_pain: Mapping[str, int] | None, pain: Mapping[str, int]) -> bool:
    """Ask the questions the first time, and when pain is new or much worse than last time."""
    if last_pain is None:
        return True
    for region, now in pain.items():
        before = last_pain.get(region, 0)
        if now > 0 and (before == 0 or now - before >= MUCH_WORSE_POINTS):
            return True
    return False


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
        notes.append(_(GENTLE_NOTE))
    spine_max: Pressure = max_pressure
    banned: frozenset[str] = frozenset()
    if profile.osteoporosis:
        spine_max = "gentle"
        max_pressure = _lower(max_pressure, "moderate")
        banned = BODY_WEIGHT_TOOLS
        notes.append(_(OSTEOPOROSIS_NOTE))
    if profile.pregnant:
        notes.append(
            _(
                "You are pregnant: points classically avoided in pregnancy are left out; "
                "talk to your midwife or doctor before starting."
            )
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
    reasons = [_(SITE_WORDS[c]) for c in SITE_CONDITIONS if getattr(profile, c)]
    if not reasons:
        return {}
    why = " / ".join(reasons)
    return {
        region: _("{region} is left out ({why}): never press there.").format(
            region=region_label(region), why=why
        )
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
