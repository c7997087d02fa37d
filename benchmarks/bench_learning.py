"""Learning what works: two simulated cohorts, tries to relief per session, several orderings.

Targets: by session 5 the learning order needs at most 1.3x the tries of an oracle
that knows the person's best point, and at least 30% fewer tries than the fixed order, on both
cohorts, stable across seeds; on the second cohort the catalogue's prior must beat a flat one.

Each simulated person has one painful region and a hidden chance that each candidate point
relieves it: one or two points work well (0.8), the rest rarely (0.10-0.15). A session tries
points in the policy's order until one relieves (a Bernoulli draw) or the list ends; a session
without relief counts the tries made. The policies meet the same luck: each session draws one
uniform per point, shared by all policies (common random numbers).

Cohorts:
- `random`: the best points are drawn uniformly among the candidates, so the catalogue's
  order carries no information about them (a harsh test: no prior can help).
- `catalogue`: people share winners. The best points follow the catalogue's evidence with
  individual variation: the point the planner ranks r-th (without personal evidence) is drawn
  as one of a person's best with weight DECAY**r.

Policies: `learning` is the planner with the person's evidence, ranked by posterior means, as
the app does; `flat` learns the same way from a flat prior (every point FLAT_PRIOR, ties by
id: the catalogue's knowledge left out); `fixed` is the planner's order without evidence;
`oracle` puts the person's best point first. `informed` is a reference, not a policy the app
could use: posterior means from the prior the cohort was built with (flat for `random`, DECAY
per rank for `catalogue`, EXPECTED_BEST points a person on average), i.e. about the best a
posterior-mean ranking can do on that cohort. It shows how far each target is reachable: a
single prior cannot be both the flat one the `random` cohort needs and the steep one the
`catalogue` cohort needs.

Each cohort is simulated for SEEDS seeds of PEOPLE people; the figures are pooled over all of
them, and the per-seed range shows how far one seed's verdict could stray.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

from backpoints.catalog import Catalog, load_catalog
from backpoints.core.learning import Tally, log_odds, score
from backpoints.core.planner import PainEntry, plan

SEEDS = (20240601, 1, 2, 3, 4, 5)
PEOPLE = 2000
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
DECAY = 0.75
EXPECTED_BEST = 1.5  # a person has one or two best points
FLAT_PRIOR = 0.28
TARGET_VS_ORACLE = 1.3
TARGET_FEWER_THAN_FIXED = 0.30
COHORTS = ("random", "catalogue")
POLICIES = ("learning", "flat", "fixed", "oracle", "informed")
LEARNERS = ("learning", "flat", "informed")
Evidence = dict[tuple[str, str], Tally]


def _order(catalog: Catalog, region: str, evidence: Evidence | None = None) -> list[str]:
    (region_plan,) = plan([PainEntry(region, INTENSITY)], catalog, evidence=evidence or {})
    return [c.point.id for c in region_plan.candidates]


def _flat_order(points: Sequence[str], region: str, evidence: Evidence) -> list[str]:
    def key(point: str) -> tuple[float, float, str]:
        tally = evidence.get((region, point), Tally())
        return (-score(FLAT_PRIOR, tally), -log_odds(FLAT_PRIOR, tally), point)

    return sorted(points, key=key)


def _informed_order(
    fixed: Sequence[str], cohort: str, region: str, evidence: Evidence
) -> list[str]:
    """Posterior means from the prior the cohort was drawn with; ties keep the fixed order."""
    weights = [1.0 if cohort == "random" else DECAY**rank for rank in range(len(fixed))]
    total = sum(weights)

    def key(ranked: tuple[int, str]) -> tuple[float, int]:
        rank, point = ranked
        prior = min(EXPECTED_BEST * weights[rank] / total, 0.95)
        return (-log_odds(prior, evidence.get((region, point), Tally())), rank)

    return [point for _rank, point in sorted(enumerate(fixed), key=key)]


def _session(order: Sequence[str], chance: dict[str, float], luck: dict[str, float]) -> list[bool]:
    """Outcomes of the tries made in one session: failures, then a relief unless none came."""
    outcomes = []
    for point_id in order:
        relieved = luck[point_id] < chance[point_id]
        outcomes.append(relieved)
        if relieved:
            break
    return outcomes


def _best(fixed: list[str], cohort: str, rng: random.Random) -> list[str]:
    count = rng.choice((1, 2))
    if cohort == "random":
        return rng.sample(fixed, count)
    weights = {p: DECAY**rank for rank, p in enumerate(fixed)}
    best: list[str] = []
    while len(best) < count:
        left = [p for p in fixed if p not in best]
        best += rng.choices(left, weights=[weights[p] for p in left])
    return best


def _person(catalog: Catalog, cohort: str, rng: random.Random) -> dict[str, list[int]]:
    """Tries to relief in each session, by policy, for one simulated person."""
    region = rng.choice(COMMON_REGIONS)
    fixed = _order(catalog, region)
    best = _best(fixed, cohort, rng)
    chance = {p: BEST_CHANCE if p in best else rng.uniform(*OTHER_CHANCE) for p in fixed}
    oracle = sorted(fixed, key=lambda p: -chance[p])  # stable: ties keep the fixed order
    evidence: dict[str, Evidence] = {name: {} for name in LEARNERS}
    tries: dict[str, list[int]] = {name: [] for name in POLICIES}
    for _ in range(SESSIONS):
        luck = {p: rng.random() for p in fixed}
        orders = {
            "learning": _order(catalog, region, evidence["learning"]),
            "flat": _flat_order(fixed, region, evidence["flat"]),
            "fixed": fixed,
            "oracle": oracle,
            "informed": _informed_order(fixed, cohort, region, evidence["informed"]),
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


def _mean_at(cohort: list[dict[str, list[int]]], name: str, session: int) -> float:
    return statistics.fmean(person[name][session] for person in cohort)


def _verdict(met: bool) -> str:
    return "target met" if met else "target NOT met"


def _cohort_lines(cohort: str, runs: list[list[dict[str, list[int]]]]) -> list[str]:
    pooled = [person for run in runs for person in run]
    at = REPORT_SESSION - 1
    lines = [
        f"cohort '{cohort}': {len(SEEDS)} seeds x {PEOPLE} people x {SESSIONS} sessions; "
        "mean tries to relief by session (pooled):",
        "  session  " + " ".join(f"{s + 1:>5}" for s in range(SESSIONS)),
    ]
    for name in POLICIES:
        means = [_mean_at(pooled, name, s) for s in range(SESSIONS)]
        lines.append(f"  {name:<8} " + " ".join(f"{t:5.2f}" for t in means))
    learning, flat, fixed, oracle, informed = (_mean_at(pooled, n, at) for n in POLICIES)
    by_seed = [{n: _mean_at(run, n, at) for n in POLICIES} for run in runs]
    vs_oracle = [s["learning"] / s["oracle"] for s in by_seed]
    fewer = [1 - s["learning"] / s["fixed"] for s in by_seed]
    vs_flat = [s["learning"] / s["flat"] for s in by_seed]
    ref_oracle = [s["informed"] / s["oracle"] for s in by_seed]
    ref_fewer = [1 - s["informed"] / s["fixed"] for s in by_seed]
    ok_oracle = sum(v <= TARGET_VS_ORACLE for v in vs_oracle)
    ok_fixed = sum(f >= TARGET_FEWER_THAN_FIXED for f in fewer)
    lines += [
        f"  session {REPORT_SESSION}: learning {learning:.2f}, flat prior {flat:.2f}, fixed "
        f"{fixed:.2f}, oracle {oracle:.2f} tries",
        f"  learning / oracle: {learning / oracle:.2f}x pooled, seeds {min(vs_oracle):.2f}-"
        f"{max(vs_oracle):.2f} (target <= {TARGET_VS_ORACLE}, met on {ok_oracle} of "
        f"{len(SEEDS)} seeds): {_verdict(learning / oracle <= TARGET_VS_ORACLE)}",
        f"  learning vs fixed: {1 - learning / fixed:.0%} fewer tries pooled, seeds "
        f"{min(fewer):.0%}-{max(fewer):.0%} (target >= {TARGET_FEWER_THAN_FIXED:.0%}, met on "
        f"{ok_fixed} of {len(SEEDS)} seeds): "
        f"{_verdict(1 - learning / fixed >= TARGET_FEWER_THAN_FIXED)}",
        f"  catalogue prior vs flat prior: {learning / flat:.2f}x the tries pooled, seeds "
        f"{min(vs_flat):.2f}-{max(vs_flat):.2f}"
        + (f" (must be < 1): {_verdict(learning < flat)}" if cohort == "catalogue" else ""),
        f"  reference, informed by the cohort's own prior: {informed / oracle:.2f}x the oracle "
        f"(seeds {min(ref_oracle):.2f}-{max(ref_oracle):.2f}), {1 - informed / fixed:.0%} fewer "
        f"tries than fixed (seeds {min(ref_fewer):.0%}-{max(ref_fewer):.0%})",
    ]
    return lines


def run() -> list[str]:
    catalog = load_catalog()
    lines: list[str] = []
    for cohort in COHORTS:
        runs = []
        for seed in SEEDS:
            rng = random.Random(f"{cohort}-{seed}")
            runs.append([_person(catalog, cohort, rng) for _ in range(PEOPLE)])
        lines += _cohort_lines(cohort, runs)
    return lines
