"""Per-account data in server mode, on SQLite and PostgreSQL: a backup holds only the caller's
diary, a restore writes only into it (forged care links, accounts, log-ins, audit entries and
other people's sessions have no effect), every record is checked against the same ranges as
the API, backups and restores are audited, and reports are the caller's own."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backpoints.core.records import RECORDS
from backpoints.settings import Settings
from backpoints.store import backup_repo
from backpoints.store.models import Base
from backpoints.web.app import create_app
from tests.isolation_world import (
    ANN_EMAIL,
    ROUTINE_NAME,
    Visitor,
    World,
    build_world,
    register,
)

Doc = dict[str, Any]


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    app = create_app(settings.model_copy(update={"server_mode": True}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield build_world(client)


def everything(world: World) -> str:
    """Every row of every table but the audit log, as canonical JSON."""
    with world.services.db() as db:
        found = {
            t.name: sorted(
                json.dumps(dict(r), sort_keys=True, default=str)
                for r in db.execute(select(t)).mappings()
            )
            for t in Base.metadata.sorted_tables
            if t.name != "audit_log"
        }
    return json.dumps(found, sort_keys=True)


def audit(world: World, who: Visitor) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = world.client.get("/api/v1/care/audit", headers=who.auth).json()
    return found


def restore(world: World, who: Visitor, doc: Doc | bytes) -> Any:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    files = {"file": ("backup.json", raw, "application/json")}
    return world.client.post("/restore", files=files, headers=who.auth, follow_redirects=False)


def ann_backup(world: World) -> Doc:
    doc: Doc = json.loads(world.backup)
    return doc


# ---- backup ----------------------------------------------------------------------------------


def test_a_backup_holds_only_the_callers_diary(world: World) -> None:
    doc = ann_backup(world)
    tables = doc["tables"]
    assert doc["scope"] == "person"
    assert set(tables) == set(backup_repo.DIARY)
    text = json.dumps(doc)
    for foreign in (world.bob.id, world.tess.id, world.theo.id, "argon2", world.bob.email):
        assert foreign not in text
    with world.services.db() as db:
        mine = backup_repo.diary_rows(db, world.ann.id)
    assert {name: len(rows) for name, rows in tables.items()} == {
        name: len(rows) for name, rows in mine.items()
    }
    assert tables["people"] == [
        {"id": world.ann.id, "created_at": tables["people"][0]["created_at"],
         "profile": tables["people"][0]["profile"]}
    ]  # fmt: skip
    for name, column in backup_repo.DIARY.items():
        if column is not None:
            assert {row[column] for row in tables[name]} <= {world.ann.id}, name
    assert len(tables["sessions"]) == 7 and len(tables["ratings"]) == 1
    assert len(tables["routine_runs"]) == 2 and len(tables["found_spots"]) == 1
    assert tables["custom_routines"][0]["routine"]["name"] == ROUTINE_NAME
    assert "password" not in text and ANN_EMAIL not in text


def test_every_table_is_either_a_diary_table_or_never_in_one() -> None:
    names = {t.name for t in Base.metadata.sorted_tables}
    assert set(backup_repo.DIARY) | backup_repo.NOT_DIARY == names
    assert not set(backup_repo.DIARY) & backup_repo.NOT_DIARY
    assert set(RECORDS) == set(backup_repo.DIARY)  # every diary row has a model


def test_a_person_with_no_diary_gets_an_empty_backup(world: World) -> None:
    carol = register(world.client, "carol.new@example.org")
    doc = world.client.get("/backup.json", headers=carol.auth).json()
    assert [r["id"] for r in doc["tables"]["people"]] == [carol.id]
    assert all(rows == [] for name, rows in doc["tables"].items() if name != "people")


# ---- restore: attacks ------------------------------------------------------------------------


def _forged(world: World) -> dict[str, Callable[[Doc], Doc]]:
    """Files Bob might forge from Ann's backup; the name says what each tries."""
    ann, bob, tess = world.ann.id, world.bob.id, world.tess.id
    now = "2026-01-01T00:00:00+00:00"

    def add(table: str, *rows: dict[str, Any]) -> Callable[[Doc], Doc]:
        def change(doc: Doc) -> Doc:
            doc["tables"][table] = [*doc["tables"].get(table, []), *rows]
            return doc

        return change

    def rating_in_anns_session(doc: Doc) -> Doc:
        rating = copy.deepcopy(doc["tables"]["ratings"][0])
        rating.update(session_id=world.done_session, n=9, person_id=bob)
        doc["tables"]["ratings"].append(rating)
        return doc

    return {
        "a care link giving Bob Ann's consent": add(
            "care_links",
            {
                "id": "forged",
                "therapist_id": bob,
                "client_id": ann,
                "code_hash": "x" * 64,
                "status": "active",
                "created_at": now,
            },  # fmt: skip
        ),
        "a therapist account": add(
            "accounts",
            {
                "id": bob,
                "email": "evil@example.org",
                "password_hash": "$argon2id$x",
                "role": "therapist",
                "created_at": now,
            },  # fmt: skip
        ),
        "a log-in as Ann": add(
            "login_sessions",
            {
                "token_hash": "f" * 64,
                "account_id": ann,
                "csrf_token": "x",
                "created_at": now,
                "expires_at": "2099-01-01T00:00:00+00:00",
            },  # fmt: skip
        ),
        "an audit entry": add(
            "audit_log", {"client_id": ann, "therapist_id": tess, "at": now, "action": "nothing"}
        ),
        "a routine from a therapist": add(
            "routines",
            {
                "therapist_id": tess,
                "client_id": ann,
                "plan": {"points": ["BL23"]},
                "created_at": now,
                "active": True,
            },  # fmt: skip
        ),
        "a rating inside Ann's real session": rating_in_anns_session,
        "a second person's diary": add(
            "people", {"id": "someone-else", "created_at": now, "profile": {}}
        ),
        "a table this version does not know": add("mystery", {"x": 1}),
    }


