"""Location accuracy on synthetic backs with ground truth (`benchmarks.synthetic_backs`).

Runs the photo pipeline `backpoints locate-photo` runs (`vision.photo.locate_photo`, mediapipe's
model) on renders of the app's body model seen from behind, with the person's height and sex
given, and reads each placed point's error in cm on the skin and in cun against the render's
truth. Beside it, in the same run: the stature-only estimate (the points placed from
`body_from_stature` with a perfect C7 and perfect axes: what a person gets from their height
alone when their own proportions differ from the average), and the human baseline (clinicians
locating back points by the cun method miss by 8-22 mm). Also counted: backs refused (and
why), and renders where the model missed a landmark. Each scene is rendered twice: "dressed"
(hair, shorts) is the headline; "plain" (skin all over, bald) shows what the clothes change;
the dressed render is also run without the height, and at half size (360x640). Under the
table: the body the photo found against the true one, and the mean vertical error (positive:
placed too low) at the bottom of the back, which tell a bias from scatter.
"""

from __future__ import annotations

import math
import shutil
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, cast

from backpoints.catalog.models import Point
from backpoints.core.anatomy import Body, body_from_stature, locate
from backpoints.core.errors import BackpointsError
from backpoints.vision import geometry
from backpoints.vision.estimator import PoseEstimator
from backpoints.vision.geometry import Pose
from backpoints.vision.photo import locate_photo
from benchmarks.synthetic_backs import Render, SyntheticBacks, point_key, scenes

if TYPE_CHECKING:
    from backpoints.vision.estimator import Image

#: Clinicians with the cun method: 8-22 mm from the expert's mark.
HUMAN_CM: tuple[float, float] = (0.8, 2.2)
SCENES = 30
VARIANTS = ("dressed", "plain", "dressed, no height", "dressed, 360x640", "stature only")
#: How a refusal's message starts, and a short name for it.
REFUSALS = {
    "The shoulders look too narrow or too wide": "trunk/shoulders ratio",
    "The back measures": "size implausible for the height",
    "The back is upside down": "tilt",
    "The photo shows the person from the front": "front view",
    "The photo must show both shoulders": "landmark missed",
    "No person found": "no person",
}
CONSTANTS = {
    "SHOULDER_LANDMARK_FRACTION": geometry.SHOULDER_LANDMARK_FRACTION,
    "C7_ABOVE_SHOULDERS": geometry.C7_ABOVE_SHOULDERS,
    "PSIS_ALONG_C7_HIP": geometry.PSIS_ALONG_C7_HIP,
}
#: Points at the bottom of the back, for the mean vertical error.
LOW_BACK = ("BL23", "BL25", "BL28")


