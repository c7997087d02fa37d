"""One guided step: the point on this person's body, how to press it, and the spoken cues.

`build_step` places a planned point on the body (the level inside the painful region, the
painful side, or both sides for a midline region), applies the profile's cautions to the
technique (`cautions.fit_technique`: which tools, which leads, how firm, and why), shows the
lead tool's "who should not use it" list and the point's other names, and writes the cue
timeline: a get-ready lead-in, start, change of direction halfway, breathing, ten seconds
left, and the end bell. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, ConfigDict

from backpoints.catalog import Catalog
from backpoints.catalog.models import Point
from backpoints.core.anatomy import Body, Position, locate
from backpoints.core.cautions import Cautions, cautions_for, fit_technique
from backpoints.core.regions import contains, regions
from backpoints.core.screening import Profile
from backpoints.core.vocab import Motion, Pressure, Side, Tool, region_label
from backpoints.i18n import N_, current
from backpoints.i18n import gettext as _

if TYPE_CHECKING:
    from backpoints.core.guided import Queued

LEAD_IN_S: Final = 5
BREATHE_EVERY_S: Final = 30
CueKind = Literal["ready", "start", "change", "breathe", "ten_seconds", "end"]

MOTION_WORDS: Final[dict[str, str]] = {
    "circular": N_("small, slow circles"),
    "back_and_forth": N_("slow strokes back and forth"),
    "static": N_("steady pressure, holding still"),
}
PRESSURE_WORDS: Final[dict[str, str]] = {
    "gentle": N_("gentle pressure: a light, comfortable press"),
    "moderate": N_("moderate pressure: firm but comfortable"),
    "firm": N_("firm pressure: a strong but bearable ache, never sharp pain"),
}
TOOL_WORDS: Final[dict[str, str]] = {
    "thumb": N_("your thumb"),
    "fingers": N_("two or three fingertips"),
    "knuckles": N_("your knuckles"),
    "elbow": N_("a partner's elbow, slowly"),
    "tennis_ball": N_("a tennis ball between your back and a wall"),
    "foam_roller": N_("a foam roller on the floor"),
    "massage_tool": N_("a massage hook or cane"),
    "partner": N_("a partner's thumbs"),
    "body_weight": N_("your body weight, lying on a ball"),
}


@dataclass(frozen=True)
class Guide:
    """What building steps needs from the world: the catalogue and this person's body."""

    catalog: Catalog
    body: Body


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Spot(_Model):
    """One place to press, in the body frame (docs/architecture.md)."""

    side: Side | None
    x_cm: float
    y_cm: float
    level: str
    uncertainty_cm: float


class StepPoint(_Model):
    """The point of a step as the API shows it (side `None`: midline, or both sides)."""

    id: str
    side: Side | None
    name: str
    x_cm: float
    y_cm: float
    level: str
    uncertainty_cm: float
    how_to_find: tuple[str, ...]
    spots: tuple[Spot, ...]


class StepTechnique(_Model):
    motion: Motion
    pressure: Pressure
    tool: Tool
    alternatives: tuple[Tool, ...]
    duration_s: int
    lead_in_s: int
    summary: str
    #: Who should not use the lead tool (the tools library), shown with the step.
    not_for: tuple[str, ...] = ()


class Cue(_Model):
    t_s: int
    say: str
    kind: CueKind


class Step(_Model):
    """One point to massage, with everything a person needs to do it."""

    n: int
    region: str
    region_label: str
    point: StepPoint
    technique: StepTechnique
    cues: tuple[Cue, ...]
    why: str
    tradition: str
    cautions: tuple[str, ...]
    sources: tuple[str, ...]
    #: What was changed for this person's cautions, and why (also among `cautions`).
    adapted: tuple[str, ...] = ()
    #: The point's other names: the standard point of a lay point, or the reverse.
    also_known_as: str | None = None


def build_step(
    n: int,
    region: str,
    queued: Queued,
    profile: Profile,
    guide: Guide,
    duration_s: int | None = None,
    tool: Tool | None = None,
    cautions: Cautions | None = None,
) -> Step:
    """The n-th step of a session: the queued point for a region, placed and timed.

    `duration_s` (a therapist's routine) replaces the default time, within the timing rules:
    30-90 s of sustained compression, 60-120 s of moving massage. `tool` (a routine step's)
    leads when the cautions allow it; `cautions` saves working them out again per step.
    """
    point = guide.catalog.get(queued.point_id)
    spots = _spots(point, region, queued.side, guide.body)
    main = spots[-1]
    limits = cautions if cautions is not None else limits_for(profile, guide.catalog)
    fitted = fit_technique(point, limits, level=main.level, lead=tool, owned=profile.tools_owned)
    technique = fitted.technique
    if duration_s is not None:
        low, high = (30, 90) if technique.motion == "static" else (60, 120)
        technique = technique.model_copy(update={"duration_s": min(high, max(low, duration_s))})
    step_technique = StepTechnique(
        motion=technique.motion,
        pressure=technique.pressure,
        tool=technique.tools[0],
        alternatives=technique.tools[1:],
        duration_s=technique.duration_s,
        lead_in_s=LEAD_IN_S,
        summary=technique_summary(technique.motion, technique.pressure, technique.tools[0]),
        not_for=fitted.not_for,
    )
    both = queued.side is None and point.bilateral
    how = point.how_to_find + (_(_BOTH_SIDES),) if both else point.how_to_find
    return Step(
        n=n,
        region=region,
        region_label=region_label(region),
        point=StepPoint(
            id=point.id,
            side=queued.side,
            name=point.display_name,
            x_cm=round(main.x_cm, 2),
            y_cm=round(main.y_cm, 2),
            level=main.level,
            uncertainty_cm=main.uncertainty_cm,
            how_to_find=how,
            spots=spots,
        ),
        technique=step_technique,
        cues=cue_timeline(point, step_technique),
        why=queued.why,
        tradition=point.tradition,
        cautions=point.cautions + fitted.notes,
        sources=point.sources,
        adapted=fitted.notes,
        also_known_as=guide.catalog.also_known_as(point),
    )


