"""From 2-D pose landmarks of a photo of the back to a `Body` and points placed on the picture.

Pure: plain floats in, dataclasses out; no numpy, opencv or mediapipe (the estimators in
`backpoints.vision.estimator` produce the `Pose` this module reads). `static/camera.js`
mirrors `back_frame` for live video; `browser_recipe` hands it the numbers it needs, so the
two cannot drift apart on constants.

Image coordinates: x to the viewer's right, y down, in pixels. A photo of a back shows the
person's right on the viewer's right, so the body frame's x (toward the person's right) runs
along the image's x when the person stands upright; a tilted camera or a leaning person is
handled by taking the trunk axis (shoulder midpoint to hip midpoint) as the body's "down".
Assumptions, each with the uncertainty it adds (docs/vision.md):
- mediapipe's shoulder landmarks (the shoulder joints) span `SHOULDER_LANDMARK_FRACTION` of
  the biacromial breadth (acromion tip to tip);
- C7 lies `C7_ABOVE_SHOULDERS` shoulder-landmark widths above the shoulders' midpoint;
- seen from behind, the model's left shoulder is on the viewer's left (`facing_camera`);
- mediapipe's hip landmarks are the hip joints, below the iliac crests; the PSIS (S2 level)
  lies `PSIS_ALONG_C7_HIP` of the way from C7 down to the hips' midpoint (~9 cm above them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from backpoints.catalog.models import Point
from backpoints.core.anatomy import (
    ANSUR_STATURE_CM,
    ERNST_REFERENCE_STATURE_CM,
    UNCERTAINTY,
    Body,
    Position,
    body_from_stature,
    locate,
)
from backpoints.core.vocab import Sex
from backpoints.i18n import N_
from backpoints.i18n import gettext as _
from backpoints.vision.errors import BodyCropped, FacingCamera, ImageTooSmall, UnusablePose

#: mediapipe Pose landmark indices of the landmarks used here.
LANDMARK_INDEX: Final[dict[str, int]] = {
    "nose": 0,
    "left_eye": 2,
    "right_eye": 5,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_hip": 23,
    "right_hip": 24,
}
TRUNK: Final = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
#: The trunk's landmarks in words, for a photo that cuts one off.
TRUNK_WORDS: Final = {
    "left_shoulder": N_("the left shoulder"),
    "right_shoulder": N_("the right shoulder"),
    "left_hip": N_("the left hip"),
    "right_hip": N_("the right hip"),
}
#: A shoulder or hip counts as seen at this visibility or more.
MIN_VISIBILITY: Final = 0.5
SHOULDER_LANDMARK_FRACTION: Final = 0.9
C7_ABOVE_SHOULDERS: Final = 0.12
PSIS_ALONG_C7_HIP: Final = 0.85
#: Extra uncertainty per cm from C7 for the scale: the stature fixes it better than a mean.
SCALE_CV: Final[dict[bool, float]] = {True: 0.03, False: 0.08}
#: Fewer pixels than this between the shoulders cannot place points to a centimetre or two.
MIN_SHOULDER_PX: Final = 40.0
#: The trunk axis may lean this far from the image's vertical.
MAX_TILT_DEG: Final = 45.0
#: Plausible C7->PSIS length over the shoulders' spread across the trunk: 1.50 for the mean
#: body (ernst2013 over ansur2 biacromial breadth x SHOULDER_LANDMARK_FRACTION), +-20%.
#: A side view narrows the spread; a wrong landmark stretches the trunk.
TRUNK_TO_SHOULDERS: Final = (1.2, 1.8)
#: With a known stature, C7-PSIS and shoulder width within this share of the prediction.
PLAUSIBLE: Final = (0.8, 1.2)

Vec = tuple[float, float]


@dataclass(frozen=True)
class Landmark:
    """One landmark in image pixels with the model's visibility (0-1)."""

    x: float
    y: float
    visibility: float


