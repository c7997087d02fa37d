"""Choosing the language and translating: Accept-Language, the terminal's locale, gettext
catalogues (complete, compiled, plural forms) and Babel formats per language."""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from backpoints import i18n
from backpoints.i18n.build import compile_language

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,hi;q=0.5", "hi"),
        ("zh-CN", "zh"),
        ("zh-Hans-CN;q=0.8,de;q=0.9", "zh"),
        ("de, fr", "en"),
        ("es;q=0, hi;q=0.1", "hi"),
        ("es;q=bad, zh;q=0.2", "zh"),
        ("*", "en"),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    header: str | None, expected: str
) -> None:
    assert i18n.negotiate(header) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "hi_IN"}, "hi"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "es_ES.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "es_MX.UTF-8"}, "es"),
        ({"LANGUAGE": "fr:hi", "LANG": "en_US.UTF-8"}, "hi"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_the_terminal_follows_the_posix_locale_variables(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.from_environment(environ) == expected


def test_language_is_scoped_to_a_block() -> None:
    assert i18n.current() == "en"
    with i18n.language("es"):
        assert i18n.current() == "es"
        with i18n.language("xx"):
            assert i18n.current() == "en"
    assert i18n.current() == "en"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalogue_is_complete_and_not_fuzzy(lang: str) -> None:
    template = _read(i18n.CATALOGUE_DIR / "backpoints.pot", None)
    catalog = _read(i18n.CATALOGUE_DIR / lang / "LC_MESSAGES" / "backpoints.po", lang)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    have = {
        (m.id if isinstance(m.id, str) else m.id[0]): m
        for m in catalog
        if m.id and not m.fuzzy and _translated(m.string)
    }
    missing = sorted(wanted - set(have))
    assert not missing, f"{lang}: {len(missing)} messages untranslated, e.g. {missing[:5]}"


def _read(path: Path, lang: str | None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _translated(string: object) -> bool:
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, tuple) and all(string)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogues_compile(lang: str) -> None:
    assert compile_language(lang) > 0
    assert i18n.mo_path(lang).stat().st_size > 0


def test_an_untranslated_message_falls_back_to_english_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("backpoints.i18n")
    handlers = list(logger.handlers)
    for handler in handlers:  # this test expects the record the autouse guard would fail on
        logger.removeHandler(handler)
    try:
        with caplog.at_level(logging.WARNING, "backpoints.i18n"), i18n.language("es"):
            assert i18n.gettext("no such message, surely") == "no such message, surely"
    finally:
        for handler in handlers:
            logger.addHandler(handler)
    assert "untranslated [es]" in caplog.text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "1,234,567.5"), ("es", "1.234.567,5"), ("hi", "12,34,567.5"), ("zh", "1,234,567.5")],
)
def test_numbers_follow_the_language(lang: str, expected: str) -> None:
    with i18n.language(lang):
        assert i18n.format_number(1234567.5) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Mar 5, 2026"), ("es", "5 mar 2026"), ("zh", "2026年3月5日")],
)
def test_dates_follow_the_language(lang: str, expected: str) -> None:
    with i18n.language(lang):
        assert i18n.format_date(date(2026, 3, 5)) == expected


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_every_placeholder(lang: str) -> None:
    catalog = _read(i18n.CATALOGUE_DIR / lang / "LC_MESSAGES" / "backpoints.po", lang)
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = (message.string,) if isinstance(message.string, str) else message.string or ()
        wanted = set(re.findall(r"\{[^{}]*\}", ids[-1]))
        found = [set(re.findall(r"\{[^{}]*\}", string)) for string in strings]
        # a plural's first form may say "once" without the number; the last form never
        assert found[-1] == wanted and all(f <= wanted for f in found), (lang, message.id)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_follow_the_language(lang: str) -> None:
    with i18n.language(lang):
        one = i18n.ngettext("{n} second", "{n} seconds", 1).format(n=1)
        many = i18n.ngettext("{n} second", "{n} seconds", 60).format(n=60)
    expected = {"es": ("1 segundo", "60 segundos"), "hi": ("1 सेकंड", "60 सेकंड")}
    expected["zh"] = ("1 秒", "60 秒")
    assert (one, many) == expected[lang]


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_a_technique_is_one_sentence_with_one_full_stop(lang: str) -> None:
    from backpoints.core.steps import MOTION_WORDS, PRESSURE_WORDS, TOOL_WORDS, technique_summary

    with i18n.language(lang):
        for motion in MOTION_WORDS:
            for pressure in PRESSURE_WORDS:
                for tool in TOOL_WORDS:
                    said = technique_summary(motion, pressure, tool)
                    assert not any(d in said for d in ("।.", "。.", "..", ".。")), said


@pytest.mark.parametrize(
    ("lang", "value", "signed", "expected"),
    [
        ("en", 3.44, False, "3.4"),
        ("es", 3.44, False, "3,4"),
        ("hi", 1234.5, False, "1,234.5"),
        ("es", 3.0, False, "3"),
        ("es", 1.25, True, "+1,2"),
        ("en", -0.04, True, "0"),
        ("zh", -2.5, True, "-2.5"),
    ],
)
def test_numbers_are_written_the_way_the_language_writes_them(
    lang: str, value: float, signed: bool, expected: str
) -> None:
    with i18n.language(lang):
        assert i18n.format_number(value, signed=signed) == expected
        whole = i18n.format_number(7.0, fixed=True)  # a score in a column keeps its decimal
        assert whole == ("7,0" if lang == "es" else "7.0")


def test_the_point_page_and_the_diary_write_decimals_in_the_language(tmp_path: Path) -> None:
    """Spanish writes "3,4 cm", never "3.4 cm": the 3-D words of a point, the PEG score."""
    import re

    from fastapi.testclient import TestClient

    from backpoints.settings import Settings
    from backpoints.web.app import create_app

    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as client:
        client.post("/peg", data={"pain": "3", "enjoyment": "4", "activity": "4"})
        for lang, decimal in (("en", r"\d\.\d"), ("es", r"\d,\d")):
            headers = {"Accept-Language": lang}
            words = client.get("/points/BL23", headers=headers).text
            (said,) = re.findall(r'<p class="body3d-words">(.*?)</p>', words, re.S)
            assert re.search(decimal + " cm", said), said
            peg = client.get("/peg?saved=1", headers=headers).text
            other = "3.7" if lang == "es" else "3,7"
            assert re.search("3" + decimal[2:], peg) and other not in peg, lang
