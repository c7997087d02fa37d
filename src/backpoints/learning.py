"""What works for this person: per-(region, point) evidence as a Beta posterior.

Each rated try of a point for a region is a success (relief: a drop of at least 2 points or
30%, farrar2001) or a failure. The planner's prior belief in a point becomes a Beta prior of
small weight, so the person's own results soon dominate. `score` is the posterior mean
(deterministic); with a `random.Random` it is a Thompson sample, which keeps trying points
that might be better. Pure: no storage, no clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

#: How many imaginary tries the catalogue's prior counts for (a few: the person's own
#: results soon outweigh it, and an untried point is not wildly optimistic).
PRIOR_WEIGHT: Final = 4.0


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


def score(prior: float, tally: Tally, rng: random.Random | None = None) -> float:
    """Belief (0-1) that the point relieves the region: posterior mean, or a sample of it."""
    alpha = PRIOR_WEIGHT * prior + tally.helped
    beta = PRIOR_WEIGHT * (1.0 - prior) + tally.failed
    if rng is None:
        return alpha / (alpha + beta)
    return rng.betavariate(alpha, beta)


def helped_phrase(tally: Tally) -> str | None:
    """'helped you 4 of 5 times' once there is something to say, else None."""
    if tally.tried == 0:
        return None
    times = "time" if tally.tried == 1 else "times"
    return f"helped you {tally.helped} of {tally.tried} {times}"
