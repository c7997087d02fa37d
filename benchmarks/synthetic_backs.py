"""Synthetic photos of backs with ground truth: the app's body model rendered from behind.

`SyntheticBacks` opens Debian's Chromium (software WebGL by SwiftShader) on a small page
(`synthetic_backs.js`) served from memory with the app's own static files (three.js, the body
model and its landmarks), and renders a `Scene`: a body of a given stature and sex, with its
own proportions (C7-PSIS and shoulder width may differ from what the stature predicts, as real
people's do), seen by a camera at a distance, turned (yaw) and tilted (roll) a few degrees,
against a background and under a light. Each `Render` has the PNG and, for every body-frame
target (landmarks of the body frame and every side of every catalogue point), the true pixel
and the local map from body-frame centimetres to pixels, so an error in pixels can be read back
in centimetres on the skin. Nothing is committed: renders are made when a benchmark or a test
asks.
"""

from __future__ import annotations

import base64
import itertools
import math
import mimetypes
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from backpoints.catalog.models import Point
from backpoints.core.anatomy import Body, body_from_stature, locate
from backpoints.core.vocab import Sex

if TYPE_CHECKING:
    from backpoints.vision.estimator import Image

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "src" / "backpoints" / "web" / "static"
ORIGIN: Final = "http://synthetic.invalid/"
PAGE = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0"><canvas></canvas>
<script type="module" src="synthetic_backs.js"></script></body></html>"""
#: Chromium's switches for WebGL without a GPU.
CHROMIUM_ARGS: Final = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


@dataclass(frozen=True)
class Scene:
    """One synthetic photo: who is seen, from where, in what light."""

    stature_cm: float
    sex: Sex
    #: The person's C7-PSIS length and shoulder width over what their stature predicts.
    trunk_factor: float = 1.0
    shoulder_factor: float = 1.0
    distance_cm: float = 200.0
    yaw_deg: float = 0.0
    roll_deg: float = 0.0
    style: str = "dressed"  # "plain": skin all over; "dressed": hair and shorts
    background: str = "#d9d4cc"
    skin: str = "#d7a98c"
    hair: str = "#3b2a20"
    cloth: str = "#2f4a6b"
    ambient: float = 1.6
    sun: float = 1.6
    sun_x: float = -60.0
    width: int = 720
    height: int = 1280
    fov_deg: float = 60.0

    def body(self) -> Body:
        """The true body: the stature's prediction with this person's own proportions."""
        ref = body_from_stature(self.stature_cm, self.sex)
        return replace(
            ref,
            c7_psis_cm=ref.c7_psis_cm * self.trunk_factor,
            acromion_half_width_cm=ref.acromion_half_width_cm * self.shoulder_factor,
        )

    def label(self) -> str:
        return (
            f"{self.sex[0]}{self.stature_cm:g} t{self.trunk_factor:g} s{self.shoulder_factor:g} "
            f"d{self.distance_cm:g} yaw{self.yaw_deg:+g} roll{self.roll_deg:+g} {self.style}"
        )


@dataclass(frozen=True)
class Truth:
    """Where one body-frame target falls on the picture, and how pixels relate to cm there."""

    name: str
    x_cm: float
    y_cm: float
    px: tuple[float, float]
    #: Pixels moved per cm along the body's x (toward the person's right) and y (down).
    per_x_cm: tuple[float, float]
    per_y_cm: tuple[float, float]
    #: False where a ray from behind misses the skin: then the point is in C7's plane.
    on_skin: bool = True

    def error_xy_cm(self, px: float, py: float) -> tuple[float, float]:
        """A pixel guess's offset from this target in body-frame cm (x to the person's right,
        y down), through the local linear map."""
        (a, c), (b, d) = self.per_x_cm, self.per_y_cm
        ex, ey = px - self.px[0], py - self.px[1]
        det = a * d - b * c
        return ((d * ex - b * ey) / det, (a * ey - c * ex) / det)

    def error_cm(self, px: float, py: float) -> float:
        """How far a pixel guess lies from this target, in cm on the skin."""
        return math.hypot(*self.error_xy_cm(px, py))


@dataclass(frozen=True)
class Render:
    """A synthetic photo (PNG bytes) and its ground truth."""

    scene: Scene
    png: bytes
    body: Body
    truth: dict[str, Truth] = field(repr=False)

    def image(self) -> Image:
        """The render as opencv's BGR image (needs the vision extra)."""
        import cv2
        import numpy as np

        return cast("Image", cv2.imdecode(np.frombuffer(self.png, np.uint8), cv2.IMREAD_COLOR))


def landmark_targets(body: Body) -> list[tuple[str, float, float]]:
    """The body-frame landmarks: C7, both acromions, inferior angles and PSIS, the crest line."""
    out = [("C7", 0.0, 0.0)]
    for name, (x, y) in (
        ("acromion", body.acromion),
        ("inferior_angle", body.inferior_angle),
        ("psis", body.psis),
    ):
        out += [(f"{name} left", -x, y), (f"{name} right", x, y)]
    out.append(("iliac_crest midline", 0.0, body.iliac_crest_y))
    return out


def point_key(point_id: str, side: str | None, n: int) -> str:
    """A name for one position of a point: id, side and its order among that side's levels."""
    return f"{point_id} {side or 'mid'} {n}"


