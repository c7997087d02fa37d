"""Learning what works: a simulated cohort, tries to relief per session, three orderings.

Targets: by session 5 the learning order needs at most 1.3x the tries of an oracle
that knows the person's best point, and at least 30% fewer tries than the fixed order.

Each simulated person has one painful region and a hidden chance that each candidate point
relieves it: one or two points work well (0.8), the rest rarely (0.10-0.15). A session tries
points in the policy's order until one relieves (a Bernoulli draw) or the list ends; a session
without relief counts the tries made. The policies meet the same luck: each session draws one
uniform per point, shared by all policies (common random numbers).

Policies: `learning` orders by the planner with the person's evidence, ranked by posterior
means (rng=None), as the app does; `fixed` is the planner's order without evidence; `oracle`
puts the person's best point first. `thompson` (not a target, shown for comparison) is the
planner with the person's evidence and Thompson samples instead of posterior means.

The best points are placed uniformly at random among the candidates, so the catalogue's order
carries no information about them here: a harsher test than real use, where the points ranked
first are the ones most likely to help.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence

from backpoints.catalog import Catalog, load_catalog
from backpoints.core.learning import Tally
from backpoints.core.planner import PainEntry, plan

SEED = 20240601
PEOPLE = 1000
SESSIONS = 8
INTENSITY = 6
REPORT_SESSION = 5
COMMON_REGIONS = (
    "lower_back_left",
    "lower_back_right",
    "interscapular",
    "sacrum",
    "upper_trapezius_right",
)
BEST_CHANCE = 0.8
OTHER_CHANCE = (0.10, 0.15)
TARGET_VS_ORACLE = 1.3
TARGET_FEWER_THAN_FIXED = 0.30
POLICIES = ("learning", "fixed", "oracle", "thompson")
#: Policies that learn from their own tries: with posterior means, and with Thompson sampling.
LEARNERS = ("learning", "thompson")


def _order(
    catalog: Catalog,
    region: str,
    evidence: dict[tuple[str, str], Tally] | None = None,
    rng: random.Random | None = None,
) -> list[str]:
    (region_plan,) = plan([PainEntry(region, INTENSITY)], catalog, evidence=evidence or {}, rng=rng)
    return [c.point.id for c in region_plan.candidates]


def _session(order: Sequence[str], chance: dict[str, float], luck: dict[str, float]) -> list[bool]:
    """Outcomes of the tries made in one session: failures, then a relief unless none came."""
    outcomes = []
    for point_id in order:
        relieved = luck[point_id] < chance[point_id]
        outcomes.append(relieved)
        if relieved:
            break
    return outcomes


def _person(catalog: Catalog, region: str, rng: random.Random) -> dict[str, list[int]]:
    """Tries to relief in each session, by policy, for one simulated person."""
    fixed = _order(catalog, region)
    best = rng.sample(fixed, rng.choice((1, 2)))
    chance = {p: BEST_CHANCE if p in best else rng.uniform(*OTHER_CHANCE) for p in fixed}
    oracle = sorted(fixed, key=lambda p: -chance[p])  # stable: ties keep the fixed order
    thompson = random.Random(rng.getrandbits(64))
    evidence: dict[str, dict[tuple[str, str], Tally]] = {name: {} for name in LEARNERS}
    tries: dict[str, list[int]] = {name: [] for name in POLICIES}
    for _ in range(SESSIONS):
        luck = {p: rng.random() for p in fixed}
        orders = {
            "learning": _order(catalog, region, evidence["learning"], None),
            "fixed": fixed,
            "oracle": oracle,
            "thompson": _order(catalog, region, evidence["thompson"], thompson),
        }
        for name, order in orders.items():
            outcomes = _session(order, chance, luck)
            tries[name].append(len(outcomes))
            if name in evidence:
                tallies = evidence[name]
                for point_id, relieved in zip(order, outcomes, strict=False):
                    key = (region, point_id)
                    tallies[key] = tallies.get(key, Tally()).add(relieved)
    return tries


def _stderr(values: Sequence[int]) -> float:
    return statistics.stdev(values) / math.sqrt(len(values))


def _verdict(met: bool) -> str:
    return "target met" if met else "target NOT met"


def run() -> list[str]:
    catalog = load_catalog()
    rng = random.Random(SEED)
    cohort = [_person(catalog, rng.choice(COMMON_REGIONS), rng) for _ in range(PEOPLE)]
    mean = {
        name: [statistics.fmean(person[name][s] for person in cohort) for s in range(SESSIONS)]
        for name in POLICIES
    }
    lines = [
        f"{PEOPLE} people x {SESSIONS} sessions, regions {', '.join(COMMON_REGIONS)}, seed {SEED}",
        "mean tries to relief by session:",
        "  session  " + " ".join(f"{s + 1:>5}" for s in range(SESSIONS)),
    ]
    for name in POLICIES:
        lines.append(f"  {name:<8} " + " ".join(f"{t:5.2f}" for t in mean[name]))
    at = REPORT_SESSION - 1
    learning, fixed, oracle = (mean[name][at] for name in ("learning", "fixed", "oracle"))
    vs_oracle = learning / oracle
    fewer = 1.0 - learning / fixed
    spread = ", ".join(
        f"{name} {mean[name][at]:.2f} ± {_stderr([p[name][at] for p in cohort]):.2f}"
        for name in POLICIES
    )
    lines += [
        f"session {REPORT_SESSION} (mean ± standard error): {spread}",
        f"learning / oracle at session {REPORT_SESSION}: {vs_oracle:.2f}x "
        f"(target <= {TARGET_VS_ORACLE}): {_verdict(vs_oracle <= TARGET_VS_ORACLE)}",
        f"learning vs fixed at session {REPORT_SESSION}: {fewer:.0%} fewer tries "
        f"(target >= {TARGET_FEWER_THAN_FIXED:.0%}): "
        f"{_verdict(fewer >= TARGET_FEWER_THAN_FIXED)}",
        f"(thompson, for comparison: {mean['thompson'][at] / oracle:.2f}x oracle, "
        f"{1.0 - mean['thompson'][at] / fixed:.0%} fewer tries than fixed)",
    ]
    return lines