def test_forged_restores_are_refused_and_change_nothing(world: World) -> None:
    for attack, forge in _forged(world).items():
        before, bob_audit = everything(world), len(audit(world, world.bob))
        response = restore(world, world.bob, forge(ann_backup(world)))
        assert response.status_code == 422, (attack, response.status_code)
        assert "Nothing was changed." in response.text, attack
        assert everything(world) == before, attack
        entries = audit(world, world.bob)
        assert len(entries) == bob_audit + 1, attack
        assert entries[0]["therapist"] == "You"
        assert entries[0]["action"].startswith("tried to restore a backup, refused:"), attack
    assert world.client.get(f"/api/v1/clients/{world.ann.id}/history",
                            headers=world.bob.auth).status_code == 404  # fmt: skip


def test_a_restore_of_anns_diary_lands_only_in_bobs(world: World) -> None:
    """Ann's real ids and her person id in the file: Bob gets copies with ids of his own."""
    ann_before = _person_rows(world, world.ann)
    response = restore(world, world.bob, ann_backup(world))
    assert response.status_code == 303, response.text
    assert _person_rows(world, world.ann) == ann_before
    bob = _person_rows(world, world.bob)
    ann_ids = {row["id"] for row in ann_before["sessions"]}
    assert len(bob["sessions"]) == len(ann_ids) and not {r["id"] for r in bob["sessions"]} & ann_ids
    for name, column in backup_repo.DIARY.items():
        if column is not None:
            assert {row[column] for row in bob[name]} <= {world.bob.id}, name
    by_session = {r["id"]: r for r in bob["sessions"]}
    assert {r["session_id"] for r in bob["ratings"]} <= set(by_session)
    assert bob["people"][0]["profile"] == ann_before["people"][0]["profile"]  # his was empty
    again = restore(world, world.bob, ann_backup(world))
    assert again.headers["location"].startswith("/data?restored=0&")
    assert _person_rows(world, world.bob) == bob
    actions = [a["action"] for a in audit(world, world.bob)]
    first = f"restored a backup ({_total(bob)} new rows)"
    assert actions[:2] == ["restored a backup (0 new rows)", first]


def _person_rows(world: World, who: Visitor) -> dict[str, list[dict[str, Any]]]:
    with world.services.db() as db:
        rows = backup_repo.diary_rows(db, who.id)
    return json.loads(json.dumps(rows, default=str))  # type: ignore[no-any-return]


