"""The "Your data" page and its downloads through the real app on real SQLite."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.clock import FakeClock
from backpoints.settings import Settings
from backpoints.web.app import create_app
from tests.test_export import Diary, build_diary

#: A backup of a few weeks is larger than the default request limit (64 KiB); see the report.
UPLOAD_LIMIT = 4 * 1024 * 1024


def _client(data_dir: Path) -> TestClient:
    app = create_app(Settings(data_dir=data_dir, max_body_bytes=UPLOAD_LIMIT))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def diary(tmp_path: Path, catalog: Catalog) -> Diary:
    s = service.Services(Settings(data_dir=tmp_path / "data"), catalog=catalog, clock=FakeClock())
    try:
        return build_diary(s)
    finally:
        s.close()


@pytest.fixture
def client(tmp_path: Path, diary: Diary) -> Iterator[TestClient]:
    with _client(tmp_path / "data") as c:
        yield c


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path / "empty") as c:
        yield c


def _attachment(response: object, suffix: str) -> None:
    disposition = response.headers["content-disposition"]  # type: ignore[attr-defined]
    assert disposition.startswith('attachment; filename="backpoints-')
    assert disposition.endswith(f'{suffix}"')


def test_data_page_links_the_downloads_and_has_a_restore_form(client: TestClient) -> None:
    page = client.get("/data")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Your data</h1>" in html
    for href in ("/export/ratings.csv", "/export/fhir.json", "/backup.json"):
        assert f'href="{href}"' in html
    assert 'action="/restore" enctype="multipart/form-data"' in html
    assert 'name="file" type="file"' in html


def test_csv_download_has_the_ratings(client: TestClient, diary: Diary) -> None:
    response = client.get("/export/ratings.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    _attachment(response, ".csv")
    assert response.content.startswith(b"\xef\xbb\xbfsession_id,started_at,")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["point_id"], int(r["pain_after"])) for r in rows] == [
        (g.point_id, g.pain_after) for g in diary.ratings
    ]


def test_fhir_download_validates(client: TestClient, diary: Diary) -> None:
    response = client.get("/export/fhir.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    _attachment(response, ".json")
    bundle = Bundle.model_validate(response.json())
    assert bundle.entry is not None
    kinds = [e.resource.get_resource_type() for e in bundle.entry if e.resource is not None]
    observations = [k for k in kinds if k == "Observation"]
    pain = sum(map(len, diary.sessions.values())) + len(diary.ratings)
    assert len(observations) == pain + 1 + 2  # and one PEG check-in, two screenings


def test_backup_download_restores_into_another_app(
    client: TestClient, empty: TestClient, diary: Diary
) -> None:
    response = client.get("/backup.json")
    assert response.status_code == 200
    _attachment(response, ".json")
    assert response.json()["format"] == "backpoints-backup"
    upload = {"file": ("backup.json", response.content, "application/json")}
    restored = empty.post("/restore", files=upload, follow_redirects=False)
    assert restored.status_code == 303
    rows = sum(len(t) for t in response.json()["tables"].values())
    assert restored.headers["location"] == f"/data?restored={rows}&skipped=0"
    page = empty.get(restored.headers["location"])
    assert f"Backup restored: {rows} new rows added, 0 already here." in page.text
    ratings = empty.get("/export/ratings.csv").content
    assert ratings == client.get("/export/ratings.csv").content
    again = empty.post("/restore", files=upload, follow_redirects=False)
    assert again.headers["location"] == f"/data?restored=0&skipped={rows}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n not a backup", "not valid JSON"),
        (b'{"format": "backpoints-backup", "schema_v', "not valid JSON"),
        (json.dumps({"patients": []}).encode(), "not a backpoints backup"),
        (
            json.dumps({"format": "backpoints-backup", "schema_version": "9999", "tables": {}}),
            "from a newer backpoints",
        ),
    ],
)
def test_a_bad_upload_rerenders_the_page_with_the_reason(
    client: TestClient, content: bytes | str, message: str
) -> None:
    before = client.get("/export/ratings.csv").content
    response = client.post("/restore", files={"file": ("x.json", content, "application/json")})
    assert response.status_code == 422
    assert "<h1>Your data</h1>" in response.text
    assert message in response.text and "Nothing was changed." in response.text
    assert client.get("/export/ratings.csv").content == before


def test_restore_without_a_file_asks_for_one(client: TestClient) -> None:
    response = client.post("/restore", data={"nothing": "here"})
    assert response.status_code == 422
    assert "Choose a backup file first." in response.text


def test_downloads_of_an_empty_diary(empty: TestClient) -> None:
    csv_text = empty.get("/export/ratings.csv").content.decode("utf-8-sig")
    assert csv_text.count("\r\n") == 1 and csv_text.startswith("session_id,")
    bundle = empty.get("/export/fhir.json").json()
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    backup = empty.get("/backup.json").json()
    assert backup["tables"]["sessions"] == []


def test_data_page_ignores_a_garbled_query(client: TestClient) -> None:
    page = client.get("/data", params={"restored": "<script>", "skipped": "1"})
    assert page.status_code == 200
    assert "Backup restored" not in page.text and "<script>" not in page.text
