"""The body frame: landmarks, vertebral levels and cun of a back; `locate` puts points on it.

Origin at the tip of the C7 spinous process, centimetres, `x_cm` positive toward the person's
right, `y_cm` positive downward (docs/architecture.md).
A `Body` is built from sex and stature (ansur2
means), from measured distances, or from 2-D landmarks of a photo with a pixel scale.
Imports only the vocabulary and the catalogue models; no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from backpoints.catalog.models import (
    HipLocation,
    Point,
    SacralLocation,
    ScapulaLocation,
    ShoulderLocation,
    SpineLocation,
)
from backpoints.core.vocab import LEVEL_INDEX, LEVELS, Sex, Side

Basis = Literal["stature", "measured", "photo"]
Vec = tuple[float, float]

#: Spinous-process heights as fractions of C7->PSIS (ernst2013), by index into LEVELS.
ERNST_KNOTS: Final[tuple[tuple[int, float], ...]] = (
    (LEVEL_INDEX["C7"], 0.0),
    (LEVEL_INDEX["T4"], 0.21),
    (LEVEL_INDEX["T7"], 0.39),
    (LEVEL_INDEX["T10"], 0.541),
    (LEVEL_INDEX["L1"], 0.709),
    (LEVEL_INDEX["L4"], 0.861),
    (LEVEL_INDEX["S2"], 1.0),
)
ERNST_MEAN_C7_PSIS_CM: Final = 50.9
#: Stature the ernst2013 mean is taken to belong to: the sex-averaged ansur2 mean (assumption).
ERNST_REFERENCE_STATURE_CM: Final = (175.6 + 162.9) / 2
#: ansur2 means: stature and biacromial breadth.
ANSUR_STATURE_CM: Final[dict[Sex, float]] = {"male": 175.6, "female": 162.9}
ANSUR_BIACROMIAL_CM: Final[dict[Sex, float]] = {"male": 41.6, "female": 36.5}
#: 1 B-cun is about stature / 75 (who2008 proportional bone cun).
STATURE_PER_CUN: Final = 75.0
#: Medial scapular borders sit 3 cun from the midline (6 cun apart).
SCAPULA_MEDIAL_CUN: Final = 3.0
#: Posterior superior iliac spines: about 2 cun either side of the midline.
PSIS_LATERAL_CUN: Final = 2.0
#: Posterior sacral foramina 1-4: distance from the median sacral crest, in cun.
FORAMEN_LATERAL_CUN: Final[tuple[float, ...]] = (1.1, 1.0, 0.9, 0.8)
#: Greater trochanter half-breadth relative to the acromion half-breadth, by sex.
HIP_TO_SHOULDER: Final[dict[Sex | None, float]] = {"male": 0.85, "female": 1.0, None: 0.92}
#: Uncertainty model (cm): a base plus a share of the distance from C7, by how the body was known.
UNCERTAINTY: Final[dict[Basis, tuple[float, float]]] = {
    "stature": (2.0, 0.05),
    "measured": (1.0, 0.02),
    "photo": (1.5, 0.03),
}


@dataclass(frozen=True)
class Body:
    """A back in the body frame: the few distances every landmark and point derives from."""

    c7_psis_cm: float
    cun_cm: float
    acromion_half_width_cm: float
    basis: Basis
    sex: Sex | None = None
    stature_cm: float | None = None

    def __post_init__(self) -> None:
        for name in ("c7_psis_cm", "cun_cm", "acromion_half_width_cm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")

    # Vertical: vertebral levels --------------------------------------------------------
    def y_at(self, index: float) -> float:
        """Height (y_cm) of a fractional vertebral index; extrapolates below S2 and above C7."""
        return interpolate_fraction(index) * self.c7_psis_cm

    def level_y(self, level: str) -> float:
        """Height of the lower border of a spinous process, e.g. `level_y("L2")`."""
        return self.y_at(LEVEL_INDEX[level])

    def nearest_level(self, y_cm: float) -> str:
        """The vertebral level whose lower border is closest in height to y_cm."""
        return min(LEVELS, key=lambda lv: abs(self.level_y(lv) - y_cm))

    def cun(self, n: float) -> float:
        """n B-cun in centimetres."""
        return n * self.cun_cm

    # Landmarks, right side (mirror x for the left) -----------------------------------
    @property
    def acromion(self) -> Vec:
        """Lateral end of the right acromion."""
        return (self.acromion_half_width_cm, self.level_y("T1") / 2)

    @property
    def scapular_spine_root(self) -> Vec:
        """Medial end of the right scapular spine (level with T3)."""
        return (self.cun(SCAPULA_MEDIAL_CUN), self.level_y("T3"))

    @property
    def inferior_angle(self) -> Vec:
        """Inferior angle of the right scapula (level with T7)."""
        return (self.cun(SCAPULA_MEDIAL_CUN), self.level_y("T7"))

    @property
    def iliac_crest_y(self) -> float:
        """Height of the line across the tops of the iliac crests (L4)."""
        return self.level_y("L4")

    @property
    def psis(self) -> Vec:
        """Right posterior superior iliac spine (the dimple, level with S2)."""
        return (self.cun(PSIS_LATERAL_CUN), self.level_y("S2"))

    @property
    def sacral_hiatus(self) -> Vec:
        """The sacral hiatus on the midline, below S4."""
        return (0.0, self.y_at(LEVEL_INDEX["S4"] + 0.5))

    @property
    def hip_half_width_cm(self) -> float:
        """Half the breadth across the greater trochanters."""
        return self.acromion_half_width_cm * HIP_TO_SHOULDER[self.sex]

    @property
    def greater_trochanter(self) -> Vec:
        """Right greater trochanter."""
        return (self.hip_half_width_cm, self.level_y("S2") + 0.2 * self.c7_psis_cm)

    def sacral_foramen(self, n: int) -> Vec:
        """Right posterior sacral foramen n (1-4)."""
        return (self.cun(FORAMEN_LATERAL_CUN[n - 1]), self.level_y(f"S{n}"))

    def uncertainty_at(self, x_cm: float, y_cm: float) -> float:
        """Radius (cm) within which a located point is expected, growing away from C7."""
        base, per_cm = UNCERTAINTY[self.basis]
        return round(base + per_cm * math.hypot(x_cm, y_cm), 2)


@dataclass(frozen=True)
class Position:
    """Where one side of a point lies in the body frame."""

    point_id: str
    side: Side | None
    x_cm: float
    y_cm: float
    level: str
    uncertainty_cm: float


def interpolate_fraction(index: float) -> float:
    """Fraction of C7->PSIS at a fractional level index (piecewise linear, ernst2013)."""
    knots = ERNST_KNOTS
    if index <= knots[0][0]:
        (i0, f0), (i1, f1) = knots[0], knots[1]
    elif index >= knots[-1][0]:
        (i0, f0), (i1, f1) = knots[-2], knots[-1]
    else:
        i1, f1 = next(k for k in knots if k[0] >= index)
        i0, f0 = knots[knots.index((i1, f1)) - 1]
    return f0 + (f1 - f0) * (index - i0) / (i1 - i0)


def body_from_stature(stature_cm: float, sex: Sex | None = None) -> Body:
    """A body estimated from stature (and sex, when known) with ansur2 and ernst2013 means."""
    if not 100 <= stature_cm <= 250:
        raise ValueError(f"height must be between 100 and 250 cm, got {stature_cm}")
    return Body(
        c7_psis_cm=ERNST_MEAN_C7_PSIS_CM * stature_cm / ERNST_REFERENCE_STATURE_CM,
        cun_cm=stature_cm / STATURE_PER_CUN,
        acromion_half_width_cm=_biacromial_ratio(sex) * stature_cm / 2,
        basis="stature",
        sex=sex,
        stature_cm=stature_cm,
    )


def body_from_measurements(
    c7_psis_cm: float,
    *,
    scapular_borders_cm: float | None = None,
    shoulder_width_cm: float | None = None,
    stature_cm: float | None = None,
    sex: Sex | None = None,
) -> Body:
    """A body from distances measured on the person (tape measure, or a helper's hands).

    `scapular_borders_cm` is the distance between the medial borders (6 cun); without it cun
    comes from the stature, or from C7->PSIS in proportion to the ernst2013 mean.
    """
    ref_stature = stature_cm or c7_psis_cm * ERNST_REFERENCE_STATURE_CM / ERNST_MEAN_C7_PSIS_CM
    cun_cm = scapular_borders_cm / 6 if scapular_borders_cm else ref_stature / STATURE_PER_CUN
    shoulders = shoulder_width_cm or _biacromial_ratio(sex) * ref_stature
    return Body(c7_psis_cm, cun_cm, shoulders / 2, "measured", sex, stature_cm)


def _biacromial_ratio(sex: Sex | None) -> float:
    if sex is None:
        ratios = [ANSUR_BIACROMIAL_CM[s] / ANSUR_STATURE_CM[s] for s in ANSUR_STATURE_CM]
        return sum(ratios) / len(ratios)
    return ANSUR_BIACROMIAL_CM[sex] / ANSUR_STATURE_CM[sex]


def locate(point: Point, body: Body) -> tuple[Position, ...]:
    """Every position of a point on this body: one per level and side (left before right)."""
    spots = _right_side_spots(point, body)
    positions: list[Position] = []
    for level, (x, y) in spots:
        sides: tuple[tuple[Side | None, float], ...] = (
            (("left", -x), ("right", x)) if x > 1e-9 else ((None, 0.0),)
        )
        positions += [
            Position(point.id, side, sx, y, level, body.uncertainty_at(sx, y)) for side, sx in sides
        ]
    return tuple(positions)


def _right_side_spots(point: Point, body: Body) -> list[tuple[str, Vec]]:
    loc = point.location
    if isinstance(loc, SpineLocation):
        return [
            (lv, (body.cun(loc.lateral_cun), body.level_y(lv) + body.cun(loc.down_cun)))
            for lv in loc.levels
        ]
    if isinstance(loc, SacralLocation):
        fx, fy = body.sacral_foramen(loc.foramen)
        x = fx if loc.lateral_cun is None else body.cun(loc.lateral_cun)
        return [(f"S{loc.foramen}", (x, fy))]
    if isinstance(loc, ShoulderLocation):
        x, y = _along((0.0, 0.0), body.acromion, loc.fraction)
        spot = (x, y + body.cun(loc.down_cun))
    elif isinstance(loc, ScapulaLocation):
        spine_mid = _along(body.scapular_spine_root, body.acromion, 0.5)
        spot = _along(spine_mid, body.inferior_angle, loc.fraction)
    else:
        assert isinstance(loc, HipLocation)
        spot = _along(body.greater_trochanter, body.sacral_hiatus, loc.fraction)
    return [(body.nearest_level(spot[1]), spot)]


def _along(a: Vec, b: Vec, fraction: float) -> Vec:
    return (a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction)
