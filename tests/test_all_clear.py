"""A clinician's all-clear: it clears only the flags it names, only when checked recently and
confirmed, never the age rule, and a later yes stands again.

The rule is generated over every flag (and over pairs of flags) on the service, and checked by
hypothesis in the core; the page, the API and the terminal are each walked once.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from backpoints import i18n
from backpoints.app import begin, service
from backpoints.cli.terminal import Terminal
from backpoints.cli.terminal_safety import ask_all_clear
from backpoints.core import all_clear
from backpoints.core.clock import FakeClock
from backpoints.core.redflags import QUESTIONS_BY_ID
from backpoints.core.screening import Profile
from backpoints.core.vocab import RED_FLAGS
from backpoints.settings import Settings
from backpoints.store import accounts_repo
from backpoints.web.app import create_app
from tests.flows import NO_ANSWERS

TODAY = date(2026, 1, 5)  # the fake clock's day
PAIN = {"lower_back_left": 6}
API_PAIN = [{"region": "lower_back_left", "intensity": 6}]
flag_sets = st.lists(st.sampled_from(RED_FLAGS), min_size=1, unique=True)


# ---- the rule itself ----------------------------------------------------------------------

#: Standing flags, each with the day it was answered yes (up to 60 days before today).
standing_maps = st.dictionaries(
    st.sampled_from(RED_FLAGS),
    st.integers(0, 60).map(lambda n: TODAY - timedelta(days=n)),
    min_size=1,
)


def _valid(day: date, said_yes: list[date]) -> bool:
    """The rule, said once more in the test's own words: on or after every yes (a day's
    grace), not after tomorrow, and at most 28 days ago."""
    grace = timedelta(days=1)
    recent = TODAY - timedelta(days=all_clear.MAX_AGE_DAYS) <= day <= TODAY + grace
    return recent and all(day >= yes - grace for yes in said_yes)


@given(standing=standing_maps, data=st.data())
def test_a_confirmed_check_clears_exactly_the_flags_it_names_when_its_day_is_valid(
    standing: dict[str, date], data: st.DataObject
) -> None:
    chosen = data.draw(st.lists(st.sampled_from(sorted(standing)), min_size=1, unique=True))
    day = TODAY - timedelta(days=data.draw(st.integers(-5, 70)))
    try:
        clear = all_clear.check(standing, chosen, day, " Dr  Lee ", confirmed=True, today=TODAY)
    except all_clear.AllClearRefused as refused:
        assert refused.field == "checked_on"
        assert not _valid(day, [standing[f] for f in chosen])
    else:
        assert _valid(day, [standing[f] for f in chosen])
        assert set(clear.flags) == set(chosen) and clear.checked_on == day
        assert clear.clinician == "Dr Lee"


@given(standing=standing_maps, other=st.sampled_from(RED_FLAGS))
def test_a_flag_that_does_not_stand_cannot_be_cleared(
    standing: dict[str, date], other: str
) -> None:
    if other in standing:
        return
    with pytest.raises(all_clear.AllClearRefused) as refused:
        all_clear.check(standing, [*standing, other], TODAY, "", confirmed=True, today=TODAY)
    assert refused.value.field == "flags"


@given(standing=standing_maps)
def test_nothing_is_cleared_unconfirmed_without_a_day_or_without_a_flag(
    standing: dict[str, date],
) -> None:
    flags = list(standing)
    cases: list[tuple[list[str], date | None, str, bool, str]] = [
        (flags, TODAY, "", False, "confirmed"),
        (flags, None, "", True, "checked_on"),
        ([], TODAY, "", True, "flags"),
        (flags, TODAY, "x" * (all_clear.MAX_CLINICIAN + 1), True, "clinician"),
    ]
    for chosen, day, who, confirmed, field in cases:
        with pytest.raises(all_clear.AllClearRefused) as refused:
            all_clear.check(standing, chosen, day, who, confirmed=confirmed, today=TODAY)
        assert refused.value.field == field


# ---- on the service: every flag, and every pair ---------------------------------------------


def _raise(services: service.Services, person: str, flags: list[str]) -> None:
    outcome = begin.answer(services, person, {**NO_ANSWERS, **dict.fromkeys(flags, True)})
    assert isinstance(outcome, begin.Referred) and set(outcome.standing) == set(flags)


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_after_an_all_clear_guidance_starts_and_a_new_yes_stands_again(
    services: service.Services, clock: FakeClock, flag: str
) -> None:
    me = service.person_id(services)
    raised = begin.begin(services, me, PAIN, {**NO_ANSWERS, flag: True})
    assert isinstance(raised, begin.Referred) and raised.standing == (flag,)
    assert begin.record_all_clear(services, me, [flag], TODAY, "Dr Lee", confirmed=True) is None
    assert begin.guard(services, me) is None
    started = begin.begin(services, me, PAIN)  # the same pain: the questions are not due
    assert isinstance(started, begin.Started) and started.session is not None
    # the audit log keeps the all-clear: the day, who and what
    with services.db() as db:
        (_at, who, action), *_ = accounts_repo.audit_of(db, me)
    assert who == "You" and "2026-01-05 by Dr Lee" in action
    assert QUESTIONS_BY_ID[flag].label in action
    # a worse pain asks again; a yes then stands again, and the first check does not cover it
    clock.advance(days=10)
    worse = begin.begin(services, me, {"lower_back_left": 9}, {**NO_ANSWERS, flag: True})
    assert isinstance(worse, begin.Referred) and worse.standing == (flag,)
    with pytest.raises(all_clear.AllClearRefused) as refused:
        begin.record_all_clear(services, me, [flag], TODAY, confirmed=True)
    assert refused.value.field == "checked_on"
    again = clock.current.date()
    assert begin.record_all_clear(services, me, [flag], again, confirmed=True) is None


def _pairs() -> Iterator[tuple[str, str]]:
    for i, first in enumerate(RED_FLAGS):
        for second in RED_FLAGS[i + 1 :]:
            yield first, second


def test_clearing_one_flag_leaves_the_other_standing(services: service.Services) -> None:
    for n, (first, second) in enumerate(_pairs()):
        person = service.person_id(services, f"pair-{n}")
        _raise(services, person, [first, second])
        still = begin.record_all_clear(services, person, [first], TODAY, confirmed=True)
        assert still is not None and still.standing == (second,), (first, second)


def test_an_all_clear_never_lifts_the_age_rule(services: service.Services) -> None:
    me = service.person_id(services)
    _raise(services, me, ["fever_or_unwell"])
    service.save_profile(services, me, Profile(age=15))
    still = begin.record_all_clear(services, me, ["fever_or_unwell"], TODAY, confirmed=True)
    assert still is not None and still.age and still.standing == ()


def test_a_refused_all_clear_changes_nothing(services: service.Services) -> None:
    me = service.person_id(services)
    _raise(services, me, ["fever_or_unwell"])
    old = TODAY - timedelta(days=all_clear.MAX_AGE_DAYS + 1)
    with pytest.raises(all_clear.AllClearRefused):
        begin.record_all_clear(services, me, ["fever_or_unwell"], old, confirmed=True)
    guard = begin.guard(services, me)
    assert guard is not None and guard.standing == ("fever_or_unwell",)


# ---- the page, the API and the terminal -----------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    with TestClient(app) as c:
        yield c


def _standing(client: TestClient) -> list[str]:
    standing: list[str] = client.get("/api/v1/screening").json()["standing"]
    return sorted(standing)


def test_the_referral_leads_to_the_all_clear_page(client: TestClient) -> None:
    flags = {"cancer_history": True, "unexplained_weight_loss": True}
    client.post("/api/v1/sessions", json={"pain": API_PAIN, "answers": {**NO_ANSWERS, **flags}})
    assert 'href="/screening/all-clear"' in client.get("/refer").text
    form = client.get("/screening/all-clear")
    assert form.status_code == 200
    assert 'value="cancer_history"' in form.text and 'value="unexplained_weight_loss"' in form.text
    assert 'value="fever_or_unwell"' not in form.text  # only what stands
    today = date.today().isoformat()
    unconfirmed = client.post(
        "/screening/all-clear",
        data={"flag": "cancer_history", "checked_on": today, "clinician": "Dr Lee"},
    )
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.text
    assert 'value="Dr Lee"' in unconfirmed.text  # what was typed is kept
    assert _standing(client) == sorted(flags)
    bad_day = client.post(
        "/screening/all-clear",
        data={"flag": "cancer_history", "checked_on": "30/11", "confirmed": "yes"},
    )
    assert bad_day.status_code == 422 and "like 2026-11-30" in bad_day.text
    one = client.post(
        "/screening/all-clear",
        data={"flag": "cancer_history", "checked_on": today, "confirmed": "yes"},
    )
    assert one.url.path == "/refer" and _standing(client) == ["unexplained_weight_loss"]
    assert "all-clear is recorded" in one.text  # said, above what still stands
    both = client.post(
        "/screening/all-clear",
        data={"flag": "unexplained_weight_loss", "checked_on": today, "confirmed": "yes"},
    )
    assert both.url.path == "/" and _standing(client) == []
    assert "all-clear is recorded" in both.text
    assert client.get("/screening/all-clear").url.path == "/"  # nothing left to clear


def _api(client: TestClient, **body: Any) -> Any:
    today = date.today().isoformat()
    payload = {"flags": ["fever_or_unwell"], "checked_on": today, "confirmed": True}
    return client.post("/api/v1/screening/all-clear", json={**payload, **body})


def test_the_api_records_an_all_clear_and_names_what_is_wrong(client: TestClient) -> None:
    answers = {**NO_ANSWERS, "fever_or_unwell": True}
    client.post("/api/v1/sessions", json={"pain": API_PAIN, "answers": answers})
    future = (date.today() + timedelta(days=3)).isoformat()
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"confirmed": False}, "confirmed"),
        ({"confirmed": "yes"}, "confirmed"),
        ({"checked_on": future}, "checked_on"),
        ({"flags": ["unexplained_weight_loss"]}, "flags"),
        ({"flags": ["no_such_flag"]}, "flags"),
    ]
    for body, field in wrong:
        refused = _api(client, **body)
        assert refused.status_code == 422, body
        assert field in refused.text, (body, refused.text)
    assert _standing(client) == ["fever_or_unwell"]
    done = _api(client, clinician="Dr Lee")
    assert done.status_code == 200 and done.json()["standing"] == []


def test_the_terminal_asks_what_was_checked_when_and_by_whom(
    services: service.Services,
) -> None:
    me = service.person_id(services)
    _raise(services, me, ["cancer_history", "fever_or_unwell"])
    asked: list[str] = []

    days = iter(["", "2026-02-01", "2025-12-20", "2026-01-05"])  # none, future, before the yes
    names = iter(["x" * (all_clear.MAX_CLINICIAN + 1), "Dr Lee"])  # too long, then fine

    def reply(prompt: str) -> str:
        asked.append(prompt)
        assert len(asked) < 20, asked  # every wrong answer is asked again, not forever
        if "check you for" in prompt:
            return "y" if QUESTIONS_BY_ID["cancer_history"].label in prompt else "n"
        if "day of the check" in prompt:
            return next(days)
        return next(names) if "Who checked" in prompt else "y"

    out = io.StringIO()
    term = Terminal(Console(file=out, width=80), reply, 0.0)
    still = ask_all_clear(term, services, me)
    assert still is not None and still.standing == ("fever_or_unwell",)
    text = " ".join(out.getvalue().split())
    assert "cannot be in the future" in text  # a wrong day is asked again, saying why
    assert "on or after 2026-01-05" in text and "Shorten the name" in text
    assert "`backpoints all-clear`" in text  # the referral still shown names the command
    with services.db() as db:
        assert "checked on 2026-01-05 by Dr Lee" in accounts_repo.audit_of(db, me)[0][2]


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_the_all_clear_is_in_the_persons_language(client: TestClient, lang: str) -> None:
    """Every text of the form and its refusals is translated (an English fallback fails)."""
    headers = {"Accept-Language": lang}
    answers = {**NO_ANSWERS, "cancer_history": True}
    client.post("/api/v1/sessions", json={"pain": API_PAIN, "answers": answers})
    form = client.get("/screening/all-clear", headers=headers)
    assert "A clinician's all-clear" not in form.text and 'value="cancer_history"' in form.text
    for data in [{}, {"flag": "cancer_history"}, {"flag": "cancer_history", "checked_on": "x"}]:
        refused = client.post("/screening/all-clear", data=data, headers=headers)
        assert refused.status_code == 422 and 'role="alert"' in refused.text
    api = client.post(
        "/api/v1/screening/all-clear",
        json={"flags": ["cancer_history"], "checked_on": "2000-01-01", "confirmed": True},
        headers=headers,
    )
    assert api.status_code == 422, api.text
    (detail,) = api.json()["detail"]
    assert detail["field"] == "checked_on" and "cover" not in detail["message"]  # not English


def test_an_all_clear_travels_in_a_backup(tmp_path: Path, services: service.Services) -> None:
    """The day and who are kept with the answer; a restore into a new diary keeps them, and
    a restored all-clear does not make a flag stand."""
    from backpoints.report import backup
    from backpoints.store import flags_repo

    me = service.person_id(services)
    _raise(services, me, ["cancer_history"])
    begin.record_all_clear(services, me, ["cancer_history"], TODAY, "Dr Lee", confirmed=True)
    path = tmp_path / "backup.json"
    backup.backup(services, path)
    other = service.Services(Settings(data_dir=tmp_path / "other"), clock=FakeClock())
    try:
        backup.restore(other, path)
        with other.conn() as db:
            (cleared,) = flags_repo.all_clears(db, service.person_id(other))
            assert flags_repo.standing_flags(db, service.person_id(other)) == []
    finally:
        other.close()
    assert (cleared.flag, cleared.checked_on, cleared.clinician) == (
        "cancer_history",
        TODAY,
        "Dr Lee",
    )


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_report_for_the_doctor_shows_the_all_clear(
    tmp_path: Path, services: service.Services, lang: str
) -> None:
    from backpoints.report import diary, pdf
    from tests.test_pdf import pdf_text

    me = service.person_id(services)
    begin.begin(services, me, PAIN, {**NO_ANSWERS, "cancer_history": True})
    begin.record_all_clear(services, me, ["cancer_history"], TODAY, "Dr Lee", confirmed=True)
    out = tmp_path / "report.pdf"
    with i18n.language(lang):
        pdf.write_report(services, out)
        label = i18n.gettext(diary.FLAG_LABELS["cancer_history"])
    text = pdf_text(out)
    said = text[text.index("Dr Lee") - 120 :]
    assert "2026-01-05" in said and label in said
    assert ("all-clear" in said) == (lang == "en")  # in the report's language
