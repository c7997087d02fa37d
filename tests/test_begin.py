"""One way to begin: while any red flag stands (or under 16) no surface shows a step.

Generated over every flag and every surface: the API (start, get, rate, skip), the page POSTs
and GETs (start, screening, sessions, routines, runs, scan, chart), the terminal session and
terminal routines, and the service itself (hypothesis over standing flags and answer sheets).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import create_engine, text

from backpoints.app import begin, service
from backpoints.catalog import Catalog
from backpoints.cli.terminal import Terminal
from backpoints.cli.terminal_routine import run, run_routine
from backpoints.core.clock import FakeClock
from backpoints.core.redflags import QUESTIONS, URGENCY
from backpoints.core.screening import Profile
from backpoints.core.vocab import RED_FLAGS
from backpoints.settings import Settings
from backpoints.store import flags_repo
from backpoints.store.engine import make_engine, upgrade
from backpoints.web.app import create_app
from tests.flows import NO_ANSWERS, started

PAIN = {"lower_back_left": 6}
API_PAIN = [{"region": "lower_back_left", "intensity": 6}]
FORM_PAIN = {"lower_back_left": "6"}
NO_FORM = dict.fromkeys(QUESTIONS, "no")
ROUTINE = "desk-neck-shoulders"


def _heading(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found, html[:400]
    return re.sub(r"\s+", " ", found.group(1)).strip()


def _refers(response: Any) -> None:
    """A page that shows the referral and no step, no timer, no suggested point."""
    assert response.status_code == 200, response.text[:400]
    html = response.text
    assert 'id="refer-heading"' in html, _heading(html)
    assert 'class="player"' not in html  # the step player (a session's or a routine's)
    assert 'name="pain_after"' not in html and 'id="timer"' not in html


def _no_step(body: dict[str, Any], flag: str) -> None:
    assert body["status"] == "refer" and body["step"] is None, body
    assert flag in body["standing"] and body["urgency"] == URGENCY[flag]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as c:
        yield c


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_with_a_standing_flag_no_surface_shows_a_step(client: TestClient, flag: str) -> None:
    # before the flag: a session and a routine are under way
    session = client.post("/api/v1/sessions", json={"pain": API_PAIN, "answers": NO_ANSWERS})
    assert session.json()["status"] == "active"
    sid, step = session.json()["id"], session.json()["step"]
    run_url = str(client.post(f"/routines/{ROUTINE}/start", data={"stress_before": "5"}).url)
    assert 'id="timer"' in client.get(run_url).text  # the routine's first step
    # the flag is answered yes once (with the pain unchanged, the questions were not due)
    raised = client.post("/api/v1/sessions", json={"pain": API_PAIN, "flags": [flag]})
    _no_step(raised.json(), flag)

    # API: a new start (no answers, or every other question "no"), the open session, moves
    others = {q: False for q in QUESTIONS if q != flag}
    for body in ({"pain": API_PAIN}, {"pain": API_PAIN, "answers": others}):
        _no_step(client.post("/api/v1/sessions", json=body).json(), flag)
    _no_step(client.get(f"/api/v1/sessions/{sid}").json(), flag)
    rating = {"point_id": step["point"]["id"], "side": step["point"]["side"], "pain_after": 6}
    _no_step(client.post(f"/api/v1/sessions/{sid}/ratings", json=rating).json(), flag)
    _no_step(client.post(f"/api/v1/sessions/{sid}/skip").json(), flag)
    status = client.get("/api/v1/screening").json()
    assert status["standing"] == [flag] and status["due"] is True

    # pages: start, the questions with the flag left unanswered, the session, its moves
    _refers(client.post("/start", data=FORM_PAIN))
    unanswered = {k: v for k, v in NO_FORM.items() if k != flag}
    asked = client.post("/screening", data={**unanswered, "pain_lower_back_left": "6"})
    assert 'id="refer-heading"' in asked.text or "answer every question" in asked.text
    assert 'id="timer"' not in asked.text
    _refers(client.get(f"/sessions/{sid}"))
    _refers(client.post(f"/sessions/{sid}/rate", data={"point_id": step["point"]["id"]}))
    _refers(client.post(f"/sessions/{sid}/skip"))
    # routines, the run under way, the scan and the chart of my points
    _refers(client.get(f"/routines/{ROUTINE}"))
    _refers(client.post(f"/routines/{ROUTINE}/start", data={**unanswered, "stress_before": "5"}))
    _refers(client.get(run_url))
    _refers(client.post(run_url + "/next"))
    _refers(client.get("/scan"))
    _refers(client.post("/scan/spot", data={"region": "sacrum", "level": "S2", "tenderness": "5"}))
    _refers(client.get("/chart"))
    _refers(client.get("/chart.pdf"))
    # the flag still stands: nothing above cleared it
    assert client.get("/api/v1/screening").json()["standing"] == [flag]


@pytest.fixture
def services(tmp_path: Path, catalog: Catalog) -> Iterator[service.Services]:
    s = service.Services(Settings(data_dir=tmp_path / "data"), catalog=catalog, clock=FakeClock())
    yield s
    s.close()


def _terminal(answers: list[str]) -> tuple[Terminal, io.StringIO]:
    out = io.StringIO()
    replies = iter(answers)
    console = Console(file=out, width=100, color_system=None)
    return Terminal(console, lambda _prompt: next(replies, ""), speed=1000), out


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_the_terminal_session_and_routine_show_no_step_while_a_flag_stands(
    services: service.Services, flag: str
) -> None:
    me = service.person_id(services)
    sid, _ = started(services, me, PAIN)
    assert isinstance(begin.begin(services, me, PAIN, flags=[flag]), begin.Referred)
    term, out = _terminal([""] * 40)
    state = run(term, services, PAIN)
    assert state is not None and state.status == "refer" and state.current is None
    assert run_routine(term, services, me, ROUTINE) is None
    text = out.getvalue()
    assert "Step " not in text and "Massage" not in text
    assert QUESTIONS[flag] not in text  # not re-asked: the referral comes straight away
    assert "backpoints screening" in text  # the way back, in the terminal
    # the session started before the flag is not moved on either
    _, before = service.load(services, sid)
    assert before.status == "active" and before.steps_shown == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    standing=st.sets(st.sampled_from(RED_FLAGS), min_size=1),
    sheet=st.dictionaries(st.sampled_from(RED_FLAGS), st.booleans()),
    routine=st.booleans(),
)
def test_begin_never_starts_while_a_flag_is_left_standing(
    tmp_path_factory: pytest.TempPathFactory,
    catalog: Catalog,
    standing: set[str],
    sheet: dict[str, bool],
    routine: bool,
) -> None:
    data = tmp_path_factory.mktemp("db")
    services = service.Services(Settings(data_dir=data), catalog=catalog, clock=FakeClock())
    try:
        me = service.person_id(services)
        begin.answer(services, me, {**NO_ANSWERS, **dict.fromkeys(standing, True)})
        outcome = begin.begin(
            services, me, PAIN, sheet, routine=ROUTINE if routine else None, stress_before=4
        )
        left = (standing - {f for f, yes in sheet.items() if not yes}) | {
            f for f, yes in sheet.items() if yes
        }
        if left:
            assert isinstance(outcome, begin.Referred)
            assert set(outcome.standing) == left
        else:
            assert isinstance(outcome, begin.AskScreening | begin.Started)
        kept = isinstance(outcome, begin.AskScreening) or not sheet
        with services.db() as db:
            assert {f.flag for f in flags_repo.standing(db, me)} == (standing if kept else left)
    finally:
        services.close()


@pytest.mark.parametrize(
    "flag", ["chest_pain_or_breathless", "major_trauma", "bilateral_leg_symptoms"]
)
def test_chest_pain_accident_and_both_legs_give_the_emergency_screen(
    tmp_path: Path, flag: str
) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", emergency_number="911"))
    with TestClient(app) as client:
        client.post("/start", data=FORM_PAIN)
        answers = {**NO_FORM, flag: "yes", "pain_lower_back_left": "6"}
        page = client.post("/screening", data=answers)
    _refers(page)
    assert str(page.url).endswith("/refer")
    assert _heading(page.text) == "Get medical help now"
    assert 'href="tel:911"' in page.text and "or your local emergency number" in page.text
    assert "I answered by mistake" in page.text


BANNER_PATHS = ("/", "/routines", "/points", "/points/BL23", "/camera", "/tools")


def _banner(page: str) -> str:
    found = re.search(r'<aside class="caution flag-banner".*?</aside>', page, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_pages_open_while_a_flag_stands_say_so_and_lead_to_the_referral(
    client: TestClient, flag: str
) -> None:
    """The start page, the routines, the library, the camera and the tools stay open (starting
    is refused; the rest is reference) but, while a flag stands, each says what to do, as
    urgently as the referral does, and links to it."""
    for path in BANNER_PATHS:
        assert not _banner(client.get(path).text), path
    client.post("/api/v1/sessions", json={"pain": API_PAIN, "answers": {**NO_ANSWERS, flag: True}})
    emergency = URGENCY[flag] == "emergency"
    for path in BANNER_PATHS:
        page = client.get(path)
        assert page.status_code == 200, path
        banner = _banner(page.text)
        assert 'href="/refer"' in banner, path
        assert ("get medical help now" in banner) == emergency, path
        assert ("needs a clinician first" in banner) != emergency, path
    client.post("/screening/again", data=NO_FORM)  # answered "no": the banner goes
    assert not any(_banner(client.get(path).text) for path in BANNER_PATHS)


def test_under_16_the_pages_say_no_guidance_is_given(client: TestClient) -> None:
    client.put("/api/v1/profile", json={"age": 15})
    for path in BANNER_PATHS:
        banner = _banner(client.get(path).text)
        assert "no massage guidance under 16" in banner and 'href="/refer"' in banner, path


def test_the_call_link_dials_112_unless_configured(client: TestClient) -> None:
    client.post("/api/v1/sessions", json={"pain": API_PAIN, "flags": ["saddle_numbness"]})
    page = client.get("/refer")
    assert 'href="tel:112"' in page.text and "Call 112" in page.text
    urgent = client.post(
        "/api/v1/sessions",
        json={"pain": API_PAIN, "answers": {**NO_ANSWERS, "cancer_history": True}},
    )
    assert urgent.json()["urgency"] == "urgent"
    page = client.get("/refer")
    assert "tel:" not in page.text and "see a doctor" in _heading(page.text)


def test_asking_again_asks_every_question_and_a_no_clears_the_flag(client: TestClient) -> None:
    client.post("/api/v1/sessions", json={"pain": API_PAIN, "flags": ["bladder_or_bowel_change"]})
    again = client.get("/screening/again")
    assert all(f'name="{q}"' in again.text for q in QUESTIONS)
    partial = client.post("/screening/again", data={"bladder_or_bowel_change": "no"})
    assert partial.status_code == 422 and "16 not answered" in partial.text
    assert client.get("/api/v1/screening").json()["standing"] == ["bladder_or_bowel_change"]
    done = client.post("/screening/again", data=NO_FORM)
    assert done.status_code == 200 and _heading(done.text) == "Where does your back hurt?"
    assert client.get("/api/v1/screening").json()["standing"] == []
    assert client.get("/refer").url.path == "/"  # nothing stands: no referral to show
    start = client.post("/start", data=FORM_PAIN)
    assert 'id="timer"' in start.text and 'name="pain_after"' in start.text


@pytest.mark.parametrize("age", [9, 15])
def test_under_16_gets_no_guidance_on_any_surface(
    client: TestClient, services: service.Services, age: int
) -> None:
    body = {"pain": API_PAIN, "answers": NO_ANSWERS, "profile": {"age": age}}
    api = client.post("/api/v1/sessions", json=body).json()
    assert api["status"] == "refer" and api["step"] is None and api["urgency"] is None
    assert "adults" in api["message"]
    page = client.post("/start", data=FORM_PAIN)
    _refers(page)
    assert "made for adults" in page.text and "I answered by mistake" not in page.text
    _refers(client.get(f"/routines/{ROUTINE}"))
    _refers(client.get("/scan"))
    me = service.person_id(services)
    service.save_profile(services, me, Profile(age=age))
    term, out = _terminal(["n"] * 17 + [""] * 10)
    state = run(term, services, PAIN)
    assert state is not None and state.status == "refer" and state.current is None
    assert "made for adults" in out.getvalue() and "Step " not in out.getvalue()


def test_16_is_old_enough(client: TestClient) -> None:
    body = {"pain": API_PAIN, "answers": NO_ANSWERS, "profile": {"age": 16}}
    assert client.post("/api/v1/sessions", json=body).json()["status"] == "active"


def test_api_asks_when_due_and_names_the_missing_answers(client: TestClient) -> None:
    first = client.get("/api/v1/screening", params={"pain": "neck=4"}).json()
    assert first["due"] is True and first["standing"] == []
    assert [q["id"] for q in first["questions"]] == list(QUESTIONS)
    assert first["questions"][0]["urgency"] == "emergency"
    missing = client.post("/api/v1/sessions", json={"pain": [{"region": "neck", "intensity": 4}]})
    assert missing.status_code == 422
    detail = missing.json()["detail"][0]
    assert detail["field"] == "answers" and "17 not answered" in detail["message"]
    body = {"pain": [{"region": "neck", "intensity": 4}], "answers": NO_ANSWERS}
    assert client.post("/api/v1/sessions", json=body).json()["status"] == "active"
    assert client.get("/api/v1/screening", params={"pain": "neck=5"}).json()["due"] is False
    assert client.get("/api/v1/screening", params={"pain": "neck=8"}).json()["due"] is True
    bad = client.get("/api/v1/screening", params={"pain": "knee=4"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "pain"
    same = client.post("/api/v1/sessions", json={"pain": [{"region": "neck", "intensity": 5}]})
    assert same.status_code == 201 and same.json()["status"] == "active"


def test_upgrading_keeps_the_flags_of_each_persons_last_screening(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    engine = make_engine(settings)
    upgrade(engine, "0006")
    with engine.begin() as conn:
        for person in ("ann", "bob"):
            conn.execute(
                text("INSERT INTO people (id, created_at, profile) VALUES (:p, :t, '{}')"),
                {"p": person, "t": "2026-01-01 09:00:00"},
            )
        rows = [
            ("ann", "2026-01-02 09:00:00", '{"flags": ["cancer_history"], "pain": {}}'),
            ("ann", "2026-01-03 09:00:00", '{"flags": ["major_trauma"], "pain": {}}'),
            ("bob", "2026-01-02 09:00:00", '{"flags": ["fever_or_unwell"], "pain": {}}'),
            ("bob", "2026-01-04 09:00:00", '{"flags": [], "pain": {}}'),
        ]
        for person, at, answers in rows:
            conn.execute(
                text("INSERT INTO screenings (person_id, at, answers) VALUES (:p, :a, :j)"),
                {"p": person, "a": at, "j": answers},
            )
    upgrade(engine)
    engine.dispose()
    check = create_engine(settings.resolved_database_url)
    with check.connect() as conn:
        found = conn.execute(text("SELECT person_id, flag, answer FROM red_flag_answers")).all()
    check.dispose()
    assert [tuple(r) for r in found] == [("ann", "major_trauma", 1)]


def test_the_profile_form_takes_the_age_and_names_a_bad_one(client: TestClient) -> None:
    bad = client.post("/profile", data={"age": "twelve"})
    assert bad.status_code == 422 and "Age must be a whole number" in bad.text
    client.post("/profile", data={"age": "12"})
    assert client.get("/api/v1/profile").json()["age"] == 12
    assert 'value="12"' in client.get("/profile").text
    _refers(client.post("/start", data=FORM_PAIN))
    client.post("/profile", data={"age": "30"})
    assert "safety questions" in client.post("/start", data=FORM_PAIN).text
