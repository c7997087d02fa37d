"""What works for this person: per-(region, point) evidence and the belief it supports.

Each rated try of a point for a region is a success (relief: a drop of at least 2 points or
30%, farrar2001) or a failure. The model is that a point either suits this person for this
region (it relieves most times, `RELIEF_IF_SUITED`) or does not (it sometimes relieves by
chance, `RELIEF_IF_NOT`); the catalogue's prior is the chance that it suits them. Two
successes make a point a favourite; a success followed by failures fades fast, which a
plain Beta posterior with a weak prior does not do (measured in `benchmarks/bench_learning`).
`score` is the expected chance of relief (deterministic: what the app ranks by); with a
`random.Random` it is a Thompson sample of "suits or not", for exploring. Pure.

The belief is kept as log-odds (`log_odds`): each success adds log(0.8/0.15), each failure
adds log(0.2/0.85), so no product of thousands of small factors ever underflows to 0/0.
Where the chance itself can no longer tell two points apart (hundreds of failures each), the
log-odds still can: the planner breaks ties with it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

from backpoints.i18n import ngettext

#: Chance of relief from a point that suits the person, and from one that does not.
RELIEF_IF_SUITED: Final = 0.8
RELIEF_IF_NOT: Final = 0.15
#: What one success and one failure add to the log-odds that the point suits the person.
LOG_LR_HELPED: Final = math.log(RELIEF_IF_SUITED / RELIEF_IF_NOT)
LOG_LR_FAILED: Final = math.log((1 - RELIEF_IF_SUITED) / (1 - RELIEF_IF_NOT))
#: Priors are kept inside (0, 1) so their log-odds stay finite.
_PRIOR_EDGE: Final = 1e-9


class RatedTry(Protocol):
    """What learning needs from a stored rating."""

    @property
    def region(self) -> str: ...
    @property
    def point_id(self) -> str: ...
    @property
    def relieved(self) -> bool: ...


@dataclass(frozen=True)
class Tally:
    """How often a point relieved a region for this person."""

    helped: int = 0
    tried: int = 0

    @property
    def failed(self) -> int:
        return self.tried - self.helped

    def add(self, relieved: bool) -> Tally:
        return Tally(self.helped + int(relieved), self.tried + 1)


Evidence = Mapping[tuple[str, str], Tally]
NO_EVIDENCE: Final[Evidence] = {}


def evidence_from_ratings(ratings: Iterable[RatedTry]) -> dict[tuple[str, str], Tally]:
    """Tally the person's rated tries by (region, point id)."""
    tallies: dict[tuple[str, str], Tally] = {}
    for rating in ratings:
        key = (rating.region, rating.point_id)
        tallies[key] = tallies.get(key, Tally()).add(rating.relieved)
    return tallies


def log_odds(prior: float, tally: Tally) -> float:
    """Log-odds that the point suits this person after their tries (finite for any tally)."""
    p = min(max(prior, _PRIOR_EDGE), 1.0 - _PRIOR_EDGE)
    evidence = tally.helped * LOG_LR_HELPED + (tally.tried - tally.helped) * LOG_LR_FAILED
    return math.log(p / (1.0 - p)) + evidence


def suits(prior: float, tally: Tally) -> float:
    """Posterior probability that the point suits this person, after their tries."""
    return _sigmoid(log_odds(prior, tally))


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x) without overflow on either side."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def evidence_from_counts(
    counts: Iterable[tuple[str, str, int, int]],
) -> dict[tuple[str, str], Tally]:
    """Evidence from (region, point id, helped, tried) counts (as a database counts them)."""
    return {(region, point): Tally(helped, tried) for region, point, helped, tried in counts}


def score(prior: float, tally: Tally, rng: random.Random | None = None) -> float:
    """Expected chance (0-1) that the point relieves the region; or a Thompson sample."""
    return chance(log_odds(prior, tally), rng)


def chance(belief_log_odds: float, rng: random.Random | None = None) -> float:
    """`score` from the log-odds that the point suits the person (see `log_odds`)."""
    belief = _sigmoid(belief_log_odds)
    expected = RELIEF_IF_NOT + (RELIEF_IF_SUITED - RELIEF_IF_NOT) * belief
    if rng is None:
        return expected
    sampled = RELIEF_IF_SUITED if rng.random() < belief else RELIEF_IF_NOT
    return sampled + 0.01 * expected


def helped_phrase(tally: Tally) -> str | None:
    """'helped you 4 of 5 times' once there is something to say, else None."""
    if tally.tried == 0:
        return None
    return ngettext(
        "helped you {helped} of {tried} time", "helped you {helped} of {tried} times", tally.tried
    ).format(helped=tally.helped, tried=tally.tried)