@dataclass(frozen=True)
class Pose:
    """The landmarks an estimator found in one image (names from `LANDMARK_INDEX`)."""

    width: int
    height: int
    landmarks: Mapping[str, Landmark] = field(hash=False)

    def seen(self, name: str, threshold: float = MIN_VISIBILITY) -> bool:
        """Whether a landmark is inside the picture and visible enough."""
        mark = self.landmarks.get(name)
        return (
            mark is not None
            and mark.visibility >= threshold
            and 0 <= mark.x <= self.width
            and 0 <= mark.y <= self.height
        )


@dataclass(frozen=True)
class PhotoBody:
    """A body located on a picture: C7 and the body axes in pixels, and the cm scale."""

    body: Body
    c7: Vec
    x_axis: Vec  # unit vector toward the person's right, in image pixels
    y_axis: Vec  # unit vector down the trunk
    px_per_cm: float
    stature_known: bool

    def to_image(self, x_cm: float, y_cm: float) -> Vec:
        """The pixel at body-frame position (x_cm, y_cm)."""
        s = self.px_per_cm
        return (
            self.c7[0] + s * (x_cm * self.x_axis[0] + y_cm * self.y_axis[0]),
            self.c7[1] + s * (x_cm * self.x_axis[1] + y_cm * self.y_axis[1]),
        )

    @property
    def tilt_deg(self) -> float:
        """How far the trunk leans from the image's vertical (positive: toward the right)."""
        return math.degrees(math.atan2(-self.y_axis[0], self.y_axis[1]))

    def uncertainty(self, x_cm: float, y_cm: float) -> float:
        """Radius (cm) of a point located on this photo: the photo basis plus the scale."""
        extra = SCALE_CV[self.stature_known] * math.hypot(x_cm, y_cm)
        return round(self.body.uncertainty_at(x_cm, y_cm) + extra, 2)


@dataclass(frozen=True)
class PlacedPoint:
    """One side of a point: body-frame position and where it falls on the picture."""

    position: Position
    px: float
    py: float
    radius_px: float


def check_back_view(pose: Pose) -> None:
    """Raise unless the pose shows a back (not a front) with both shoulders and both hips."""
    if facing_camera(pose):
        raise FacingCamera(
            _(
                "The photo shows the person from the front; take it from behind, with their "
                "back to the camera."
            )
        )
    missing = [_(TRUNK_WORDS[name]) for name in TRUNK if not pose.seen(name)]
    if missing:
        raise BodyCropped(
            _(
                "The photo must show both shoulders and both hips; cut off or hidden: "
                "{parts}. Step back so the whole back, from the neck to below the hips, is in "
                "the picture."
            ).format(parts=", ".join(missing))
        )


def facing_camera(pose: Pose) -> bool:
    """Whether the model sees the person from the front: its left shoulder on the viewer's right.

    Seen from behind, the person's left shoulder is on the viewer's left (across the trunk, so
    a tilted photo reads the same). The face is not used: the pose model reports nose and eyes
    at a visibility of 0.99 or more on people seen from behind too, and an upright person's
    nose always projects between the shoulders (docs/vision.md has the photos tried).
    """
    marks = pose.landmarks
    if not (pose.seen("left_shoulder") and pose.seen("right_shoulder")):
        return False
    sl, sr = marks["left_shoulder"], marks["right_shoulder"]
    down = (0.0, 1.0)  # upright, unless the hips show the trunk's axis
    if pose.seen("left_hip") and pose.seen("right_hip"):
        hl, hr = marks["left_hip"], marks["right_hip"]
        down = ((hl.x + hr.x - sl.x - sr.x) / 2, (hl.y + hr.y - sl.y - sr.y) / 2)
    across = (down[1], -down[0])  # toward the viewer's right on an upright picture
    return (sr.x - sl.x) * across[0] + (sr.y - sl.y) * across[1] < 0


def _mid(a: Landmark, b: Landmark) -> Vec:
    return ((a.x + b.x) / 2, (a.y + b.y) / 2)


def default_stature(sex: Sex | None) -> float:
    """The ansur2 mean stature for a sex (both sexes' average when unknown)."""
    return ANSUR_STATURE_CM[sex] if sex else ERNST_REFERENCE_STATURE_CM