#: (catalogue id, profile, language) -> (the catalogue, its cautions): see `limits_for`.
_LIMITS: dict[tuple[int, Profile, str], tuple[Catalog, Cautions]] = {}
_LIMITS_KEPT: Final = 256


def limits_for(profile: Profile, catalog: Catalog) -> Cautions:
    """`cautions_for(profile, catalog)`, worked out once per profile, catalogue and language
    (its reasons are in it): it walks the whole catalogue, and every step of every session
    needs it. (Cautions are never changed once made, so one object can serve every step.)"""
    key = (id(catalog), profile, current())
    hit = _LIMITS.get(key)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    if len(_LIMITS) >= _LIMITS_KEPT:
        _LIMITS.clear()
    limits = cautions_for(profile, catalog)
    _LIMITS[key] = (catalog, limits)
    return limits


#: The end cue's question, which a routine (nothing to rate) leaves out.
HOW_NOW: Final = N_("How is the pain now?")
_BOTH_SIDES: Final = N_("Do both sides: both at once, or one side after the other.")


def technique_summary(motion: str, pressure: str, tool: str) -> str:
    """'Small, slow circles with your thumb; firm pressure: ...'."""
    return _("{motion} with {tool}; {pressure}.").format(
        motion=_(MOTION_WORDS[motion]).capitalize(),
        tool=_(TOOL_WORDS[tool]),
        # the sentence's own full stop ends it (a translation may end the words with one)
        pressure=_(PRESSURE_WORDS[pressure]).rstrip(".。।"),
    )


def _spots(point: Point, region: str, side: Side | None, body: Body) -> tuple[Spot, ...]:
    """Where to press: the level inside (or nearest) the region, on the chosen side(s)."""
    positions = [p for p in locate(point, body) if side is None or p.side in (side, None)]
    outline = next(r for r in regions(body) if r.id == region)
    cx, cy = outline.centroid
    inside = [p for p in positions if contains(outline.outline, p.x_cm, p.y_cm, tolerance=0.3)]
    pool = inside or positions
    best_level = min(pool, key=lambda p: abs(p.y_cm - cy) + 0.1 * abs(abs(p.x_cm) - abs(cx))).level
    return tuple(_spot(p) for p in positions if p.level == best_level)


def _spot(p: Position) -> Spot:
    return Spot(
        side=p.side,
        x_cm=round(p.x_cm, 2),
        y_cm=round(p.y_cm, 2),
        level=p.level,
        uncertainty_cm=p.uncertainty_cm,
    )


def cue_timeline(point: Point, technique: StepTechnique) -> tuple[Cue, ...]:
    """Spoken cues, seconds from the start of the step (lead-in included)."""
    lead, duration = technique.lead_in_s, technique.duration_s
    end = lead + duration
    fixed = [
        Cue(
            t_s=0,
            say=_("Get ready: find {point}. Start at the tone.").format(point=point.display_name),
            kind="ready",
        ),
        Cue(t_s=lead, say=_("Start now. {how}").format(how=technique.summary), kind="start"),
        Cue(t_s=lead + duration // 2, say=_halfway(technique.motion), kind="change"),
        Cue(t_s=end - 10, say=_("Ten seconds left."), kind="ten_seconds"),
        Cue(t_s=end, say=_("Stop, and release slowly.") + " " + _(HOW_NOW), kind="end"),
    ]
    taken = [c.t_s for c in fixed]
    breathe = [
        Cue(t_s=t, say=_("Breathe out slowly and let the shoulders drop."), kind="breathe")
        for t in range(lead + BREATHE_EVERY_S, end - 10, BREATHE_EVERY_S)
        if all(math.fabs(t - other) >= 8 for other in taken)
    ]
    return tuple(sorted(fixed + breathe, key=lambda c: c.t_s))


def _halfway(motion: str) -> str:
    if motion == "circular":
        return _("Halfway. Change direction: circle the other way.")
    if motion == "back_and_forth":
        return _("Halfway. Keep the strokes slow; shift a finger-width if it helps.")
    return _("Halfway. Keep holding; let the pressure sink in slowly as the tenderness eases.")
