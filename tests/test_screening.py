"""Red flags refer before anything else (the cautions of a profile: test_cautions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature
from backpoints.core.guided import start
from backpoints.core.planner import PainEntry
from backpoints.core.screening import (
    QUESTIONS,
    Profile,
    UnknownFlag,
    needs_screening,
    screen,
)
from backpoints.core.steps import Guide
from backpoints.core.vocab import EMERGENCY_FLAGS, RED_FLAGS, REGION_IDS, URGENT_FLAGS

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
pain_maps = st.dictionaries(st.sampled_from(REGION_IDS), st.integers(1, 10), min_size=1)


def test_every_red_flag_has_a_plain_question() -> None:
    assert set(QUESTIONS) == set(RED_FLAGS)
    assert all(q.endswith("?") for q in QUESTIONS.values())


@given(st.sets(st.sampled_from(RED_FLAGS), min_size=1))
def test_any_flag_refers_and_emergency_wins(flags: set[str]) -> None:
    verdict = screen(flags)
    assert verdict.refer
    expected = "emergency" if flags & set(EMERGENCY_FLAGS) else "urgent"
    assert verdict.urgency == expected
    if expected == "emergency":
        assert "now" in verdict.message


def test_no_flag_means_go_ahead_and_an_unknown_flag_is_refused() -> None:
    assert not screen([]).refer
    with pytest.raises(UnknownFlag, match="sore_toe"):
        screen(["sore_toe"])


@settings(max_examples=40, deadline=None)
@given(pain_maps, st.sets(st.sampled_from(RED_FLAGS), min_size=1))
def test_no_point_is_ever_offered_with_a_red_flag(
    catalog: Catalog, pain: dict[str, int], flags: set[str]
) -> None:
    guide = Guide(catalog, body_from_stature(170))
    entries = [PainEntry(r, i) for r, i in pain.items()]
    state = start(entries, sorted(flags), Profile(), guide, now=NOW)
    assert state.status == "refer"
    assert state.current is None
    assert state.message


def test_screening_is_asked_first_time_and_when_pain_is_new_or_much_worse() -> None:
    assert needs_screening(None, {"sacrum": 3})
    last = {"lower_back_left": 5}
    assert not needs_screening(last, {"lower_back_left": 6})
    assert needs_screening(last, {"lower_back_left": 8})
    assert needs_screening(last, {"lower_back_left": 5, "neck": 2})
    assert not needs_screening(last, {"lower_back_left": 2})


def test_urgent_flags_are_the_design_list() -> None:
    assert "chest_pain_or_breathless" in URGENT_FLAGS
    assert len(RED_FLAGS) == 11
