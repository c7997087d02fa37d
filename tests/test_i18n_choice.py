"""Choosing the language: the web (Accept-Language, a remembered choice, <html lang>), the
API's texts, the terminal (LANG, LC_ALL, --lang) and the PDFs (in the language, fonts embedded)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from backpoints import i18n
from backpoints.app import service
from backpoints.core.screening import EMERGENCY_MESSAGE, QUESTIONS, URGENT_MESSAGE
from backpoints.i18n.points import localized_catalog
from backpoints.report import pdf
from backpoints.settings import Settings
from backpoints.web.app import create_app
from tests.conftest import CliRun
from tests.flows import referred

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
PAIN = {"pain_lower_back_left": "6"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _lang_attr(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found, html[:200]
    return found.group(1)


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_pages_follow_accept_language(client: TestClient, lang: str) -> None:
    page = client.get("/points/BL23", headers={"Accept-Language": f"{lang};q=0.9, fr"})
    assert page.status_code == 200
    assert _lang_attr(page.text) == lang
    assert page.headers["content-language"] == lang
    assert "Accept-Language" in page.headers["vary"]
    point = localized_catalog(lang).get("BL23")
    assert point.how_to_find[0] in page.text
    assert point.names.english in page.text


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize(
    ("path", "english"),
    [("/points/NOPE", "Unknown point"), ("/sessions/nope", "No such session")],
)
def test_not_found_pages_are_in_the_language(
    client: TestClient, lang: str, path: str, english: str
) -> None:
    page = client.get(path, headers={"Accept-Language": lang})
    assert page.status_code == 404
    with i18n.language(lang):
        title = i18n.gettext(english)
    assert title != english and f"<h1>{title}</h1>" in page.text
    assert english not in page.text


@pytest.mark.parametrize("lang", TRANSLATED)
def test_how_firm_to_press_is_said_in_the_language(client: TestClient, lang: str) -> None:
    from backpoints.core.tools import FIRMNESS

    page = client.get("/tools", headers={"Accept-Language": lang})
    with i18n.language(lang):
        said = i18n.gettext(FIRMNESS)
    assert said != FIRMNESS and said in page.text.replace("&#39;", "'")
    assert "Ease off at once" not in page.text


def test_a_remembered_choice_wins_over_the_browser(client: TestClient) -> None:
    chosen = client.post(
        "/language", data={"lang": "zh", "next": "/points/BL23"}, follow_redirects=False
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/points/BL23"
    assert "bp_lang=zh" in chosen.headers["set-cookie"]
    page = client.get("/points/BL23", headers={"Accept-Language": "es"})
    assert _lang_attr(page.text) == "zh"
    assert "肾俞" in page.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_the_language_switch_only_goes_back_to_this_site(client: TestClient, target: str) -> None:
    chosen = client.post("/language", data={"lang": "es", "next": target}, follow_redirects=False)
    assert chosen.headers["location"] == "/"


def test_an_unknown_language_is_not_remembered(client: TestClient) -> None:
    chosen = client.post("/language", data={"lang": "xx", "next": "/"}, follow_redirects=False)
    assert "set-cookie" not in chosen.headers
    client.cookies.set("bp_lang", "xx")
    assert _lang_attr(client.get("/points").text) == "en"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_menu_offers_every_language(client: TestClient, lang: str) -> None:
    page = client.get("/points", headers={"Accept-Language": lang}).text
    for code in i18n.LANGUAGES:
        assert f'value="{code}"' in page
    assert re.search(rf'<option value="{lang}" lang="{lang}" selected>', page)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_red_flag_questions_and_referral_are_translated(client: TestClient, lang: str) -> None:
    headers = {"Accept-Language": lang}
    screening = client.post("/start", data={"lower_back_left": "6"}, headers=headers)
    assert screening.status_code == 200, screening.text[-500:]
    with i18n.language(lang):
        questions = [i18n.gettext(q) for q in QUESTIONS.values()]
        emergency, urgent = i18n.gettext(EMERGENCY_MESSAGE), i18n.gettext(URGENT_MESSAGE)
    for english, translated in zip(QUESTIONS.values(), questions, strict=True):
        assert translated != english
        assert translated in screening.text
    answers = {**PAIN, **dict.fromkeys(QUESTIONS, "no"), "saddle_numbness": "yes"}
    referred = client.post("/screening", data=answers, headers=headers)
    assert emergency in referred.text and EMERGENCY_MESSAGE not in referred.text
    api = client.post(
        "/api/v1/sessions",
        json={
            "pain": [{"region": "neck", "intensity": 4}],
            # every question answered: the "no" clears the saddle flag that stands from above
            "answers": {**dict.fromkeys(QUESTIONS, False), "fever_or_unwell": True},
        },
        headers=headers,
    )
    assert api.json()["message"] == urgent


@pytest.mark.parametrize("lang", TRANSLATED)
def test_api_texts_follow_accept_language(client: TestClient, lang: str) -> None:
    headers = {"Accept-Language": lang}
    point = client.get("/api/v1/points/BL23", headers=headers).json()
    shown = localized_catalog(lang).get("BL23")
    assert point["how_to_find"] == list(shown.how_to_find)
    assert point["names"]["hanzi"] == "肾俞"
    regions = client.get("/api/v1/regions", headers=headers).json()
    with i18n.language(lang):
        assert regions[0]["label"] == i18n.gettext("Neck") != "Neck"
    session = client.post(
        "/api/v1/sessions",
        json={
            "pain": [{"region": "lower_back_left", "intensity": 6}],
            "answers": dict.fromkeys(QUESTIONS, False),
        },
        headers=headers,
    ).json()
    step = session["step"]
    assert step["region_label"] != "Lower back, left"
    assert (
        step["point"]["how_to_find"][0]
        == localized_catalog(lang).get(step["point"]["id"]).how_to_find[0]
    )
    assert all(not cue["say"].startswith(("Get ready", "Start now")) for cue in step["cues"])


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({"LANG": "es_ES.UTF-8"}, [], "Cómo encontrarlo"),
        ({"LANG": "hi_IN.UTF-8"}, [], "इसे कैसे ढूँढें"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_GB.UTF-8"}, [], "如何找到"),
        ({"LANG": "es_ES.UTF-8"}, ["--lang", "zh"], "如何找到"),
        ({"LANG": "zh_CN.UTF-8"}, ["--lang=en"], "How to find it"),
        ({"LANG": "C.UTF-8"}, [], "How to find it"),
    ],
)
def test_the_terminal_follows_lang_and_the_lang_option(
    run_real: CliRun, env: dict[str, str], args: list[str], expected: str
) -> None:
    result = run_real(*args, "show", "BL23", env=env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "肾俞 Shenshu" in result.stdout


def test_spanish_show_is_spanish_throughout(run_real: CliRun) -> None:
    result = run_real("show", "BL23", env={"LANG": "es_ES.UTF-8", "COLUMNS": "400"})
    text = " ".join(result.stdout.split())
    point = localized_catalog("es").get("BL23")
    for line in (*point.how_to_find, *point.cautions):
        assert " ".join(line.split()) in text
    for english in ("How to press", "Cautions", "Helps:", "Also called", "Where it is"):
        assert english not in text


def test_an_unknown_lang_option_is_one_clear_line(run_real: CliRun) -> None:
    result = run_real("--lang", "fr", "show", "BL23")
    assert result.returncode == 2
    assert "'fr' is not a language backpoints speaks (en, es, hi, zh)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("lang", "font", "title"),
    [("hi", "Lohit-Devanagari", "मालिश बिंदुओं का चार्ट"), ("zh", "WenQuanYi", "按摩穴位图")],
)
def test_the_point_chart_pdf_is_in_the_language_with_its_font_embedded(
    tmp_path: Path, lang: str, font: str, title: str
) -> None:
    services = service.Services(Settings(data_dir=tmp_path / "data"))
    services.open()
    buffer = io.BytesIO()
    try:
        with i18n.language(lang):
            drawn = pdf.write_point_chart(services, buffer)
    finally:
        services.close()
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    fonts = _embedded_fonts(reader)
    assert any(font in name for name in fonts), fonts
    text = "".join(page.extract_text() for page in reader.pages)
    if lang == "hi":  # shaped Devanagari extracts glyph by glyph, not as the words
        assert len(re.findall(r"[\u0900-\u097f]", text)) > 500
    else:
        assert title in text
        assert localized_catalog(lang).get(drawn[0]).names.english in text
    assert not re.search(r"How to find|Caution:|Massage points chart|page \d", text)


def _embedded_fonts(reader: PdfReader) -> set[str]:
    names: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            described = font.get_object()
            descendants = described.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else described
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                names.add(str(target["/BaseFont"]))
    return names


@pytest.mark.parametrize("lang", ["es", "zh"])
def test_the_diary_report_pdf_is_in_the_language(tmp_path: Path, lang: str) -> None:
    services = service.Services(Settings(data_dir=tmp_path / "data"))
    services.open()
    buffer = io.BytesIO()
    try:
        me = service.person_id(services)
        pain = {"lower_back_left": 6}
        referred(services, me, pain, ["constant_night_pain"])
        with i18n.language(lang):
            pdf.write_report(services, buffer)
    finally:
        services.close()
    text = " ".join(
        "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(buffer.getvalue())).pages
        ).split()
    )
    with i18n.language(lang):
        expected = [
            i18n.gettext("Red flags reported"),
            i18n.gettext("Constant pain at night"),
            i18n.gettext(QUESTIONS["constant_night_pain"]),
            i18n.gettext("About this report"),
        ]
    for phrase in expected:
        assert " ".join(phrase.split()) in text, phrase
    for english in (
        "Red flags reported",
        "About this report",
        "Pain over time",
        "Screening answers",
    ):
        assert english not in text


def test_every_command_line_help_text_is_translated() -> None:
    import typer

    from backpoints.cli.help_i18n import help_texts
    from backpoints.cli.main import app

    texts = help_texts(typer.main.get_command(app))
    assert len(texts) > 40
    for lang in TRANSLATED:
        with i18n.language(lang):  # a missing one logs an English fallback: a test failure
            assert all(i18n.gettext(text) != text for text in texts), lang


@pytest.mark.parametrize(
    ("lang", "expected"), [("es_ES.UTF-8", "Muestra la versión."), ("zh_CN.UTF-8", "显示版本。")]
)
def test_help_follows_the_terminal_language(run_real: CliRun, lang: str, expected: str) -> None:
    result = run_real("--help", env={"LANG": lang})
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize("lang", ["es_ES.UTF-8", "hi_IN.UTF-8", "zh_CN.UTF-8"])
def test_clicks_own_help_words_follow_the_terminal_language(run_real: CliRun, lang: str) -> None:
    """Click writes "Usage:", the headings and the --help option's text in fixed English: a help
    formatter of ours says them in the language (as every help text of ours is)."""
    for args in (("--help",), ("show", "--help")):
        result = run_real(*args, env={"LANG": lang})
        assert result.returncode == 0, result.stderr
        for english in ("Usage:", "Options:", "Commands:", "Arguments:", "Show this message"):
            assert english not in result.stdout, (args, english)
        assert "[required]" not in result.stdout


def test_the_points_listing_is_in_the_language(run_real: CliRun) -> None:
    result = run_real("points", "--region", "sacrum", env={"LANG": "zh_CN.UTF-8"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("编号和名称")
    assert "BL28  膀胱俞" in lines
    assert any(line.strip().startswith("指压（穴位按压）: sacrum") for line in lines)
    assert lines[-1].endswith("个穴位") and "sacrum" not in lines[-1]
