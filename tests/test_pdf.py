"""The PDF report and the points chart, read back as text; the `report` and `chart` commands."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.clock import FakeClock
from backpoints.core.screening import Profile
from backpoints.report import diary, pdf, peg
from backpoints.report.partner import for_partner
from tests.flows import referred, started
from tests.test_peg import run_backpoints


@dataclass
class Diary:
    """What `build_diary` stored, to check the report against."""

    session_days: list[date] = field(default_factory=list)
    peg_scores: list[float] = field(default_factory=list)
    helped: set[str] = field(default_factory=set)
    red_flag_day: date | None = None


def build_diary(services: service.Services, clock: FakeClock) -> Diary:
    """Four weekly sessions (lower back, left), each relieved by its second point; a PEG
    check-in each week; a 'constant night pain' red flag in week 3; blood thinners on file."""
    me = service.person_id(services)
    service.save_profile(services, me, Profile(anticoagulants=True, sex="female", stature_cm=165))
    stored = Diary()
    for week, level in enumerate((8, 7, 6, 5)):
        pain = {"lower_back_left": level}
        session_id, state = started(services, me, pain)
        stored.session_days.append(clock.now().date())
        for after in (level, level - 3):
            assert state.current is not None
            point = state.current.point
            state = service.rate(services, session_id, point.id, point.side, after)
        stored.helped.add(point.id)
        answers = peg.answers(level, level - 1, level - 2)
        peg.record(services, me, answers)
        stored.peg_scores.append(answers.score)
        clock.advance(days=3)
        if week == 2:
            referred(services, me, pain, ["constant_night_pain"])
            stored.red_flag_day = clock.now().date()
        clock.advance(days=4)
    return stored


def pdf_text(source: Path | bytes) -> str:
    """All the text of a PDF, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def stored(services: service.Services, clock: FakeClock) -> Diary:
    return build_diary(services, clock)


