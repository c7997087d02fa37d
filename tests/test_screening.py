"""Red flags refer before anything else; a profile's contraindications shape every step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature
from backpoints.core.guided import start
from backpoints.core.planner import PainEntry, plan
from backpoints.core.screening import (
    QUESTIONS,
    Profile,
    UnknownFlag,
    adjust_technique,
    needs_screening,
    on_the_spine,
    restrictions,
    screen,
)
from backpoints.core.steps import Guide
from backpoints.core.vocab import EMERGENCY_FLAGS, RED_FLAGS, REGION_IDS

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


PREGNANCY_AVOIDED = {"GB21", "BL31", "BL32", "BL33", "BL34"}


@settings(max_examples=60, deadline=None)
@given(pain_maps)
def test_pregnancy_never_offers_avoided_points_or_what_coincides(
    catalog: Catalog, pain: dict[str, int]
) -> None:
    limits = restrictions(Profile(pregnant=True), catalog)
    offered = {
        c.point.id
        for p in plan([PainEntry(r, i) for r, i in pain.items()], catalog, limits)
        for c in p.candidates
    }
    linked = {p.id for p in catalog if PREGNANCY_AVOIDED & set(p.coincides_with)}
    assert linked, "the sacral point coincides with the foramina points"
    assert not offered & (PREGNANCY_AVOIDED | linked)


def test_blood_thinners_mean_gentle_pressure_everywhere(catalog: Catalog) -> None:
    limits = restrictions(Profile(anticoagulants=True), catalog)
    for point in catalog:
        technique, notes = adjust_technique(point, limits)
        assert technique.pressure == "gentle"
        if point.technique.pressure != "gentle":
            assert any("blood thinners" in n for n in notes)


def test_osteoporosis_means_no_firm_pressure_on_the_spine_and_no_body_weight(
    catalog: Catalog,
) -> None:
    limits = restrictions(Profile(osteoporosis=True), catalog)
    spine_points = [p for p in catalog if on_the_spine(p)]
    assert {"GV4", "EX-B2", "TP-multifidus-1"} <= {p.id for p in spine_points}
    for point in catalog:
        technique, _ = adjust_technique(point, limits)
        assert technique.pressure != "firm"
        assert not {"body_weight", "foam_roller"} & set(technique.tools)
        if on_the_spine(point):
            assert technique.pressure == "gentle"


def test_a_site_condition_excludes_its_region_with_a_message(catalog: Catalog) -> None:
    profile = Profile(recent_surgery=True, affected_regions=("lower_back_left",))
    limits = restrictions(profile, catalog)
    plans = plan([PainEntry("lower_back_left", 7), PainEntry("sacrum", 3)], catalog, limits)
    assert plans[0].region == "lower_back_left"
    assert plans[0].candidates == ()
    assert "recent surgery" in (plans[0].excluded_reason or "")
    assert plans[1].candidates


def test_a_profile_with_no_conditions_changes_nothing(catalog: Catalog) -> None:
    limits = restrictions(Profile(), catalog)
    assert not limits.excluded_points
    for point in catalog:
        assert adjust_technique(point, limits) == (point.technique, ())
