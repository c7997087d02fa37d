"""Every caution as a rule, checked here and nowhere else (nccih-massage, who1999-safety).

`cautions_for(profile, points)` turns a profile into a `Cautions`: the points left out (their
`avoid_when`, and what coincides with them), the regions never pressed (sites of surgery,
broken skin, a clot or a tumour; every region while such a site has not been named), and the
tools that are not for this person (each tool's `not_for` in `catalog/data/tools.toml`).
`fit_technique` then decides, for one point pressed at one vertebral level, which tools may
be used (and which leads), how firm, and why anything changed. The planner, the steps, the
routines, the scan and the printed chart all ask these functions; nothing else decides.

The rules, each with the reason a person is shown:
- a tool whose `not_for` names one of the person's conditions is never used;
- midline points are for fingertips only; no ball, roller or body weight on or right beside
  the spine (within `SPINE_ZONE_CUN`); no foam roller on the lumbar spine (no ribs there);
- blood thinners or a bleeding disorder: gentle pressure everywhere;
- osteoporosis: gentle on and beside the spine, no firmer than moderate anywhere;
- pregnancy: gentle only on lumbar and sacral points.
Pure: imports only the catalogue models, the tools library and the vocabularies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from backpoints.catalog.models import Point, SacralLocation, SpineLocation, Technique
from backpoints.core.screening import Profile
from backpoints.core.tools import tool_guides
from backpoints.core.vocab import (
    CONDITION_PHRASES,
    PRESSURES,
    REGION_IDS,
    Pressure,
    Tool,
    condition_phrase,
    region_label,
)
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

#: A point this close to the midline is "on the spine" (osteoporosis; no ball or roller).
SPINE_ZONE_CUN: Final = 1.0
SITE_CONDITIONS: Final = ("recent_surgery", "broken_skin", "blood_clot_history", "cancer_at_site")
BLEEDING: Final = ("anticoagulants", "bleeding_disorder")
#: The only tool for a point on the midline.
MIDLINE_TOOL: Final = "fingers"
#: Tools that roll or lie on the back: never on or right beside the spine.
ROLLING_TOOLS: Final = frozenset({"tennis_ball", "foam_roller", "body_weight"})
LUMBAR_LEVELS: Final = frozenset(f"L{i}" for i in range(1, 6))
SACRAL_LEVELS: Final = frozenset(f"S{i}" for i in range(1, 6))
SITE_WORDS: Final[dict[str, str]] = {
    "recent_surgery": N_("recent surgery"),
    "broken_skin": N_("broken or infected skin"),
    "blood_clot_history": N_("a blood clot"),
    "cancer_at_site": N_("a tumour"),
}

GENTLE_NOTE: Final = N_(
    "Gentle pressure only, because you take blood thinners or have a bleeding disorder."
)
OSTEOPOROSIS_NOTE: Final = N_(
    "No firm pressure on or beside the spine, and no body weight or foam roller, because of "
    "osteoporosis."
)
PREGNANCY_NOTE: Final = N_(
    "You are pregnant: points classically avoided in pregnancy are left out, the lower back "
    "and sacrum get gentle pressure only, and no foam roller or body weight is used. Talk to "
    "your midwife or doctor before starting."
)
PREGNANCY_LOWER_BACK: Final = N_(
    "Gentle pressure only on the lower back and sacrum in pregnancy (who1999-safety)."
)
MIDLINE_NOTE: Final = N_("On the spine itself: fingertips only, never a ball, roller or elbow.")
BESIDE_SPINE_NOTE: Final = N_("No ball, roller or body weight on or right beside the spine.")
LUMBAR_ROLLER_NOTE: Final = N_("No foam roller on the lower back, where no ribs protect the spine.")


def withheld_message(conditions: Sequence[str]) -> str:
    """What a person is told when a site condition does not say where it is."""
    what = _(" and ").join(_(SITE_WORDS[c]) for c in conditions)
    return _(
        "You told us about {what} but not where it is, so backpoints gives no guidance for "
        "now: pressing there could do harm. In 'About you', choose the regions where it is; "
        "those regions are then left out and the rest of the back can be guided."
    ).format(what=what)


@dataclass(frozen=True)
class Cautions:
    """What a profile forbids or limits, with the reason for each."""

    profile: Profile = field(default_factory=Profile)
    #: Point id -> why it is left out.
    avoided: dict[str, str] = field(default_factory=dict)
    #: Region id -> why it is never pressed.
    excluded_regions: dict[str, str] = field(default_factory=dict)
    #: Tool -> why it is not for this person.
    banned_tools: dict[str, str] = field(default_factory=dict)
    #: Set when every region is withheld because a site was not named.
    withheld: str | None = None
    notes: tuple[str, ...] = ()

    def allows(self, point: Point) -> bool:
        return point.id not in self.avoided

    def point_reason(self, point: Point) -> str | None:
        """Why this point is left out for this person, or None."""
        return self.avoided.get(point.id)

    def region_reason(self, region: str) -> str | None:
        """Why this region is never pressed for this person, or None."""
        return self.excluded_regions.get(region)


NO_CAUTIONS: Final = Cautions()


def cautions_for(profile: Profile, points: Iterable[Point]) -> Cautions:
    """The limits a profile puts on guidance, for this catalogue."""
    catalogue = tuple(points)
    notes: list[str] = []
    if profile.anticoagulants or profile.bleeding_disorder:
        notes.append(_(GENTLE_NOTE))
    if profile.osteoporosis:
        notes.append(_(OSTEOPOROSIS_NOTE))
    if profile.pregnant:
        notes.append(_(PREGNANCY_NOTE))
    regions, withheld = _excluded_regions(profile)
    if withheld:
        notes.append(withheld)
    return Cautions(
        profile=profile,
        avoided=_avoided(profile, catalogue),
        excluded_regions=regions,
        banned_tools=_banned_tools(profile),
        withheld=withheld,
        notes=tuple(notes),
    )


def conditions_of(profile: Profile) -> tuple[str, ...]:
    """The contraindications ticked in a profile, in vocabulary order."""
    return tuple(c for c in CONDITION_PHRASES if getattr(profile, c) is True)


def _avoided(profile: Profile, catalogue: tuple[Point, ...]) -> dict[str, str]:
    """Points whose avoid_when matches, and every point that coincides with one of them."""
    conditions = set(conditions_of(profile))
    reasons: dict[str, str] = {}
    for point in catalogue:
        hit = [c for c in point.avoid_when if c in conditions]
        if hit:
            reasons[point.id] = _("not pressed when {condition}").format(
                condition=condition_phrase(hit[0])
            )
    linked: dict[str, str] = {}
    for point in catalogue:
        for other in point.coincides_with:
            if point.id in reasons and other not in reasons:
                linked[other] = _("{why} (same place as {point})").format(
                    why=reasons[point.id], point=point.display_name
                )
            if other in reasons and point.id not in reasons:
                linked[point.id] = _("{why} (same place as {point})").format(
                    why=reasons[other], point=other
                )
    return reasons | linked


def missing_sites(profile: Profile) -> tuple[str, ...]:
    """Site conditions ticked while no region says where they are."""
    if profile.affected_regions:
        return ()
    return tuple(c for c in SITE_CONDITIONS if getattr(profile, c))


def site_question(profile: Profile) -> str | None:
    """What a form asks when a site condition does not say where it is (None: nothing)."""
    missing = missing_sites(profile)
    if not missing:
        return None
    what = _(" and ").join(_(SITE_WORDS[c]) for c in missing)
    return _(
        "Say where the {what} is: choose the regions it touches, so they are never pressed."
    ).format(what=what)


def _excluded_regions(profile: Profile) -> tuple[dict[str, str], str | None]:
    missing = missing_sites(profile)
    if missing:
        message = withheld_message(missing)
        return dict.fromkeys(REGION_IDS, message), message
    sites = [_(SITE_WORDS[c]) for c in SITE_CONDITIONS if getattr(profile, c)]
    if not sites:
        return {}, None
    why = " / ".join(sites)
    return {
        region: _("{region} is left out ({why}): never press there.").format(
            region=region_label(region), why=why
        )
        for region in profile.affected_regions
    }, None


def _banned_tools(profile: Profile) -> dict[str, str]:
    conditions = set(conditions_of(profile))
    banned: dict[str, str] = {}
    for guide in tool_guides().values():
        hit = [c for c in guide.not_for if c in conditions]
        if hit:
            banned[guide.id] = _("No {tool}: it is not for you because {condition}.").format(
                tool=_(guide.name).lower(), condition=condition_phrase(hit[0])
            )
    return banned


# ---- where a point is pressed -------------------------------------------------------------


def lateral_cun(point: Point) -> float | None:
    """How far from the midline a spine or sacral point is (None: elsewhere, or in a foramen)."""
    loc = point.location
    if isinstance(loc, SpineLocation | SacralLocation):
        return loc.lateral_cun
    return None


def on_the_midline(point: Point) -> bool:
    """Whether a point lies on the spine itself."""
    return lateral_cun(point) == 0


def on_the_spine(point: Point) -> bool:
    """Whether a point lies on or right beside the spinous processes."""
    lateral = lateral_cun(point)
    return lateral is not None and lateral <= SPINE_ZONE_CUN


def _levels(point: Point, level: str | None) -> frozenset[str]:
    """The levels pressed: the one given, else every level the point may be pressed at."""
    if level is not None:
        return frozenset({level})
    loc = point.location
    if isinstance(loc, SpineLocation):
        return frozenset(loc.levels)
    if isinstance(loc, SacralLocation):
        return frozenset({f"S{loc.foramen}"})
    return frozenset()


def lumbar(point: Point, level: str | None = None) -> bool:
    """A point beside the lumbar spine (where no ribs protect it)."""
    return isinstance(point.location, SpineLocation) and bool(_levels(point, level) & LUMBAR_LEVELS)


def lumbosacral(point: Point, level: str | None = None) -> bool:
    """A point of the lower back or sacrum (gentle only in pregnancy)."""
    if isinstance(point.location, SacralLocation):
        return True
    return lumbar(point, level) or (
        isinstance(point.location, SpineLocation) and bool(_levels(point, level) & SACRAL_LEVELS)
    )


# ---- the rules for one point --------------------------------------------------------------


def tool_reason(
    tool: str, point: Point, cautions: Cautions, level: str | None = None
) -> str | None:
    """Why this tool may not be used on this point for this person, or None if it may."""
    banned = cautions.banned_tools.get(tool)
    if banned:
        return banned
    if on_the_midline(point) and tool != MIDLINE_TOOL:
        return _(MIDLINE_NOTE)
    if on_the_spine(point) and tool in ROLLING_TOOLS:
        return _(BESIDE_SPINE_NOTE)
    if tool == "foam_roller" and lumbar(point, level):
        return _(LUMBAR_ROLLER_NOTE)
    return None


def pressure_caps(
    point: Point, cautions: Cautions, level: str | None = None
) -> tuple[tuple[Pressure, str], ...]:
    """Every limit on how firmly this point may be pressed, with its reason."""
    profile = cautions.profile
    caps: list[tuple[Pressure, str]] = []
    if profile.anticoagulants or profile.bleeding_disorder:
        caps.append(("gentle", _(GENTLE_NOTE)))
    if profile.osteoporosis:
        caps.append(("gentle" if on_the_spine(point) else "moderate", _(OSTEOPOROSIS_NOTE)))
    if profile.pregnant and lumbosacral(point, level):
        caps.append(("gentle", _(PREGNANCY_LOWER_BACK)))
    return tuple(caps)


@dataclass(frozen=True)
class Fitted:
    """A point's technique for this person: tools allowed (lead first), pressure, and why."""

    technique: Technique
    notes: tuple[str, ...]
    #: The lead tool's "who should not use it" list.
    not_for: tuple[str, ...]


