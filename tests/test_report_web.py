"""The report, chart and PEG pages through the real app on real SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.clock import FakeClock
from backpoints.settings import Settings
from backpoints.web.app import create_app
from tests.test_pdf import Diary, build_diary, pdf_text


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def stored(settings: Settings, catalog: Catalog) -> Diary:
    """A few weeks of diary written before the app starts (same database)."""
    clock = FakeClock()
    services = service.Services(settings, catalog=catalog, clock=clock)
    try:
        return build_diary(services, clock)
    finally:
        services.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_report_page_offers_a_period_and_the_downloads(client: TestClient) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    html = page.text
    assert 'action="/report.pdf"' in html and 'name="from"' in html and 'name="to"' in html
    assert "Download PDF" in html and 'href="/report.pdf"' in html and 'href="/chart.pdf"' in html


def test_report_pdf_for_a_period_is_a_download_of_that_period(
    client: TestClient, stored: Diary
) -> None:
    response = client.get("/report.pdf", params={"from": "2026-01-12", "to": "2026-01-25"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="backpoints-report-2026-01-12-to-2026-01-25.pdf"'
    text = pdf_text(response.content)
    assert "2026-01-12 to 2026-01-25" in text
    assert "2026-01-12 09:00" in text and "2026-01-19 09:00" in text
    assert "2026-01-05 09:00" not in text
    assert "Constant pain at night" in text  # the red flag of 2026-01-22


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
        ({"from": "2026-01-01\x00"}, "from"),
    ],
)
def test_bad_period_re_renders_the_form_with_422_naming_the_field(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get("/report.pdf", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in response.text
    invalid = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', response.text)
    assert len(invalid) == 1 and f'id="{field}"' in invalid[0]
    assert f"{field} (" in response.text or f"{field}: " in response.text


def test_chart_pdf_is_a_download(client: TestClient, stored: Diary, catalog: Catalog) -> None:
    response = client.get("/chart.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert all(catalog.get(p).display_name in text for p in stored.helped)


def test_peg_form_saves_a_checkin_and_shows_the_score(client: TestClient) -> None:
    page = client.get("/peg")
    assert page.status_code == 200
    assert "enjoyment of life" in page.text and "general activity" in page.text
    assert "Your check-ins" not in page.text
    saved = client.post(
        "/peg", data={"pain": "7", "enjoyment": "5", "activity": "4"}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/peg?saved=1"
    after = client.get("/peg?saved=1").text
    assert "Your score this week: 5.3" in after and "Your check-ins" in after
    chart = client.get("/peg.png")
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"pain": "11", "enjoyment": "5", "activity": "4"}, "pain"),
        ({"pain": "3", "activity": "4"}, "enjoyment"),
        ({"pain": "3", "enjoyment": "2", "activity": "-1"}, "activity"),
        ({"pain": "3.5", "enjoyment": "2", "activity": "1"}, "pain"),
        ({"pain": "3", "enjoyment": "<script>", "activity": "1"}, "enjoyment"),
    ],
)
def test_bad_peg_answers_re_render_with_422_naming_the_field(
    client: TestClient, form: dict[str, str], field: str
) -> None:
    response = client.post("/peg", data=form)
    assert response.status_code == 422
    assert f"({field}): give a whole number from 0 to 10" in response.text
    assert "<script>" not in response.text
    kept = form.get("pain")
    if kept == "3":
        assert 'name="pain" value="3" required checked' in response.text
    assert "Your check-ins" not in client.get("/peg").text  # nothing was saved
