"""The web app in a real Chromium against a real server: the whole guided session by mouse
and by keyboard, the timer, offline use after the first visit, and page weight."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

NO = "No"


def _mark_pain(page: Any, region_label: str, level: int) -> None:
    page.get_by_role("button", name=region_label).click()
    scale = page.get_by_role("group", name=region_label)
    scale.get_by_label(str(level), exact=True).check()


def _answer_screening(page: Any, yes: tuple[str, ...] = ()) -> None:
    for group in page.locator("fieldset.yesno").all():
        legend = group.locator("legend").inner_text()
        answer = "Yes" if any(y in legend for y in yes) else NO
        group.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Continue").click()


def test_starting_with_nothing_marked_says_so_at_the_top(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start guided massage").click()
    said = page.get_by_role("alert")
    said.wait_for()
    assert "Mark at least one place that hurts" in said.inner_text()
    box = said.bounding_box()
    assert box is not None and box["y"] + box["height"] < 400  # seen without scrolling


def test_a_tapped_region_opens_its_0_to_10_scale_and_a_second_tap_clears_it(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    assert page.get_by_text("Nothing marked yet: tap a place on the map.").is_visible()
    region = page.get_by_role("button", name="Neck")
    region.click()
    scale = page.get_by_role("group", name="Neck")
    assert scale.is_visible() and scale.get_by_label("5", exact=True).is_checked()
    assert page.get_by_text("No pain", exact=True).is_visible()
    scale.get_by_label("9", exact=True).check()
    warm = region.locator("path").get_attribute("fill")
    scale.get_by_label("2", exact=True).check()
    assert region.locator("path").get_attribute("fill") != warm  # the colour follows the level
    region.click()
    assert not page.locator("#pain-neck").is_visible()
    assert region.get_attribute("aria-pressed") == "false"
    assert page.locator("#pain-neck input[value='0']").is_checked()  # nothing sent for the neck
    assert not page.get_by_text("No pain", exact=True).is_visible()


def test_guided_session_from_pain_map_to_relief(live_server: LiveServer, browser_page: Any) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    _mark_pain(page, "Lower back, left", 7)
    region = page.get_by_role("button", name="Lower back, left")
    assert region.get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Start guided massage").click()

    page.get_by_role("heading", name="First, a few safety questions").wait_for()
    _answer_screening(page)

    page.wait_for_url(re.compile(r".*/sessions/.+"))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "Point 1 of up to" in page.locator(".eyebrow").text_content()
    markers = page.locator(".backmap g.point.highlight").all()
    assert markers
    for marker in markers:  # the person's left is on the viewer's left (negative x)
        assert marker.get_attribute("data-side") in ("left", "midline")
        assert float(marker.locator("circle").first.get_attribute("cx")) <= 0.01
    assert page.get_by_text("How to find it").is_visible()
    assert not page.get_by_role("button", name="Save rating").is_visible()  # after the timer

    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name="Time is up. How is the pain now?").wait_for(timeout=20_000)
    assert not page.get_by_role("timer").is_visible()  # the rating took the timer's place
    assert page.evaluate("document.activeElement.name") == "pain_after"

    page.get_by_label("6", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save rating").click()
    assert "Point 2 of up to" in page.locator(".eyebrow").text_content()
    assert page.get_by_role("heading", level=1).inner_text() != heading

    page.get_by_role("button", name="Rate now").click()
    page.get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save rating").click()
    page.get_by_role("heading", name="Good: your pain eased").wait_for()
    assert "7 → 3" in page.content()

    page.goto(live_server.url + "/history")
    assert page.get_by_text("Pain eased").is_visible()
    page.goto(live_server.url + "/insights")
    assert page.get_by_text("Helped the one time you tried it").is_visible()


def test_red_flag_shows_the_referral_and_no_point(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    _mark_pain(page, "Sacrum (base of the spine)", 6)
    page.get_by_role("button", name="Start guided massage").click()
    _answer_screening(page, yes=("numbness or tingling between your legs",))
    alert = page.get_by_role("alert")
    assert "Get medical help now" in alert.inner_text()
    assert page.locator(".player").count() == 0 and page.locator("#timer").count() == 0


def test_the_two_click_bypass_is_gone(live_server: LiveServer, browser_page: Any) -> None:
    """Yes to urine trouble, back to the start, the same pain, Start: still no step."""
    page = browser_page
    page.goto(live_server.url + "/")
    _mark_pain(page, "Lower back, left", 6)
    page.get_by_role("button", name="Start guided massage").click()
    _answer_screening(page, yes=("trouble passing or holding urine",))
    page.wait_for_url(re.compile(r".*/refer$"))
    call = page.get_by_role("link", name="Call 112")
    assert call.get_attribute("href") == "tel:112"
    assert "or your local emergency number" in page.get_by_role("alert").inner_text()
    for _ in range(2):  # twice: the way back of the old bypass, then once more
        page.goto(live_server.url + "/")
        _mark_pain(page, "Lower back, left", 6)
        page.get_by_role("button", name="Start guided massage").click()
        page.wait_for_load_state()
        assert page.url.endswith("/refer")
        assert page.locator(".player").count() == 0 and page.locator("#timer").count() == 0
        assert page.get_by_role("heading", name="Get medical help now").is_visible()
    for path in ("/routines/desk-neck-shoulders", "/scan", "/chart"):
        page.goto(live_server.url + path)
        assert page.get_by_role("heading", name="Get medical help now").is_visible()
    # the quiet way back asks every question again; answering "no" clears it
    page.get_by_role("link", name="I answered by mistake — ask me again").click()
    assert page.locator("fieldset.yesno").count() == 17
    for group in page.locator("fieldset.yesno").all():
        group.get_by_label(NO, exact=True).check()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_url(live_server.url + "/")
    _mark_pain(page, "Lower back, left", 6)
    page.get_by_role("button", name="Start guided massage").click()
    page.wait_for_url(re.compile(r".*/sessions/.+"))
    assert page.locator("#timer").is_visible()


def test_keyboard_only_session(live_server: LiveServer, browser_page: Any) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    region = page.get_by_role("button", name="Between the shoulder blades")
    region.focus()
    page.keyboard.press("Enter")
    # the region's 0-10 scale opens at 5 with the focus on it; arrows move the level
    focused = "[document.activeElement.name, document.activeElement.value]"
    assert page.evaluate(focused) == ["interscapular", "5"]
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    assert page.evaluate(focused) == ["interscapular", "7"]
    scale = page.get_by_role("group", name="Between the shoulder blades")
    assert scale.get_by_label("7", exact=True).is_checked()
    page.get_by_role("button", name="Start guided massage").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="First, a few safety questions").wait_for()
    for group in page.locator("fieldset.yesno").all():
        group.get_by_label(NO, exact=True).focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name="Continue").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/sessions/.+"))
    page.get_by_role("button", name="Skip: try a different point").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Point 2 of up to" in page.locator(".eyebrow").text_content()
    page.get_by_role("button", name="Stop the session").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Session stopped").wait_for()


def test_timer_pauses_and_resumes_and_speech_choice_is_remembered(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    _mark_pain(page, "Neck", 5)
    page.get_by_role("button", name="Start guided massage").click()
    _answer_screening(page)
    assert page.get_by_label("Spoken cues").is_checked()  # on unless turned off
    page.get_by_label("Spoken cues").uncheck()
    page.get_by_role("button", name="Start").click()
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Pause").click()
    frozen = page.get_by_role("timer").inner_text()
    page.wait_for_timeout(600)
    assert page.get_by_role("timer").inner_text() == frozen
    page.get_by_role("button", name="Resume").click()
    page.get_by_role("heading", name="Time is up. How is the pain now?").wait_for(timeout=20_000)
    page.reload()
    assert not page.get_by_label("Spoken cues").is_checked()


def test_bad_form_input_gets_a_message_not_an_error(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start guided massage").click()
    assert "Mark at least one place that hurts" in page.get_by_role("alert").inner_text()


def test_works_offline_after_the_first_visit(live_server: LiveServer, browser_page: Any) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(live_server.url + "/points")
    page.wait_for_timeout(300)
    page.context.set_offline(True)
    try:
        page.goto(live_server.url + "/")
        assert page.get_by_role("button", name="Lower back, left").is_visible()
        page.goto(live_server.url + "/points")
        assert page.get_by_role("heading", name="Point library").is_visible()
    finally:
        page.context.set_offline(False)


def test_first_page_is_light_and_stays_on_this_machine(
    live_server: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    sizes: dict[str, int] = {}

    def record(response: Any) -> None:
        body = response.body() if response.request.method == "GET" else b""
        sizes[response.url] = len(body)

    page.on("response", record)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert sizes
    assert all(url.startswith(live_server.url) for url in sizes)
    assert sum(sizes.values()) < 150_000


def test_usable_on_a_narrow_phone(live_server: LiveServer, browser_page: Any) -> None:
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    _mark_pain(page, "Lower back, right", 4)
    page.get_by_role("button", name="Start guided massage").click()
    _answer_screening(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_by_role("button", name="Start").is_visible()


def test_server_mode_register_session_and_log_out(
    live_server_mode: LiveServer, browser_page: Any
) -> None:
    page = browser_page
    url = live_server_mode.url
    page.goto(url + "/history")
    page.get_by_role("heading", name="Log in").wait_for()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("E-mail address").fill("ann@example.org")
    page.get_by_label("Password (at least 10 characters)").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Where does your back hurt?").wait_for()
    _mark_pain(page, "Lower back, right", 5)
    page.get_by_role("button", name="Start guided massage").click()
    _answer_screening(page)
    page.get_by_role("button", name="Rate now").click()
    page.get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Save rating").click()
    page.get_by_role("heading", name="Good: your pain eased").wait_for()
    page.get_by_role("link", name="Me").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()
    page.goto(url + "/history")
    assert page.get_by_role("heading", name="Log in").is_visible()
    page.get_by_label("E-mail address").fill("ann@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Your pain diary").wait_for()
    assert page.get_by_text("Pain eased").is_visible()


def test_partner_routine_from_the_screen(live_server: LiveServer, browser_page: Any) -> None:
    page = browser_page
    page.goto(live_server.url + "/routines")
    page.get_by_role("link", name="10-minute partner massage of the whole back").click()
    _answer_screening_fieldsets(page)
    page.get_by_role("group", name=re.compile("stressed or tense")).get_by_label("6").check()
    page.get_by_role("button", name="Start the routine").click()
    for n in range(1, 9):
        assert f"point {n} of 8" in page.locator(".eyebrow").text_content()
        assert "partner" in page.get_by_text(re.compile("^Steady|^Small")).first.inner_text()
        if n == 1:
            page.get_by_role("button", name="Start").click()
            page.get_by_role("heading", name="Time is up. Ready for the next point?").wait_for(
                timeout=20_000
            )
        else:
            page.locator("#rate-now").click()  # done early: the next-point button shows
        name = "Finish" if n == 8 else "Done: next point"
        with page.expect_navigation():
            page.get_by_role("button", name=name).click()
    page.get_by_role("group", name=re.compile("stressed or tense")).get_by_label("2").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Stress 6 → 2").wait_for()


def _answer_screening_fieldsets(page: Any) -> None:
    for group in page.locator("fieldset.yesno").all():
        group.get_by_label(NO, exact=True).check()
