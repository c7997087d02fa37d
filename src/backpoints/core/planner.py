"""Which points to try, in what order: pain map + cautions + personal evidence -> candidates.

For each painful region (most painful first) the planner ranks the points that help it: points
lying in the region, trigger points that send pain there (ts1999), and the seed's lay points
when they fit, then the person's own results (learning). The list is varied: a point that
coincides with one already chosen, or another point of the same muscle, drops back. Each
candidate carries a `why` a person understands. Pure; imports no web, CLI or database code.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from backpoints.catalog import Catalog
from backpoints.catalog.models import Point
from backpoints.core.cautions import NO_CAUTIONS, Cautions
from backpoints.core.errors import check_region
from backpoints.core.learning import (
    NO_EVIDENCE,
    Evidence,
    Tally,
    chance,
    helped_phrase,
    log_odds,
    score,
)
from backpoints.core.vocab import REGION_IDS, Side, region_side
from backpoints.i18n import N_, current
from backpoints.i18n import gettext as _

Why = Literal["local", "referred"]

#: Prior belief that a point relieves a region, by how it relates to the region.
PRIOR: Final[dict[tuple[str, Why], float]] = {
    ("acupressure", "local"): 0.30,
    ("trigger-point", "local"): 0.30,
    ("lay", "local"): 0.34,
    ("acupressure", "referred"): 0.22,
    ("trigger-point", "referred"): 0.28,
    ("lay", "referred"): 0.22,
}
REGION_PLACES: Final[dict[str, str]] = {
    "neck": N_("neck"),
    "upper_trapezius": N_("top of the shoulder"),
    "scapula": N_("shoulder blade"),
    "interscapular": N_("area between the shoulder blades"),
    "mid_back": N_("mid back"),
    "lower_back": N_("lower back"),
    "sacrum": N_("base of the spine (sacrum)"),
    "buttock": N_("buttock"),
}
#: How much a point near a tender spot the person marked is raised, and what they are told.
FOUND_BONUS: Final = 0.2
FOUND_WHY: Final = N_("near a tender spot you marked")
#: Points with trial evidence for self-acupressure of the low back (hsieh2006, murphy2019).
TRIAL_BONUS: Final = 0.02
TRIAL_SOURCES: Final = frozenset({"hsieh2006", "murphy2019", "li2021"})
#: How much a point drops when it coincides with, or shares a muscle with, one already chosen.
OVERLAP_PENALTY: Final = 0.15
SAME_TRADITION_PENALTY: Final = 0.03


@dataclass(frozen=True)
class PainEntry:
    """Pain in one region, 0-10."""

    region: str
    intensity: int

    def __post_init__(self) -> None:
        check_region(self.region)
        if not 0 <= self.intensity <= 10:
            raise ValueError(f"intensity must be 0-10, got {self.intensity}")


@dataclass(frozen=True)
class Candidate:
    """A point to try for a region, on which side, how strongly believed in, and why.

    `belief` is the log-odds that the point suits the person: it breaks ties between equal
    scores (points that have all failed many times still rank by how often they failed)."""

    point: Point
    region: str
    side: Side | None
    score: float
    why: str
    belief: float = 0.0


@dataclass(frozen=True)
class RegionPlan:
    """The ranked candidates for one painful region (none if the region is excluded)."""

    region: str
    intensity: int
    candidates: tuple[Candidate, ...]
    excluded_reason: str | None = None


@dataclass(frozen=True)
class _Option:
    """A (point, region) pair with what ranking needs worked out once per catalogue."""

    point: Point
    prior: float
    text: str
    overlaps: frozenset[str]


_INDEX: dict[tuple[int, str], tuple[Catalog, dict[str, tuple[_Option, ...]]]] = {}


def _options(catalog: Catalog) -> dict[str, tuple[_Option, ...]]:
    """Region -> its options, built once per catalogue and language (their texts are in it;
    planning stays well under 1 ms)."""
    key = (id(catalog), current())
    cached = _INDEX.get(key)
    if cached is None or cached[0] is not catalog:
        index = {
            r: tuple(
                _option(catalog, p, h.why, r) for p in catalog for h in p.helps if h.region == r
            )
            for r in REGION_IDS
        }
        cached = _INDEX[key] = (catalog, index)
    return cached[1]


def _option(catalog: Catalog, point: Point, why: Why, region: str) -> _Option:
    prior = PRIOR[(point.tradition, why)]
    if region.startswith("lower_back") and TRIAL_SOURCES & set(point.sources):
        prior += TRIAL_BONUS
    overlaps = {p.id for p in catalog.linked(point)}
    if point.muscle:
        overlaps |= {p.id for p in catalog if p.muscle == point.muscle and p.id != point.id}
    return _Option(point, prior, _explain(point, why, region), frozenset(overlaps))


def plan(
    pain: Sequence[PainEntry],
    catalog: Catalog,
    limits: Cautions = NO_CAUTIONS,
    evidence: Evidence = NO_EVIDENCE,
    rng: random.Random | None = None,
    preferred: Sequence[str] = (),
    found: Mapping[str, Sequence[str]] | None = None,
) -> tuple[RegionPlan, ...]:
    """Ranked candidates for every painful region, most painful region first.

    `preferred` point ids (a therapist's home routine) come first, in their order, wherever
    they help the region and the profile allows them. `found` maps a region to the points
    nearest the tender spots the person marked there (a scan): they rank higher.
    """
    order = sorted(
        (e for e in pain if e.intensity > 0),
        key=lambda e: (-e.intensity, REGION_IDS.index(e.region)),
    )
    index = _options(catalog)
    plans = []
    for entry in order:
        reason = limits.excluded_regions.get(entry.region)
        if reason:
            plans.append(RegionPlan(entry.region, entry.intensity, (), reason))
            continue
        side = region_side(entry.region)
        options = _with_found(catalog, index[entry.region], (found or {}).get(entry.region, ()))
        scored = [
            _candidate(option, entry.region, side, evidence, rng)
            for option in options
            if limits.allows(option.point)
        ]
        ranked = _found_first(_varied(scored), (found or {}).get(entry.region, ()), evidence)
        plans.append(RegionPlan(entry.region, entry.intensity, _routine_first(ranked, preferred)))
    return tuple(plans)


def _with_found(
    catalog: Catalog, options: tuple[_Option, ...], found: Sequence[str]
) -> tuple[_Option, ...]:
    """Options with the found points raised (and added where the catalogue had none)."""
    if not found:
        return options
    wanted = set(found)
    raised = tuple(
        _Option(o.point, o.prior + FOUND_BONUS, f"{_(FOUND_WHY)}; {o.text}", o.overlaps)
        if o.point.id in wanted
        else o
        for o in options
    )
    present = {o.point.id for o in options}
    added = tuple(
        _Option(
            catalog.get(p),
            PRIOR[("acupressure", "local")] + FOUND_BONUS,
            _(FOUND_WHY),
            frozenset(q.id for q in catalog.linked(catalog.get(p))),
        )
        for p in dict.fromkeys(found)
        if p not in present
    )
    return raised + added


_UNTRIED: Final = Tally()


def _candidate(
    option: _Option,
    region: str,
    side: Side | None,
    evidence: Evidence,
    rng: random.Random | None,
) -> tuple[Candidate, frozenset[str]]:
    tally = evidence.get((region, option.point.id), _UNTRIED)
    helped = helped_phrase(tally)
    why = f"{helped[0].upper()}{helped[1:]}: {option.text}" if helped else option.text
    belief = log_odds(option.prior, tally)
    candidate = Candidate(
        option.point,
        region,
        side if option.point.bilateral else None,
        chance(belief, rng),
        why,
        belief,
    )
    return candidate, option.overlaps


def _varied(scored: list[tuple[Candidate, frozenset[str]]]) -> tuple[Candidate, ...]:
    """Greedy pick of the best remaining candidate, penalising overlap with those picked."""
    remaining = sorted(scored, key=lambda pair: (-pair[0].score, -pair[0].belief, pair[0].point.id))
    overlapping = [0] * len(remaining)  # how many chosen points each remaining one overlaps
    chosen: list[Candidate] = []
    last_tradition = ""
    while remaining:
        best_i, best_value = 0, -1e9
        for i, (candidate, _value) in enumerate(remaining):
            value = candidate.score - OVERLAP_PENALTY * overlapping[i]
            if candidate.point.tradition == last_tradition:
                value -= SAME_TRADITION_PENALTY
            if value > best_value + 1e-12:
                best_i, best_value = i, value
        best = remaining.pop(best_i)[0]
        overlapping.pop(best_i)
        for i, (_best, overlaps) in enumerate(remaining):
            if best.point.id in overlaps:
                overlapping[i] += 1
        chosen.append(best)
        last_tradition = best.point.tradition
    return tuple(chosen)


def _found_first(
    ranked: tuple[Candidate, ...], found: Sequence[str], evidence: Evidence
) -> tuple[Candidate, ...]:
    """Points near the tender spots the person marked come first (as the scan promises),
    in ranked order, unless their tries here have failed more often than they helped."""
    if not found:
        return ranked
    wanted = set(found)

    def trusted(c: Candidate) -> bool:
        tally = evidence.get((c.region, c.point.id), Tally())
        return c.point.id in wanted and tally.failed <= tally.helped

    return tuple(c for c in ranked if trusted(c)) + tuple(c for c in ranked if not trusted(c))


def _routine_first(
    ranked: tuple[Candidate, ...], preferred: Sequence[str]
) -> tuple[Candidate, ...]:
    if not preferred:
        return ranked
    order = {point_id: i for i, point_id in enumerate(preferred)}
    first = sorted((c for c in ranked if c.point.id in order), key=lambda c: order[c.point.id])
    marked = tuple(
        Candidate(
            c.point,
            c.region,
            c.side,
            c.score,
            _("from your therapist's home routine; {why}").format(why=c.why),
            c.belief,
        )
        for c in first
    )
    return marked + tuple(c for c in ranked if c.point.id not in order)


def _explain(point: Point, why: Why, region: str) -> str:
    place = _(REGION_PLACES[region.removesuffix("_left").removesuffix("_right")])
    name, muscle = point.names.english.lower(), point.muscle
    if point.tradition == "lay":
        text = _("the point many people know as '{name}', for the {place}")
    elif why == "local" and point.tradition == "trigger-point":
        text = _("a trigger point in the {muscle}, right where you feel the pain")
    elif why == "local":
        text = _("local point for the {place}")
    elif point.tradition == "trigger-point":
        text = _("this muscle's trigger point ({muscle}) sends pain to where you feel it")
    else:
        text = _("a point traditionally used for the {place}")
    return text.format(name=name, place=place, muscle=muscle)


def expected_relief(catalog: Catalog, region: str, point_id: str, tally: Tally) -> float:
    """The chance (0-1) the point relieves the region for this person, from the catalogue's
    prior and their tries: what the planner ranks by, for insights and reports to rank by too."""
    prior = next((o.prior for o in _options(catalog)[region] if o.point.id == point_id), 0.3)
    return score(prior, tally)
