"""Tender spots: marking them on the map or in words, matching them to catalogue points, and
the planner offering those points first; through the library, the web page and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from backpoints.app import scan_service, service
from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature, locate
from backpoints.core.clock import FakeClock
from backpoints.core.planner import PainEntry, plan
from backpoints.core.scan import BadSpot, nearest_points, spot_at, spot_from_words
from backpoints.settings import Settings
from backpoints.web.app import create_app
from tests.conftest import CliRun

BODY = body_from_stature(170)


@pytest.mark.parametrize("point_id", ["BL23", "BL52", "SI11", "GB30", "TP-piriformis-1", "GV4"])
def test_a_spot_on_a_point_matches_that_point_first(catalog: Catalog, point_id: str) -> None:
    pos = locate(catalog.get(point_id), BODY)[-1]
    spot = spot_at(BODY, pos.x_cm, pos.y_cm, 6)
    matches = nearest_points(spot, BODY, catalog)
    assert matches[0].distance_cm <= 0.02  # the spot is stored to 0.01 cm
    assert point_id in [m.point_id for m in matches if m.distance_cm <= 0.02]
    assert all(m.distance_cm <= 4.0 for m in matches)


@given(st.floats(-30, 30), st.floats(-15, 80), st.integers(1, 10))
def test_every_accepted_spot_lies_in_its_region(x: float, y: float, tenderness: int) -> None:
    from backpoints.core.regions import regions_at

    try:
        spot = spot_at(BODY, x, y, tenderness)
    except BadSpot:
        assert not regions_at(BODY, x, y, tolerance=0.3)
        return
    assert spot.region in regions_at(BODY, spot.x_cm, spot.y_cm, tolerance=0.31)


def test_spots_off_the_back_or_without_tenderness_are_refused() -> None:
    with pytest.raises(BadSpot, match="not on the back"):
        spot_at(BODY, 80.0, 10.0, 5)
    with pytest.raises(BadSpot, match="1 to 10"):
        spot_at(BODY, 3.0, 40.0, 0)
    with pytest.raises(BadSpot, match="not within"):
        spot_from_words(BODY, "neck", "L3", 5)
    assert spot_from_words(BODY, "lower_back_right", "l3", 5).x_cm > 0


def test_found_points_rank_first_and_say_why(catalog: Catalog) -> None:
    pain = [PainEntry("buttock_left", 6)]
    default = [c.point.id for c in plan(pain, catalog)[0].candidates]
    last = default[-1]
    found = plan(pain, catalog, found={"buttock_left": [last]})[0].candidates
    assert found[0].point.id == last
    assert "tender spot you marked" in found[0].why


@pytest.fixture
def services(tmp_path: Path, catalog: Catalog) -> Iterator[service.Services]:
    s = service.Services(Settings(data_dir=tmp_path / "data"), catalog=catalog, clock=FakeClock())
    yield s
    s.close()


def test_a_found_spot_changes_what_the_next_session_offers(services: service.Services) -> None:
    me = service.person_id(services)
    _, before = service.start_session(services, me, {"lower_back_right": 6}, [])
    assert before.current is not None
    spot = spot_from_words(
        service.body_of(service.profile(services, me)), "lower_back_right", "L3", 8
    )
    found = scan_service.record(services, me, spot)
    assert found.points and found.points[0] != before.current.point.id
    _, after = service.start_session(services, me, {"lower_back_right": 6}, [])
    assert after.current is not None
    assert after.current.point.id == found.points[0]
    assert after.current.point.side == "right"
    scan_service.forget(services, me, found.id)
    assert scan_service.spots(services, me) == []


def test_scan_page_marks_spots_by_tap_and_by_words(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as client:
        page = client.get("/scan")
        assert 'id="scan-map"' in page.text and "By feel" in page.text
        tapped = client.post("/scan/spot", data={"x_cm": "-4", "y_cm": "40", "tenderness": "7"})
        assert tapped.status_code == 200
        assert "Lower back, left, tenderness 7: near" in tapped.text
        worded = client.post(
            "/scan/spot", data={"region": "scapula_right", "level": "T4", "tenderness": "5"}
        )
        assert "Shoulder blade, right, tenderness 5" in worded.text
        off = client.post("/scan/spot", data={"x_cm": "90", "y_cm": "5", "tenderness": "3"})
        assert off.status_code == 422 and "not on the back" in off.text
        bad = client.post("/scan/spot", data={"region": "neck", "level": "L3", "tenderness": "x"})
        assert bad.status_code == 422


def test_scan_in_the_terminal(run_cli: CliRun) -> None:
    answers = "\n" * 8 + "L4\n6\n" + "\n" * 5
    result = run_cli("scan", input=answers)
    assert result.returncode == 0, result.stderr
    assert "Saved: Lower back, left at L4, near" in result.stdout
    assert "1 tender spot on file" in result.stdout
    assert "near Multifidus" in result.stdout or "near BL" not in result.stdout
    assert json.loads(run_cli("history", "--json").stdout) == []
