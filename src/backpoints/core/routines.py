"""Routines: ordered steps (point, side, tool, duration) run by the guided-session engine.

Built-in routines live in `catalog/data/routines.toml`; people may write their own and move
them as a small JSON file (`to_json` / `from_json`, documented in docs/routines.md). Before a
routine runs, `fit_routine` applies the cautions (`backpoints.core.cautions`, the same rules
as a session): a routine built around a tool that is not for this person is left out whole;
a step on a point avoided for this profile, or in a region never pressed, is skipped; a step
whose tool is not allowed there gets another tool. Each change says why. Pure: imports no
web, CLI or database code.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backpoints.catalog import Catalog
from backpoints.core import jsonlimits
from backpoints.core.cautions import Cautions, cautions_for, fit_technique, tool_name
from backpoints.core.errors import BackpointsError
from backpoints.core.records import StepSeconds
from backpoints.core.screening import Profile
from backpoints.core.vocab import Tool
from backpoints.i18n import N_, ngettext
from backpoints.i18n import gettext as _

RoutineSide = Literal["left", "right", "both"]
JSON_FORMAT: Final = "backpoints-routine"
LEAD_IN_S: Final = 5


class RoutineError(BackpointsError, ValueError):
    field = "routine"


class RoutineStep(BaseModel):
    """One step: a point, which side (absent for a midline point), tool, and seconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    point_id: str = Field(max_length=64)
    side: RoutineSide | None = None
    tool: Tool | None = None
    duration_s: StepSeconds


class Routine(BaseModel):
    """A named sequence of steps with a purpose and the sources behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,48}$")
    name: str = Field(min_length=1, max_length=80)
    purpose: str = Field(default="", max_length=400)
    sources: tuple[str, ...] = ()
    for_partner: bool = False
    steps: tuple[RoutineStep, ...] = Field(min_length=1, max_length=20)

    @property
    def total_s(self) -> int:
        """Time to run it, get-ready lead-ins included."""
        return sum(s.duration_s + LEAD_IN_S for s in self.steps)


class _RoutinesFile(BaseModel):
    routines: tuple[Routine, ...]


@cache
def builtin_routines() -> tuple[Routine, ...]:
    """The packaged routines, validated."""
    text = resources.files("backpoints.catalog").joinpath("data", "routines.toml").read_text()
    return _RoutinesFile.model_validate(tomllib.loads(text)).routines


def check_points(routine: Routine, catalog: Catalog) -> Routine:
    """Raise RoutineError naming the first step whose point is not in the catalogue."""
    for n, step in enumerate(routine.steps, start=1):
        try:
            catalog.get(step.point_id)
        except BackpointsError as exc:
            raise RoutineError(f"Step {n}: {exc}") from None
    return routine


def shown(routine: Routine) -> Routine:
    """A built-in routine with its name and purpose in the language in force (a person's own
    routine keeps the words they gave it)."""
    if routine.id not in {r.id for r in builtin_routines()}:
        return routine
    return routine.model_copy(update={"name": _(routine.name), "purpose": _(routine.purpose)})


#: How a routine run ended, in words.
RUN_STATUS_WORDS: Final = {
    "active": N_("in progress"),
    "completed": N_("completed"),
    "stopped": N_("stopped"),
    "refer": N_("referred"),
}


def run_status(status: str) -> str:
    """How a run ended, in the language in force."""
    return _(RUN_STATUS_WORDS[status]) if status in RUN_STATUS_WORDS else status


def shown_name(routine_id: str, name: str) -> str:
    """A routine's name in the language in force (a built-in one's; a person's own as given)."""
    return _(name) if routine_id in {r.id for r in builtin_routines()} else name


def describe_shown(routine: Routine) -> str:
    """'6 steps, about 8 minutes' in the language in force."""
    minutes = max(1, round(routine.total_s / 60))
    steps = ngettext("{n} step", "{n} steps", len(routine.steps)).format(n=len(routine.steps))
    return _("{steps}, about {minutes} minutes").format(steps=steps, minutes=minutes)


def find(routine_id: str, extra: tuple[Routine, ...] = ()) -> Routine:
    """A built-in or custom routine by id; RoutineError suggests the ids there are."""
    known = {r.id: r for r in (*builtin_routines(), *extra)}
    if routine_id in known:
        return known[routine_id]
    ids = ", ".join(known)
    raise RoutineError(
        _("Unknown routine {routine!r}. Routines: {ids}.").format(routine=routine_id, ids=ids)
    )


def to_json(routine: Routine) -> str:
    """The routine as a small JSON document (see docs/routines.md)."""
    body = routine.model_dump(mode="json", exclude_defaults=True)
    return json.dumps({"format": JSON_FORMAT, "version": 1, **body}, indent=2) + "\n"


