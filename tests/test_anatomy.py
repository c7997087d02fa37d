"""The body frame: levels, cun, landmarks and points keep the relations of who2008 and ernst2013."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpoints.catalog import Catalog, load_catalog
from backpoints.core.anatomy import (
    Body,
    Position,
    body_from_measurements,
    body_from_stature,
    interpolate_fraction,
    locate,
)
from backpoints.core.vocab import LEVELS

statures = st.floats(min_value=140, max_value=210, allow_nan=False)
sexes = st.sampled_from(["female", "male", None])


def one(catalog: Catalog, point_id: str, body: Body, side: str | None = "right") -> Position:
    return next(p for p in locate(catalog.get(point_id), body) if p.side == side)


def test_ernst_proportions_put_levels_where_the_study_measured_them() -> None:
    body = body_from_stature(170)
    for level, fraction in [("T4", 0.21), ("T7", 0.39), ("T10", 0.541), ("L1", 0.709)]:
        assert body.level_y(level) == pytest.approx(fraction * body.c7_psis_cm)
    assert body.level_y("C7") == 0
    assert body.level_y("S2") == pytest.approx(body.c7_psis_cm)


def test_levels_between_knots_are_interpolated_linearly() -> None:
    # T5 lies one third of the way from T4 (21%) to T7 (39%).
    assert interpolate_fraction(LEVELS.index("T5")) == pytest.approx(0.21 + 0.18 / 3)


@given(statures, sexes)
def test_levels_run_strictly_down_the_spine(stature: float, sex: str | None) -> None:
    body = body_from_stature(stature, sex)  # type: ignore[arg-type]
    heights = [body.level_y(level) for level in LEVELS]
    assert all(a < b for a, b in zip(heights, heights[1:], strict=False))


@given(statures, sexes)
def test_every_bilateral_point_mirrors_left_and_right(stature: float, sex: str | None) -> None:
    body = body_from_stature(stature, sex)  # type: ignore[arg-type]
    for point in load_catalog():
        positions = locate(point, body)
        left = [p for p in positions if p.side == "left"]
        right = [p for p in positions if p.side == "right"]
        assert len(left) == len(right)
        for lp, rp in zip(left, right, strict=True):
            assert lp.x_cm == pytest.approx(-rp.x_cm)
            assert lp.y_cm == pytest.approx(rp.y_cm)
            assert rp.x_cm > 0
        assert all(p.x_cm == 0 for p in positions if p.side is None)


@given(statures, st.floats(min_value=0.8, max_value=1.25), sexes)
def test_positions_scale_with_stature(stature: float, factor: float, sex: str | None) -> None:
    small = body_from_stature(stature, sex)  # type: ignore[arg-type]
    big = body_from_stature(min(stature * factor, 250), sex)  # type: ignore[arg-type]
    ratio = big.stature_cm / small.stature_cm  # type: ignore[operator]
    for point in load_catalog():
        for a, b in zip(locate(point, small), locate(point, big), strict=True):
            assert b.x_cm == pytest.approx(a.x_cm * ratio, abs=1e-9)
            assert b.y_cm == pytest.approx(a.y_cm * ratio, abs=1e-9)


@given(statures, sexes)
def test_domain_relations_hold(stature: float, sex: str | None) -> None:
    body = body_from_stature(stature, sex)  # type: ignore[arg-type]
    cat = load_catalog()
    bl23, bl52 = one(cat, "BL23", body), one(cat, "BL52", body)
    gv4 = one(cat, "GV4", body, side=None)
    assert bl23.y_cm == pytest.approx(gv4.y_cm) == pytest.approx(bl52.y_cm)
    assert bl52.x_cm == pytest.approx(2 * bl23.x_cm)
    assert bl23.x_cm == pytest.approx(1.5 * body.cun_cm)
    assert one(cat, "BL25", body).y_cm == pytest.approx(body.iliac_crest_y)
    gb21 = one(cat, "GB21", body)
    acromion_x, acromion_y = body.acromion
    assert (gb21.x_cm, gb21.y_cm) == pytest.approx((acromion_x / 2, acromion_y / 2))
    angle_y = body.inferior_angle[1]
    assert one(cat, "BL17", body).y_cm == pytest.approx(angle_y)
    assert one(cat, "BL46", body).y_cm == pytest.approx(angle_y)
    assert one(cat, "BL46", body).x_cm == pytest.approx(body.cun(3))


def test_sacral_points_run_down_the_foramina(catalog: Catalog, woman: Body) -> None:
    ys = [one(catalog, f"BL3{n}", woman).y_cm for n in range(1, 5)]
    assert ys == sorted(ys)
    assert ys[0] > woman.level_y("L5")


def test_ex_b2_sits_beside_every_level_from_t1_to_l5(catalog: Catalog, woman: Body) -> None:
    right = [p for p in locate(catalog.get("EX-B2"), woman) if p.side == "right"]
    assert [p.level for p in right] == list(LEVELS[LEVELS.index("T1") : LEVELS.index("L5") + 1])
    assert all(p.x_cm == pytest.approx(woman.cun(0.5)) for p in right)


def test_cun_is_a_seventy_fifth_of_stature() -> None:
    assert body_from_stature(175.6, "male").cun_cm == pytest.approx(2.34, abs=0.01)
    assert body_from_stature(162.9, "female").cun_cm == pytest.approx(2.17, abs=0.01)


def test_measured_scapular_borders_define_six_cun() -> None:
    body = body_from_measurements(50.0, scapular_borders_cm=15.0, shoulder_width_cm=40.0)
    assert body.cun_cm == pytest.approx(2.5)
    assert body.acromion_half_width_cm == pytest.approx(20.0)
    assert body.level_y("S2") == pytest.approx(50.0)


def test_estimates_from_stature_alone_are_less_certain_than_measured(catalog: Catalog) -> None:
    estimated = body_from_stature(170)
    measured = body_from_measurements(estimated.c7_psis_cm, stature_cm=170)
    a, b = one(catalog, "BL23", estimated), one(catalog, "BL23", measured)
    assert (a.x_cm, a.y_cm) == pytest.approx((b.x_cm, b.y_cm))
    assert a.uncertainty_cm > b.uncertainty_cm


def test_uncertainty_grows_away_from_c7(catalog: Catalog, woman: Body) -> None:
    upper, lower = one(catalog, "GV14", woman, None), one(catalog, "BL54", woman)
    assert lower.uncertainty_cm > upper.uncertainty_cm


@pytest.mark.parametrize("stature", [0.0, 99.0, 251.0, math.nan])
def test_impossible_stature_is_refused(stature: float) -> None:
    with pytest.raises(ValueError, match="height"):
        body_from_stature(stature)


def test_a_body_needs_positive_distances() -> None:
    with pytest.raises(ValueError, match="c7_psis_cm"):
        Body(c7_psis_cm=-1, cun_cm=2, acromion_half_width_cm=18, basis="measured")