@dataclass
class Tally:
    """Errors (cm, cun) per point id, and what happened to each render."""

    cm: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cun: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)
    c7_cm: list[float] = field(default_factory=list)
    dy_cm: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: The photo's C7-PSIS and acromion half-width over the true ones.
    trunk: list[float] = field(default_factory=list)
    shoulders: list[float] = field(default_factory=list)
    #: What `vision.geometry`'s three constants would have to be on each render.
    implied: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, point_id: str, cm: float, cun_cm: float, dy_cm: float) -> None:
        self.cm[point_id].append(cm)
        self.cun[point_id].append(cm / cun_cm)
        self.dy_cm[point_id].append(dy_cm)

    def all_cm(self) -> list[float]:
        return [e for errs in self.cm.values() for e in errs]

    def all_cun(self) -> list[float]:
        return [e for errs in self.cun.values() for e in errs]


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile by linear interpolation (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low = math.floor(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def within(values: Sequence[float], limit: float = 1.0) -> float:
    return 100 * sum(v <= limit for v in values) / len(values) if values else math.nan


def run() -> list[str]:
    from backpoints.vision.errors import VisionUnavailable
    from backpoints.vision.estimator import require_vision

    try:
        require_vision()
        import playwright  # noqa: F401
    except (VisionUnavailable, ImportError) as exc:
        return [f"skipped: {exc}"]
    if shutil.which("chromium") is None:
        return ["skipped: chromium is not installed"]
    return measure(SCENES)


def measure(count: int) -> list[str]:
    from backpoints.catalog import load_catalog
    from backpoints.vision.estimator import MediapipeEstimator

    points = list(load_catalog())
    tallies = {k: Tally() for k in VARIANTS}
    model = MediapipeEstimator()
    with SyntheticBacks() as renderer:
        for scene in scenes(count):
            for style in ("dressed", "plain"):
                shot = renderer.render(replace(scene, style=style), points)
                _score(shot, model, points, tallies[style])
                if style == "dressed":
                    _score(shot, model, points, tallies["dressed, no height"], height=False)
                    _score(shot, model, points, tallies["dressed, 360x640"], scale=0.5)
            _stature_only(scene.body(), points, tallies["stature only"])
    model.close()
    return _table(tallies, count)


def _refusal(exc: Exception) -> str:
    """A short name for why a back was refused."""
    text = str(exc)
    for start, name in REFUSALS.items():
        if text.startswith(start):
            return f"refused ({name})"
    return f"refused ({type(exc).__name__})"


def _score(
    shot: Render,
    model: PoseEstimator,
    points: list[Point],
    tally: Tally,
    *,
    height: bool = True,
    scale: float = 1.0,
) -> None:
    """Run the photo pipeline on one render (scaled by `scale`) and score what it places."""
    import cv2

    image = shot.image()
    if scale != 1.0:
        size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
        image = cast("Image", cv2.resize(image, size, interpolation=cv2.INTER_AREA))
    scene = shot.scene
    try:
        result = locate_photo(
            image,
            model,
            points,
            stature_cm=scene.stature_cm if height else None,
            sex=scene.sex if height else None,
        )
    except BackpointsError as exc:
        tally.outcomes[_refusal(exc)] += 1
        return
    tally.outcomes["accepted"] += 1
    found = result.frame.body
    tally.trunk.append(found.c7_psis_cm / shot.body.c7_psis_cm)
    tally.shoulders.append(found.acromion_half_width_cm / shot.body.acromion_half_width_cm)
    tally.c7_cm.append(shot.truth["C7"].error_cm(*(v / scale for v in result.frame.c7)))
    for name, value in _implied(shot, result.pose, scale).items():
        tally.implied[name].append(value)
    seen: dict[tuple[str, str | None], int] = {}
    for placed in result.points:
        pos = placed.position
        n = seen[(pos.point_id, pos.side)] = seen.get((pos.point_id, pos.side), -1) + 1
        truth = shot.truth[point_key(pos.point_id, pos.side, n)]
        if not truth.on_skin:
            tally.outcomes["positions off the skin (not scored)"] += 1
            continue
        ex, ey = truth.error_xy_cm(placed.px / scale, placed.py / scale)
        tally.add(pos.point_id, math.hypot(ex, ey), shot.body.cun_cm, ey)


def _implied(shot: Render, pose: Pose, scale: float) -> dict[str, float]:
    """The geometry constants that would put C7, the acromions and the PSIS level exactly
    where the render has them, from the model's shoulders and hips (upright renders)."""
    marks, truth = pose.landmarks, shot.truth
    sl, sr = marks["left_shoulder"], marks["right_shoulder"]
    shoulder_px = math.hypot(sr.x - sl.x, sr.y - sl.y) / scale
    shoulder_y = (sl.y + sr.y) / 2 / scale
    hip_y = (marks["left_hip"].y + marks["right_hip"].y) / 2 / scale
    c7_y = truth["C7"].px[1]
    (lx, ly), (rx, ry) = truth["acromion left"].px, truth["acromion right"].px
    psis_y = (truth["psis left"].px[1] + truth["psis right"].px[1]) / 2
    return {
        "SHOULDER_LANDMARK_FRACTION": shoulder_px / math.hypot(rx - lx, ry - ly),
        "C7_ABOVE_SHOULDERS": (shoulder_y - c7_y) / shoulder_px,
        "PSIS_ALONG_C7_HIP": (psis_y - c7_y) / (hip_y - c7_y),
    }


def _stature_only(body: Body, points: list[Point], tally: Tally) -> None:
    """Points from the stature's average body against the person's own, C7 and axes exact."""
    guess = body_from_stature(body.stature_cm or 170.0, body.sex)
    tally.outcomes["accepted"] += 1
    tally.c7_cm.append(0.0)
    for point in points:
        for true, est in zip(locate(point, body), locate(point, guess), strict=True):
            dy = est.y_cm - true.y_cm
            tally.add(point.id, math.hypot(true.x_cm - est.x_cm, dy), body.cun_cm, dy)


def _row(label: str, cm: Sequence[float], cun: Sequence[float], width: int = 20) -> str:
    return (
        f"{label:<{width}} {quantile(cm, 0.5):5.1f} {quantile(cm, 0.9):5.1f} "
        f"{quantile(cun, 0.5):5.2f} {quantile(cun, 0.9):5.2f} {within(cm):5.0f}%"
    )


def _table(tallies: dict[str, Tally], count: int) -> list[str]:
    head = f"{'':<20} {'cm50':>5} {'cm90':>5} {'cun50':>5} {'cun90':>5} {'<=1cm':>6}"
    lines = [f"{count} scenes (statures 155-195 cm, both sexes, own proportions +-6%)", head]
    for name, tally in tallies.items():
        lines.append(_row(name, tally.all_cm(), tally.all_cun()))
    lines.append(f"{'clinicians, cun':<20} {HUMAN_CM[0]:5.1f}-{HUMAN_CM[1]:.1f} cm (published)")
    for name, tally in tallies.items():
        if name != "stature only":
            lines += _diagnosis(name, tally)
    photo, alone = tallies["dressed"], tallies["stature only"]
    lines.append("per point: photo + height, dressed | stature only, perfect C7")
    lines.append(
        f"{'point':<34} {'cm50':>5} {'cm90':>5} {'cun50':>5} {'cun90':>5} {'<=1cm':>6} | "
        f"{'cm50':>5} {'cm90':>5}"
    )
    for point_id in sorted(alone.cm, key=lambda p: quantile(photo.cm.get(p, []), 0.5)):
        mine = _row(point_id, photo.cm.get(point_id, []), photo.cun.get(point_id, []), 34)
        base = alone.cm[point_id]
        lines.append(f"{mine} | {quantile(base, 0.5):5.1f} {quantile(base, 0.9):5.1f}")
    return lines


def _diagnosis(name: str, tally: Tally) -> list[str]:
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items()))
    lines = [f"{name}: {outcomes}"]
    if tally.c7_cm:
        low = [d for p in LOW_BACK for d in tally.dy_cm.get(p, [])]
        shift = sum(low) / len(low)
        lines.append(
            f"  C7 off by {quantile(tally.c7_cm, 0.5):.1f} cm (median); C7-PSIS found / true "
            f"{quantile(tally.trunk, 0.5):.2f}, shoulder width found / true "
            f"{quantile(tally.shoulders, 0.5):.2f}; {'/'.join(LOW_BACK)} placed "
            f"{abs(shift):.1f} cm too {'low' if shift > 0 else 'high'} (mean)"
        )
        implied = ", ".join(
            f"{name} {CONSTANTS[name]:g} -> {quantile(values, 0.5):.2f}"
            for name, values in tally.implied.items()
        )
        lines.append(f"  on these renders (median): {implied}")
    return lines