def _total(rows: dict[str, list[dict[str, Any]]]) -> int:
    return sum(len(r) for name, r in rows.items() if name != "people") + 1


def test_backups_and_restores_are_in_the_audit_log(world: World) -> None:
    entries = audit(world, world.ann)
    assert entries[0]["therapist"] == "You"
    assert entries[0]["action"].startswith("downloaded a backup of your diary (")
    assert restore(world, world.ann, ann_backup(world)).status_code == 303
    assert audit(world, world.ann)[0]["action"] == "restored a backup (0 new rows)"
    assert audit(world, world.bob) == []  # nothing of Ann's shows in Bob's log


# ---- one validation: every ranged field of every record, out of range ------------------------


def _ranged_fields() -> list[tuple[str, str, int]]:
    """(table, field, an out-of-range value) for every bounded number of every record."""
    found = []
    for table, model in RECORDS.items():
        for name, info in model.model_fields.items():
            for meta in _constraints(info):
                low, high = getattr(meta, "ge", None), getattr(meta, "le", None)
                if low is not None:
                    found.append((table, name, int(low) - 1))
                if high is not None:
                    found.append((table, name, int(high) + 1))
    return found


def _constraints(info: Any) -> list[Any]:
    """A field's constraints, also those inside an optional type (`PainLevel | None`)."""
    found = list(info.metadata)
    for arg in get_args(info.annotation):
        for part in get_args(arg)[1:] if get_origin(arg) is Annotated else ():
            found += getattr(part, "metadata", [part])
    return found


RANGED = _ranged_fields()


def test_the_ranges_are_the_apis() -> None:
    from backpoints.core import records
    from backpoints.web import schemas

    # the same range, the API's reading strict on top (a whole JSON number only)
    assert get_args(schemas.Intensity)[: len(get_args(records.PainLevel))] == get_args(
        records.PainLevel
    )
    assert ("ratings", "pain_after", 11) in RANGED and ("peg_checkins", "pain", -1) in RANGED
    assert ("found_spots", "tenderness", 0) in RANGED
    assert ("routine_runs", "stress_after", 11) in RANGED  # optional fields too


def _row_with(doc: Doc, table: str, field: str, value: Any) -> Doc:
    changed = copy.deepcopy(doc)
    rows = changed["tables"][table]
    assert rows, f"the test diary has no {table}"
    rows[0][field] = value
    return changed


def test_out_of_range_values_are_refused_naming_row_and_field(world: World) -> None:
    doc = ann_backup(world)
    for table, field, value in RANGED:
        before = everything(world)
        response = restore(world, world.bob, _row_with(doc, table, field, value))
        assert response.status_code == 422, (table, field, value)
        assert f"{table} row 1 has a bad {field}" in response.text, (table, field, response.text)
        assert everything(world) == before, (table, field)


NESTED_BAD: dict[str, tuple[str, Callable[[Doc], None], str]] = {
    "pain 42 in a session's state": (
        "sessions",
        lambda row: row["state"]["regions"][0].update(pain_start=42),
        "sessions row 1 has a bad state.regions.0.pain_start",
    ),
    "pain 42 in a screening's answers": (
        "screenings",
        lambda row: row["answers"]["pain"].update(neck=42),
        "screenings row 1 has a bad answers.pain.neck",
    ),
    "stress 42 in a routine run's state": (
        "routine_runs",
        lambda row: row["state"].update(stress_before=42),
        "routine_runs row 1 has a bad state.stress_before",
    ),
    "a routine step of 999 seconds": (
        "custom_routines",
        lambda row: row["routine"]["steps"][0].update(duration_s=999),
        "custom_routines row 1 has a bad routine.steps.0.duration_s",
    ),
    "a height of 9 m in the profile": (
        "people",
        lambda row: row["profile"].update(stature_cm=900),
        "people row 1 has a bad profile.stature_cm",
    ),
}


@pytest.mark.parametrize("kind", list(NESTED_BAD))
def test_nested_values_are_checked_too(world: World, kind: str) -> None:
    _assert_refused_unchanged(world, *NESTED_BAD[kind])


