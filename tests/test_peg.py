"""The PEG weekly check-in: validation, score, storage on real SQLite, the migration, the CLI."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from backpoints.app import service
from backpoints.core.clock import FakeClock
from backpoints.report import peg
from backpoints.settings import Settings
from backpoints.store.engine import alembic_config, current_revision, make_engine, upgrade
from tests.conftest import invoke_cli


def run_backpoints(
    data_dir: Path, *args: str, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`backpoints ARGS` on its own data dir (in this process, see `tests.conftest`)."""
    return invoke_cli(data_dir, *args, input=input, columns=120)


def test_score_is_the_mean_of_the_three_items_to_one_decimal() -> None:
    assert peg.answers(6, 5, 4).score == 5.0
    assert peg.answers(7, 5, 4).score == 5.3
    assert peg.answers("10", "10", "9").score == 9.7
    assert peg.answers(0, 0, 0).score == 0.0


@pytest.mark.parametrize("bad", ["11", "-1", "5.5", "", " ", "five", "٣", None, True, 11, -3, 2.0])
def test_answers_outside_0_to_10_are_refused_naming_the_field(bad: object) -> None:
    with pytest.raises(peg.InvalidPegAnswer) as caught:
        peg.answers(5, bad, 5)
    assert caught.value.field == "enjoyment"
    assert "Enjoyment of life" in str(caught.value) and "0 to 10" in str(caught.value)


def test_checkins_are_stored_and_listed_oldest_first_within_a_period(
    services: service.Services, clock: FakeClock
) -> None:
    me = service.person_id(services)
    for level in (8, 6, 4):
        peg.record(services, me, peg.answers(level, level, level - 1))
        clock.advance(days=7)
    everything = peg.history(services, me)
    assert [c.answers.pain for c in everything] == [8, 6, 4]
    assert [c.score for c in everything] == [7.7, 5.7, 3.7]
    assert [c.at.date() for c in everything] == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
    ]
    middle = peg.history(services, me, date(2026, 1, 12), date(2026, 1, 12))
    assert [c.answers.pain for c in middle] == [6]
    assert peg.history(services, "somebody-else") == []


def test_migration_0003_adds_the_table_and_can_be_undone(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path / "data"))
    upgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    assert "peg_checkins" in inspect(engine).get_table_names()
    command.downgrade(alembic_config(engine), "0002")
    assert current_revision(engine) == "0002"
    assert "peg_checkins" not in inspect(engine).get_table_names()
    engine.dispose()


def test_cli_records_a_checkin_from_options_and_compares_with_the_last(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_backpoints(data, "peg", "--pain", "6", "--enjoyment", "5", "--activity", "4")
    assert first.returncode == 0, first.stderr
    assert "PEG score 5.0" in first.stdout and "Last time" not in first.stdout
    second = run_backpoints(data, "peg", "--pain", "3", "--enjoyment", "3", "--activity", "4")
    assert "PEG score 3.3" in second.stdout and ": 5.0." in second.stdout


def test_cli_refuses_a_bad_option_in_one_line_with_exit_2(tmp_path: Path) -> None:
    result = run_backpoints(tmp_path / "d", "peg", "--pain", "12", "--enjoyment", "1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: Average pain (pain): give a whole number from 0 to 10."
    ]
    assert "Traceback" not in result.stderr


def test_cli_asks_for_missing_answers_until_they_are_valid(tmp_path: Path) -> None:
    result = run_backpoints(tmp_path / "d", "peg", "--pain", "7", input="x\n42\n6\n5\n")
    assert result.returncode == 0, result.stderr
    assert "interfered with your enjoyment of life" in result.stdout
    assert result.stderr.count("give a whole number from 0 to 10") == 2
    assert "PEG score 6.0 (average pain 7, enjoyment of life 6, general activity 5)" in (
        result.stdout
    )
