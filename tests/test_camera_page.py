"""The camera page: the page and the photo upload over HTTP, then in a real Chromium the live
pose model (vendored wasm under the app's CSP), the JS geometry against the Python one, a fake
camera, and the upload form.

The app is built with `create_app` and the camera router is included here if the app does
not include it yet. Tests that need the vision extra, the vendored browser files or Chromium
skip without them, and fail in CI, where `make test` installs them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import NoMatchFound

from backpoints.catalog import Catalog
from backpoints.settings import Settings
from backpoints.vision.errors import INSTALL_HINT
from backpoints.vision.estimator import FakeEstimator
from backpoints.vision.geometry import back_frame, place_points
from backpoints.web.app import create_app
from backpoints.web.pages import camera as camera_pages
from tests.conftest import LiveServer, _free_port, _wait_until_up, chromium
from tests.test_vision_geometry import back_pose
from tests.test_vision_mediapipe import back_pose_for, back_scene, need_vision, shipped_photo

ROOT = Path(__file__).resolve().parents[1]


def _has_camera(app: FastAPI) -> bool:
    """Whether `create_app` already includes the camera router."""
    try:
        app.url_path_for("camera_page")
    except NoMatchFound:
        return False
    return True


def camera_app(tmp_path: Path, estimator: Any = None, **settings: Any) -> FastAPI:
    app = create_app(Settings(data_dir=tmp_path / "data", **settings))
    if not _has_camera(app):
        app.include_router(camera_pages.router)
    if estimator is not None:
        app.state.camera_estimator = estimator
    return app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(camera_app(tmp_path, FakeEstimator(back_pose_for))) as c:
        yield c


def jpeg(image: Any, width: int, height: int, quality: int = 80) -> bytes:
    import cv2

    small = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return bytes(encoded.tobytes())


def need_vendored() -> None:
    if not camera_pages.vendored():
        message = "the browser's pose files are not vendored (bash scripts/vendor-mediapipe.sh)"
        if os.environ.get("CI"):
            pytest.fail(message + "; `make test` vendors them")
        pytest.skip(message)


def recipe_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="camera-recipe">(.*?)</script>', html)
    assert found, "the page carries the recipe for camera.js"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


# ---- Over HTTP ---------------------------------------------------------------------------


def test_the_page_offers_the_live_camera_and_a_photo_form(client: TestClient) -> None:
    need_vendored()
    need_vision()
    page = client.get("/camera")
    assert page.status_code == 200
    html = page.text
    assert "Find my points with the camera" in html
    assert 'id="camera-start"' in html and 'id="camera-canvas"' in html
    assert 'action="/camera/photo"' in html and 'enctype="multipart/form-data"' in html
    recipe = recipe_of(html)
    assert recipe["vendor"] == "/static/vendor/mediapipe-pose/"
    assert {p["id"] for p in recipe["points"]} >= {"BL23", "GB21", "GV14"}
    assert client.get(recipe["vendor"] + "pose.js").status_code == 200
    wasm = client.get(recipe["vendor"] + "pose_solution_simd_wasm_bin.wasm")
    assert wasm.headers["content-type"] == "application/wasm"


def test_the_csp_lets_the_pose_model_compile_webassembly_and_nothing_more(
    client: TestClient,
) -> None:
    csp = client.get("/camera").headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp
    assert "'unsafe-eval'" not in csp and "'unsafe-inline'" not in csp
    assert "http" not in csp  # nothing from another origin, no CDN


def test_points_named_in_the_address_are_the_only_ones_drawn(client: TestClient) -> None:
    recipe = recipe_of(client.get("/camera?point=BL23,GB21").text)
    assert {p["id"] for p in recipe["points"]} == {"BL23", "GB21"}
    assert set(recipe["labels"]) == {"BL23", "GB21"}
    unknown = client.get("/camera?point=BL99")
    assert unknown.status_code == 404 and "BL99" in unknown.text


def test_an_uploaded_photo_comes_back_with_the_points_drawn_and_listed(
    client: TestClient,
) -> None:
    need_vision(model=False)
    import cv2
    import numpy as np

    photo = jpeg(back_scene(), 360, 640)
    assert len(photo) < 64 * 1024  # passes the app's default body limit whatever the wiring
    answer = client.post(
        "/camera/photo",
        files={"photo": ("back.jpg", photo, "image/jpeg")},
        data={"height": "172", "point": "BL23"},
    )
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert "scaled from your height (172 cm)" in html
    rows = re.findall(
        r"<tr><td>1</td><td><a href=\"/points/BL23\">([^<]+)</a></td>\s*<td>(\w+)", html
    )
    assert rows == [("BL23 Kidney Shu", "left"), ("BL23 Kidney Shu", "right")]
    src = re.search(r'id="photo-overlay" src="data:image/jpeg;base64,([^"]+)"', html)
    assert src
    picture: Any = cv2.imdecode(np.frombuffer(base64.b64decode(src.group(1)), np.uint8), 1)
    assert picture.shape[1] <= 960 and picture.shape[0] > 400


def test_a_front_view_photo_is_refused_with_the_reason(tmp_path: Path) -> None:
    need_vision(model=False)
    front = FakeEstimator(lambda w, h: back_pose(face=0.99, swap_labels=True))
    with TestClient(camera_app(tmp_path, front)) as c:
        answer = c.post(
            "/camera/photo", files={"photo": ("back.jpg", jpeg(back_scene(), 360, 640))}
        )
    assert answer.status_code == 422
    assert "take it from behind, with their back to the camera" in answer.text
    assert 'role="alert"' in answer.text


def test_the_real_model_refuses_the_astronaut_upload(tmp_path: Path) -> None:
    need_vision()
    import cv2

    astronaut = cv2.imread(str(shipped_photo("astronaut.png")))
    with TestClient(camera_app(tmp_path)) as c:
        answer = c.post(
            "/camera/photo", files={"photo": ("me.jpg", jpeg(astronaut, 512, 512), "image/jpeg")}
        )
    assert answer.status_code == 422
    assert "from the front" in answer.text


@pytest.mark.parametrize(
    ("files", "data", "message"),
    [
        ({}, {}, "Choose a photo first."),
        ({"photo": ("a.jpg", b"not an image", "image/jpeg")}, {}, "not an image"),
        ({"photo": ("a.jpg", b"\xff\xd8", "image/jpeg")}, {"height": "tall"}, "number of"),
        ({"photo": ("a.jpg", b"x", "image/jpeg")}, {"height": "2000"}, "between 100 and 250"),
    ],
)
def test_bad_uploads_re_render_the_page_with_a_message(
    client: TestClient, files: dict[str, Any], data: dict[str, str], message: str
) -> None:
    need_vision(model=False)
    answer = client.post("/camera/photo", files=files or {"x": ("", b"")}, data=data)
    assert answer.status_code == 422
    assert message in answer.text


def test_without_the_vision_extra_the_page_says_how_to_install_it(tmp_path: Path) -> None:
    code = f"""
