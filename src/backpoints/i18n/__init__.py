"""The user's language: which one is in force, and its translations (gettext) and formats (Babel).

English is the source language; Spanish (`es`), Hindi (`hi`) and simplified Chinese (`zh`)
are translated in `.po` catalogues beside this module (`<lang>/LC_MESSAGES/backpoints.po`),
compiled to `.mo` by `make` (or on first use when no up-to-date `.mo` is there). The language
in force is a context variable: the web sets it per request, the terminal once at start-up.
A message missing from a catalogue falls back to English and is logged on the
`backpoints.i18n` logger (the tests fail on such a record).
"""

from __future__ import annotations

import gettext as _gettext
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Final

LANGUAGES: Final[dict[str, str]] = {
    "en": "English",
    "es": "Español",
    "hi": "हिन्दी",
    "zh": "中文",
}
DEFAULT: Final = "en"
DOMAIN: Final = "backpoints"
CATALOGUE_DIR: Final = Path(__file__).parent
#: The Babel locale used for formatting each language.
BABEL_LOCALES: Final[dict[str, str]] = {"en": "en", "es": "es", "hi": "hi_IN", "zh": "zh_Hans_CN"}

log = logging.getLogger("backpoints.i18n")
_current: ContextVar[str] = ContextVar("backpoints_language", default=DEFAULT)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark a message for extraction without translating it here."""
    return message


def supported(tag: str | None) -> str | None:
    """The supported language for a tag like `es-MX`, `zh_CN.UTF-8` or `hi`; None if none."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split(".")[0].split("@")[0].split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an `Accept-Language` header (q-values honoured)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang = supported(tag)
        if lang and quality > 0:
            ranked.append((-quality, index, lang))
    return min(ranked)[2] if ranked else DEFAULT


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The terminal's language from LANGUAGE, LC_ALL, LC_MESSAGES, LANG (POSIX order)."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if not value:
            continue
        for tag in value.split(":"):
            if tag in ("C", "POSIX") or tag.startswith(("C.", "POSIX.")):
                return DEFAULT
            lang = supported(tag)
            if lang:
                return lang
        if name != "LANGUAGE":
            return DEFAULT
    return DEFAULT


def current() -> str:
    """The language in force in this context."""
    return _current.get()


def set_language(lang: str) -> None:
    """Put a supported language in force for this context (the terminal, a request)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Put a language in force for a block, then restore the previous one."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


class _Fallback(_gettext.NullTranslations):
    """English for a message a catalogue lacks, logged so tests can fail on it."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def gettext(self, message: str) -> str:
        log.warning("untranslated [%s]: %r", self.lang, message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        log.warning("untranslated [%s]: %r", self.lang, msgid1)
        return msgid1 if n == 1 else msgid2


def mo_path(lang: str) -> Path:
    """Where the compiled catalogue of a language lives."""
    return CATALOGUE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The translations of a language (English: the messages themselves)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return _gettext.NullTranslations()
    mo = mo_path(lang)
    po = mo.with_suffix(".po")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        from backpoints.i18n.build import compile_language

        compile_language(lang)
    with mo.open("rb") as fh:
        found = _gettext.GNUTranslations(fh)
    found.add_fallback(_Fallback(lang))
    return found


def gettext(message: str) -> str:
    """The message in the language in force."""
    lang = _current.get()
    if lang == DEFAULT or not message:
        return message
    return translations(lang).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message, by the plural rules of the language in force."""
    lang = _current.get()
    if lang == DEFAULT:
        return singular if n == 1 else plural
    return translations(lang).ngettext(singular, plural, n)


def babel_locale(lang: str | None = None) -> str:
    """The Babel locale name for a language (the one in force by default)."""
    return BABEL_LOCALES[lang or _current.get()]


def format_date(value: date | datetime, style: str = "medium") -> str:
    """A date written the way the language in force writes it (Babel)."""
    from babel.dates import format_date as babel_format_date

    day = value.date() if isinstance(value, datetime) else value
    return babel_format_date(day, format=style, locale=babel_locale())


def format_datetime(value: datetime, style: str = "medium") -> str:
    """A date and time written the way the language in force writes it (Babel)."""
    from babel.dates import format_datetime as babel_format_datetime

    return babel_format_datetime(value, format=style, locale=babel_locale())


def format_day(value: datetime, *, time: bool = False, year: bool = False) -> str:
    """A short day and month (and year, and time, if asked) the way the language writes
    them ("Jan 5" is "5 ene" in Spanish, "1月5日" in Chinese; Babel's skeletons)."""
    from babel.dates import format_skeleton, format_time

    day = format_skeleton("yMMMd" if year else "dMMM", value, locale=babel_locale())
    return f"{day} {format_time(value, 'HH:mm', locale=babel_locale())}" if time else day


def format_number(
    value: float, digits: int = 1, *, signed: bool = False, fixed: bool = False
) -> str:
    """A number rounded to `digits` places (a whole one without ".0", unless `fixed`: a
    score in a column) with the language's decimal sign and grouping (Babel): 3.4 is "3,4" in
    Spanish. `signed`: "+" before a positive number."""
    from babel.numbers import format_decimal

    rounded = round(value, digits) + 0.0  # no "-0"
    pattern = "#,##0." + "0" * digits if fixed and digits else None
    text = format_decimal(rounded, format=pattern, locale=babel_locale())
    return "+" + text if signed and rounded > 0 else text


def format_percent(value: float) -> str:
    """A fraction as a whole percentage the way the language writes it: 0.45 is "45 %" in
    Spanish, "45%" in English (Babel)."""
    from babel.numbers import format_percent as babel_format_percent

    return babel_format_percent(value, locale=babel_locale())