def back_frame(pose: Pose, stature_cm: float | None = None, sex: Sex | None = None) -> PhotoBody:
    """The body frame on this photo; `check_back_view` must have passed.

    The scale comes from the shoulder width in pixels over the expected shoulder width in cm
    (ansur2 means for the stature, or for the sex when the stature is unknown); with a known
    stature it is averaged (geometrically) with the trunk length over its expected length.
    """
    marks = pose.landmarks
    sl, sr = marks["left_shoulder"], marks["right_shoulder"]
    shoulders_mid, hips_mid = _mid(sl, sr), _mid(marks["left_hip"], marks["right_hip"])
    shoulder_px = math.hypot(sl.x - sr.x, sl.y - sr.y)
    if shoulder_px < MIN_SHOULDER_PX:
        raise ImageTooSmall(
            _(
                "The person is too small in the picture ({px} px between the shoulders, at "
                "least {needed} needed); come closer."
            ).format(px=f"{shoulder_px:.0f}", needed=f"{MIN_SHOULDER_PX:.0f}")
        )
    down = (hips_mid[0] - shoulders_mid[0], hips_mid[1] - shoulders_mid[1])
    length = math.hypot(*down)
    y_axis = (down[0] / length, down[1] / length) if length else (0.0, 1.0)
    if length == 0 or math.degrees(math.acos(max(-1.0, min(1.0, y_axis[1])))) > MAX_TILT_DEG:
        raise UnusablePose(
            _(
                "The back is upside down or leaning more than 45 degrees in the picture; "
                "hold the camera upright and ask the person to stand straight."
            )
        )
    x_axis = (y_axis[1], -y_axis[0])  # image right when upright: the person's right
    spread_px = abs((sr.x - sl.x) * x_axis[0] + (sr.y - sl.y) * x_axis[1])
    lift = C7_ABOVE_SHOULDERS * shoulder_px
    c7 = (shoulders_mid[0] - lift * y_axis[0], shoulders_mid[1] - lift * y_axis[1])
    c7_hips_px = (hips_mid[0] - c7[0]) * y_axis[0] + (hips_mid[1] - c7[1]) * y_axis[1]
    trunk_px = PSIS_ALONG_C7_HIP * c7_hips_px
    low, high = TRUNK_TO_SHOULDERS
    if not low <= trunk_px / max(spread_px, 1e-9) <= high:
        raise UnusablePose(
            _(
                "The shoulders look too narrow or too wide for the length of the back (is the "
                "person side-on or bending?); ask them to stand straight with their back "
                "square to the camera."
            )
        )
    body = body_from_pixels(shoulder_px, trunk_px, stature_cm, sex)
    check_plausible(body, stature_cm, sex)
    return PhotoBody(body, c7, x_axis, y_axis, trunk_px / body.c7_psis_cm, stature_cm is not None)


def check_plausible(body: Body, stature_cm: float | None, sex: Sex | None) -> None:
    """Refuse a recovered body whose C7-PSIS length or shoulder width is far from what the
    stature (or, without one, the sex's average) predicts: a side view, a bent back or a
    wrong landmark, not a person of unusual build (`PLAUSIBLE` is about 2 SD of each)."""
    ref = body_from_stature(stature_cm or default_stature(sex), sex)
    low, high = PLAUSIBLE
    trunk = body.c7_psis_cm / ref.c7_psis_cm
    shoulders = body.acromion_half_width_cm / ref.acromion_half_width_cm
    if stature_cm is not None and not (low <= trunk <= high and low <= shoulders <= high):
        raise UnusablePose(
            _(
                "The back measures {trunk} cm from the neck to the pelvis and {across} cm "
                "across the shoulders, far from what a height of {height} cm predicts "
                "({expected_trunk} and {expected_across} cm); stand square to the camera, "
                "upright, with the whole back in view, and check the height in your profile."
            ).format(
                trunk=f"{body.c7_psis_cm:.0f}",
                across=f"{2 * body.acromion_half_width_cm:.0f}",
                height=f"{stature_cm:.0f}",
                expected_trunk=f"{ref.c7_psis_cm:.0f}",
                expected_across=f"{2 * ref.acromion_half_width_cm:.0f}",
            )
        )


