"""The web app in every language in a real browser on a phone (390 px): the browser's language
is followed, nothing scrolls sideways, the script renders, the menu's switch is remembered, and
the server never falls back to English (its log is read after the run)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backpoints import i18n
from backpoints.core.redflags import QUESTIONS
from backpoints.i18n.points import localized_catalog
from tests.conftest import LiveServer, _free_port, _wait_until_up, chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
LOCALES = {"en": "en-GB", "es": "es-ES", "hi": "hi-IN", "zh": "zh-CN"}
PAGES = ("/", "/points", "/points/BL23", "/routines", "/history", "/report", "/peg", "/data")
SHOTS = (
    Path(os.environ.get("BACKPOINTS_SCREENSHOTS", ""))
    if "BACKPOINTS_SCREENSHOTS" in os.environ
    else None
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    """`backpoints serve` whose log is kept, to read English fallbacks from it afterwards."""
    port, log = _free_port(), tmp_path / "server.log"
    env = {**os.environ, "BACKPOINTS_DATA_DIR": str(tmp_path / "data")}
    env["BACKPOINTS_COUNTDOWN_SPEED"] = "60"
    env.pop("BACKPOINTS_DATABASE_URL", None)
    argv = [sys.executable, "-m", "backpoints", "serve", "--port", str(port), "--no-browser"]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, proc)
            yield LiveServer(url, tmp_path / "data"), log
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    with chromium(chromium_path) as launched:
        yield launched


def _no_sideways_scroll(page: Any, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where}: {width} px wide on a {PHONE['width']} px phone"


def _shot(page: Any, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_page_in_the_language_fits_a_phone(
    server: tuple[LiveServer, Path], browser: Any, lang: str
) -> None:
    live, log = server
    context = browser.new_context(viewport=PHONE, locale=LOCALES[lang])
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(live.url + path)
            assert page.evaluate("document.documentElement.lang") == lang, path
            _no_sideways_scroll(page, f"{lang} {path}")
            _shot(page, f"{lang}{path.replace('/', '-') if path != '/' else '-home'}")
        step = _guided_step(page, live.url)
        point = localized_catalog(lang).get(step["point"]["id"])
        assert point.how_to_find[0] in page.inner_text("main")
        _no_sideways_scroll(page, f"{lang} step")
        _shot(page, f"{lang}-step")
        page.goto(live.url + "/points/BL23")
        assert "肾俞" in page.inner_text("main")
        if lang != "en":
            assert localized_catalog(lang).get("BL23").how_to_find[0] in page.inner_text("main")
    finally:
        context.close()
    assert "untranslated" not in log.read_text("utf-8", "replace")


def _guided_step(page: Any, url: str) -> dict[str, Any]:
    """Start a session through the API (in the page's language) and open its step page."""
    answer = page.request.post(
        url + "/api/v1/sessions",
        data={
            "pain": [{"region": "lower_back_left", "intensity": 6}],
            "answers": dict.fromkeys(QUESTIONS, False),
        },
        headers={"Accept-Language": page.evaluate("navigator.language")},
    )
    assert answer.ok, answer.text()
    session = answer.json()
    page.goto(f"{url}/sessions/{session['id']}")
    step: dict[str, Any] = session["step"]
    return step


def test_the_menu_switch_is_remembered(server: tuple[LiveServer, Path], browser: Any) -> None:
    live, _log = server
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live.url + "/points/BL23")
        with page.expect_navigation():
            page.select_option("#lang-choice", "hi")  # app.js submits the form on change
        assert page.url == live.url + "/points/BL23"
        assert page.evaluate("document.documentElement.lang") == "hi"
        page.goto(live.url + "/points")
        assert page.evaluate("document.documentElement.lang") == "hi"
        assert localized_catalog("hi").get("BL23").names.english in page.inner_text("main")
    finally:
        context.close()
