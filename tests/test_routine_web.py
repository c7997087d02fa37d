"""Routines in the web app: list, start with screening and stress, steps in order, stress
after; import, export and build; the tools page. Through the real app on real SQLite."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backpoints.core.screening import QUESTIONS
from backpoints.settings import Settings
from backpoints.web.app import create_app
from tests.flows import NO_ANSWERS

NO_FLAGS = dict.fromkeys(QUESTIONS, "no")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as c:
        yield c


def _heading(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found
    return re.sub(r"\s+", " ", found.group(1)).strip()


def test_a_routine_runs_end_to_end_in_the_browser_pages(client: TestClient) -> None:
    listing = client.get("/routines")
    assert "Tension between the shoulder blades" in listing.text
    page = client.get("/routines/desk-neck-shoulders")
    assert "safety questions" in page.text  # never screened yet
    missing = client.post("/routines/desk-neck-shoulders/start", data={"stress_before": "6"})
    assert missing.status_code == 422
    started = client.post(
        "/routines/desk-neck-shoulders/start", data={**NO_FLAGS, "stress_before": "6"}
    )
    assert started.status_code == 200
    run_url = str(started.url)
    headings, steps = [], []
    for _ in range(10):
        page = client.get(run_url)
        step = re.search(r'class="eyebrow">[^<]*point (\d+) of (\d+)', page.text)
        if step is None:
            break
        steps.append(f"{step.group(1)} of {step.group(2)}")
        headings.append(_heading(page.text))
        assert 'id="timer"' in page.text and "Breathing guide" in page.text
        client.post(run_url + "/next")
    assert steps == [f"{n} of 6" for n in range(1, 7)]
    assert "Upper trapezius" in headings[0]
    assert "done" in _heading(page.text)
    bad = client.post(run_url + "/stress", data={"stress_after": "eleven"})
    assert bad.status_code == 422
    client.post(run_url + "/stress", data={"stress_after": "3"})
    assert "Stress 6 → 3" in client.get(run_url).text
    assert "stress 6 → 3" in client.get("/routines").text
    again = client.get("/routines/desk-neck-shoulders")
    assert "safety questions" not in again.text  # asked once


def test_a_pregnant_profile_sees_what_a_routine_skipped(client: TestClient) -> None:
    client.put("/api/v1/profile", json={"pregnant": True})
    started = client.post(
        "/routines/desk-neck-shoulders/start", data={**NO_FLAGS, "stress_before": "5"}
    )
    assert "GB21" in started.text and "skipped" in started.text


def test_export_import_and_build(client: TestClient) -> None:
    exported = client.get("/routines/evening-lower-back.json")
    assert exported.headers["content-disposition"].startswith("attachment")
    data = json.loads(exported.text)
    assert data["format"] == "backpoints-routine"
    data["id"], data["name"] = "my-evening", "My evening"
    imported = client.post("/routines/import", files={"file": ("r.json", json.dumps(data))})
    assert imported.status_code == 200 and "My evening" in imported.text
    broken = client.post("/routines/import", files={"file": ("r.json", "{oops")})
    assert broken.status_code == 422 and "not JSON" in broken.text
    built = client.post(
        "/routines/build",
        data={"name": "Quick shoulders", "points": ["GB21", "SI11"], "duration_s": "60"},
    )
    assert built.status_code == 200 and "Quick shoulders" in built.text
    assert "both sides" in built.text
    empty = client.post("/routines/build", data={"name": "Nothing", "duration_s": "60"})
    assert empty.status_code == 422


def test_tools_page_lists_every_tool(client: TestClient) -> None:
    from backpoints.core.vocab import TOOLS

    page = client.get("/tools")
    for tool in TOOLS:
        assert f'id="tool-{tool}"' in page.text
    assert "5 to 7" in page.text


def test_stress_before_and_after_is_charted_in_the_history(client: TestClient) -> None:
    for before, after in ((7, 3), (6, 6)):
        started = client.post(
            "/routines/shoulder-blade-tension/start",
            data={**NO_FLAGS, "stress_before": str(before)},
        )
        run_url = str(started.url)
        client.post(run_url + "/stop")
        client.post(run_url + "/stress", data={"stress_after": str(after)})
    page = client.get("/history").text
    assert "Stress before and after each routine: lower after 1 of 2" in page
    spanish = html.unescape(client.get("/history", headers={"Accept-Language": "es"}).text)
    assert "Tensión entre los omóplatos" in spanish  # each run named in the page's language
    assert "Tension between the shoulder blades" not in spanish


def test_the_tools_a_person_owns_lead_their_steps(client: TestClient) -> None:
    client.post("/profile", data={"tools_owned": ["tennis_ball"]})
    assert client.get("/api/v1/profile").json()["tools_owned"] == ["tennis_ball"]
    body = {"pain": [{"region": "lower_back_left", "intensity": 6}], "answers": NO_ANSWERS}
    session = client.post("/api/v1/sessions", json=body).json()
    tools_seen = []
    while session["status"] == "active":
        step = session["step"]
        point = client.get(f"/api/v1/points/{step['point']['id']}").json()
        if "tennis_ball" in point["technique"]["tools"]:
            assert step["technique"]["tool"] == "tennis_ball"
        tools_seen.append(step["technique"]["tool"])
        rating = {"point_id": step["point"]["id"], "side": step["point"]["side"], "pain_after": 6}
        session = client.post(f"/api/v1/sessions/{session['id']}/ratings", json=rating).json()
    assert "tennis_ball" in tools_seen
    page = client.get("/profile").text
    assert 'value="tennis_ball" checked' in page


@pytest.mark.parametrize("lang", ["es", "hi", "zh"])
def test_built_in_routines_speak_the_pages_language(tmp_path: Path, lang: str) -> None:
    """Names, purposes and lengths of the built-in routines, on the list and on each page
    (an untranslated text is an English fallback, which fails the test)."""
    from fastapi.testclient import TestClient

    from backpoints import i18n
    from backpoints.core.routines import builtin_routines
    from backpoints.settings import Settings
    from backpoints.web.app import create_app

    headers = {"Accept-Language": lang}
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as client:
        listing = html.unescape(client.get("/routines", headers=headers).text)
        for routine in builtin_routines():
            with i18n.language(lang):
                name, purpose = i18n.gettext(routine.name), i18n.gettext(routine.purpose)
            assert name != routine.name and purpose != routine.purpose
            assert name in listing and purpose in listing and routine.name not in listing
            page = html.unescape(client.get(f"/routines/{routine.id}", headers=headers).text)
            assert name in page and "steps, about" not in page
        # a run's step page names its routine in the language too (the questions answered)
        pain = [{"region": "neck", "intensity": 3}]
        client.post("/api/v1/sessions", json={"pain": pain, "answers": NO_ANSWERS})
        run = client.post(
            "/routines/evening-lower-back/start", data={"stress_before": "5"}, headers=headers
        )
        with i18n.language(lang):
            name = i18n.gettext("Lower back in the evening")
        eyebrow = html.unescape(run.text).split('class="eyebrow">')[1].split("<")[0]
        assert name in eyebrow and "Lower back in the evening" not in eyebrow
