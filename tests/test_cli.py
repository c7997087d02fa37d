"""The command line as a person uses it: real subprocesses, real output, real exit codes."""

from __future__ import annotations

import json

from backpoints.catalog import Catalog
from tests.conftest import CliRun


def test_version(run_cli: CliRun) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("backpoints ")


def test_points_lists_the_catalogue(run_cli: CliRun, catalog: Catalog) -> None:
    result = run_cli("points")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{len(catalog)} points"
    assert any(line.startswith("BL23 ") and "Kidney Shu" in line for line in lines)


def test_points_for_a_region_keeps_only_its_points(run_cli: CliRun, catalog: Catalog) -> None:
    result = run_cli("points", "--region", "interscapular", "--json")
    assert result.returncode == 0
    listed = json.loads(result.stdout)
    assert {p["id"] for p in listed} == {p.id for p in catalog.for_region("interscapular")}
    assert "sweet-spot" in {p["id"] for p in listed}
    assert "BL23" not in {p["id"] for p in listed}


def test_unknown_region_is_one_line_with_suggestions_and_exit_2(run_cli: CliRun) -> None:
    result = run_cli("points", "--region", "lower_bak_left")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "lower_back_left" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_point_is_one_line_with_suggestions_and_exit_2(run_cli: CliRun) -> None:
    result = run_cli("show", "BL233")
    assert result.returncode == 2
    assert "BL23" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_show_explains_how_to_find_and_press_a_point(run_cli: CliRun, catalog: Catalog) -> None:
    result = run_cli("show", "BL23")
    assert result.returncode == 0
    point = catalog.get("BL23")
    assert "Shenshu" in result.stdout
    assert "How to find it" in result.stdout
    assert point.how_to_find[0][:30] in " ".join(result.stdout.split())
    assert f"{point.technique.duration_s} s" in result.stdout
    assert "who2008" in result.stdout


def test_show_lists_pregnancy_caution_for_gb21(run_cli: CliRun) -> None:
    result = run_cli("show", "GB21")
    assert result.returncode == 0
    assert "pregnant" in result.stdout


def test_map_draws_the_back_with_a_region_legend(run_cli: CliRun) -> None:
    result = run_cli("map", "--region", "lower_back_left")
    assert result.returncode == 0
    assert "Lower back, left" in result.stdout
    assert "C7" in result.stdout and "L4" in result.stdout
    assert "BL23 Kidney Shu" in result.stdout


def test_locate_json_has_every_point_with_design_fields(run_cli: CliRun, catalog: Catalog) -> None:
    result = run_cli("locate", "--sex", "female", "--height", "163", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["body"]["stature_cm"] == 163
    assert data["body"]["sex"] == "female"
    assert {p["id"] for p in data["points"]} == {p.id for p in catalog}
    for p in data["points"]:
        assert set(p) == {"id", "side", "x_cm", "y_cm", "level", "uncertainty_cm"}
    bl23 = {p["side"]: p for p in data["points"] if p["id"] == "BL23"}
    assert bl23["left"]["x_cm"] == -bl23["right"]["x_cm"] < 0
    gv4 = next(p for p in data["points"] if p["id"] == "GV4")
    assert gv4["side"] is None and gv4["y_cm"] == bl23["left"]["y_cm"]


def test_locate_refuses_an_impossible_height(run_cli: CliRun) -> None:
    result = run_cli("locate", "--height", "20")
    assert result.returncode == 2
    assert "height" in result.stderr
    assert "Traceback" not in result.stderr


def test_locate_refuses_an_unknown_sex(run_cli: CliRun) -> None:
    result = run_cli("locate", "--sex", "x")
    assert result.returncode == 2
    assert "--sex" in result.stderr
