"""The 13 regions of the back: labels, outlines in the body frame, and point-in-region.

Outlines are built from a `Body`'s landmarks, so they scale with the person: rows split at
C7/T1, T1, T7 (inferior scapular angles), L1, the iliac crest (L4) and the top of the sacrum;
columns at 2 cun (neck), 3 cun (medial scapular borders) and the sacrum's edge.
Imports only anatomy and the vocabulary.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from backpoints.core.anatomy import Body, Vec
from backpoints.core.vocab import REGION_IDS, REGION_LABELS

Polygon = tuple[Vec, ...]

NECK_HALF_CUN: Final = 2.0
SCAPULA_MEDIAL_CUN: Final = 3.0
SACRUM_HALF_CUN: Final = 2.5
#: Heights of the top of the neck and of the gluteal fold, as fractions of C7->PSIS.
NECK_TOP_FRACTION: Final = -0.22
GLUTEAL_FOLD_FRACTION: Final = 1.42


@dataclass(frozen=True)
class Region:
    """A region of the back with its outline (one polygon) in the body frame."""

    id: str
    label: str
    outline: Polygon

    @property
    def centroid(self) -> Vec:
        """Mean of the outline's vertices: a point to put a label or a marker on."""
        xs, ys = zip(*self.outline, strict=True)
        return (sum(xs) / len(xs), sum(ys) / len(ys))


def torso_outline(body: Body) -> Polygon:
    """The silhouette of the back (neck, shoulders, waist, hips), clockwise from the neck."""
    right = _right_silhouette(body)
    left = tuple((-x, y) for x, y in reversed(right))
    return right + left


def _right_silhouette(body: Body) -> Polygon:
    acr_x, acr_y = body.acromion
    hip = body.hip_half_width_cm
    length = body.c7_psis_cm
    neck = body.cun(NECK_HALF_CUN)
    return (
        (neck * 0.85, NECK_TOP_FRACTION * length),
        (neck, -0.06 * length),
        (acr_x * 0.6, acr_y - 0.05 * length),
        (acr_x, acr_y),
        (acr_x * 1.02, body.level_y("T3")),
        (acr_x * 0.86, body.level_y("T7")),
        (acr_x * 0.76, body.level_y("L2")),
        (acr_x * 0.74, body.level_y("L3")),
        (hip * 0.96, body.iliac_crest_y),
        (hip, body.greater_trochanter[1]),
        (hip * 0.97, GLUTEAL_FOLD_FRACTION * length),
        (body.cun(0.4), GLUTEAL_FOLD_FRACTION * length + 0.02 * length),
    )


def half_width_at(body: Body, y_cm: float) -> float:
    """Half the width of the back at a height, read off the silhouette."""
    edge = _right_silhouette(body)
    for (x0, y0), (x1, y1) in zip(edge, edge[1:], strict=False):
        if y0 <= y_cm <= y1:
            return x0 if y1 == y0 else x0 + (x1 - x0) * (y_cm - y0) / (y1 - y0)
    return edge[0][0] if y_cm < edge[0][1] else edge[-1][0]


def _rows(body: Body) -> dict[str, float]:
    sacrum_top = (body.level_y("L5") + body.level_y("S1")) / 2
    return {
        "neck_top": NECK_TOP_FRACTION * body.c7_psis_cm,
        "c7t1": body.level_y("T1") / 2,
        "t1": body.level_y("T1"),
        "t7": body.level_y("T7"),
        "l1": body.level_y("L1"),
        "crest": body.iliac_crest_y,
        "sacrum_top": sacrum_top,
        "fold": GLUTEAL_FOLD_FRACTION * body.c7_psis_cm,
    }


