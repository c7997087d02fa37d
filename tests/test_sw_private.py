"""In a real Chromium against a real server in server mode: the service worker keeps the
public pages (offline guide, points) but never a private one (diary, home, account), and
logging out empties the browser's caches (Clear-Site-Data and the worker itself)."""

from __future__ import annotations

from typing import Any

import pytest

from backpoints.web.security import is_private
from tests.conftest import LiveServer
from tests.flows import CACHED_PATHS


@pytest.mark.browser
def test_the_service_worker_keeps_no_private_page_and_forgets_at_log_out(
    live_server_mode: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    url = live_server_mode.url
    page.goto(url + "/register")
    page.get_by_label("E-mail address").fill("ann@example.org")
    page.get_by_label("Password (at least 10 characters)").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Where does your back hurt?").wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the worker controls the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for path in ("/history", "/account", "/points", "/offline", "/"):
        page.goto(url + path)
    page.wait_for_function(
        "caches.keys().then(async (k) => k.length > 0 && "
        "(await (await caches.open(k[0])).match('/points')) !== undefined)"
    )
    kept = set(page.evaluate(CACHED_PATHS))
    assert {"/points", "/offline"} <= kept
    assert not kept & {"/history", "/account", "/"}, kept
    page.goto(url + "/account")  # log-out sits with the account, under "Me"
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()
    page.wait_for_function("caches.keys().then((k) => k.length === 0)", timeout=10_000)
    page.goto(url + "/login")  # the worker comes back and keeps its public shell again
    assert all(not is_private(path) for path in page.evaluate(CACHED_PATHS))