import sys
sys.modules["mediapipe"] = None
from pathlib import Path
from fastapi.testclient import TestClient
from markupsafe import escape
from tests.test_camera_page import camera_app
with TestClient(camera_app(Path({str(tmp_path)!r}))) as c:
    page = c.get("/camera").text
    sent = c.post("/camera/photo", files={{"photo": ("a.jpg", b"x" * 300, "image/jpeg")}})
hint = str(escape({INSTALL_HINT!r}))
print(page.count(hint), sent.status_code, sent.text.count(hint))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    shown, status, again = done.stdout.split()
    assert int(shown) == 1 and status == "422" and int(again) >= 1


def test_a_phone_sized_photo_passes_the_body_limit(tmp_path: Path) -> None:
    if not _has_camera(create_app(Settings(data_dir=tmp_path / "probe"))):
        pytest.skip("the camera router is not wired into create_app yet (with its upload path)")
    need_vision(model=False)
    big = jpeg(back_scene(), 1440, 2560, quality=95)
    assert len(big) > 200 * 1024
    with TestClient(camera_app(tmp_path, FakeEstimator(back_pose_for))) as c:
        answer = c.post("/camera/photo", files={"photo": ("back.jpg", big, "image/jpeg")})
    assert answer.status_code == 200, answer.text[:300]


