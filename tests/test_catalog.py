"""The catalogue: complete, valid, cited, linked, and consistent with its quick listing."""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from typing import Any

import pytest

from backpoints.catalog import Catalog, parse_catalog
from backpoints.catalog.index import point_summaries
from backpoints.core.anatomy import body_from_stature, locate
from backpoints.core.errors import CatalogError, UnknownPoint
from backpoints.core.vocab import REGION_IDS

WHO_POINTS = (
    "GV14 GV11 GV4 GV3 GB21 SI11 SI14 SI15 BL11 BL13 BL15 BL17 BL18 BL20 BL21 BL22 BL23 BL24 "
    "BL25 BL26 BL27 BL28 BL31 BL32 BL33 BL34 BL43 BL46 BL52 BL54 EX-B2 EX-B7 GB30"
).split()
MUSCLES = (
    "upper trapezius",
    "middle trapezius",
    "lower trapezius",
    "levator scapulae",
    "rhomboid",
    "infraspinatus",
    "serratus posterior superior",
    "iliocostalis",
    "longissimus",
    "multifid",
    "quadratus lumborum",
    "gluteus maximus",
    "gluteus medius",
    "gluteus minimus",
    "piriformis",
)
LAY_POINTS = (
    "sweet-spot",
    "base-of-spine",
    "mid-back-indentation",
    "sacral-point",
    "lumbar-points",
)


def _raw(name: str) -> dict[str, Any]:
    data = resources.files("backpoints.catalog").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(data)


def test_every_domain_acupoint_is_in_the_catalogue(catalog: Catalog) -> None:
    for point_id in WHO_POINTS:
        point = catalog.get(point_id)
        assert point.tradition == "acupressure"
        # Extra points (EX-) are not in who2008: they cite a textbook and the national standard.
        if point_id.startswith("EX-"):
            assert "who2008" not in point.sources
            assert {"deadman2007", "gbt40997"} <= set(point.sources)
        else:
            assert "who2008" in point.sources


def test_each_of_the_fifteen_muscles_has_a_trigger_point(catalog: Catalog) -> None:
    muscles = [p.muscle or "" for p in catalog if p.tradition == "trigger-point"]
    for muscle in MUSCLES:
        assert any(muscle in m.lower() for m in muscles), muscle
    for point in catalog:
        if point.tradition == "trigger-point":
            assert point.id.startswith("TP-")
            assert point.refers_pain_to
            assert "ts1999" in point.sources


def test_lay_points_link_to_standard_points_with_aliases(catalog: Catalog) -> None:
    for point_id in LAY_POINTS:
        point = catalog.get(point_id)
        assert point.tradition == "lay"
        assert point.names.aliases
        assert point.coincides_with
        assert all(catalog.get(o).tradition == "acupressure" for o in point.coincides_with)
        assert "seed" in point.sources


def test_lay_points_lie_near_the_points_they_coincide_with(catalog: Catalog) -> None:
    # The sweet spot has BL43 (3 cun out) either side; nothing links farther.
    body = body_from_stature(170)
    for point_id in LAY_POINTS:
        point = catalog.get(point_id)
        here = locate(point, body)
        for other_id in point.coincides_with:
            there = locate(catalog.get(other_id), body)
            nearest = min(
                math.dist((a.x_cm, a.y_cm), (b.x_cm, b.y_cm)) for a in here for b in there
            )
            assert nearest <= body.cun(3.2), (point_id, other_id, nearest)


def test_ids_are_unique_and_sources_and_regions_known(catalog: Catalog) -> None:
    ids = [p.id for p in catalog]
    assert len(ids) == len(set(ids))
    for point in catalog:
        assert set(point.sources) <= set(catalog.sources)
        assert set(point.regions) <= set(REGION_IDS)
        assert point.how_to_find


def test_techniques_follow_the_timing_rules(catalog: Catalog) -> None:
    for point in catalog:
        t = point.technique
        if t.motion == "static":
            assert 30 <= t.duration_s <= 90, point.id
        else:
            assert 60 <= t.duration_s <= 120, point.id


def test_points_avoided_in_pregnancy_say_so(catalog: Catalog) -> None:
    for point_id in ("GB21", "BL31", "BL32", "BL33", "BL34"):
        assert "pregnant" in catalog.get(point_id).avoid_when


def test_every_region_is_helped_by_some_point(catalog: Catalog) -> None:
    for region in REGION_IDS:
        assert catalog.for_region(region), region


def test_quick_listing_agrees_with_the_validated_catalogue(catalog: Catalog) -> None:
    rows = point_summaries()
    assert [r.id for r in rows] == [p.id for p in catalog]
    assert [r.regions for r in rows] == [p.regions for p in catalog]
    assert [r.name for r in rows] == [p.display_name for p in catalog]


def test_unknown_point_suggests_close_ids(catalog: Catalog) -> None:
    with pytest.raises(UnknownPoint, match=r"Did you mean BL23\b"):
        catalog.get("BL233")
    with pytest.raises(UnknownPoint, match=r"Did you mean BL2\d"):
        catalog.get("BL2e")
    assert catalog.get("bl23").id == "BL23"


def _docs() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    names = ("acupoints.toml", "trigger_points.toml", "lay_points.toml")
    return [_raw(n) for n in names], _raw("sources.toml")


def test_a_duplicate_id_is_refused() -> None:
    points, sources = _docs()
    points[0]["points"].append(points[0]["points"][0])
    with pytest.raises(CatalogError, match="duplicate point id"):
        parse_catalog(points, sources)


def test_an_unknown_source_key_is_refused() -> None:
    points, sources = _docs()
    points[0]["points"][0]["sources"] = ["nobody2020"]
    with pytest.raises(CatalogError, match="unknown source 'nobody2020'"):
        parse_catalog(points, sources)


def test_a_broken_link_is_refused() -> None:
    points, sources = _docs()
    points[2]["points"][0]["coincides_with"] = ["BL99"]
    with pytest.raises(CatalogError, match="unknown point 'BL99'"):
        parse_catalog(points, sources)


def test_an_unknown_region_is_refused() -> None:
    points, sources = _docs()
    points[0]["points"][0]["helps"] = [{"region": "left_knee", "why": "local"}]
    with pytest.raises(CatalogError, match="region"):
        parse_catalog(points, sources)


def test_a_too_long_massage_is_refused() -> None:
    points, sources = _docs()
    points[0]["points"][0]["technique"]["duration_s"] = 170
    points[0]["points"][0]["technique"]["motion"] = "circular"
    with pytest.raises(CatalogError, match="60-120"):
        parse_catalog(points, sources)