def body_from_pixels(
    shoulder_px: float, trunk_px: float, stature_cm: float | None, sex: Sex | None
) -> Body:
    """A `Body` (basis "photo") from shoulder width and C7->PSIS length in pixels."""
    ref = body_from_stature(stature_cm or default_stature(sex), sex)
    scale = shoulder_px / (2 * ref.acromion_half_width_cm * SHOULDER_LANDMARK_FRACTION)
    if stature_cm is not None:
        scale = math.sqrt(scale * trunk_px / ref.c7_psis_cm)
    c7_psis_cm = trunk_px / scale
    cun_cm = ref.cun_cm if stature_cm is not None else c7_psis_cm * ref.cun_cm / ref.c7_psis_cm
    half_cm = shoulder_px / SHOULDER_LANDMARK_FRACTION / 2 / scale
    return Body(c7_psis_cm, cun_cm, half_cm, "photo", sex, stature_cm)


def place_points(frame: PhotoBody, points: Iterable[Point]) -> list[PlacedPoint]:
    """Every side of every point, in cm (with the photo's uncertainty) and in pixels."""
    placed = []
    for point in points:
        for pos in locate(point, frame.body):
            radius = frame.uncertainty(pos.x_cm, pos.y_cm)
            exact = Position(pos.point_id, pos.side, pos.x_cm, pos.y_cm, pos.level, radius)
            px, py = frame.to_image(pos.x_cm, pos.y_cm)
            placed.append(PlacedPoint(exact, px, py, radius * frame.px_per_cm))
    return placed


# ---- What camera.js needs to mirror this module ---------------------------------------


def linear_coefficients(point: Point, sex: Sex | None) -> list[dict[str, object]]:
    """Each position of a point as x and y linear in (c7_psis_cm, cun_cm, acromion half width).

    Every landmark in `backpoints.core.anatomy` is a linear combination of those three lengths,
    so evaluating `locate` on four bodies recovers the coefficients exactly.
    """

    def at(p: float, c: float, a: float) -> tuple[Position, ...]:
        return locate(point, Body(p, c, a, "photo", sex))

    base = at(1, 1, 1)
    dp, dc, da = at(2, 1, 1), at(1, 2, 1), at(1, 1, 2)
    rows: list[dict[str, object]] = []
    for i, pos in enumerate(base):
        cx = [dp[i].x_cm - pos.x_cm, dc[i].x_cm - pos.x_cm, da[i].x_cm - pos.x_cm]
        cy = [dp[i].y_cm - pos.y_cm, dc[i].y_cm - pos.y_cm, da[i].y_cm - pos.y_cm]
        rows.append(
            {
                "id": pos.point_id,
                "side": pos.side,
                "x": [round(v, 6) for v in cx],
                "y": [round(v, 6) for v in cy],
            }
        )
    return rows


def browser_recipe(
    points: Iterable[Point], stature_cm: float | None, sex: Sex | None
) -> dict[str, object]:
    """The constants and per-point coefficients camera.js needs (sent as JSON in the page)."""
    ref = body_from_stature(stature_cm or default_stature(sex), sex)
    base, per_cm = UNCERTAINTY["photo"]
    return {
        "landmarks": LANDMARK_INDEX,
        "minVisibility": MIN_VISIBILITY,
        "shoulderFraction": SHOULDER_LANDMARK_FRACTION,
        "c7AboveShoulders": C7_ABOVE_SHOULDERS,
        "psisAlongC7Hip": PSIS_ALONG_C7_HIP,
        "minShoulderPx": MIN_SHOULDER_PX,
        "maxTiltDeg": MAX_TILT_DEG,
        "trunkToShoulders": list(TRUNK_TO_SHOULDERS),
        "plausible": list(PLAUSIBLE),
        "uncertainty": [base, per_cm + SCALE_CV[stature_cm is not None]],
        "reference": {
            "c7PsisCm": ref.c7_psis_cm,
            "cunCm": ref.cun_cm,
            "acromionHalfCm": ref.acromion_half_width_cm,
            "statureKnown": stature_cm is not None,
        },
        "points": [row for p in points for row in linear_coefficients(p, sex)],
    }
