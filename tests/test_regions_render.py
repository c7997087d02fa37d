"""Regions tile the back, every point lies in the region it treats locally, the SVG is right."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpoints.catalog import Catalog
from backpoints.core.anatomy import Body, body_from_stature, locate
from backpoints.core.regions import contains, regions, regions_at, torso_outline
from backpoints.core.render import Marker, back_svg, pain_fill
from backpoints.core.vocab import REGION_IDS, REGION_LABELS, mirror_region

SVG = "{http://www.w3.org/2000/svg}"


def test_there_are_thirteen_regions_with_their_labels(woman: Body) -> None:
    found = regions(woman)
    assert [r.id for r in found] == list(REGION_IDS)
    assert len(found) == 13
    assert REGION_LABELS["lower_back_left"] == "Lower back, left"


def test_left_regions_mirror_right_regions(woman: Body) -> None:
    by_id = {r.id: r for r in regions(woman)}
    for region in by_id.values():
        twin = by_id[mirror_region(region.id)]
        mirrored = sorted((-x, y) for x, y in region.outline)
        for (x0, y0), (x1, y1) in zip(mirrored, sorted(twin.outline), strict=True):
            assert (x0, y0) == pytest.approx((x1, y1))


def test_left_regions_lie_on_the_persons_left(woman: Body) -> None:
    for region in regions(woman):
        if region.id.endswith("_left"):
            assert region.centroid[0] < 0
        elif region.id.endswith("_right"):
            assert region.centroid[0] > 0


def test_every_local_point_lies_in_a_region_it_treats_locally(catalog: Catalog) -> None:
    for body in (body_from_stature(155, "female"), body_from_stature(190, "male")):
        for point in catalog:
            local = {h.region for h in point.helps if h.why == "local"}
            for pos in locate(point, body):
                inside = set(regions_at(body, pos.x_cm, pos.y_cm, tolerance=0.3))
                assert inside & local, f"{point.id} {pos.side} {pos.level} in {inside}"


@given(
    st.floats(min_value=-25, max_value=25, allow_nan=False),
    st.floats(min_value=-10, max_value=75, allow_nan=False),
)
def test_regions_do_not_overlap(x: float, y: float) -> None:
    body = body_from_stature(175, "male")
    strictly_inside = [r.id for r in regions(body) if _deep_inside(r.outline, x, y)]
    assert len(strictly_inside) <= 1, strictly_inside


def _deep_inside(outline: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
    return all(contains(outline, x + dx, y + dy, 0) for dx in (-0.1, 0.1) for dy in (-0.1, 0.1))


def test_regions_lie_within_the_outline_of_the_back(woman: Body) -> None:
    outline = torso_outline(woman)
    for region in regions(woman):
        cx, cy = region.centroid
        assert contains(outline, cx, cy)


def test_a_point_beside_l2_is_in_the_lower_back_of_its_side(woman: Body) -> None:
    y = woman.level_y("L2")
    assert regions_at(woman, -woman.cun(1.5), y) == ("lower_back_left",)
    assert regions_at(woman, woman.cun(1.5), y) == ("lower_back_right",)


def test_interactive_svg_offers_each_region_as_a_labelled_button(woman: Body) -> None:
    root = ET.fromstring(back_svg(woman, interactive=True, pain={"sacrum": 6}))
    buttons = [g for g in root.iter(f"{SVG}g") if g.get("role") == "button"]
    assert {b.get("aria-label") for b in buttons} == set(REGION_LABELS.values())
    assert all(b.get("tabindex") == "0" for b in buttons)
    sacrum = next(b for b in buttons if b.get("data-region") == "sacrum")
    assert sacrum.get("aria-pressed") == "true"


def test_static_svg_is_an_image_without_buttons(woman: Body) -> None:
    root = ET.fromstring(back_svg(woman))
    assert root.get("role") == "img"
    assert not [g for g in root.iter(f"{SVG}g") if g.get("role") == "button"]


def test_points_are_drawn_on_their_side_seen_from_behind(catalog: Catalog, woman: Body) -> None:
    positions = locate(catalog.get("BL23"), woman)
    markers = [Marker(p, "BL23", highlight=p.side == "right") for p in positions]
    root = ET.fromstring(back_svg(woman, markers=markers))
    drawn = {g.get("data-side"): g for g in root.iter(f"{SVG}g") if g.get("data-point") == "BL23"}
    assert set(drawn) == {"left", "right"}
    right_dot = drawn["right"].findall(f"{SVG}circle")[-1]
    assert float(right_dot.get("cx", "0")) > 0
    assert "highlight" in (drawn["right"].get("class") or "")
    assert "highlight" not in (drawn["left"].get("class") or "")


def test_pain_colour_deepens_with_intensity() -> None:
    assert pain_fill(0) == "transparent"
    greens = [int(pain_fill(i).split(",")[1]) for i in range(1, 11)]
    assert greens == sorted(greens, reverse=True)
    assert greens[0] > greens[-1]
