"""Backup and restore on real SQLite: nothing lost, nothing doubled, bad files change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.orm import Session

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.clock import FakeClock
from backpoints.report import backup
from backpoints.settings import Settings
from backpoints.store import repo
from backpoints.store.engine import current_revision
from backpoints.store.models import Base
from tests.conftest import CliRun
from tests.test_export import Diary, build_diary

Dump = dict[str, list[str]]


def _services(data_dir: Path, catalog: Catalog, start: datetime | None = None) -> service.Services:
    clock = FakeClock(start) if start else FakeClock()
    return service.Services(Settings(data_dir=data_dir), catalog=catalog, clock=clock)


@pytest.fixture
def source(tmp_path: Path, catalog: Catalog) -> Iterator[service.Services]:
    s = _services(tmp_path / "source", catalog)
    yield s
    s.close()


@pytest.fixture
def target(tmp_path: Path, catalog: Catalog) -> Iterator[service.Services]:
    s = _services(tmp_path / "target", catalog, datetime(2026, 2, 20, 18, 0, tzinfo=UTC))
    yield s
    s.close()


@pytest.fixture
def diary(source: service.Services) -> Diary:
    return build_diary(source)


def _is_surrogate(table: Any, column: Any) -> bool:
    keys = list(table.primary_key.columns)
    return keys == [column] and isinstance(column.type, Integer)


def dump(services: service.Services) -> Dump:
    """Every row of every table, surrogate ids left out, as sorted canonical JSON."""
    services.open()
    out: Dump = {}
    with services.db() as db:
        for table in Base.metadata.sorted_tables:
            rows = []
            for row in db.execute(select(table)).mappings():
                kept = {k: v for k, v in row.items() if not _is_surrogate(table, table.c[k])}
                rows.append(json.dumps(kept, sort_keys=True, default=str))
            out[table.name] = sorted(rows)
    return out


def _total(d: Dump) -> int:
    """Rows a restore counts: the derived tallies are recounted, not restored."""
    return sum(len(rows) for table, rows in d.items() if table != "point_tallies")


def test_backup_file_has_every_table_and_plain_json_values(
    source: service.Services, diary: Diary, tmp_path: Path
) -> None:
    counts = backup.backup(source, tmp_path / "b.json")
    data = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert data["format"] == "backpoints-backup"
    assert source.engine is not None
    assert data["schema_version"] == current_revision(source.engine)
    every_table = {t.name for t in Base.metadata.sorted_tables}
    assert set(data["tables"]) == every_table - backup.NOT_BACKED_UP
    assert "login_sessions" in every_table  # open log-ins exist but never travel in a file
    assert counts == {name: len(rows) for name, rows in data["tables"].items()}
    assert len(data["tables"]["sessions"]) == len(diary.sessions)
    assert len(data["tables"]["ratings"]) == len(diary.ratings)
    assert len(data["tables"]["peg_checkins"]) == 1
    person = data["tables"]["people"][0]
    assert person["id"] == "local" and person["created_at"] == "2026-01-05T09:00:00+00:00"
    session = data["tables"]["sessions"][0]
    assert isinstance(session["state"], dict) and session["state"]["status"] == session["status"]
    assert [s["answers"]["flags"] for s in data["tables"]["screenings"]] == [
        [],
        ["fever_or_unwell"],
    ]


def test_round_trip_into_an_empty_database_loses_nothing(
    source: service.Services, target: service.Services, diary: Diary, tmp_path: Path
) -> None:
    backup.backup(source, tmp_path / "b.json")
    report = backup.restore(target, tmp_path / "b.json")
    before, after = dump(source), dump(target)
    assert after == before
    assert report.inserted == _total(before) and report.skipped == 0
    assert report.tables["ratings"] == backup.TableCount(len(diary.ratings), 0)
    assert service.history(target, "local") == service.history(source, "local")


def test_restoring_twice_adds_nothing(
    source: service.Services, target: service.Services, diary: Diary, tmp_path: Path
) -> None:
    backup.backup(source, tmp_path / "b.json")
    backup.restore(target, tmp_path / "b.json")
    once = dump(target)
    again = backup.restore(target, tmp_path / "b.json")
    assert dump(target) == once
    assert (again.inserted, again.skipped) == (0, _total(once))
    assert str(again) == f"Restored 0 new rows; skipped {_total(once)} already present."


def test_restoring_into_a_database_with_other_data_merges(
    source: service.Services, target: service.Services, diary: Diary, tmp_path: Path
) -> None:
    theirs = build_diary(target)  # the same person id, other sessions, overlapping row ids
    before = dump(target)
    backup.backup(source, tmp_path / "b.json")
    report = backup.restore(target, tmp_path / "b.json")
    merged = dump(target)
    mine = dump(source)
    for table, rows in merged.items():
        if table == "people":  # "local" exists in both: the target's row is kept
            assert rows == before["people"]
            continue
        if table == "point_tallies":  # recounted from both diaries' ratings
            continue
        assert sorted(before[table] + mine[table]) == rows, table
    assert report.tables["people"] == backup.TableCount(0, 1)
    assert report.tables["ratings"] == backup.TableCount(len(diary.ratings), 0)
    history = service.history(target, "local")
    assert {s.id for s in history} == set(diary.sessions) | set(theirs.sessions)
    ratings = sum(len(s.ratings) for s in history)
    assert ratings == len(diary.ratings) + len(theirs.ratings)
    with target.db() as db:
        tallies = repo.tallies(db, "local")
        assert sorted(tallies) == sorted(repo.counted_tallies(db, "local"))
    assert sum(tried for *_, tried in tallies) == ratings


def _valid_backup(source: service.Services) -> dict[str, Any]:
    return backup.backup_data(source)


def _with(data: dict[str, Any], table: str, index: int, **changes: Any) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(data))
    changed["tables"][table][index].update(changes)
    return changed


BAD_FILES: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "binary junk": lambda data: b"\x00\xff\x13 not a backup",
    "a CSV file": lambda data: b"session_id,started_at\r\nabc,2026-01-05\r\n",
    "foreign JSON": lambda data: json.dumps({"hello": "world"}).encode(),
    "a JSON list": lambda data: b"[1, 2, 3]",
    "truncated": lambda data: backup.to_json(data).encode()[: len(backup.to_json(data)) // 2],
    "deeply nested": lambda data: b"[" * 100_000,
    "newer schema": lambda data: backup.to_json({**data, "schema_version": "9999"}).encode(),
    "unknown table": lambda data: backup.to_json(
        {**data, "tables": {**data["tables"], "mystery": []}}
    ).encode(),
    "bad pain value": lambda data: backup.to_json(
        _with(data, "ratings", -1, pain_after="lots")
    ).encode(),
    "naive datetime": lambda data: backup.to_json(
        _with(data, "sessions", -1, started_at="2026-01-05T09:00:00")
    ).encode(),
    "missing column": lambda data: backup.to_json(
        {
            **data,
            "tables": {
                **data["tables"],
                "ratings": [
                    {k: v for k, v in r.items() if k != "n"} for r in data["tables"]["ratings"]
                ],
            },
        }
    ).encode(),
    # Passes every check of the file, fails in the database (a rating of a session that does
    # not exist): the rows inserted before it must be rolled back.
    "dangling reference": lambda data: backup.to_json(
        _with(data, "ratings", -1, session_id="no-such-session", n=99)
    ).encode(),
}

MESSAGES = {
    "binary junk": "not valid JSON",
    "a CSV file": "not valid JSON",
    "foreign JSON": "not a backpoints backup",
    "a JSON list": "not a backpoints backup",
    "truncated": "not valid JSON",
    "deeply nested": "not valid JSON",
    "newer schema": "newer backpoints",
    "unknown table": "'mystery'",
    "bad pain value": "ratings row",
    "naive datetime": "bad started_at",
    "missing column": "has no n",
    "dangling reference": "does not fit this database",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_is_refused_and_changes_nothing(
    kind: str, source: service.Services, target: service.Services, diary: Diary, tmp_path: Path
) -> None:
    data = _valid_backup(source)
    build_diary(target)
    path = tmp_path / "bad.json"
    path.write_bytes(BAD_FILES[kind](data))
    before = dump(target)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(target, path)
    message = str(refused.value)
    assert MESSAGES[kind] in message
    assert "\n" not in message and message.endswith("Nothing was changed.")
    assert dump(target) == before


def test_a_missing_file_is_one_clear_error(target: service.Services, tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="Cannot read .*nothing.json"):
        backup.restore(target, tmp_path / "nothing.json")


def test_an_older_schema_is_accepted(
    source: service.Services, target: service.Services, diary: Diary
) -> None:
    data = _valid_backup(source)
    older = {**data, "schema_version": "0002", "tables": dict(data["tables"])}
    del older["tables"]["peg_checkins"]  # the 0003 table did not exist yet
    report = backup.restore_bytes(target, backup.to_json(older).encode())
    assert report.tables["peg_checkins"] == backup.TableCount(0, 0)
    assert report.tables["sessions"].inserted == len(diary.sessions)


def test_match_columns_use_natural_keys_for_numbered_tables() -> None:
    tables = Base.metadata.tables
    assert backup.match_columns(tables["ratings"]) == ("session_id", "n")
    assert backup.match_columns(tables["steps"]) == ("session_id", "n")
    assert backup.match_columns(tables["pain_entries"]) == ("session_id", "region")
    assert backup.match_columns(tables["screenings"]) == ("person_id", "at")
    assert backup.match_columns(tables["sessions"]) == ("id",)
    peg = backup.match_columns(tables["peg_checkins"])  # no natural key declared: all but id
    assert "id" not in peg and {"person_id", "at", "pain"} <= set(peg)


# ---- CLI ------------------------------------------------------------------------------------


def test_cli_backup_and_restore(
    run_cli: CliRun, source: service.Services, diary: Diary, tmp_path: Path
) -> None:
    backup.backup(source, tmp_path / "b.json")
    result = run_cli("restore", str(tmp_path / "b.json"))  # into the fixture's own data dir
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Restored {_total(dump(source))} new rows (people 1, ")
    result = run_cli("backup", str(tmp_path / "again.json"))
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip() == f"Backed up {_total(dump(source))} rows to {tmp_path}/again.json."
    )
    again = json.loads((tmp_path / "again.json").read_text("utf-8"))

    def no_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "id"} for r in rows]

    assert no_ids(again["tables"]["ratings"]) == no_ids(_valid_backup(source)["tables"]["ratings"])
    result = run_cli("restore", str(tmp_path / "again.json"))
    assert result.stdout.strip().startswith("Restored 0 new rows;")


def test_cli_restore_of_a_bad_file_is_one_line_and_exit_2(run_cli: CliRun, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"format": "something-else"}', "utf-8")
    result = run_cli("restore", str(tmp_path / "x.json"))
    assert result.returncode == 2
    assert result.stderr == (
        'error: This file is not a backpoints backup (no "format": "backpoints-backup"). '
        "Nothing was changed.\n"
    )


def test_cli_backup_into_a_missing_folder_is_one_line(run_cli: CliRun, tmp_path: Path) -> None:
    result = run_cli("backup", str(tmp_path / "nowhere" / "b.json"))
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path}/nowhere/b.json: No such file or directory.\n"
    assert not (tmp_path / "nowhere").exists()


def test_references_to_renumbered_rows_follow_their_new_ids(tmp_path: Path) -> None:
    """A future table pointing at a numbered row must point at that row's new id."""
    meta = MetaData()
    notes = Table(
        "notes",
        meta,
        Column("id", Integer, primary_key=True),
        Column("text", String(20), nullable=False),
    )
    tags = Table(
        "tags",
        meta,
        Column("id", Integer, primary_key=True),
        Column("note_id", ForeignKey("notes.id"), nullable=False),
        Column("tag", String(20), nullable=False),
    )
    engine = create_engine(f"sqlite:///{tmp_path / 'synthetic.sqlite3'}")
    meta.create_all(engine)
    with Session(engine) as db:
        db.execute(notes.insert().values(text="already here"))  # takes id 1
        backed_up = {
            "notes": [{"id": 1, "text": "from backup"}, {"id": 2, "text": "already here"}],
            "tags": [{"id": 1, "note_id": 1, "tag": "mine"}, {"id": 2, "note_id": 2, "tag": "x"}],
        }
        report = backup.merge_rows(db, backed_up, meta.sorted_tables)
        db.commit()
        joined = db.execute(
            tags.select().with_only_columns(notes.c.text, tags.c.tag).join_from(tags, notes)
        ).all()
    engine.dispose()
    assert sorted(map(tuple, joined)) == [("already here", "x"), ("from backup", "mine")]
    assert report.tables["notes"] == backup.TableCount(1, 1)
    assert report.tables["tags"] == backup.TableCount(2, 0)
