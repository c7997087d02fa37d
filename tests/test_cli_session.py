"""The terminal session, history and insights, driven through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRun

NO_FLAGS = "n\n" * 17


def test_first_session_screens_then_guides_until_relief(run_cli: CliRun) -> None:
    # screening, then: start step 1 -> no change; skip step 2; start step 3 -> relief
    answers = NO_FLAGS + "\n6\ns\n\n3\n"
    result = run_cli("session", "--pain", "lower_back_left=6", input=answers)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Safety first") < out.index("Step 1:")
    assert "Step 3:" in out
    assert "Ten seconds left." in out
    assert "\a" in out
    assert "Lower back, left: 6 → 3" in out

    listed = json.loads(run_cli("history", "--json").stdout)
    [session] = listed
    assert session["status"] == "relieved"
    assert session["pain"] == {"lower_back_left": 6}
    assert [r["pain_after"] for r in session["ratings"]] == [6, 3]

    found = json.loads(run_cli("insights", "--json").stdout)
    helped = {i["point_id"]: i["helped"] for i in found}
    assert sorted(helped.values()) == [0, 1]
    assert session["ratings"][1]["point_id"] in {k for k, v in helped.items() if v == 1}


def test_a_red_flag_refers_and_shows_no_point(run_cli: CliRun) -> None:
    answers = "y\n" + "n\n" * 16
    result = run_cli("session", "-p", "sacrum=7", input=answers)
    assert result.returncode == 0, result.stderr
    assert "emergency" in result.stdout.lower()
    assert "Step 1" not in result.stdout
    [session] = json.loads(run_cli("history", "--json").stdout)
    assert session["status"] == "refer"
    assert session["urgency"] == "emergency"


def test_screening_is_not_repeated_for_the_same_pain(run_cli: CliRun) -> None:
    run_cli("session", "-p", "neck=4", input=NO_FLAGS + "q\n")
    again = run_cli("session", "-p", "neck=4", input="q\n")
    assert again.returncode == 0, again.stderr
    assert "Safety first" not in again.stdout
    assert "Stopped" in again.stdout


def test_bad_pain_input_is_one_clear_line(run_cli: CliRun) -> None:
    result = run_cli("session", "-p", "lower_back=6")
    assert result.returncode == 2
    assert "lower_back_left" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("session", "-p", "neck=11")
    assert result.returncode == 2
    assert "0 to 10" in result.stderr


def test_interactive_pain_map_and_retry_on_nonsense(run_cli: CliRun) -> None:
    answers = "99\n1\nlots\n5\n\n" + NO_FLAGS + "q\n"
    result = run_cli("session", input=answers)
    assert result.returncode == 0, result.stderr
    assert "type a number from 1 to 13" in result.stdout
    assert "whole number from 0 to 10" in result.stdout
    [session] = json.loads(run_cli("history", "--json").stdout)
    assert session["pain"] == {"neck": 5}
    assert session["status"] == "stopped"


def test_end_of_input_stops_cleanly_and_keeps_the_rating(run_cli: CliRun) -> None:
    # one rated step, then the input ends while the next step waits
    result = run_cli(
        "session", "--region", "scapula_right", "--intensity", "5", input=NO_FLAGS + "\n5\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Stopped" in result.stdout
    [session] = json.loads(run_cli("history", "--json").stdout)
    assert session["status"] == "stopped"
    assert [r["pain_after"] for r in session["ratings"]] == [5]


def test_the_step_shows_the_point_on_the_map(run_cli: CliRun) -> None:
    result = run_cli("session", "-r", "neck", "-i", "4", input=NO_FLAGS + "q\n")
    assert "your left on the left" in result.stdout
    assert "marked 1" in result.stdout


def test_region_and_intensity_must_pair_up(run_cli: CliRun) -> None:
    result = run_cli("session", "-r", "neck", "-r", "sacrum", "-i", "4")
    assert result.returncode == 2
    assert "--intensity" in result.stderr


def test_a_routine_runs_end_to_end_in_the_terminal(run_cli: CliRun) -> None:
    listed = run_cli("routine")
    assert "partner-whole-back" in listed.stdout and "a partner" in listed.stdout
    answers = NO_FLAGS + "7\n" + "\n" * 6 + "4\n"
    result = run_cli("routine", "desk-neck-shoulders", input=answers)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Safety first") < out.index("Step 1:") < out.index("Step 6:")
    assert out.count("\a") == 6
    assert "Routine completed. Stress 7 → 4." in out


def test_routine_files_export_and_import(run_cli: CliRun, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    assert run_cli("routine", "foam-roller", "--export", str(target)).returncode == 0
    data = json.loads(target.read_text())
    data["id"], data["name"] = "my-roller", "My roller"
    target.write_text(json.dumps(data))
    imported = run_cli("routine", "--import", str(target))
    assert imported.returncode == 0 and "my-roller" in imported.stdout
    assert "my-roller" in run_cli("routine").stdout
    target.write_text("{nope")
    refused = run_cli("routine", "--import", str(target))
    assert refused.returncode == 2 and "not JSON" in refused.stderr


def test_tools_library(run_cli: CliRun) -> None:
    result = run_cli("tools", "foam_roller")
    assert "Rolling the lower back" in result.stdout and "5 to 7" in result.stdout
    assert run_cli("tools", "hammer").returncode == 2


def test_build_a_routine_in_the_terminal(run_cli: CliRun) -> None:
    built = run_cli("routine", "Quick back", "--point", "BL23", "--point", "GV4", "--seconds", "60")
    assert built.returncode == 0, built.stderr
    assert "my-quick-back" in built.stdout
    listed = run_cli("routine").stdout
    assert "my-quick-back" in listed
    bad = run_cli("routine", "Nope", "--point", "BL99")
    assert bad.returncode == 2 and "BL99" in bad.stderr


def test_the_two_click_bypass_is_gone_in_the_terminal(
    run_cli: CliRun, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BACKPOINTS_EMERGENCY_NUMBER", "999")
    first = run_cli("session", "-p", "lower_back_left=6", input="y\n" + "n\n" * 16)
    assert first.returncode == 0, first.stderr
    assert "Get medical help now" in first.stdout and "Call 999" in first.stdout
    assert "or your local emergency number" in first.stdout
    assert "Step 1" not in first.stdout
    # the same pain again, a routine and the scan: the referral straight away, no step
    again = run_cli("session", "-p", "lower_back_left=6", input="\n" * 20)
    routine = run_cli("routine", "desk-neck-shoulders", input="5\n" + "\n" * 20)
    scan = run_cli("scan", input="L3\n5\n" + "\n" * 20)
    for result in (again, routine, scan):
        assert result.returncode == 0, result.stderr
        assert "Get medical help now" in result.stdout
        assert "Step " not in result.stdout and "Saved:" not in result.stdout
        assert "Safety first" not in result.stdout
        assert "backpoints screening" in result.stdout
    chart = run_cli("chart", "--pdf", str(tmp_path / "chart.pdf"))
    assert chart.returncode == 1 and "Get medical help now" in chart.stdout
    assert not (tmp_path / "chart.pdf").exists()
    statuses = [s["status"] for s in json.loads(run_cli("history", "--json").stdout)]
    assert statuses == ["refer", "refer"]
    # the way back asks every question; all "no" clears the flag and the session starts
    cleared = run_cli("screening", input="n\n" * 17)
    assert cleared.stdout.count("[y/n]") == 17 and "no red flag stands now" in cleared.stdout
    started = run_cli("session", "-p", "lower_back_left=6", input="q\n")
    assert "Step 1" in started.stdout


def test_history_and_insights_speak_the_terminals_language(
    run_cli: CliRun, run_real: CliRun
) -> None:
    """Headers, outcomes and point names in Spanish; nothing left in English."""
    run_cli("session", "--pain", "lower_back_left=6", input="n\n" * 17 + "\n3\n")
    spanish = {"LANG": "es_ES.UTF-8", "COLUMNS": "160"}
    history = " ".join(run_real("history", env=spanish).stdout.split())
    assert "Cuándo" in history and "Qué" in history and "Alivio" in history, history
    assert "outcome" not in history.lower() and "relieved" not in history.lower()
    insights = " ".join(run_real("insights", env=spanish).stdout.split())
    assert "Zona lumbar" in insights and " of " not in insights, insights
    from backpoints.i18n.points import localized_catalog

    [session] = json.loads(run_cli("history", "--json").stdout)
    point = session["ratings"][0]["point_id"]
    spanish_name = localized_catalog("es").get(point).display_name
    assert spanish_name in history and spanish_name in insights  # the point's Spanish name
