"""Pose from a photo: model load and ms per 1280x720 image (target < 150 ms), and the live
camera page's frames per second in Chromium, each beside a baseline from the same run.

Baselines: reading the model files from disk (load); decoding a 1280x720 JPEG and scaling
it with opencv (per image); the frames the fake camera delivers to the page (live).
The test photo is scikit-image's astronaut on a 1280x720 canvas (the model finds her, then
the pipeline refuses a front view, so the figure covers decoding, checks and the model).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.timing import median_seconds, ratio_line

ROOT = Path(__file__).resolve().parents[1]


def run() -> list[str]:
    from backpoints.vision.errors import VisionUnavailable
    from backpoints.vision.estimator import require_vision

    try:
        require_vision()
    except VisionUnavailable as exc:
        return [f"skipped: {exc}"]
    frame = _test_frame()
    if frame is None:
        return ["skipped: scikit-image's astronaut.png (the test photo) is not installed"]
    return _photo_lines(frame) + _browser_lines(frame)


def _test_frame() -> Any:
    import cv2
    import numpy as np

    try:
        path = metadata.distribution("scikit-image").locate_file("skimage/data/astronaut.png")
    except metadata.PackageNotFoundError:
        return None
    astronaut = cv2.imread(str(path))
    if astronaut is None:
        return None
    canvas = np.full((720, 1280, 3), 110, np.uint8)
    canvas[:, 280:1000] = cv2.resize(astronaut, (720, 720), interpolation=cv2.INTER_CUBIC)
    return canvas


def _photo_lines(frame: Any) -> list[str]:
    import cv2

    from backpoints.core.errors import BackpointsError
    from backpoints.vision import photo
    from backpoints.vision.estimator import MediapipeEstimator

    files = _model_files()
    start = time.perf_counter()
    model = MediapipeEstimator()
    load = time.perf_counter() - start
    read = median_seconds(lambda: [f.read_bytes() for f in files], repeat=5)
    encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()

    def decode() -> object:
        image: Any = cv2.imdecode(_buffer(encoded), cv2.IMREAD_COLOR)
        return cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA)

    def pipeline() -> None:
        try:
            photo.locate_photo(encoded, model, [])
        except BackpointsError:
            pass  # a front view, refused after the model ran

    base = median_seconds(decode, repeat=30)
    estimate = median_seconds(lambda: model.estimate(frame), repeat=20)
    whole = median_seconds(pipeline, repeat=20)
    model.close()
    target = "under" if whole < 0.150 else "OVER"
    return [
        ratio_line("model load (first use)", load, read, "read model files"),
        ratio_line("pose on 1280x720", estimate, base, "decode+resize jpeg"),
        ratio_line(f"photo pipeline 1280x720 ({target} 150 ms)", whole, base, "decode+resize"),
    ]


def _buffer(data: bytes) -> Any:
    import numpy as np

    return np.frombuffer(data, np.uint8)


def _model_files() -> list[Path]:
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    assert spec is not None and spec.submodule_search_locations
    base = Path(next(iter(spec.submodule_search_locations))) / "modules"
    return [
        base / "pose_detection" / "pose_detection.tflite",
        base / "pose_landmark" / "pose_landmark_full.tflite",
    ]


# ---- The live page in Chromium ---------------------------------------------------------

SERVER = """
import sys
from pathlib import Path
import uvicorn
from backpoints.settings import Settings
from backpoints.web.pages import camera as camera_pages
from backpoints.web.app import create_app
from starlette.routing import NoMatchFound
app = create_app(Settings(data_dir=Path(sys.argv[2])))
try:
    app.url_path_for("camera_page")
except NoMatchFound:
    app.include_router(camera_pages.router)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
SECONDS = 10


def _browser_lines(frame: Any) -> list[str]:
    from backpoints.web.pages.camera import vendored

    chromium = shutil.which("chromium")
    if chromium is None or not vendored():
        why = "no chromium" if chromium is None else "pose files not vendored"
        return [f"live camera fps: not measured ({why})"]
    try:
        import playwright  # noqa: F401
    except ImportError:
        return ["live camera fps: not measured (playwright is not installed)"]
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "astronaut.y4m"
        _write_y4m(video, frame, frames=10)
        return _measure_live(chromium, video, Path(tmp))


def _write_y4m(path: Path, frame: Any, frames: int) -> None:
    """A raw 4:2:0 video Chromium's fake camera can play (it loops it)."""
    import cv2

    height, width = frame.shape[:2]
    planes = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


def _measure_live(chromium: str, video: Path, data: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    argv = [sys.executable, "-c", SERVER, str(port), str(data)]
    server = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    args = [
        "--no-sandbox",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    try:
        _wait_until_up(url, server)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=args)
            page = browser.new_page()
            page.goto(url + "/camera")
            page.get_by_role("button", name="Start the camera").click()
            page.locator("#camera-canvas[data-frames]").wait_for(state="attached", timeout=90_000)
            first = int(page.locator("#camera-canvas").get_attribute("data-frames") or 0)
            page.wait_for_timeout(SECONDS * 1000)
            done = int(page.locator("#camera-canvas").get_attribute("data-frames") or 0)
            status = page.locator("#camera-status").inner_text()
            wasm = page.evaluate(_WASM_LOADED)
            page.get_by_role("button", name="Stop").click()
            drawing = page.evaluate(_DRAW_ONLY, _landmarks())
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    fps = (done - first) / SECONDS
    return [
        f"live camera 1280x720 (lite model, {wasm}, SwiftShader WebGL): {fps:.2f} frames/s "
        f"| drawing the overlay alone: {drawing:.1f} frames/s | ratio {fps / drawing:.3f}x",
        f"live status on the astronaut: {status!r}",
    ]


def _landmarks() -> list[dict[str, float]]:
    """An upright back's landmarks, normalised as the browser model reports them."""
    from backpoints.vision.geometry import LANDMARK_INDEX

    spots = {
        "nose": (0.5, 0.18, 0.1),
        "left_eye": (0.48, 0.16, 0.1),
        "right_eye": (0.52, 0.16, 0.1),
        "left_shoulder": (0.42, 0.31, 0.99),
        "right_shoulder": (0.58, 0.31, 0.99),
        "left_hip": (0.46, 0.61, 0.95),
        "right_hip": (0.54, 0.61, 0.95),
    }
    marks = [{"x": 0.5, "y": 0.5, "visibility": 0.0} for _ in range(33)]
    for name, (x, y, v) in spots.items():
        marks[LANDMARK_INDEX[name]] = {"x": x, "y": y, "visibility": v}
    return marks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "/api/v1/regions", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the app did not start")


_DRAW_ONLY = """async (marks) => {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    window.backpointsCamera.show(marks, 1280, 720);
    n += 1;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  return n / ((performance.now() - t0) / 1000);
}"""
_WASM_LOADED = """() => performance.getEntriesByType("resource").map((e) => e.name)
  .filter((n) => n.endsWith(".wasm")).map((n) => n.includes("simd") ? "SIMD wasm" : "wasm")
  .join(", ") || "no wasm"
"""