# ---- In Chromium ---------------------------------------------------------------------------

SERVER = """
import sys
from pathlib import Path
import uvicorn
from tests.test_camera_page import camera_app
from tests.test_vision_mediapipe import back_pose_for
from backpoints.vision.estimator import FakeEstimator
port, data, fake = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "fake"
app = camera_app(data, FakeEstimator(back_pose_for) if fake else None)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""
#: WebGL through SwiftShader for the pose model; a fake camera that needs no permission.
CAMERA_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
]


def serve_camera(tmp_path: Path, estimator: str) -> Iterator[LiveServer]:
    port = _free_port()
    argv = [sys.executable, "-c", SERVER, str(port), str(tmp_path), estimator]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc)
        yield LiveServer(url, tmp_path)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture
def camera_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app with the camera page and the real model (when installed)."""
    yield from serve_camera(tmp_path, "real")


@pytest.fixture
def camera_server_fake(tmp_path: Path) -> Iterator[LiveServer]:
    """The app with the camera page; photo landmarks from the fake (the drawn back)."""
    yield from serve_camera(tmp_path, "fake")


@pytest.fixture
def camera_browser(chromium_path: str) -> Iterator[Any]:
    """A Chromium page with WebGL (SwiftShader) and a fake camera."""
    with chromium(chromium_path, CAMERA_ARGS) as browser:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console", lambda m: errors.append(m.text) if "Content Security" in m.text else None
        )
        try:
            yield page
        finally:
            context.close()
        assert errors == [], errors


def _normalised(pose: Any) -> list[dict[str, float]]:
    """mediapipe's 33 landmarks (0-1), with those of `pose` in their places."""
    from backpoints.vision.geometry import LANDMARK_INDEX

    out = [{"x": 0.5, "y": 0.5, "visibility": 0.0} for _ in range(33)]
    for name, i in LANDMARK_INDEX.items():
        mark = pose.landmarks[name]
        out[i] = {
            "x": mark.x / pose.width,
            "y": mark.y / pose.height,
            "visibility": mark.visibility,
        }
    return out


@pytest.mark.browser
def test_the_browser_draws_the_same_points_as_python(
    camera_server: LiveServer, camera_browser: Any, catalog: Catalog
) -> None:
    need_vendored()
    page = camera_browser
    page.goto(camera_server.url + "/camera")
    pose = back_pose(tilt_deg=12)
    drawn = page.evaluate(
        "([marks, w, h]) => window.backpointsCamera.show(marks, w, h)",
        [_normalised(pose), pose.width, pose.height],
    )
    assert drawn["error"] is None
    expected = place_points(back_frame(pose), catalog)
    assert len(drawn["points"]) == len(expected)
    for js, py in zip(drawn["points"], expected, strict=True):
        assert (js["id"], js["side"]) == (py.position.point_id, py.position.side)
        assert (js["px"], js["py"]) == pytest.approx((py.px, py.py), abs=0.01)
        assert js["radiusCm"] == pytest.approx(py.position.uncertainty_cm, abs=0.02)
    bl23 = next(p for p in drawn["points"] if p["id"] == "BL23" and p["side"] == "right")
    pixel = page.evaluate(
        "([x, y]) => Array.from(document.getElementById('camera-canvas')"
        ".getContext('2d').getImageData(x, y, 1, 1).data)",
        [round(bl23["px"]), round(bl23["py"])],
    )
    assert pixel[3] == 255 and pixel[:3] != [0, 0, 0]  # the point's dot is painted there
    assert page.get_by_role("img", name="The video, with the points drawn").is_visible()
    status = page.get_by_role("status").first.inner_text()
    assert status.startswith("Points drawn on the back")


