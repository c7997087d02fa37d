"""Learning never fails, whatever the diary holds, and keeps telling points apart."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature
from backpoints.core.guided import start
from backpoints.core.learning import (
    RELIEF_IF_NOT,
    RELIEF_IF_SUITED,
    Tally,
    log_odds,
    score,
    suits,
)
from backpoints.core.planner import PainEntry, plan
from backpoints.core.screening import Profile
from backpoints.core.steps import Guide

PRIORS = st.floats(min_value=0.0, max_value=1.0)
COUNTS = st.integers(min_value=0, max_value=60_000)


def _tally(helped: int, failed: int) -> Tally:
    return Tally(helped=helped, tried=helped + failed)


@given(PRIORS, COUNTS, COUNTS)
def test_belief_is_a_probability_for_any_number_of_tries(
    prior: float, helped: int, failed: int
) -> None:
    tally = _tally(helped, failed)
    belief = suits(prior, tally)
    assert 0.0 <= belief <= 1.0
    assert math.isfinite(log_odds(prior, tally))
    assert RELIEF_IF_NOT <= score(prior, tally) <= RELIEF_IF_SUITED


@given(PRIORS, COUNTS, COUNTS)
def test_a_failure_never_raises_and_a_success_never_lowers_the_belief(
    prior: float, helped: int, failed: int
) -> None:
    tally = _tally(helped, failed)
    worse, better = tally.add(False), tally.add(True)
    assert log_odds(prior, worse) < log_odds(prior, tally) < log_odds(prior, better)
    assert suits(prior, worse) <= suits(prior, tally) <= suits(prior, better)


@given(st.integers(min_value=0, max_value=50_000), st.integers(min_value=1, max_value=10_000))
def test_more_failures_rank_lower_even_once_the_chances_are_equal(failed: int, extra: int) -> None:
    fewer, more = _tally(3, failed), _tally(3, failed + extra)
    assert (score(0.3, fewer), log_odds(0.3, fewer)) > (score(0.3, more), log_odds(0.3, more))


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=4_000, max_value=60_000), st.data())
def test_the_planner_ranks_many_failed_points_by_how_often_they_failed(
    catalog: Catalog, base: int, data: st.DataObject
) -> None:
    pain = [PainEntry("lower_back_left", 6)]
    ids = [c.point.id for c in plan(pain, catalog)[0].candidates]
    counts = data.draw(st.permutations(range(len(ids))))
    evidence = {
        ("lower_back_left", p): _tally(0, base + 7 * n) for p, n in zip(ids, counts, strict=True)
    }
    ranked = plan(pain, catalog, evidence=evidence)[0].candidates
    assert {c.point.id for c in ranked} == set(ids)
    assert ranked[0].point.id == ids[counts.index(0)]


def test_a_session_starts_after_tens_of_thousands_of_failures(catalog: Catalog) -> None:
    guide = Guide(catalog, body_from_stature(170, "male"))
    pain = [PainEntry("lower_back_left", 6)]
    ids = [c.point.id for c in plan(pain, catalog)[0].candidates]
    evidence = {("lower_back_left", p): _tally(5 * i, 40_000 + 5 * i) for i, p in enumerate(ids)}
    now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    state = start(pain, [], Profile(), guide, now=now, evidence=evidence)
    assert state.current is not None
    assert state.current.point.id == ids[-1]  # the most successes, the same share of failures
