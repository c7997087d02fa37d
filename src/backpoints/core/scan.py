"""Finding tender spots (the seed's three ways: by feel, with a roller or ball, with a
partner): the scan walks down the back region by region; each marked spot becomes a found
point, matched to the nearest catalogue points so the planner offers it and learning counts
it. What is suggested for a spot passes the person's cautions first (`suggest`). Pure:
geometry and words only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from backpoints.catalog import Catalog
from backpoints.core.anatomy import Body, locate
from backpoints.core.cautions import Cautions
from backpoints.core.errors import BackpointsError
from backpoints.core.regions import regions, regions_at
from backpoints.core.vocab import LEVEL_INDEX, REGION_IDS, REGION_LABELS, Side, region_label
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

#: Top to bottom, left before right: the order a scan walks.
SCAN_ORDER: Final = tuple(REGION_IDS)
#: A catalogue point within this distance of a found spot is "the same place".
MATCH_CM: Final = 4.0
HOW_TO_SCAN: Final[dict[str, str]] = {
    "by_feel": N_(
        "Press slowly with two fingertips, a thumb-width at a time; a tender spot aches "
        "more than its surroundings, or feels like a knot or a tight band."
    ),
    "with_a_ball": N_(
        "Lean on a tennis ball against a wall and roll it slowly over the region; "
        "stop where it aches more and note the spot."
    ),
    "with_a_partner": N_(
        "A partner presses slowly down the region, a thumb-width at a time, and "
        "asks '1 to 10, how tender?' at each spot."
    ),
}


class BadSpot(BackpointsError, ValueError):
    field = "spot"


@dataclass(frozen=True)
class Spot:
    """A marked place on the back, in the body frame, with how tender it is (1-10)."""

    region: str
    x_cm: float
    y_cm: float
    tenderness: int


def spot_at(body: Body, x_cm: float, y_cm: float, tenderness: int) -> Spot:
    """A spot from a tap on the map; BadSpot if it is not on the back."""
    if not (math.isfinite(x_cm) and math.isfinite(y_cm)):
        raise BadSpot(_("The spot's position must be numbers."))
    if not 1 <= tenderness <= 10:
        raise BadSpot(_("Tenderness must be a whole number from 1 to 10."))
    inside = regions_at(body, x_cm, y_cm, tolerance=0.3)
    if not inside:
        raise BadSpot(_("That spot is not on the back; tap inside the outline."))
    return Spot(inside[0], round(x_cm, 2), round(y_cm, 2), tenderness)


def spot_from_words(body: Body, region: str, level: str, tenderness: int) -> Spot:
    """A spot named in words: a region and a vertebral level ("lower_back_left", "L3")."""
    if region not in REGION_LABELS:
        raise BadSpot(_("Unknown region {value!r}.").format(value=region))
    if level.upper() not in LEVEL_INDEX:
        raise BadSpot(
            _("Unknown level {level!r}; use C7, T1-T12, L1-L5 or S1-S5.").format(level=level)
        )
    outline = next(r for r in regions(body) if r.id == region)
    x, _centre_y = outline.centroid
    y = body.level_y(level.upper())
    ys = [p[1] for p in outline.outline]
    if not min(ys) - 1 <= y <= max(ys) + 1:
        raise BadSpot(
            _("{level} is not within {region}.").format(
                level=level.upper(), region=region_label(region)
            )
        )
    return spot_at(body, x, min(max(y, min(ys) + 0.5), max(ys) - 0.5), tenderness)


def levels_in(body: Body, region: str) -> tuple[str, ...]:
    """The vertebral levels a spot in this region can be named by, top to bottom."""
    found = []
    for level in LEVEL_INDEX:
        try:
            spot_from_words(body, region, level, 1)
        except BadSpot:
            continue
        found.append(level)
    return tuple(found) or ("C7",)


@dataclass(frozen=True)
class Match:
    point_id: str
    side: Side | None
    distance_cm: float


def nearest_points(spot: Spot, body: Body, catalog: Catalog, limit: int = 3) -> list[Match]:
    """Catalogue points nearest the spot (within MATCH_CM), nearest first."""
    best: dict[str, Match] = {}
    for point in catalog:
        for pos in locate(point, body):
            d = math.dist((pos.x_cm, pos.y_cm), (spot.x_cm, spot.y_cm))
            if d <= MATCH_CM and (point.id not in best or d < best[point.id].distance_cm):
                best[point.id] = Match(point.id, pos.side, round(d, 2))
    return sorted(best.values(), key=lambda m: m.distance_cm)[:limit]


@dataclass(frozen=True)
class Suggestion:
    """The points offered for a found spot, and those left out with the reason."""

    points: tuple[str, ...]
    left_out: tuple[str, ...]


def suggest(
    region: str, point_ids: tuple[str, ...], catalog: Catalog, limits: Cautions
) -> Suggestion:
    """The matched points this person may be offered for a spot in `region` (the cautions)."""
    region_reason = limits.region_reason(region)
    if region_reason is not None:
        return Suggestion((), (region_reason,))
    offered: list[str] = []
    left_out: list[str] = []
    for point_id in point_ids:
        point = catalog.get(point_id)
        reason = limits.point_reason(point)
        if reason is None:
            offered.append(point_id)
        else:
            left_out.append(f"{point.display_name} is left out: {reason}.")
    return Suggestion(tuple(offered), tuple(left_out))