def _assert_refused_unchanged(
    world: World, table: str, change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    """Bob restores Ann's backup with one row changed: 422 naming it, and nothing changed."""
    doc = ann_backup(world)
    change(doc["tables"][table][0])
    before = everything(world)
    response = restore(world, world.bob, doc)
    assert response.status_code == 422 and message in response.text, response.text
    assert everything(world) == before


# ---- reports per account ---------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_reports_and_charts_are_the_callers_own(world: World, tmp_path: Path) -> None:
    client = world.client
    ann = pdf_text(client.get("/report.pdf", headers=world.ann.auth).content, tmp_path)
    bob = pdf_text(client.get("/report.pdf", headers=world.bob.auth).content, tmp_path)
    assert "Sessions: 7;" in ann and "PEG score: 5.0" in ann
    assert "Sessions: none." in bob and "PEG" not in bob.split("Sessions")[1][:200]
    ann_chart = pdf_text(client.get("/chart.pdf", headers=world.ann.auth).content, tmp_path)
    bob_chart = pdf_text(client.get("/chart.pdf", headers=world.bob.auth).content, tmp_path)
    assert "The points that helped" in ann_chart and "Suggested starting points" in bob_chart
    csv_bob = client.get("/export/ratings.csv", headers=world.bob.auth).text
    assert csv_bob.strip().count("\n") == 0  # the header only
    fhir_bob = client.get("/export/fhir.json", headers=world.bob.auth).json()
    assert [e["resource"]["resourceType"] for e in fhir_bob["entry"]] == ["Patient"]
    assert client.get("/api/v1/history", headers=world.bob.auth).json() == []


def test_a_value_out_of_range_in_the_database_is_never_exported(world: World) -> None:
    """A pain of 42 that got into the database by other means: the FHIR export refuses."""
    with world.services.db() as db:
        row = backup_repo.diary_rows(db, world.ann.id)["ratings"][0]
        db.execute(backup_repo.tables(["ratings"])[0].update().values(pain_after=42))
        db.commit()
    assert row["pain_after"] != 42
    response = world.client.get("/export/fhir.json", headers=world.ann.auth)
    assert response.status_code == 422
    assert "72514-3 = 42, outside 0-10" in response.text
    assert "Observation" not in response.text


HOSTILE: dict[str, tuple[str, Callable[[dict[str, Any]], None], str]] = {
    "a NUL in a key of the answers": (
        "screenings",
        lambda row: row["answers"]["pain"].update({"neck\x00": 3}),
        "answers.pain.neck?",
    ),
    "an id beyond 64 bits": ("ratings", lambda row: row.update(id=2**70), "bad id"),
    "a routine with a built-in routine's id": (
        "custom_routines",
        lambda row: _named_like_a_builtin(row),
        "is the id of a built-in routine",
    ),
    "a session of a person the file does not hold": (
        "sessions",
        lambda row: row.update(person_id="somebody-else"),
        "the diaries of 2 people",
    ),
}
BUILTIN_ID = "desk-neck-shoulders"


def _named_like_a_builtin(row: dict[str, Any]) -> None:
    row["routine_id"] = row["routine"]["id"] = BUILTIN_ID


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_files_are_refused_in_one_line(world: World, kind: str) -> None:
    _assert_refused_unchanged(world, *HOSTILE[kind])
    logged = audit(world, world.bob)[0]["action"]
    assert logged.startswith("tried to restore a backup, refused:") and "\x00" not in logged


def test_a_new_account_restoring_its_own_empty_backup_adds_nothing(world: World) -> None:
    carol = register(world.client, "carol.empty@example.org")
    raw = world.client.get("/backup.json", headers=carol.auth).content
    assert restore(world, carol, raw).headers["location"] == "/data?restored=0&skipped=1"
    assert [a["action"] for a in audit(world, carol)][:2] == [
        "restored a backup (0 new rows)",
        "downloaded a backup of your diary (1 row)",
    ]


def test_server_mode_has_no_shared_local_person(tmp_path: Path) -> None:
    """The old fallback that put every account's report on one person `local` is gone."""
    from backpoints.app import service
    from backpoints.core.errors import BackpointsError

    services = service.Services(Settings(data_dir=tmp_path / "data", server_mode=True))
    try:
        with pytest.raises(BackpointsError, match="belongs to an account"):
            service.person_id(services)
        with services.db() as db:
            assert db.execute(select(Base.metadata.tables["people"])).all() == []
    finally:
        services.close()
