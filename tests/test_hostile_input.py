"""Never a 500 on input: NUL and other unstorable text refused (422) before the database
sees it, integers beyond 64 bits are "not found", JSON nesting and number length are limited
on every upload, a full disk says the write was NOT saved (503), and a database that is not
the app's own (or is damaged) is refused in one line. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from backpoints.app import service
from backpoints.core import jsonlimits
from backpoints.settings import Settings
from backpoints.store.engine import (
    DamagedDatabase,
    ForeignDatabase,
    OutOfRange,
    UnstorableInput,
    check_parameters,
)
from backpoints.web.app import create_app
from backpoints.web.errors import is_disk_full
from backpoints.web.security import HEADERS
from tests.flows import NO_ANSWERS
from tests.test_perimeter import routes

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
HUGE = "9" * 25
DEEP = "[" * 5000 + "]" * 5000
LONG_NUMBER = "1" * 5000


# ---- the guard in front of the database -----------------------------------------------------


def _unstorable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return "\x00" in value


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20))
def test_text_is_refused_exactly_when_no_database_could_store_it(value: str) -> None:
    batch = [{"note": "fine", "nested": {"deep": [value]}}]
    for params in ({"email_1": value}, (1, value), ("a", 2, "b", value), batch):
        if _unstorable(value):
            with pytest.raises(UnstorableInput):
                check_parameters(params)
        else:
            check_parameters(params)


@given(st.integers())
def test_integers_beyond_64_bits_are_not_found(value: int) -> None:
    if -(2**63) <= value < 2**63:
        check_parameters({"id_1": value})
    else:
        with pytest.raises(OutOfRange):
            check_parameters({"id_1": value})


def test_nothing_unstorable_reaches_either_database(settings: Settings) -> None:
    services = service.Services(settings)
    try:
        for name in ("a\x00b", "\ud800", "x" * 10 + "\x00"):
            with pytest.raises(UnstorableInput):
                service.person_id(services, name)
        with services.db() as db:
            assert db.execute(text("SELECT count(*) FROM people")).scalar() == 0
    finally:
        services.close()


# ---- over HTTP, generated from the route table ----------------------------------------------


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _with_params(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def _routes_with_ids(app: FastAPI) -> list[tuple[str, str, list[Any]]]:
    found = []
    for route in routes(app):
        params = list(getattr(getattr(route, "dependant", None), "path_params", []))
        for method in sorted(getattr(route, "methods", None) or ()):
            if params and method != "HEAD":
                found.append((method, route.path, params))
    assert len(found) >= 20  # the table was read
    return found


def test_nul_in_any_path_id_is_422_and_huge_ids_are_404(client: TestClient) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    for method, path, params in _routes_with_ids(app):
        nul = client.request(method, _with_params(path, "ab%00cd"))
        assert nul.status_code == 422, (method, path, nul.text)
        for huge in (HUGE, "-" + HUGE):
            answer = client.request(method, _with_params(path, huge))
            integer = any(p.field_info.annotation is int for p in params)
            if method == "GET" or integer:
                assert answer.status_code == 404, (method, path, answer.status_code)
            assert answer.status_code < 500, (method, path, answer.text)
        query = client.request(method, _with_params(path, "x") + "?q=%00&limit=%00")
        assert query.status_code < 500, (method, path, query.text)


def _assert_refused(answer: Any, status: int = 422) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]


@pytest.fixture
def server(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"server_mode": True}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("bad", ["ann\x00@example.org", "ann\ud800@example.org"])
def test_unstorable_e_mails_are_422_on_every_way_in(server: TestClient, bad: str) -> None:
    body = {"email": bad, "password": PASSWORD}
    raw = json.dumps(body)  # \u0000 and a lone \ud800 escape: valid JSON
    json_in = {"content": raw, "headers": {"content-type": "application/json"}}
    _assert_refused(server.post("/api/v1/auth/register", **json_in))  # type: ignore[arg-type]
    _assert_refused(server.post("/api/v1/auth/login", **json_in))  # type: ignore[arg-type]
    if "\x00" in bad:  # a form field cannot carry a lone surrogate
        _assert_refused(server.post("/login", data=body))
        _assert_refused(server.post("/register", data=body))


def test_a_lone_surrogate_password_is_refused(server: TestClient) -> None:
    raw = json.dumps({"email": "ann@example.org", "password": "long enough \ud800 phrase"})
    headers = {"content-type": "application/json"}
    refused = server.post("/api/v1/auth/register", content=raw, headers=headers)
    _assert_refused(refused)
    assert refused.json()["detail"][0]["field"] == "password"
    body = {"email": "ann@example.org", "password": PASSWORD}
    assert server.post("/api/v1/auth/register", json=body).status_code == 201
    server.cookies.clear()
    wrong = server.post("/api/v1/auth/login", content=raw, headers=headers)
    _assert_refused(wrong)
    assert wrong.json()["detail"][0]["field"] == "password"


@pytest.mark.parametrize(
    ("field", "value"), [("name", "my\x00routine"), ("points", "BL23\x00"), ("sex", "fe\x00male")]
)
def test_nul_in_form_fields_never_reaches_the_database(
    client: TestClient, field: str, value: str
) -> None:
    routine = client.post("/routines/build", data={"name": "Mine", "points": "BL23", field: value})
    profile = client.post("/profile", data={field: value, "stature_cm": "170"})
    for answer in (routine, profile):
        _assert_refused(answer)
        assert answer.json()["detail"][0]["field"] == "form"
    mine = client.get("/routines").text
    assert "my\x00routine" not in mine and "Mine" not in mine  # nothing was saved


# ---- JSON and numbers in uploads ------------------------------------------------------------


@pytest.mark.parametrize("payload", [DEEP, '{"a": ' + LONG_NUMBER + "}"])
def test_every_upload_limits_nesting_and_number_length(client: TestClient, payload: str) -> None:
    api = client.post(
        "/api/v1/sessions", content=payload, headers={"content-type": "application/json"}
    )
    _assert_refused(api)
    assert api.json()["detail"][0]["message"].startswith(("The JSON is nested", "A number"))
    routine = '{"format": "backpoints-routine", "name": ' + payload + "}"
    _assert_refused(client.post("/routines/import", files={"file": ("r.json", routine)}))
    _assert_refused(client.post("/restore", files={"file": ("b.json", payload)}))


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/peg", {"pain": LONG_NUMBER, "enjoyment": "1", "activity": "1"}),
        ("/routines/build", {"name": "Mine", "points": "BL23", "duration_s": LONG_NUMBER}),
        ("/start", {"neck": LONG_NUMBER}),
        ("/scan/spot", {"x_cm": "1", "y_cm": "1", "tenderness": LONG_NUMBER}),
    ],
)
def test_a_5000_digit_number_in_a_form_is_refused(
    client: TestClient, path: str, form: dict[str, str]
) -> None:
    _assert_refused(client.post(path, data=form))


def test_a_5000_digit_number_in_a_query_is_refused(client: TestClient) -> None:
    answer = client.get(f"/data?restored={LONG_NUMBER}&skipped=1")
    assert answer.status_code in (200, 422)


@given(st.recursive(st.none() | st.integers() | st.text(), st.lists, max_leaves=20))
def test_json_within_the_limits_reads_as_json_does(value: Any) -> None:
    document = json.dumps(value)
    assert jsonlimits.loads(document) == json.loads(document)


@pytest.mark.parametrize("depth", [jsonlimits.MAX_DEPTH + 1, 200, 100_000])
def test_json_deeper_than_the_limit_is_refused_quickly(depth: int) -> None:
    with pytest.raises(jsonlimits.JsonTooComplex, match="nested more than 32"):
        jsonlimits.loads("[" * depth + "]" * depth)
    inside_a_string = json.dumps(["[" * 100, "1" * 100])
    assert jsonlimits.loads(inside_a_string) == ["[" * 100, "1" * 100]


# ---- a full disk ----------------------------------------------------------------------------


def test_a_full_disk_says_the_write_was_not_saved(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    with TestClient(app, raise_server_exceptions=False) as client:
        engine = app.state.bp.services.engine
        with engine.connect() as conn:
            pages = conn.execute(text("PRAGMA page_count")).scalar()

        def tiny_disk(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        event.listen(engine, "connect", tiny_disk)
        engine.dispose()
        body = {"pain": [{"region": "neck", "intensity": 3}], "answers": NO_ANSWERS}
        answers = [client.post("/api/v1/sessions", json=body) for _ in range(40)]
        statuses = [a.status_code for a in answers]
        assert 503 in statuses, statuses
        full = answers[statuses.index(503)]
        assert "NOT saved" in full.json()["detail"][0]["message"]
        assert "nothing was lost" not in full.text
        assert full.headers["retry-after"] == "60"
        assert full.headers["x-frame-options"] == "DENY"
        page = client.post("/start", data={"neck": "3"}, headers={"Accept": "text/html"})
        assert page.status_code == 503 and "NOT saved" in page.text
        saved = client.get("/api/v1/history", params={"limit": 500}).json()
        assert len(saved) == statuses.count(201)  # every 201 was kept, no 503 was


class _PgDiskFull(Exception):
    sqlstate = "53100"


def test_disk_full_is_recognised_on_postgresql_and_on_files() -> None:
    assert is_disk_full(OperationalError("INSERT", {}, _PgDiskFull("could not extend file")))
    assert is_disk_full(OSError(28, "No space left on device"))
    assert not is_disk_full(OperationalError("INSERT", {}, Exception("deadlock detected")))
    assert not is_disk_full(OSError(13, "Permission denied"))


# ---- a database that is not ours ------------------------------------------------------------


def _foreign_sqlite(path: Path) -> str:
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _command(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACKPOINTS_DATA_DIR": str(data_dir)}
    argv = [sys.executable, "-m", "backpoints", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("args", [["history"], ["serve", "--port", "0", "--no-browser"]])
def test_a_foreign_sqlite_file_is_refused_and_left_as_it_was(
    tmp_path: Path, args: list[str]
) -> None:
    database = tmp_path / "data" / "backpoints.sqlite3"
    before = _foreign_sqlite(database)
    done = _command(*args, data_dir=tmp_path / "data")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "is not this backpoints' own (it holds another program's tables)" in done.stderr
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("args", [["history"], ["serve", "--port", "0", "--no-browser"]])
@pytest.mark.parametrize("content", [os.urandom(8192), b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_damaged_database_is_reported_in_one_line(
    tmp_path: Path, args: list[str], content: bytes
) -> None:
    database = tmp_path / "data" / "backpoints.sqlite3"
    database.parent.mkdir(parents=True)
    database.write_bytes(content)
    done = _command(*args, data_dir=tmp_path / "data")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "cannot be read" in done.stderr


def test_a_foreign_database_is_refused_on_either_kind(settings: Settings) -> None:
    if settings.database_url:
        from sqlalchemy import create_engine

        engine = create_engine(settings.database_url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE invoices (id INTEGER)"))
        engine.dispose()
    else:
        _foreign_sqlite(settings.data_dir / "backpoints.sqlite3")
    services = service.Services(settings)
    with pytest.raises(ForeignDatabase, match="another program's tables"):
        services.open()
    assert services.engine is None


def test_a_schema_from_elsewhere_is_refused(settings: Settings) -> None:
    services = service.Services(settings)
    services.open()
    assert services.engine is not None
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'zz_other'"))
    services.close()
    with pytest.raises(ForeignDatabase, match="'zz_other' is from another program"):
        service.Services(settings).open()


def test_damaged_is_a_domain_error() -> None:
    assert issubclass(DamagedDatabase, Exception)