def test_report_holds_period_sessions_peg_red_flag_cautions_and_disclaimer(
    services: service.Services, stored: Diary, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    period = pdf.write_report(services, out)
    assert (period.start, period.end) == (date(2026, 1, 5), date(2026, 2, 2))
    text = pdf_text(out)
    assert "Back pain self-care diary: 2026-01-05 to 2026-02-02" in text
    for day in stored.session_days:
        assert f"{day} 09:00" in text
    for score in stored.peg_scores:
        assert f"{score:.1f}" in text
    assert "PEG score: 7.0 on 2026-01-05, 4.0 on 2026-01-26 (4 check-ins)" in text
    assert f"{stored.red_flag_day} 09:00: URGENT" in text
    assert "Constant pain at night" in text and "Referred (urgent)" in text
    assert "Takes anticoagulants (blood thinners)" in text
    assert "not medical care" in text
    for source in ("farrar2001", "furlan2015", "li2021", "krebs2009"):
        assert source in text
    assert "at least 2 points or 30%" in text


def test_report_counts_each_helpful_point_and_shows_before_and_after(
    services: service.Services, stored: Diary, catalog: Catalog, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    pdf.write_report(services, out)
    text = pdf_text(out)
    assert "8 → 8" in text and "8 → 5 (relief)" in text
    assert "Points that helped" in text
    for point_id in stored.helped:
        assert catalog.get(point_id).display_name in text
    data = diary.gather(services, None, None)
    helped = [p for p in data.points if p.helped]
    assert sum(p.helped for p in helped) == 4
    assert all(p.mean_change < 0 for p in helped)


def test_a_period_leaves_out_what_lies_outside_it(
    services: service.Services, stored: Diary, tmp_path: Path
) -> None:
    out = tmp_path / "week2.pdf"
    pdf.write_report(services, out, date(2026, 1, 12), date(2026, 1, 18))
    text = pdf_text(out)
    assert "2026-01-12 to 2026-01-18" in text
    assert "2026-01-12 09:00" in text
    assert "2026-01-05 09:00" not in text and "2026-01-19 09:00" not in text
    assert "Red flags: none (questions answered once, all no)." in text


def test_an_empty_diary_still_gives_a_report(services: service.Services, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    period = pdf.write_report(services, out)
    assert period.start == period.end == date(2026, 1, 5)
    text = pdf_text(out)
    assert "No sessions in this period." in text and "No PEG check-ins" in text
    assert "Red flags: the questions were not asked in this period." in text


def test_bad_periods_and_paths_are_domain_errors(
    services: service.Services, tmp_path: Path
) -> None:
    with pytest.raises(diary.InvalidPeriod) as caught:
        pdf.write_report(services, tmp_path / "r.pdf", date(2026, 3, 1), date(2026, 2, 1))
    assert caught.value.field == "from"
    with pytest.raises(diary.InvalidPeriod, match="YYYY-MM-DD"):
        diary.parse_day("2026-02-30", "to")
    with pytest.raises(diary.ReportError, match="folder does not exist"):
        pdf.write_report(services, tmp_path / "missing" / "r.pdf")


def test_point_chart_numbers_the_points_that_helped_with_how_to_find_them(
    services: service.Services, stored: Diary, catalog: Catalog, tmp_path: Path
) -> None:
    out = tmp_path / "chart.pdf"
    drawn = pdf.write_point_chart(services, out)
    assert set(drawn) == stored.helped
    text = pdf_text(out)
    assert "The points that helped them" in text
    for n, point_id in enumerate(drawn, 1):
        point = catalog.get(point_id)
        assert f"{n}. {point.display_name}" in text
        assert " ".join(for_partner(point.how_to_find[0]).split()) in text
    assert "Gentle pressure only" in text and "gentle pressure: a light" in text


def test_point_chart_without_a_diary_suggests_starting_points(
    services: service.Services, tmp_path: Path
) -> None:
    buffer = io.BytesIO()
    drawn = pdf.write_point_chart(services, buffer)
    assert drawn and "Suggested starting points" in pdf_text(buffer.getvalue())


def test_cli_writes_the_report_and_the_chart(
    services: service.Services, stored: Diary, tmp_path: Path
) -> None:
    services.close()
    data = tmp_path / "data"
    report = run_backpoints(data, "report", "--pdf", str(tmp_path / "r.pdf"), "--to", "2026-01-20")
    assert report.returncode == 0, report.stderr
    assert "2026-01-05 to 2026-01-20" in report.stdout
    assert "2026-01-26 09:00" not in pdf_text(tmp_path / "r.pdf")
    chart = run_backpoints(data, "chart", "--pdf", str(tmp_path / "c.pdf"))
    assert chart.returncode == 0, chart.stderr
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")


def test_cli_report_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    bad = run_backpoints(tmp_path / "d", "report", "--pdf", str(tmp_path / "r.pdf"), "--from", "x")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: from: 'x' is not a date; use YYYY-MM-DD, e.g. 2026-01-31."
    ]
    nowhere = run_backpoints(tmp_path / "d", "chart", "--pdf", str(tmp_path / "no" / "c.pdf"))
    assert nowhere.returncode == 2 and len(nowhere.stderr.strip().splitlines()) == 1


def test_a_spanish_report_writes_numbers_and_percentages_the_spanish_way(
    services: service.Services, stored: Diary, tmp_path: Path
) -> None:
    """Every percentage of the text is "65 %" (Babel's Spanish), every decimal "6,4"."""
    import re

    from backpoints import i18n

    out = tmp_path / "report.pdf"
    with i18n.language("es"):
        pdf.write_report(services, out)
    from backpoints import __version__

    text = pdf_text(out).replace(f"backpoints {__version__}", "backpoints")
    assert re.search(r"\d %", text) and not re.search(r"\d%", text)
    assert re.search(r"\d,\d", text) and not re.search(r"\b\d\.\d\b", text)