def _right_outlines(body: Body) -> dict[str, Polygon]:
    """Outlines of the right-side and midline regions (left ones are mirrors)."""
    r = _rows(body)
    w = functools.partial(half_width_at, body)
    neck, medial, sac = (body.cun(c) for c in (NECK_HALF_CUN, SCAPULA_MEDIAL_CUN, SACRUM_HALF_CUN))
    acr_x, acr_y = body.acromion
    tip_y = r["sacrum_top"] + 0.72 * (r["fold"] - r["sacrum_top"])
    # fmt: off
    return {
        "neck": (
            (-neck, r["neck_top"]), (neck, r["neck_top"]), (neck, r["c7t1"]), (-neck, r["c7t1"]),
        ),
        "upper_trapezius_right": (
            (neck, -0.06 * body.c7_psis_cm),
            (acr_x * 0.6, acr_y - 0.05 * body.c7_psis_cm),
            (acr_x, acr_y),
            (w(r["t1"]), r["t1"]),
            (neck, r["t1"]),
        ),
        "interscapular": (
            (-neck, r["c7t1"]), (neck, r["c7t1"]), (neck, r["t1"]), (medial, r["t1"]),
            (medial, r["t7"]), (-medial, r["t7"]), (-medial, r["t1"]), (-neck, r["t1"]),
        ),
        "scapula_right": (
            (medial, r["t1"]), (w(r["t1"]), r["t1"]), (w(body.level_y("T3")), body.level_y("T3")),
            (w(r["t7"]), r["t7"]), (medial, r["t7"]),
        ),
        "mid_back_right": (
            (0.0, r["t7"]), (w(r["t7"]), r["t7"]), (w(r["l1"]), r["l1"]), (0.0, r["l1"]),
        ),
        "lower_back_right": (
            (0.0, r["l1"]), (w(r["l1"]), r["l1"]), (w(body.level_y("L3")), body.level_y("L3")),
            (w(r["crest"]), r["crest"]), (sac, r["crest"]), (sac, r["sacrum_top"]),
            (0.0, r["sacrum_top"]),
        ),
        "sacrum": (
            (-sac, r["sacrum_top"]), (sac, r["sacrum_top"]), (body.cun(0.3), tip_y),
            (-body.cun(0.3), tip_y),
        ),
        "buttock_right": (
            (sac, r["crest"]), (w(r["crest"]), r["crest"]), body.greater_trochanter,
            (body.hip_half_width_cm * 0.97, r["fold"]), (body.cun(0.4), r["fold"]),
            (body.cun(0.3), tip_y), (sac, r["sacrum_top"]),
        ),
    }
    # fmt: on


@functools.lru_cache(maxsize=256)
def regions(body: Body) -> tuple[Region, ...]:
    """All 13 regions, in the order of `vocab.REGION_IDS`, outlined on this body (cached:
    a body is immutable, and its outlines are asked for at every step)."""
    outlines = _right_outlines(body)
    for rid in list(outlines):
        if rid.endswith("_right"):
            mirrored = tuple((-x, y) for x, y in reversed(outlines[rid]))
            outlines[rid.removesuffix("_right") + "_left"] = mirrored
    return tuple(Region(rid, REGION_LABELS[rid], outlines[rid]) for rid in REGION_IDS)


def contains(outline: Sequence[Vec], x: float, y: float, tolerance: float = 1e-6) -> bool:
    """Whether (x, y) lies inside the polygon or on its edge (within `tolerance` cm)."""
    inside = False
    n = len(outline)
    for i in range(n):
        (x0, y0), (x1, y1) = outline[i], outline[(i + 1) % n]
        if _distance_to_segment(x, y, x0, y0, x1, y1) <= tolerance:
            return True
        if (y0 > y) != (y1 > y) and x < x0 + (x1 - x0) * (y - y0) / (y1 - y0):
            inside = not inside
    return inside


def _distance_to_segment(px: float, py: float, x0: float, y0: float, x1: float, y1: float) -> float:
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x0) * dx + (py - y0) * dy) / length2))
    return float(((px - x0 - t * dx) ** 2 + (py - y0 - t * dy) ** 2) ** 0.5)


def regions_at(body: Body, x: float, y: float, tolerance: float = 0.05) -> tuple[str, ...]:
    """Ids of every region containing (x, y); a point on a shared edge is in both."""
    return tuple(r.id for r in regions(body) if contains(r.outline, x, y, tolerance))
