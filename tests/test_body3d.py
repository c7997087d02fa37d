"""The 3-D back: a small, valid body model with its landmarks recorded, the point placed on
the skin on the right side, turned by keyboard, loaded only when opened, never from elsewhere."""

from __future__ import annotations

import json
import shutil
import struct
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from backpoints.catalog import load_catalog
from backpoints.core.anatomy import body_from_stature, locate
from backpoints.web.body3d import where_in_words
from tests.conftest import LiveServer, chromium

BODY = resources.files("backpoints.web").joinpath("static", "body")


def _glb() -> tuple[dict[str, Any], bytes]:
    raw = BODY.joinpath("body.glb").read_bytes()
    magic, version, length = struct.unpack_from("<III", raw, 0)
    assert (magic, version, length) == (0x46546C67, 2, len(raw))
    json_len, json_type = struct.unpack_from("<II", raw, 12)
    assert json_type == 0x4E4F534A
    gltf = json.loads(raw[20 : 20 + json_len])
    bin_len, bin_type = struct.unpack_from("<II", raw, 20 + json_len)
    assert bin_type == 0x004E4942
    return gltf, raw[28 + json_len : 28 + json_len + bin_len]


def test_the_body_model_is_a_small_valid_gltf_binary() -> None:
    gltf, binary = _glb()
    assert len(BODY.joinpath("body.glb").read_bytes()) < 2_000_000
    assert gltf["asset"]["version"] == "2.0"
    assert len(binary) == gltf["buffers"][0]["byteLength"]
    position, normal, index = gltf["accessors"]
    assert position["type"] == normal["type"] == "VEC3" and position["count"] == normal["count"]
    assert index["count"] % 3 == 0
    for view in gltf["bufferViews"]:
        assert view["byteOffset"] + view["byteLength"] <= len(binary)
    stature = position["max"][1] - position["min"][1]
    assert 150 < stature < 185, "the mesh is in centimetres, a person's height"


def test_landmarks_are_recorded_with_how_they_were_found() -> None:
    marks = json.loads(BODY.joinpath("landmarks.json").read_text())
    assert set(marks["how"]) >= {"c7", "psis", "acromions", "inferior_angles_and_iliac_crests"}
    assert "CC0" in marks["source"]["licence"]
    assert "CC0" in BODY.joinpath("LICENSE-body-model.md").read_text()
    # Two independent finds agree: ernst2013's C7-PSIS from C7 lands at the pelvis joint.
    assert abs(marks["psis_y"] - marks["pelvis_joint_y"]) < 2.5
    assert marks["c7"][1] - marks["floor_y"] > 0.8 * marks["stature_cm"]
    assert 15 < marks["acromion_half_width_cm"] < 22


def test_the_place_is_also_said_in_words() -> None:
    body = body_from_stature(170, "female")
    catalog = load_catalog()
    both = where_in_words("BL23", locate(catalog.get("BL23"), body), body)
    assert "both sides" in both and "L2" in both
    middle = where_in_words("GV4", locate(catalog.get("GV4"), body), body)
    assert "middle of the spine" in middle and "both sides" not in middle


WEBGL = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


@pytest.fixture
def webgl_page(chromium_path: str) -> Iterator[Any]:
    with chromium(chromium_path, WEBGL) as browser:
        yield browser.new_page(viewport={"width": 390, "height": 844})


def _placed(page: Any, name: str) -> list[dict[str, Any]]:
    return list(json.loads(page.locator("[data-body3d]").get_attribute(name)))


@pytest.mark.browser
def test_bl23_on_a_3d_back_turned_by_keyboard(live_server: LiveServer, webgl_page: Any) -> None:
    requests: list[str] = []
    webgl_page.on("request", lambda r: requests.append(r.url))
    webgl_page.goto(live_server.url + "/points/BL23")
    assert not any("three" in u or "body.glb" in u for u in requests), "loaded before opened"
    webgl_page.get_by_role("button", name="Turn it on a 3-D back").click()
    webgl_page.wait_for_selector("[data-body3d][data-state=ready]", timeout=90_000)
    assert all(u.startswith(live_server.url) for u in requests), "nothing from elsewhere"
    assert any(u.split("?")[0].endswith("body.glb") for u in requests)

    placed = {p["side"]: p for p in _placed(webgl_page, "data-placed")}
    assert placed["left"]["onSkin"] and placed["right"]["onSkin"]
    assert placed["left"]["x"] > 0 > placed["right"]["x"], "the person's left is +x"
    seen = {p["side"]: p for p in _placed(webgl_page, "data-projected")}
    assert seen["left"]["x"] < seen["right"]["x"], "from behind, their left is on our left"

    canvas = webgl_page.get_by_role("img", name="A 3-D back with")
    assert "L2" in (canvas.get_attribute("aria-label") or "")
    canvas.focus()
    for _ in range(6):
        webgl_page.keyboard.press("ArrowRight")
    turned = {p["side"]: p for p in _placed(webgl_page, "data-projected")}
    assert turned != seen, "the arrow keys turn the body"
    webgl_page.keyboard.press("0")
    assert {p["side"]: p for p in _placed(webgl_page, "data-projected")} == seen


NO_WEBGL = """
const real = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
  return String(kind).startsWith("webgl") ? null : real.call(this, kind, ...rest);
};
"""


@pytest.mark.browser
def test_without_webgl_the_flat_map_stays(live_server: LiveServer, chromium_path: str) -> None:
    with chromium(shutil.which("chromium") or chromium_path, ["--no-sandbox"]) as browser:
        page = browser.new_page()
        # A device without WebGL: every WebGL context request fails.
        page.add_init_script(NO_WEBGL)
        page.goto(live_server.url + "/points/BL23")
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("button", name="Turn it on a 3-D back").count() == 0
        assert page.locator(".mapbox svg").count() == 1
        assert "L2" in page.locator(".body3d-words").inner_text()
