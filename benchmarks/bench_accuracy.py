"""Location accuracy on synthetic backs with ground truth (`benchmarks.synthetic_backs`).

Runs the photo pipeline `backpoints locate-photo` runs (`vision.photo.locate_photo`, mediapipe's
model) on renders of the app's body model seen from behind, with the person's height and sex
given, and reads each placed point's error in cm on the skin and in cun against the render's
truth. Beside it, in the same run: the stature-only estimate (the points placed from
`body_from_stature` with a perfect C7 and perfect axes: what a person gets from their height
alone when their own proportions differ from the average), and the human baseline (clinicians
locating back points by the cun method miss by 8-22 mm). Also counted: backs refused (and
why), and renders where the model missed a landmark. Each scene is rendered twice: "dressed"
(hair, shorts) is the headline; "plain" (skin all over, bald) shows what the clothes change.
"""

from __future__ import annotations

import math
import shutil
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from backpoints.catalog.models import Point
from backpoints.core.anatomy import body_from_stature, locate

#: Clinicians with the cun method: 8-22 mm from the expert's mark.
HUMAN_CM: tuple[float, float] = (0.8, 2.2)
SCENES = 30


@dataclass
class Tally:
    """Errors (cm, cun) per point id, and what happened to each render."""

    cm: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cun: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)
    c7_cm: list[float] = field(default_factory=list)

    def add(self, point_id: str, cm: float, cun_cm: float) -> None:
        self.cm[point_id].append(cm)
        self.cun[point_id].append(cm / cun_cm)

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
    from benchmarks.synthetic_backs import SyntheticBacks, scenes

    points = list(load_catalog())
    tallies = {k: Tally() for k in ("dressed", "plain", "dressed, no height", "stature only")}
    model = MediapipeEstimator()
    with SyntheticBacks() as renderer:
        for scene in scenes(count):
            for style in ("dressed", "plain"):
                shot = renderer.render(replace(scene, style=style), points)
                _score(shot, model, points, tallies[style], with_height=True)
                if style == "dressed":
                    _score(shot, model, points, tallies["dressed, no height"], with_height=False)
            _stature_only(scene.body(), points, tallies["stature only"])
    model.close()
    return _table(tallies, count)


def _score(
    shot: object, model: object, points: list[Point], tally: Tally, *, with_height: bool
) -> None:
    import cv2
    import numpy as np

    from backpoints.core.errors import BackpointsError
    from backpoints.vision.photo import locate_photo
    from benchmarks.synthetic_backs import Render, point_key

    assert isinstance(shot, Render)
    image = cv2.imdecode(np.frombuffer(shot.png, np.uint8), cv2.IMREAD_COLOR)
    scene = shot.scene
    try:
        result = locate_photo(
            image,
            model,  # type: ignore[arg-type]
            points,
            stature_cm=scene.stature_cm if with_height else None,
            sex=scene.sex if with_height else None,
        )
    except BackpointsError as exc:
        tally.outcomes[type(exc).__name__] += 1
        return
    tally.outcomes["accepted"] += 1
    c7 = shot.truth["C7"]
    tally.c7_cm.append(c7.error_cm(*result.frame.c7))
    seen: dict[tuple[str, str | None], int] = {}
    for placed in result.points:
        pos = placed.position
        n = seen[(pos.point_id, pos.side)] = seen.get((pos.point_id, pos.side), -1) + 1
        truth = shot.truth[point_key(pos.point_id, pos.side, n)]
        if not truth.on_skin:
            tally.outcomes["point off the skin"] += 1
            continue
        tally.add(pos.point_id, truth.error_cm(placed.px, placed.py), shot.body.cun_cm)


def _stature_only(body: object, points: list[Point], tally: Tally) -> None:
    """Points from the stature's average body against the person's own, C7 and axes exact."""
    from backpoints.core.anatomy import Body

    assert isinstance(body, Body)
    guess = body_from_stature(body.stature_cm or 170.0, body.sex)
    tally.outcomes["accepted"] += 1
    tally.c7_cm.append(0.0)
    for point in points:
        for true, est in zip(locate(point, body), locate(point, guess), strict=True):
            tally.add(point.id, math.hypot(true.x_cm - est.x_cm, true.y_cm - est.y_cm), body.cun_cm)


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
    lines.append(
        f"{'human (cun method)':<20} {HUMAN_CM[0]:5.1f}-{HUMAN_CM[1]:.1f} cm (published range)"
    )
    for name, tally in tallies.items():
        if name == "stature only":
            continue
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items()))
        c7 = f"C7 error median {quantile(tally.c7_cm, 0.5):.1f} cm" if tally.c7_cm else "no C7"
        lines.append(f"{name}: {outcomes}; {c7}")
    photo, alone = tallies["dressed"], tallies["stature only"]
    lines.append(f"per point ({'photo+height, dressed':<22} | stature only, perfect C7)")
    lines.append(
        f"{'point':<34} {'cm50':>5} {'cm90':>5} {'cun50':>5} {'cun90':>5} {'<=1cm':>6} | "
        f"{'cm50':>5} {'cm90':>5}"
    )
    for point_id in sorted(alone.cm, key=lambda p: quantile(photo.cm.get(p, []), 0.5)):
        mine = _row(point_id, photo.cm.get(point_id, []), photo.cun.get(point_id, []), 34)
        base = alone.cm[point_id]
        lines.append(f"{mine} | {quantile(base, 0.5):5.1f} {quantile(base, 0.9):5.1f}")
    return lines