def fit_technique(
    point: Point,
    cautions: Cautions,
    *,
    level: str | None = None,
    lead: Tool | None = None,
    owned: Sequence[str] = (),
) -> Fitted:
    """The point's technique within the rules, pressed at `level`.

    `lead` (a routine step's tool) leads when it is allowed; otherwise the first allowed tool
    the person owns; otherwise the point's first allowed tool (fingertips if none is left).
    """
    technique = point.technique
    notes: list[str] = []
    wanted = [lead] if lead is not None else []
    allowed: list[Tool] = []
    #: A tool left out is explained when the person would have expected it: the one asked
    #: for, the point's usual first tool, or one they own (an alternative just drops out).
    expected = {*wanted, technique.tools[0], *owned}
    for tool in dict.fromkeys([*wanted, *technique.tools]):
        reason = tool_reason(tool, point, cautions, level)
        if reason is None:
            allowed.append(tool)
        elif tool in expected and reason not in notes:
            notes.append(reason)
    if not allowed:
        allowed = [MIDLINE_TOOL]
    if lead is None or lead not in allowed:
        first_owned = next((t for t in allowed if t in owned), None)
        if first_owned is not None:
            allowed.remove(first_owned)
            allowed.insert(0, first_owned)
    pressure = technique.pressure
    for cap, why in pressure_caps(point, cautions, level):
        if PRESSURES.index(cap) < PRESSURES.index(technique.pressure):
            pressure = _lower(pressure, cap)
            notes.append(why)
    fitted = technique.model_copy(update={"pressure": pressure, "tools": tuple(allowed)})
    not_for = tuple(_(t) for t in tool_guides()[allowed[0]].who_should_not)
    return Fitted(fitted, tuple(notes), not_for)


def _lower(a: Pressure, b: Pressure) -> Pressure:
    return a if PRESSURES.index(a) <= PRESSURES.index(b) else b


def tool_name(tool: str) -> str:
    """The tool's name as the tools library gives it, in lower case (in the language)."""
    return _(tool_guides()[tool].name).lower()
