"""The guided session: relief ends it, no relief tries a different point, then honest advice."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature
from backpoints.core.guided import (
    SessionError,
    SessionState,
    WrongPoint,
    rate,
    region_progress,
    relieved,
    skip,
    start,
    stop,
)
from backpoints.core.learning import Tally
from backpoints.core.planner import PainEntry, plan
from backpoints.core.regions import regions_at
from backpoints.core.screening import Profile
from backpoints.core.steps import Guide, Step
from backpoints.core.vocab import REGION_IDS

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def guide(catalog: Catalog) -> Guide:
    return Guide(catalog, body_from_stature(165, "female"))


def _start(guide: Guide, **pain: int) -> SessionState:
    return start([PainEntry(r, i) for r, i in pain.items()], [], Profile(), guide, now=NOW)


def _current(state: SessionState) -> Step:
    assert state.current is not None
    return state.current


@given(st.integers(0, 10), st.integers(0, 10))
def test_relief_is_two_points_or_thirty_percent(before: int, after: int) -> None:
    drop = before - after
    assert relieved(before, after) == (drop >= 2 or (before > 0 and drop >= 0.3 * before))


def test_first_step_is_on_the_painful_side_inside_the_region(guide: Guide) -> None:
    step = _current(_start(guide, lower_back_left=6))
    assert step.n == 1
    assert step.region == "lower_back_left"
    assert step.point.side in ("left", None)
    for spot in step.point.spots:
        assert spot.x_cm <= 0.01
    assert step.point.how_to_find
    assert step.why


def test_no_relief_tries_a_different_point_then_relief_ends(guide: Guide) -> None:
    state = _start(guide, lower_back_right=6)
    first = _current(state)
    state = rate(state, guide, first.point.id, first.point.side, 5, now=NOW)
    second = _current(state)
    assert state.status == "active"
    assert second.point.id != first.point.id
    assert second.n == 2
    state = rate(state, guide, second.point.id, second.point.side, 4, now=NOW)
    assert state.status == "relieved"
    assert state.current is None
    assert [r.relieved for r in state.ratings] == [False, True]
    assert state.ratings[1].pain_before == 5
    assert "6 → 4" in (state.message or "")


def test_thirty_percent_of_a_small_pain_counts_as_relief(guide: Guide) -> None:
    state = _start(guide, neck=3)
    step = _current(state)
    assert rate(state, guide, step.point.id, step.point.side, 2, now=NOW).status == "relieved"


def test_when_every_point_fails_the_session_is_exhausted_with_advice(guide: Guide) -> None:
    state = _start(guide, neck=7)
    seen: list[str] = []
    while state.status == "active":
        step = _current(state)
        seen.append(step.point.id)
        state = rate(state, guide, step.point.id, step.point.side, 7, now=NOW)
    assert state.status == "exhausted"
    assert len(seen) == len(set(seen)) >= 3
    assert "doctor" in (state.advice or "")
    assert state.ended_at == NOW


def test_a_point_coinciding_with_a_tried_one_is_not_offered(guide: Guide) -> None:
    state = _start(guide, lower_back_left=8)
    shown: list[str] = []
    while state.status == "active":
        step = _current(state)
        shown.append(step.point.id)
        state = rate(state, guide, step.point.id, step.point.side, 8, now=NOW)
    catalog = guide.catalog
    for i, point_id in enumerate(shown):
        linked = {p.id for p in catalog.linked(catalog.get(point_id))}
        assert not linked & set(shown[:i]), point_id


def test_regions_are_treated_in_order_of_intensity(guide: Guide) -> None:
    state = _start(guide, sacrum=3, interscapular=8)
    assert _current(state).region == "interscapular"
    step = _current(state)
    state = rate(state, guide, step.point.id, step.point.side, 2, now=NOW)
    assert state.status == "active"
    assert _current(state).region == "sacrum"
    step = _current(state)
    state = rate(state, guide, step.point.id, step.point.side, 0, now=NOW)
    assert state.status == "relieved"


def test_skip_moves_on_without_a_rating_and_stop_keeps_ratings(guide: Guide) -> None:
    state = _start(guide, scapula_right=5)
    first = _current(state)
    state = skip(state, guide, now=NOW)
    assert _current(state).point.id != first.point.id
    assert state.ratings == ()
    step = _current(state)
    state = rate(state, guide, step.point.id, step.point.side, 5, now=NOW)
    state = stop(state, now=NOW)
    assert state.status == "stopped"
    assert len(state.ratings) == 1
    with pytest.raises(SessionError):
        stop(state, now=NOW)
    with pytest.raises(SessionError):
        rate(state, guide, step.point.id, None, 3, now=NOW)


def test_a_rating_for_another_point_or_side_is_refused(guide: Guide) -> None:
    state = _start(guide, lower_back_left=6)
    step = _current(state)
    with pytest.raises(WrongPoint, match=step.point.id):
        rate(state, guide, "GB30", None, 3, now=NOW)
    if step.point.side == "left":
        with pytest.raises(WrongPoint, match="left"):
            rate(state, guide, step.point.id, "right", 3, now=NOW)


def test_midline_region_offers_bilateral_points_on_both_sides(guide: Guide) -> None:
    state = _start(guide, interscapular=6)
    while state.status == "active":
        step = _current(state)
        point = guide.catalog.get(step.point.id)
        if point.bilateral:
            assert step.point.side is None
            assert {s.side for s in step.point.spots} == {"left", "right"}
            assert "both sides" in step.point.how_to_find[-1]
            return
        state = rate(state, guide, step.point.id, None, 6, now=NOW)
    pytest.fail("no bilateral point offered between the shoulder blades")


def test_a_multi_level_point_is_placed_at_a_level_inside_the_painful_region(guide: Guide) -> None:
    body = guide.body
    for region in ("interscapular", "mid_back_left", "lower_back_right"):
        state = _start(guide, **{region: 6})
        while state.status == "active":
            step = _current(state)
            if step.point.id == "EX-B2":
                for spot in step.point.spots:
                    assert region in regions_at(body, spot.x_cm, spot.y_cm, tolerance=0.3)
                break
            state = rate(state, guide, step.point.id, step.point.side, 6, now=NOW)
        else:
            pytest.fail(f"EX-B2 not offered for {region}")


def test_cue_timeline_guides_the_whole_massage(guide: Guide) -> None:
    state = _start(guide, lower_back_left=6)
    while state.status == "active":
        step = _current(state)
        t = step.technique
        cues = step.cues
        times = [c.t_s for c in cues]
        assert times == sorted(times)
        kinds = [c.kind for c in cues]
        assert kinds[0] == "ready" and cues[0].t_s == 0
        assert kinds[-1] == "end" and cues[-1].t_s == t.lead_in_s + t.duration_s
        by_kind = {c.kind: c.t_s for c in cues}
        assert by_kind["start"] == t.lead_in_s
        assert by_kind["ten_seconds"] == cues[-1].t_s - 10
        assert by_kind["change"] == t.lead_in_s + t.duration_s // 2
        if t.motion == "circular":
            assert "other way" in next(c.say for c in cues if c.kind == "change")
        assert 30 <= t.duration_s <= 120
        state = rate(state, guide, step.point.id, step.point.side, 6, now=NOW)


def test_personal_evidence_puts_the_point_that_helped_first(catalog: Catalog) -> None:
    pain = [PainEntry("lower_back_left", 6)]
    default = plan(pain, catalog)[0].candidates
    favourite = default[-1].point.id
    evidence = {("lower_back_left", favourite): Tally(helped=4, tried=5)}
    ranked = plan(pain, catalog, evidence=evidence)[0].candidates
    assert ranked[0].point.id == favourite
    assert "helped you 4 of 5 times" in ranked[0].why.lower()


def test_thompson_sampling_still_explores_but_favours_evidence(catalog: Catalog) -> None:
    pain = [PainEntry("sacrum", 5)]
    default = plan(pain, catalog)[0].candidates
    good = default[-1].point.id
    evidence = {("sacrum", good): Tally(helped=1, tried=1)}
    rng = random.Random(7)
    firsts = [
        plan(pain, catalog, evidence=evidence, rng=rng)[0].candidates[0].point.id
        for _ in range(200)
    ]
    assert firsts.count(good) > 100
    assert len(set(firsts)) > 1


def test_plan_is_varied_not_five_neighbours_of_one_kind(catalog: Catalog) -> None:
    for region in ("lower_back_left", "interscapular", "buttock_right", "upper_trapezius_left"):
        top = plan([PainEntry(region, 6)], catalog)[0].candidates[:5]
        traditions = {c.point.tradition for c in top}
        assert len(traditions) >= 2, region
        ids = {c.point.id for c in top}
        for c in top:
            assert not (set(c.point.coincides_with) & ids), (region, c.point.id)


def test_lay_points_come_early_where_they_fit(catalog: Catalog) -> None:
    top = plan([PainEntry("interscapular", 6)], catalog)[0].candidates[:3]
    assert "sweet-spot" in {c.point.id for c in top}
    assert "know as" in next(c.why for c in top if c.point.id == "sweet-spot")


def test_referred_trigger_points_say_why(catalog: Catalog) -> None:
    candidates = plan([PainEntry("sacrum", 6)], catalog)[0].candidates
    referred = [c for c in candidates if c.point.tradition == "trigger-point"]
    assert referred
    assert all("sends pain to where you feel it" in c.why for c in referred)


@pytest.mark.parametrize("region", REGION_IDS)
def test_each_step_says_its_place_and_never_promises_fewer_points_than_come(
    guide: Guide, region: str
) -> None:
    """ "Point k of up to N": k counts the region's points shown, N only ever shrinks, and
    the points shown before the region is done never exceed it."""
    other = "neck" if region != "neck" else "sacrum"
    state = _start(guide, **{region: 7, other: 4})
    shown: dict[str, int] = {}
    bounds: dict[str, list[int]] = {}
    while state.status == "active":
        step = _current(state)
        place = region_progress(state, guide.catalog)
        assert place is not None
        shown[step.region] = shown.get(step.region, 0) + 1
        assert place[0] == shown[step.region]
        bounds.setdefault(step.region, []).append(place[1])
        state = rate(state, guide, step.point.id, step.point.side, 7, now=NOW)
    assert region_progress(state, guide.catalog) is None  # nothing shown: no place
    for where, upper in bounds.items():
        assert upper == sorted(upper, reverse=True), where  # the bound only shrinks
        assert shown[where] <= upper[0] and upper[-1] == shown[where], where
