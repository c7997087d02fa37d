"""The back map's labels (inside the picture, never on one another, plain names, LEFT and
RIGHT written), the plain words pages use, and sessions left open being closed."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.anatomy import Body, body_from_stature, locate
from backpoints.core.clock import FakeClock
from backpoints.core.labels import Box, place_labels, wrappings
from backpoints.core.render import Marker, back_svg, focus_view, full_view
from backpoints.settings import Settings
from backpoints.web import words

SVG = "{http://www.w3.org/2000/svg}"
FRAME = Box(-20.0, -10.0, 40.0, 80.0)

names = st.sampled_from(["Waist-level point", "1", "The sweet spot", "Sacral point", "Hip point"])
spots = st.tuples(names, st.floats(-18, 18), st.floats(-8, 68))


@settings(max_examples=200, deadline=None)
@given(st.lists(spots, min_size=1, max_size=12))
def test_placed_labels_stay_inside_and_apart(points: list[tuple[str, float, float]]) -> None:
    size = 1.8
    placed = place_labels(points, FRAME, size)
    boxes = [p.box for p in placed if p is not None]
    assert all(b.inside(FRAME) for b in boxes)
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1 :])
    # a label that fits is never dropped when there is room: the first one always fits
    assert placed[min(range(len(points)), key=lambda i: (points[i][2], points[i][1]))] is not None


def test_a_label_that_would_leave_the_picture_goes_inward_or_wraps() -> None:
    placed = place_labels([("Point either side of the spine", 17.0, 30.0)], FRAME, 1.8)[0]
    assert placed is not None and placed.box.inside(FRAME)
    assert wrappings("Point either side of the spine")[1] == ("Point either side", "of the spine")


def _texts(svg: str, cls: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == cls]


@pytest.mark.parametrize("sex", ["female", "male"])
@pytest.mark.parametrize("stature", [150, 175, 200])
def test_every_point_is_named_in_plain_words_inside_the_map(
    catalog: Catalog, sex: str, stature: int
) -> None:
    body = body_from_stature(stature, sex)  # type: ignore[arg-type]
    for point in catalog:
        name = words.plain_name(point)
        markers = [Marker(pos, name, highlight=True) for pos in locate(point, body)]
        view = focus_view(body, [(m.position.x_cm, m.position.y_cm) for m in markers])
        svg = back_svg(body, markers=markers, view=view)
        assert _texts(svg, "side-label") == ["LEFT", "RIGHT"]
        labels = _texts(svg, "point-label")
        assert labels and all(label.replace(" ", "") in name.replace(" ", "") for label in labels)
        x, y, w, h = view
        fx, fy, fw, fh = full_view(body)
        assert fx <= x and fy <= y and x + w <= fx + fw + 1e-6 and y + h <= fy + fh + 1e-6
        assert point.id not in " ".join(labels)


def test_spine_levels_are_drawn_only_on_request(woman: Body) -> None:
    hidden = ET.fromstring(back_svg(woman))
    shown = ET.fromstring(back_svg(woman, landmark_labels=True))
    groups = [g for g in hidden.iter(f"{SVG}g") if g.get("class") == "levels"]
    assert groups and groups[0].get("display") == "none"
    revealed = [g for g in shown.iter(f"{SVG}g") if g.get("class") == "levels"]
    assert revealed[0].get("display") is None


def test_plain_names_come_before_expert_names(catalog: Catalog) -> None:
    assert words.plain_name(catalog.get("GV11")) == "Between the shoulder blades"
    assert words.expert_name(catalog.get("GV11")) == "GV11 Spirit Path · 神道 Shendao"
    assert words.with_side("Waist-level point", "left") == "Waist-level point, left side"
    assert words.with_side("Waist-level point", None, spots=2) == "Waist-level point, both sides"
    assert words.outcome("exhausted") == "No clear relief"
    assert words.count(1, "point", "points") == "1 point"
    assert words.count(3, "point", "points") == "3 points"
    full = words.sources(catalog, ["who2008", "nope", "who2008"])
    assert len(full) == 1 and full[0].startswith("World Health Organization")


@pytest.fixture
def services(tmp_path: Path, catalog: Catalog) -> Iterator[service.Services]:
    s = service.Services(Settings(data_dir=tmp_path / "data"), catalog=catalog, clock=FakeClock())
    s.open()
    yield s
    s.close()


def test_sessions_left_open_for_12_hours_are_closed_as_stopped(
    services: service.Services,
) -> None:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    person = service.person_id(services)
    old, _ = service.start_session(services, person, {"lower_back_left": 6}, [])
    clock.advance(hours=11)
    recent, _ = service.start_session(services, person, {"neck": 4}, [])
    assert service.close_stale(services, person) == 0
    clock.advance(hours=1, seconds=1)
    assert service.close_stale(services, person) == 1
    status = {s.id: s.status for s in service.history(services, person)}
    assert status == {old: "stopped", recent: "active"}


@pytest.mark.parametrize("after", [6, 2], ids=["no relief", "relief"])
def test_the_advice_at_the_end_names_its_sources_in_full(
    tmp_path: Path, catalog: Catalog, after: int
) -> None:
    """The summary's advice (no relief: rest, keep moving, see a clinician if it lasts;
    relief: keep moving) lists the full titles it rests on, never bare keys."""
    from fastapi.testclient import TestClient

    from backpoints.core.guided import ADVICE_SOURCES
    from backpoints.web.app import create_app
    from tests.flows import NO_ANSWERS

    with TestClient(create_app(Settings(data_dir=tmp_path / "data"))) as client:
        pain = [{"region": "lower_back_left", "intensity": 6}]
        body = client.post("/api/v1/sessions", json={"pain": pain, "answers": NO_ANSWERS}).json()
        while body["status"] == "active":
            point = body["step"]["point"]
            rating = {"point_id": point["id"], "side": point["side"], "pain_after": after}
            body = client.post(f"/api/v1/sessions/{body['id']}/ratings", json=rating).json()
        assert body["status"] == ("exhausted" if after == 6 else "relieved")
        page = client.get(f"/sessions/{body['id']}").text
    advice = html.unescape(page[page.index('aria-label="Advice"') :].split("</section>")[0])
    (keys,) = [k for text, k in ADVICE_SOURCES.items() if text[:30] in advice]
    assert len(keys) >= 1
    for key in keys:
        assert catalog.sources[key].citation in advice, key
        assert f">{key}<" not in advice
