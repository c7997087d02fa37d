"""The cautions reach the person on every surface: the step page, the routine step page and
the terminal step show the tool's "who should not use it" list and the point's other names;
the profile form asks where a site condition is; the scan says which matched points are left
out and why. Through the real app on real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from backpoints.app import service
from backpoints.app.service import Services
from backpoints.catalog import Catalog
from backpoints.cli.terminal import step_panel
from backpoints.core.anatomy import body_from_stature
from backpoints.core.guided import Queued
from backpoints.core.screening import QUESTIONS, Profile
from backpoints.core.steps import Guide, build_step
from backpoints.core.tools import guide_for
from backpoints.settings import Settings
from backpoints.web.app import create_app

NO_FLAGS = dict.fromkeys(QUESTIONS, "no")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=data_dir))) as c:
        yield c


def _session(data_dir: Path, pain: dict[str, int], profile: Profile) -> tuple[str, Services]:
    services = Services(Settings(data_dir=data_dir))
    person = service.person_id(services)
    service.save_profile(services, person, profile)
    session_id, _ = service.start_session(services, person, pain, [], profile)
    return session_id, services


def test_the_step_page_shows_who_should_not_use_the_tool(
    client: TestClient, data_dir: Path
) -> None:
    profile = Profile(tools_owned=("tennis_ball",))
    session_id, services = _session(data_dir, {"mid_back_left": 6}, profile)
    _, state = service.load(services, session_id)
    step = state.current
    assert step is not None and step.technique.tool == "tennis_ball"
    page = client.get(f"/sessions/{session_id}").text
    name = guide_for("tennis_ball").name.lower()
    assert f"Who should not use {name}: {' '.join(step.technique.not_for)}" in page
    services.close()


def test_the_step_page_shows_the_adapted_technique_and_why(
    client: TestClient, data_dir: Path
) -> None:
    profile = Profile(anticoagulants=True, tools_owned=("knuckles", "foam_roller"))
    session_id, services = _session(data_dir, {"lower_back_left": 7}, profile)
    _, state = service.load(services, session_id)
    step = state.current
    assert step is not None and step.technique.pressure == "gentle"
    assert step.technique.tool not in ("knuckles", "foam_roller")
    page = client.get(f"/sessions/{session_id}").text
    assert "Gentle pressure only, because you take blood thinners" in page
    services.close()


def test_the_routine_step_page_shows_the_tool_list_and_also_known_as(client: TestClient) -> None:
    started = client.post(
        "/routines/tennis-ball-wall/start", data={**NO_FLAGS, "stress_before": "5"}
    )
    assert started.status_code == 200
    page = started.text
    assert "BL43" in page and "Also known as: the sweet spot." in page
    not_for = " ".join(guide_for("tennis_ball").who_should_not)
    assert f"Who should not use tennis ball: {not_for}" in page


def test_the_pregnant_profile_leaves_the_foam_roller_routine_out_with_the_reason(
    client: TestClient,
) -> None:
    saved = client.post("/profile", data={"pregnant": "on"})
    assert saved.status_code == 200  # followed to the profile page
    started = client.post("/routines/foam-roller/start", data={**NO_FLAGS, "stress_before": "5"})
    assert "This routine is left out for you" in started.text
    assert "you are pregnant" in started.text


def test_the_profile_form_asks_where_a_site_condition_is(client: TestClient) -> None:
    refused = client.post("/profile", data={"recent_surgery": "on"})
    assert refused.status_code == 422
    assert "Say where the recent surgery is" in refused.text
    named = client.post(
        "/profile", data={"recent_surgery": "on", "affected_regions": "lower_back_left"}
    )
    assert named.status_code == 200 and "Saved." in named.text
    assert "where is it?" in client.get("/profile").text


def test_the_api_keeps_a_site_without_a_region_and_gives_no_guidance(
    data_dir: Path,
) -> None:
    session_id, services = _session(data_dir, {"neck": 5}, Profile(broken_skin=True))
    _, state = service.load(services, session_id)
    assert state.current is None
    assert any("not where it is" in n for n in state.notes)
    services.close()


def test_the_scan_says_which_matched_points_are_left_out(client: TestClient) -> None:
    client.post("/profile", data={"pregnant": "on"})
    marked = client.post("/scan/spot", data={"region": "sacrum", "level": "S1", "tenderness": "6"})
    assert marked.status_code == 200
    assert "is left out: not pressed when you are pregnant" in marked.text


def test_the_terminal_step_shows_the_tool_list_and_also_known_as(catalog: Catalog) -> None:
    guide = Guide(catalog, body_from_stature(170))
    queued = Queued(point_id="BL43", side="left", why="test")
    step = build_step(1, "scapula_left", queued, Profile(), guide, tool="tennis_ball")
    console = Console(record=True, width=200)
    console.print(step_panel(step))
    text = console.export_text()
    assert "Who should not use it: " + " ".join(guide_for("tennis_ball").who_should_not) in text
    assert "Also known as: the sweet spot" in text
