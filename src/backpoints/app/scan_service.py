"""The shell around scans: store a found spot with its nearest points, list them, and give
the planner the found points per region. Each call commits before returning."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session

from backpoints.app.service import Services, body_of, profile
from backpoints.core.scan import Spot, nearest_points
from backpoints.store.routine_models import FoundSpot


@dataclass(frozen=True)
class Found:
    id: int
    region: str
    x_cm: float
    y_cm: float
    tenderness: int
    points: tuple[str, ...]
    found_at: datetime


def record(services: Services, person: str, spot: Spot) -> Found:
    """Store a spot with the catalogue points nearest it (on the person's body)."""
    body = body_of(profile(services, person))
    matches = nearest_points(spot, body, services.catalog)
    ids = [m.point_id for m in matches]
    now = services.clock.now()
    with services.db() as db:
        row = FoundSpot(
            person_id=person,
            region=spot.region,
            x_cm=spot.x_cm,
            y_cm=spot.y_cm,
            tenderness=spot.tenderness,
            points={"nearest": ids},
            found_at=now,
        )
        db.add(row)
        db.commit()
        return Found(row.id, spot.region, spot.x_cm, spot.y_cm, spot.tenderness, tuple(ids), now)


def spots(services: Services, person: str) -> list[Found]:
    with services.db() as db:
        rows = db.scalars(
            select(FoundSpot).where(FoundSpot.person_id == person).order_by(FoundSpot.found_at)
        ).all()
        return [
            Found(
                r.id,
                r.region,
                r.x_cm,
                r.y_cm,
                r.tenderness,
                tuple(r.points.get("nearest", ())),
                r.found_at,
            )
            for r in rows
        ]


def forget(services: Services, person: str, spot_id: int) -> None:
    with services.db() as db:
        db.execute(delete(FoundSpot).where(FoundSpot.id == spot_id, FoundSpot.person_id == person))
        db.commit()


def found_points(services: Services, person: str) -> dict[str, list[str]]:
    """Region -> the points nearest the spots found there, most tender first."""
    with services.db() as db:
        return found_points_in(db, person)


_FOUND_SPOTS = select(FoundSpot.region, FoundSpot.tenderness, FoundSpot.points).where(
    FoundSpot.person_id == bindparam("pid")
)


def found_points_in(db: Session | Connection, person: str) -> dict[str, list[str]]:
    """`found_points` within an open database session (the session start uses it)."""
    rows = db.execute(_FOUND_SPOTS, {"pid": person}).all()
    by_region: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for region, tenderness, points in rows:
        for point in list(points.get("nearest", ()))[:1]:
            by_region[region].append((tenderness, point))
    return {
        region: list(dict.fromkeys(p for _, p in sorted(found, reverse=True)))
        for region, found in by_region.items()
    }
