"""What works for this person: per-(region, point) evidence and the belief it supports.

Each rated try of a point for a region is a success (relief: a drop of at least 2 points or
30%, farrar2001) or a failure. The model is that a point either suits this person for this
region (it relieves most times, `RELIEF_IF_SUITED`) or does not (it sometimes relieves by
chance, `RELIEF_IF_NOT`); the catalogue's prior is the chance that it suits them. Two
successes make a point a favourite; a success followed by failures fades fast, which a
plain Beta posterior with a weak prior does not do (measured in `benchmarks/bench_learning`).
`score` is the expected chance of relief (deterministic: what the app ranks by); with a
`random.Random` it is a Thompson sample of "suits or not", for exploring. Pure.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

from backpoints.i18n import ngettext

#: Chance of relief from a point that suits the person, and from one that does not.
RELIEF_IF_SUITED: Final = 0.8
RELIEF_IF_NOT: Final = 0.15


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


def suits(prior: float, tally: Tally) -> float:
    """Posterior probability that the point suits this person, after their tries."""
    yes = prior * RELIEF_IF_SUITED**tally.helped * (1 - RELIEF_IF_SUITED) ** tally.failed
    no = (1 - prior) * RELIEF_IF_NOT**tally.helped * (1 - RELIEF_IF_NOT) ** tally.failed
    return yes / (yes + no)


def evidence_from_counts(
    counts: Iterable[tuple[str, str, int, int]],
) -> dict[tuple[str, str], Tally]:
    """Evidence from (region, point id, helped, tried) counts (as a database counts them)."""
    return {(region, point): Tally(helped, tried) for region, point, helped, tried in counts}


def score(prior: float, tally: Tally, rng: random.Random | None = None) -> float:
    """Expected chance (0-1) that the point relieves the region; or a Thompson sample."""
    belief = suits(prior, tally)
    expected = belief * RELIEF_IF_SUITED + (1 - belief) * RELIEF_IF_NOT
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