def point_targets(points: Sequence[Point], body: Body) -> list[tuple[str, float, float]]:
    """Every position of every point on this body, named by `point_key`."""
    out = []
    for point in points:
        seen: dict[str | None, int] = {}
        for pos in locate(point, body):
            n = seen[pos.side] = seen.get(pos.side, -1) + 1
            out.append((point_key(pos.point_id, pos.side, n), pos.x_cm, pos.y_cm))
    return out


class SyntheticBacks:
    """A headless Chromium that renders `Scene`s; use as a context manager."""

    def __init__(self, chromium: str | None = None) -> None:
        self._chromium = chromium or shutil.which("chromium")
        self._stack: list[Any] = []
        self._page: Any = None

    def __enter__(self) -> SyntheticBacks:
        from playwright.sync_api import sync_playwright

        if self._chromium is None:
            raise RuntimeError("chromium is not installed")
        if not (STATIC / "vendor" / "three" / "three.module.min.js").is_file():
            raise RuntimeError("three.js is not vendored (make vendor)")
        pw = sync_playwright().start()
        self._stack.append(pw.stop)
        browser = pw.chromium.launch(executable_path=self._chromium, args=CHROMIUM_ARGS)
        self._stack.append(browser.close)
        page = browser.new_page()
        page.route(f"{ORIGIN}**", _serve)
        page.goto(ORIGIN + "index.html")
        page.wait_for_function("window.rendererReady === true", timeout=60_000)
        self._page = page
        return self

    def __exit__(self, *exc: object) -> None:
        while self._stack:
            self._stack.pop()()

    def render(self, scene: Scene, points: Sequence[Point] = ()) -> Render:
        """Render one scene; the truth covers the landmarks and every position of `points`."""
        body = scene.body()
        targets = landmark_targets(body) + point_targets(points, body)
        aim = body.c7_psis_cm * 0.55  # the camera aims at mid-back, from chest height
        args = {
            "width": scene.width,
            "height": scene.height,
            "style": scene.style,
            "background": scene.background,
            "skin": scene.skin,
            "hair": scene.hair,
            "cloth": scene.cloth,
            "ambient": scene.ambient,
            "sun": scene.sun,
            "sunX": scene.sun_x,
            "fovDeg": scene.fov_deg,
            "yawDeg": scene.yaw_deg,
            "rollDeg": scene.roll_deg,
            "distanceCm": scene.distance_cm,
            "cameraYCm": -aim * 0.5,
            "aimYCm": -aim,
            "body": {
                "c7_psis_cm": body.c7_psis_cm,
                "acromion_half_width_cm": body.acromion_half_width_cm,
            },
            "targets": targets,
        }
        out = self._page.evaluate("(scene) => window.renderBack(scene)", args)
        png = base64.b64decode(out["png"].split(",", 1)[1])
        where = {name: (x, y) for name, x, y in targets}
        truth = {
            t["name"]: Truth(
                t["name"],
                *where[t["name"]],
                px=(t["px"][0], t["px"][1]),
                per_x_cm=(t["jx"][0], t["jx"][1]),
                per_y_cm=(t["jy"][0], t["jy"][1]),
                on_skin=t["skin"],
            )
            for t in out["targets"]
        }
        return Render(scene, png, body, truth)


def _serve(route: Any) -> None:
    path = route.request.url.removeprefix(ORIGIN).split("?", 1)[0]
    if path == "index.html":
        route.fulfill(status=200, content_type="text/html", body=PAGE)
        return
    file = HERE / path if path == "synthetic_backs.js" else _static(path)
    if file is None or not file.is_file():
        route.fulfill(status=404, body="not found")
        return
    kind = "text/javascript" if file.suffix == ".js" else mimetypes.guess_type(file.name)[0]
    route.fulfill(
        status=200, content_type=kind or "application/octet-stream", body=file.read_bytes()
    )


def _static(path: str) -> Path | None:
    if path.startswith("three/"):
        return STATIC / "vendor" / path
    if path.startswith("body/"):
        return STATIC / path
    return None


def scenes(count: int | None = None) -> Iterator[Scene]:
    """A spread of scenes: statures 155-195 cm, both sexes, own proportions, distances 160-260
    cm, yaw and roll of a few degrees, four backgrounds, three lights (deterministic)."""
    backgrounds = ("#d9d4cc", "#8fa3b5", "#f4f1ea", "#5d6a4f")
    lights = ((1.6, 1.6, -60.0), (1.0, 2.4, 80.0), (2.2, 0.8, 0.0))
    skins = ("#d7a98c", "#a8775a", "#f0c8a8", "#6b4a36")
    grid = itertools.product(
        (155, 165, 175, 185, 195),
        ("female", "male"),
        ((1.0, 1.0), (0.94, 1.05), (1.06, 0.95)),
    )
    for i, (stature, sex, (trunk, shoulders)) in enumerate(grid):
        if count is not None and i >= count:
            return
        light = lights[i % 3]
        yield Scene(
            stature_cm=stature,
            sex=sex,  # type: ignore[arg-type]
            trunk_factor=trunk,
            shoulder_factor=shoulders,
            distance_cm=(160, 200, 260)[i % 3],
            yaw_deg=(-6, -3, 0, 3, 6)[i % 5],
            roll_deg=(0, 3, -2, -4, 2, 0, 4)[i % 7],
            background=backgrounds[i % 4],
            skin=skins[(i // 2) % 4],
            ambient=light[0],
            sun=light[1],
            sun_x=light[2],
        )
