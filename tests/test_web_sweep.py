"""Every page as a person sees it, at a phone's width (390 px) and a laptop's (1280 px), in a
real Chromium: no sideways scrolling, map labels inside the map and never on top of one
another, the player's Start on the first phone screen, no internal ids, status words or
source keys in what is shown, and axe-core (vendored from npm) finding no violations, in
the light and the dark scheme."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backpoints.catalog import load_catalog
from backpoints.core.vocab import REGION_IDS
from tests.conftest import LiveServer, _serve, chromium
from tests.web_seed import Seeded, pages, seed

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

MAP_LABELS_JS = """() => {
  const problems = [];
  document.querySelectorAll("svg.backmap").forEach((svg) => {
    const f = svg.getBoundingClientRect();
    const boxes = [...svg.querySelectorAll("text.point-label, text.side-label")]
      .filter((t) => !t.closest("[display=none]"))
      .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
    for (const b of boxes) {
      const r = b.r;
      const out = r.left < f.left - 1 || r.right > f.right + 1;
      if (out || r.top < f.top - 1 || r.bottom > f.bottom + 1)
        problems.push(`label outside the map: ${b.text}`);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) problems.push(`labels overlap: ${boxes[i].text} / ${boxes[j].text}`);
    }
  });
  return problems;
}"""


def _forbidden() -> re.Pattern[str]:
    """Words that must never be shown: source keys, internal point and region ids, raw
    status words."""
    catalog = load_catalog()
    words = set(catalog.sources)
    words |= {p.id for p in catalog if "-" in p.id and p.id != p.names.code}
    words |= {r for r in REGION_IDS if "_" in r}  # "neck" and "sacrum" are plain words
    words |= {"exhausted", "active", "refer"}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Seeded]]:
    for server in _serve(tmp_path_factory.mktemp("sweep"), {}):
        yield server, seed(server.url)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    with chromium(chromium_path, ["--no-sandbox"]) as launched:
        yield launched


def _check(page: Any, path: str, viewport: dict[str, int], forbidden: re.Pattern[str]) -> list[str]:
    problems: list[str] = []
    where = f"{path} at {viewport['width']} px"
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > viewport["width"]:
        problems.append(f"{where}: scrolls sideways ({wide} px wide)")
    problems += [f"{where}: {p}" for p in page.evaluate(MAP_LABELS_JS)]
    shown = page.evaluate("document.body.innerText")
    for found in sorted({m.group(1) for m in forbidden.finditer(shown)}):
        problems.append(f"{where}: shows the internal word {found!r}")
    return problems


def _axe(page: Any, where: str) -> list[str]:
    page.add_script_tag(content=AXE.read_text("utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)"
    )
    return [f"{where}: axe {v}" for v in violations]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_reads_well_at_phone_and_laptop_width(
    app: tuple[LiveServer, Seeded], browser: Any, scheme: str
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not vendored (run `make vendor`)")
    server, seeded = app
    forbidden = _forbidden()
    problems: list[str] = []
    for viewport in (PHONE, LAPTOP):
        context = browser.new_context(viewport=viewport, bypass_csp=True, color_scheme=scheme)
        page = context.new_page()
        for path in pages(seeded):
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            problems += _check(page, path, viewport, forbidden)
            problems += _axe(page, f"{path} at {viewport['width']} px ({scheme})")
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["session", "run"])
def test_the_players_start_is_on_the_first_phone_screen(
    app: tuple[LiveServer, Seeded], browser: Any, path: str
) -> None:
    server, seeded = app
    url = f"/sessions/{seeded.active}" if path == "session" else f"/runs/{seeded.run}"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server.url + url)
    start = page.get_by_role("button", name="Start", exact=True)
    box = start.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    # not hidden under the tab bar: the button is what a finger lands on
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button')?.id",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "start-btn"
    # the point, on a map with LEFT and RIGHT written on it, and its plain name
    sides = page.locator("svg.backmap text.side-label").all_text_contents()
    assert sides == ["LEFT", "RIGHT"]
    label = page.locator("svg.backmap text.point-label").first.bounding_box()
    assert label is not None and label["y"] + label["height"] <= PHONE["height"]
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading is not None and heading["y"] < box["y"]
    context.close()


def _sweep_here(page: Any, viewport: dict[str, int], forbidden: re.Pattern[str]) -> list[str]:
    path = page.url.split("/", 3)[-1]
    where = f"/{path}"
    return _check(page, where, viewport, forbidden) + _axe(page, f"{where} at {viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_safety_questions_and_the_referral_read_well(
    live_server: LiveServer, browser: Any, viewport: dict[str, int]
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not vendored (run `make vendor`)")
    forbidden = _forbidden()
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Sacrum (base of the spine)").click()
    page.get_by_role("button", name="Start guided massage").click()
    page.get_by_role("heading", name="First, a few safety questions").wait_for()
    problems = _sweep_here(page, viewport, forbidden)
    for group in page.locator("fieldset.yesno").all():
        legend = group.locator("legend").inner_text()
        answer = "Yes" if "numbness or tingling between your legs" in legend else "No"
        group.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("alert").wait_for()
    problems += _sweep_here(page, viewport, forbidden)
    # the clinician's all-clear, from the referral: the form, a refusal, then cleared
    page.get_by_role("link", name="A clinician has checked me").click()
    page.get_by_role("heading", name="A clinician's all-clear").wait_for()
    problems += _sweep_here(page, viewport, forbidden)
    page.locator("#checked_on").fill(date.today().isoformat())
    page.get_by_label("A clinician examined me for this").check()
    page.get_by_role("button", name="Record the all-clear").click()
    page.get_by_role("alert").wait_for()  # nothing ticked: the form says what to do
    problems += _sweep_here(page, viewport, forbidden)
    page.get_by_label("numbness between the legs", exact=False).check()
    page.get_by_role("button", name="Record the all-clear").click()
    page.get_by_role("heading", name="Where does your back hurt?").wait_for()
    context.close()
    assert not problems, "\n".join(problems)


def _tabs(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("nav.tabs a").all_inner_texts()]


def test_server_mode_navigation_follows_who_is_asking(
    live_server_mode: LiveServer, browser: Any
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not vendored (run `make vendor`)")
    url, forbidden, problems = live_server_mode.url, _forbidden(), []
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    for path in ("/points", "/login", "/register"):  # a visitor is offered log-in, nothing more
        page.goto(url + path)
        assert _tabs(page) == ["Log in", "Create account"]
        problems += _sweep_here(page, PHONE, forbidden)

    page.get_by_label("E-mail address").fill("tess@example.org")
    page.get_by_label("Password (at least 10 characters)").fill("a long enough password")
    page.get_by_label("a massage therapist or physiotherapist").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(url + "/care")  # a therapist lands on their clients
    assert _tabs(page) == ["Clients", "Library", "Me"]
    problems += _sweep_here(page, PHONE, forbidden)
    page.goto(url + "/")
    assert page.url == url + "/care"
    page.get_by_role("link", name="Me").click()
    problems += _sweep_here(page, PHONE, forbidden)
    page.get_by_role("button", name="Log out").click()

    page.goto(url + "/register")
    page.get_by_label("E-mail address").fill("ann@example.org")
    page.get_by_label("Password (at least 10 characters)").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Where does your back hurt?").wait_for()
    assert _tabs(page) == ["Start", "Routines", "Diary", "Library", "Me"]
    for path in ("/account", "/care", "/profile"):
        page.goto(url + path)
        problems += _sweep_here(page, PHONE, forbidden)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("sex", ["female", "male"])
def test_every_points_zoomed_map_keeps_its_labels_inside_on_a_phone(browser: Any, sex: str) -> None:
    """The step's zoomed map of every point, at a phone's width with the app's own styles: no
    label runs off the picture or over another (long names wrap)."""
    from backpoints.core.anatomy import body_from_stature, locate
    from backpoints.core.render import Marker, back_svg, focus_view
    from backpoints.web import words

    css = (Path(__file__).parents[1] / "src/backpoints/web/static/app.css").read_text("utf-8")
    maps = []
    for stature in (150, 200):
        body = body_from_stature(stature, sex)  # type: ignore[arg-type]
        for point in load_catalog():
            markers = [Marker(p, words.plain_name(point), highlight=True)
                       for p in locate(point, body)]  # fmt: skip
            view = focus_view(body, [(m.position.x_cm, m.position.y_cm) for m in markers])
            maps.append(f'<div class="mapbox">{back_svg(body, markers=markers, view=view)}</div>')
    page = browser.new_page(viewport=PHONE)
    try:
        page.set_content(f"<!doctype html><style>{css}</style><main>{''.join(maps)}</main>")
        assert page.evaluate(MAP_LABELS_JS) == []
    finally:
        page.close()
