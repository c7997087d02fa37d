"""The catalogue says what its sources say: each text correction is pinned by a test, and the
lay points name the standard points they are (and the reverse)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature, locate
from backpoints.core.cautions import on_the_midline
from backpoints.core.guided import Queued
from backpoints.core.screening import Profile
from backpoints.core.steps import Guide, build_step
from backpoints.report.pdf import DISCLAIMER

SRC = Path(__file__).resolve().parents[1] / "src" / "backpoints"


def _text(catalog: Catalog, point_id: str) -> str:
    point = catalog.get(point_id)
    return " ".join((*point.how_to_find, *point.cautions))


def test_c7_is_the_bump_that_moves_when_the_head_turns(catalog: Catalog) -> None:
    lines = [line for p in catalog for line in p.how_to_find if "C7" in line and "turn" in line]
    assert len(lines) >= 5
    for line in lines:
        assert "moves little" not in line
        assert "moves under your finger when you turn your head" in line and "T1" in line


def test_extra_points_cite_a_textbook_and_the_national_standard_not_who2008(
    catalog: Catalog,
) -> None:
    for point_id in ("EX-B2", "EX-B7"):
        sources = catalog.get(point_id).sources
        assert "who2008" not in sources
        kinds = {catalog.sources[k].kind for k in sources}
        assert {"textbook", "standard"} <= kinds
    standard = catalog.sources["gbt40997"]
    assert "GB/T 40997-2021" in standard.citation
    assert "Nomenclature and location of extra points" in standard.citation
    assert "GB/T 12346" in standard.note
    assert "A Manual of Acupuncture" in catalog.sources["deadman2007"].citation


def test_a_caution_that_says_gently_matches_a_gentle_technique(catalog: Catalog) -> None:
    gently = [p for p in catalog if any("press gently" in c for c in p.cautions)]
    assert {"GV3", "GV4", "GV11", "GV14"} <= {p.id for p in gently}
    for point in gently:
        assert point.technique.pressure == "gentle", point.id


def test_yaoyan_is_about_three_and_a_half_cun_in_correct_finger_widths(catalog: Catalog) -> None:
    point = catalog.get("EX-B7")
    text = _text(catalog, "EX-B7")
    assert point.location.kind == "spine" and point.location.lateral_cun == 3.5
    assert "3.5 cun" in text and "four finger-widths (3 cun)" in text
    assert "hand's width" not in text


def test_every_that_bump_follows_a_step_naming_a_spine_bump(catalog: Catalog) -> None:
    # "that bump" must point back at a bump of the spine, not at a shoulder-blade landmark.
    for point in catalog:
        for i, line in enumerate(point.how_to_find):
            if "that bump" in line:
                before = " ".join(point.how_to_find[:i])
                assert "bump" in before or "Count" in before, (point.id, line)
    for point_id, level in (("BL13", "T3"), ("BL17", "T7")):
        (line,) = [x for x in catalog.get(point_id).how_to_find if "lower edge" in x]
        assert f"the {level} bump" in line and "that bump" not in line, point_id


def test_the_sweet_spot_is_gv11_with_bl43_either_side(catalog: Catalog) -> None:
    point = catalog.get("sweet-spot")
    text = _text(catalog, "sweet-spot")
    assert "GV11" in text and "BL43" in text and "3 cun" in text
    assert "thumb-width either side" not in text
    assert set(point.coincides_with) == {"GV11", "BL43"}
    assert catalog.also_known_as(point) == "GV11 Shendao, with BL43 Gaohuang either side"
    body = body_from_stature(170)
    (here,) = locate(point, body)
    (gv11,) = locate(catalog.get("GV11"), body)
    assert here.x_cm == 0 and abs(here.y_cm - gv11.y_cm) <= body.cun(1.5)


def test_the_base_of_the_spine_is_placed_where_gv3_is(catalog: Catalog) -> None:
    base, gv3 = catalog.get("base-of-spine"), catalog.get("GV3")
    assert base.location == gv3.location
    assert "GV3" in _text(catalog, "base-of-spine") and "L5" in _text(catalog, "base-of-spine")


def test_middle_trapezius_text_and_placement_agree(catalog: Catalog) -> None:
    point = catalog.get("TP-middle-trapezius-1")
    text = _text(catalog, "TP-middle-trapezius-1")
    assert point.location.kind == "spine"
    assert point.location.levels == ("T4",) and point.location.lateral_cun == 2.0
    assert "2 cun" in text and "T4" in text and "halfway" not in text


def test_the_evidence_is_low_to_very_low_certainty() -> None:
    assert "low to very low certainty" in DISCLAIMER
    assert "low to moderate" not in DISCLAIMER
    assert "moderate certainty (li2021)" in DISCLAIMER and "physical therapy" in DISCLAIMER


def test_no_text_claims_what_has_no_evidence() -> None:
    shipped = [p for p in SRC.rglob("*") if p.suffix in {".py", ".toml", ".html", ".md"}]
    assert shipped
    for path in shipped:
        text = path.read_text("utf-8").lower()
        assert "drink some water" not in text, path
        assert "low to moderate certainty" not in text, path
        if "help many people" in text:
            assert "low-certainty evidence" in text, path


def test_midline_points_list_fingertips_only_in_the_data(catalog: Catalog) -> None:
    midline = [p for p in catalog if on_the_midline(p)]
    assert {"GV3", "GV4", "GV11", "GV14", "sweet-spot", "base-of-spine"} <= {p.id for p in midline}
    for point in midline:
        assert point.technique.tools == ("fingers",), point.id


def test_the_tools_data_states_who_each_tool_is_not_for() -> None:
    import tomllib

    text = resources.files("backpoints.catalog").joinpath("data", "tools.toml").read_text()
    tools = {t["id"]: set(t["not_for"]) for t in tomllib.loads(text)["tools"]}
    bleeding = {"anticoagulants", "bleeding_disorder"}
    for tool in ("foam_roller", "knuckles", "elbow", "massage_tool", "body_weight"):
        assert bleeding <= tools[tool], tool
    for tool in ("knuckles", "elbow", "body_weight", "foam_roller"):
        assert "osteoporosis" in tools[tool], tool
    for tool in ("foam_roller", "body_weight"):
        assert "pregnant" in tools[tool], tool
    assert tools["fingers"] == set()


@pytest.mark.parametrize(
    "lay_id",
    ["sweet-spot", "base-of-spine", "mid-back-indentation", "lumbar-points", "sacral-point"],
)
def test_a_lay_point_says_which_standard_points_it_is(catalog: Catalog, lay_id: str) -> None:
    point = catalog.get(lay_id)
    also = catalog.also_known_as(point) or ""
    for other in point.coincides_with:
        assert other in also
        standard = catalog.get(other)
        assert standard.names.pinyin and standard.names.pinyin in also
        assert point.names.english.lower() in (catalog.also_known_as(standard) or "").lower()


def test_the_step_and_the_point_page_show_also_known_as(catalog: Catalog, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from backpoints.settings import Settings
    from backpoints.web.app import create_app

    guide = Guide(catalog, body_from_stature(170))
    queued = Queued(point_id="sweet-spot", side=None, why="test")
    step = build_step(1, "interscapular", queued, Profile(), guide)
    assert step.also_known_as == "GV11 Shendao, with BL43 Gaohuang either side"
    standard = build_step(
        1, "interscapular", queued.model_copy(update={"point_id": "GV11"}), Profile(), guide
    )
    assert standard.also_known_as == "the sweet spot"
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as client:
        page = client.get("/points/sweet-spot").text
        assert "Also known as: GV11 Shendao, with BL43 Gaohuang either side." in page
        assert "Also known as: the sweet spot." in client.get("/points/GV11").text
