"""Offline that keeps its promise, in a real browser: a rating or a stop made without a
connection is kept on the device, shown as waiting, and sent in order and once when the
connection returns; starting a new session offline says why it cannot."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.flows import CACHED_PATHS, NO_ANSWERS
from tests.web_seed import _post_json

pytestmark = pytest.mark.browser


def _history(url: str) -> dict[str, dict[str, Any]]:
    with urllib.request.urlopen(url + "/api/v1/history", timeout=10) as response:
        return {s["id"]: s for s in json.loads(response.read())}


def _open_session(server: LiveServer, page: Any) -> str:
    body = {"pain": [{"region": "lower_back_left", "intensity": 7}], "answers": NO_ANSWERS}
    session = _post_json(server.url + "/api/v1/sessions", body)["id"]
    page.goto(server.url + "/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{server.url}/sessions/{session}")
    return str(session)


def _outbox(page: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = page.evaluate(
        "JSON.parse(localStorage.getItem('backpoints.outbox') || '[]')"
    )
    return items


def test_a_rating_made_offline_is_kept_and_sent_once_when_back(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    session = _open_session(live_server, page)
    first = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Rate now").click()
    page.get_by_label("6", exact=True).check()  # from 7: no clear relief yet
    page.context.set_offline(True)
    page.get_by_role("button", name="Save rating").click()
    note = page.get_by_text("Saved on this device; it will sync when the connection is back.")
    note.wait_for()
    assert page.get_by_text("1 answer is saved on this device").is_visible()
    assert [item["kind"] for item in _outbox(page)] == ["rate"]
    assert _history(live_server.url)[session]["ratings"] == []  # nothing reached the server

    page.reload()  # still offline: the rating still waits on the device
    assert len(_outbox(page)) == 1
    assert page.get_by_text("1 answer is saved on this device").is_visible()
    with page.expect_navigation():
        page.context.set_offline(False)  # back online: sent, then the page shows the next step
    page.get_by_role("heading", level=1).wait_for()
    assert _outbox(page) == []
    ratings = _history(live_server.url)[session]["ratings"]
    assert [r["pain_after"] for r in ratings] == [6]  # sent once
    assert page.get_by_role("heading", level=1).inner_text() != first
    assert "Point 2 of up to" in page.locator(".eyebrow").text_content()


def test_a_stop_made_offline_follows_the_rating_in_order(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    session = _open_session(live_server, page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Rate now").click()
    page.get_by_label("6", exact=True).check()
    page.get_by_role("button", name="Save rating").click()
    page.get_by_text("1 answer is saved on this device").wait_for()
    page.get_by_role("button", name="Stop the session").click()
    page.get_by_text("2 answers are saved on this device").wait_for()
    assert [item["kind"] for item in _outbox(page)] == ["rate", "stop"]
    with page.expect_navigation():
        page.context.set_offline(False)
    page.get_by_role("heading", name="Session stopped").wait_for()
    stored = _history(live_server.url)[session]
    assert stored["status"] == "stopped"
    assert [r["pain_after"] for r in stored["ratings"]] == [6]


def test_starting_a_session_offline_says_why_it_cannot(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    page.get_by_role("button", name="Lower back, left").click()
    page.get_by_role("button", name="Start guided massage").click()
    assert page.get_by_text("You are offline. A new session needs the connection").is_visible()
    assert page.url.rstrip("/") == live_server.url  # still here, not the browser's error page
    page.context.set_offline(False)


def test_a_step_page_kept_for_offline_is_dropped_when_a_red_flag_is_raised(
    live_server: LiveServer, browser_page: Any
) -> None:
    """Offline, a step page kept from before would still guide a massage while a red flag
    stands: the referral makes the service worker drop every guidance page it kept."""
    page = browser_page
    session = _open_session(live_server, page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()  # kept by the worker now that it controls the page
    step = f"/sessions/{session}"
    page.wait_for_function(
        f"caches.keys().then(async (k) => k.length > 0 && "
        f"(await (await caches.open(k[0])).match('{step}')) !== undefined)"
    )
    page.goto(live_server.url + "/screening/again")
    groups = page.locator("fieldset.yesno").all()
    for n, group in enumerate(groups):
        group.get_by_label("Yes" if n == len(groups) - 1 else "No", exact=True).check()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_url(live_server.url + "/refer")
    assert step not in page.evaluate(CACHED_PATHS)
    page.context.set_offline(True)
    try:
        page.goto(live_server.url + step)
        assert page.locator("#timer").count() == 0  # no guidance offline
        assert page.get_by_role("heading", level=1).inner_text() != ""
    finally:
        page.context.set_offline(False)