def from_json(text: str, catalog: Catalog) -> Routine:
    """Read a routine file; RoutineError names what is wrong."""
    try:
        data = jsonlimits.loads(text, field="file")
    except json.JSONDecodeError as exc:
        raise RoutineError(_("Not a routine file: not JSON ({why}).").format(why=exc.msg)) from None
    except jsonlimits.JsonTooComplex as exc:
        raise RoutineError(_("Not a routine file: {why}").format(why=exc)) from None
    if not isinstance(data, dict) or data.pop("format", None) != JSON_FORMAT:
        raise RoutineError('Not a routine file: it lacks "format": "backpoints-routine".')
    if data.pop("version", 1) != 1:
        raise RoutineError(_("This routine file is from a newer backpoints."))
    try:
        routine = Routine.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RoutineError(f"Routine file: {where}: {first['msg']}.") from None
    return check_points(routine, catalog)


@dataclass(frozen=True)
class PlannedStep:
    """A routine step that may run, with the region it is shown on and any note."""

    step: RoutineStep
    region: str
    tool: Tool
    note: str | None = None


@dataclass(frozen=True)
class FittedRoutine:
    """What of a routine runs for this person, and what was skipped and why."""

    routine: Routine
    steps: tuple[PlannedStep, ...]
    skipped: tuple[str, ...]


def fit_routine(routine: Routine, profile: Profile, catalog: Catalog) -> FittedRoutine:
    """Apply the profile's cautions to every step (see the module docstring)."""
    limits = cautions_for(profile, catalog)
    whole = routine_reason(routine, limits)
    if whole is not None:
        return FittedRoutine(routine, (), (whole,))
    kept: list[PlannedStep] = []
    skipped: list[str] = []
    for n, step in enumerate(routine.steps, start=1):
        point = catalog.get(step.point_id)
        label = _("Step {n} ({point})").format(n=n, point=point.display_name)
        local: list[str] = [h.region for h in point.helps if h.why == "local"]
        region = _region_for(local or list(point.regions), step.side)
        reason = limits.point_reason(point) or limits.region_reason(region)
        if reason is not None:
            skipped.append(
                _("{step} skipped: {why}").format(step=label, why=reason.rstrip(".") + ".")
            )
            continue
        lead = fit_technique(point, limits, lead=step.tool).technique.tools[0]
        wanted = step.tool or point.technique.tools[0]
        note = None
        if lead != wanted:
            note = _("{step} uses {tool} instead of {wanted}.").format(
                step=label, tool=tool_name(lead), wanted=tool_name(wanted)
            )
        kept.append(PlannedStep(step, region, lead, note))
    if limits.withheld and not kept:
        skipped = [limits.withheld]
    return FittedRoutine(routine, tuple(kept), tuple(skipped))


def routine_reason(routine: Routine, limits: Cautions) -> str | None:
    """Why a whole routine is left out: it is built around a tool not for this person."""
    tools = {s.tool for s in routine.steps}
    if len(tools) != 1:
        return None
    (tool,) = tools
    banned = limits.banned_tools.get(tool) if tool is not None else None
    if tool is None or banned is None:
        return None
    return _("This routine is left out for you: it is built around the {tool}. {why}").format(
        tool=tool_name(tool), why=banned
    )


def _region_for(regions: list[str], side: RoutineSide | None) -> str:
    if side in ("left", "right"):
        sided = [r for r in regions if r.endswith(f"_{side}")]
        if sided:
            return sided[0]
    midline = [r for r in regions if not r.endswith(("_left", "_right"))]
    return (midline or regions)[0]


def describe(routine: Routine) -> str:
    """'6 steps, about 8 minutes' for listings."""
    minutes = max(1, round(routine.total_s / 60))
    return f"{len(routine.steps)} steps, about {minutes} minutes"


def build_routine(name: str, point_ids: Sequence[str], seconds: int, catalog: Catalog) -> Routine:
    """Your own routine from points in order: both sides where a point has two."""
    slug = "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())[:40]
    slug = slug.removeprefix("my-")  # 'my-evening' names the id it will get, not my-my-evening
    if not slug:
        raise RoutineError(_("Give your routine a name."))
    steps = []
    for point_id in point_ids:
        point = catalog.get(point_id)
        steps.append(
            {
                "point_id": point.id,
                "duration_s": seconds,
                **({"side": "both"} if point.bilateral else {}),
            }
        )
    try:
        return Routine.model_validate(
            {
                "id": f"my-{slug}",
                "name": name.strip(),
                "purpose": "Your own routine.",
                "steps": steps,
            }
        )
    except ValidationError:
        raise RoutineError(_("Choose 1 to 20 points and 30 to 180 seconds per point.")) from None
