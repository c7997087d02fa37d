"""The caution rules as a test oracle, written from the tools data and the domain rules alone.

Independent of `backpoints.core.cautions`: it reads `tools.toml` itself and states each rule
again, so a regression in the implementation (or a tool losing its `not_for`) shows up as a
violation. `violations(step, point, profile)` lists every rule a produced step breaks.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from backpoints.catalog.models import Point
from backpoints.core.screening import Profile
from backpoints.core.steps import Step

CONDITIONS = (
    "pregnant",
    "anticoagulants",
    "bleeding_disorder",
    "osteoporosis",
    "recent_surgery",
    "broken_skin",
    "blood_clot_history",
    "cancer_at_site",
)
SITES = ("recent_surgery", "broken_skin", "blood_clot_history", "cancer_at_site")
RANK = {"gentle": 0, "moderate": 1, "firm": 2}
LUMBAR = {f"L{i}" for i in range(1, 6)}
SACRAL = {f"S{i}" for i in range(1, 6)}
#: Stated in the issue, whatever the data says.
NOT_WITH_BLEEDING = {"foam_roller", "knuckles", "elbow", "massage_tool", "body_weight"}
NOT_WITH_OSTEOPOROSIS = {"body_weight", "foam_roller"}
NOT_ON_SPINE_WITH_OSTEOPOROSIS = {"knuckles", "elbow"}
NOT_ON_LOWER_BACK_IN_PREGNANCY = {"foam_roller", "body_weight"}
BALLS_AND_ROLLERS = {"tennis_ball", "foam_roller", "body_weight"}


@cache
def tools_data() -> dict[str, dict[str, Any]]:
    """tools.toml as plain data, read without the app's models."""
    text = resources.files("backpoints.catalog").joinpath("data", "tools.toml").read_text()
    return {t["id"]: t for t in tomllib.loads(text)["tools"]}


def conditions(profile: Profile) -> set[str]:
    return {c for c in CONDITIONS if getattr(profile, c)}


def lateral(point: Point) -> float | None:
    loc = point.location
    return getattr(loc, "lateral_cun", None) if loc.kind in ("spine", "sacral") else None


def midline(point: Point) -> bool:
    return lateral(point) == 0


def beside_spine(point: Point) -> bool:
    cun = lateral(point)
    return cun is not None and cun <= 1.0


def lumbar_at(point: Point, level: str) -> bool:
    return point.location.kind == "spine" and level in LUMBAR


def lumbosacral_at(point: Point, level: str) -> bool:
    return point.location.kind == "sacral" or (
        point.location.kind == "spine" and level in LUMBAR | SACRAL
    )


def avoided(point: Point, profile: Profile, catalogue: dict[str, Point]) -> bool:
    """The point, or a point it coincides with (either way), is avoided for the profile."""
    have = conditions(profile)
    linked = set(point.coincides_with) | {
        p.id for p in catalogue.values() if point.id in p.coincides_with
    }
    return any(have & set(catalogue[i].avoid_when) for i in {point.id, *linked})


def guidance_withheld(profile: Profile) -> bool:
    return bool(conditions(profile) & set(SITES)) and not profile.affected_regions


def violations(
    step: Step, point: Point, profile: Profile, catalogue: dict[str, Point]
) -> list[str]:
    """Every rule this step breaks (empty: the step is safe for this profile)."""
    have = conditions(profile)
    tools = [step.technique.tool, *step.technique.alternatives]
    levels = {s.level for s in step.point.spots} | {step.point.level}
    pressure = step.technique.pressure
    found: list[str] = []

    def broke(rule: str, ok: bool) -> None:
        if not ok:
            found.append(rule)

    broke("point avoided for this profile", not avoided(point, profile, catalogue))
    broke("guidance while a site is not named", not guidance_withheld(profile))
    if have & set(SITES):
        broke("region of a site condition pressed", step.region not in profile.affected_regions)
    for tool in tools:
        not_for = set(tools_data()[tool].get("not_for", ()))
        broke(f"{tool} used though not for {sorted(have & not_for)}", not have & not_for)
    if midline(point):
        broke("midline point not fingertips only", tools == ["fingers"])
    if beside_spine(point):
        broke("ball or roller on the spine", not set(tools) & BALLS_AND_ROLLERS)
    if any(lumbar_at(point, lv) for lv in levels):
        broke("foam roller on the lumbar spine", "foam_roller" not in tools)
    if have & {"anticoagulants", "bleeding_disorder"}:
        broke("not gentle with blood thinners", pressure == "gentle")
        broke("firm tool with blood thinners", not set(tools) & NOT_WITH_BLEEDING)
    if "osteoporosis" in have:
        broke("firm pressure with osteoporosis", pressure != "firm")
        broke("body weight or roller with osteoporosis", not set(tools) & NOT_WITH_OSTEOPOROSIS)
        spinal = beside_spine(point) or any(lumbar_at(point, lv) for lv in levels)
        if spinal:
            broke(
                "knuckles or elbow on a spinal point with osteoporosis",
                not set(tools) & NOT_ON_SPINE_WITH_OSTEOPOROSIS,
            )
        if beside_spine(point):
            broke("not gentle on the spine with osteoporosis", pressure == "gentle")
    if "pregnant" in have and any(lumbosacral_at(point, lv) for lv in levels):
        broke("not gentle on the lower back in pregnancy", pressure == "gentle")
        broke(
            "roller or body weight on the lower back in pregnancy",
            not set(tools) & NOT_ON_LOWER_BACK_IN_PREGNANCY,
        )
        broke("no reason shown for the lower back in pregnancy", _pregnancy_reason(step, point))
    broke("firmer than the point's own technique", RANK[pressure] <= RANK[point.technique.pressure])
    lead_list = tuple(tools_data()[step.technique.tool].get("who_should_not", ()))
    broke("lead tool's who-should-not list not shown", step.technique.not_for == lead_list)
    return found


def _pregnancy_reason(step: Step, point: Point) -> bool:
    """Gentle on the lower back in pregnancy is explained when it changed the pressure."""
    if point.technique.pressure == "gentle":
        return True
    return any("pregnan" in c for c in step.cautions)