@pytest.mark.browser
def test_the_browser_refuses_a_face_and_a_cropped_back(
    camera_server: LiveServer, camera_browser: Any
) -> None:
    need_vendored()
    page = camera_browser
    page.goto(camera_server.url + "/camera")
    show = "([marks, w, h]) => window.backpointsCamera.show(marks, w, h).error"
    front, cropped = back_pose(face=0.99, swap_labels=True), back_pose(hidden=("left_hip",))
    assert page.evaluate(show, [_normalised(front), 720, 1280]) == "facing"
    assert "turn their back" in page.locator("#camera-status").inner_text()
    assert page.evaluate(show, [_normalised(cropped), 720, 1280]) == "cropped"
    assert "Step back" in page.locator("#camera-status").inner_text()


@pytest.mark.browser
@pytest.mark.slow
def test_the_vendored_model_runs_in_the_browser_and_refuses_the_astronaut(
    camera_server: LiveServer, camera_browser: Any
) -> None:
    need_vendored()
    page = camera_browser
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(camera_server.url + "/camera")
    data = base64.b64encode(shipped_photo("astronaut.png").read_bytes()).decode()
    result = page.evaluate(
        """async (data) => {
            const img = new Image();
            img.src = "data:image/png;base64," + data;
            await img.decode();
            return await window.backpointsCamera.feed(img);
        }""",
        data,
    )
    assert result["error"] == "facing"
    assert "turn their back" in page.locator("#camera-status").inner_text()
    loaded = [u for u in requests if not u.startswith("data:")]
    assert any(u.endswith(".wasm") for u in loaded)
    assert all(u.startswith(camera_server.url) for u in loaded), "nothing from another origin"


@pytest.mark.browser
@pytest.mark.slow
def test_the_live_camera_runs_the_model_on_every_frame(
    camera_server: LiveServer, camera_browser: Any
) -> None:
    need_vendored()
    page = camera_browser
    page.goto(camera_server.url + "/camera")
    page.get_by_role("button", name="Start the camera").click()
    page.locator("#camera-canvas[data-frames]").wait_for(state="attached", timeout=60_000)
    first = int(page.locator("#camera-canvas").get_attribute("data-frames"))
    page.locator(f"#camera-canvas:not([data-frames='{first}'])").wait_for(
        state="attached", timeout=30_000
    )  # and the next frames keep coming
    # Chromium's fake camera shows a test pattern, not a person
    assert page.locator("#camera-status").inner_text() == "Looking for a person…"
    assert page.get_by_role("button", name="Stop").is_enabled()
    page.get_by_role("button", name="Stop").click()
    assert page.locator("#camera-status").inner_text() == "The camera is off."


@pytest.mark.browser
def test_a_photo_uploaded_from_the_page_shows_the_overlay_and_the_list(
    camera_server_fake: LiveServer, camera_browser: Any, tmp_path: Path
) -> None:
    need_vision(model=False)
    picture = tmp_path / "back.jpg"
    picture.write_bytes(jpeg(back_scene(), 360, 640))
    page = camera_browser
    page.goto(camera_server_fake.url + "/camera?point=GB21")
    page.get_by_label("Photo of the back").set_input_files(str(picture))
    page.get_by_label("Their height in cm").fill("165")
    page.get_by_role("button", name="Find the points").click()
    page.get_by_role("heading", name="Your points on the photo").wait_for()
    overlay = page.get_by_role("img", name="The photo with the points numbered")
    assert overlay.evaluate("img => img.complete && img.naturalWidth > 300")
    assert page.get_by_role("cell", name="GB21 Shoulder Well").count() == 2
    assert "scaled from your height (165 cm)" in page.locator("#photo-summary").inner_text()
