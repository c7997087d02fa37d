"""Session start against the size of the diary: 0, 1,000 and 20,000 ratings already stored.

Target: a session start at 20,000 ratings costs within 1.2x of one with an empty
diary. Learning reads the person's tallies (one row per point tried, kept with each rating),
so the cost should not grow with the diary.

Each diary is a SQLite database filled directly with sessions and ratings (spread over the
catalogue's points for the painful regions) and its tallies recounted. The three are measured
in turn, round after round (interleaved, so the machine's drift falls on all alike); each
figure is the median CPU time (and wall time) of `start_session`, which stores the session
(a durable commit) like the API does.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from backpoints.app import service
from backpoints.catalog import load_catalog
from backpoints.core.clock import FakeClock
from backpoints.core.planner import PainEntry, plan
from backpoints.settings import Settings
from backpoints.store import repo
from backpoints.store.models import RatingRow, SessionRow

SIZES = (0, 1_000, 20_000)
ROUNDS = 7
STARTS_PER_ROUND = 40
TARGET = 1.2
PAIN = {"lower_back_left": 6, "sacrum": 4}
PER_SESSION = 4


def _fill(services: service.Services, person: str, ratings: int, seed: int) -> None:
    """`ratings` stored ratings in sessions of four, over the points of the pain's regions."""
    rng = random.Random(seed)
    points = {
        region: [c.point.id for c in plan([PainEntry(region, 6)], services.catalog)[0].candidates]
        for region in PAIN
    }
    start = datetime(2020, 1, 1, tzinfo=UTC)
    sessions: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for s in range((ratings + PER_SESSION - 1) // PER_SESSION):
        at = start + timedelta(hours=6 * s)
        sid = f"old-{s}"
        sessions.append(
            {
                "id": sid,
                "person_id": person,
                "status": "relieved",
                "urgency": None,
                "started_at": at,
                "ended_at": at,
                "version": 1,
                "state": {},
            }
        )
        for n in range(1, min(PER_SESSION, ratings - s * PER_SESSION) + 1):
            region = rng.choice(list(PAIN))
            after = rng.randint(1, 6)
            rows.append(
                {
                    "session_id": sid,
                    "person_id": person,
                    "n": n,
                    "region": region,
                    "point_id": rng.choice(points[region]),
                    "side": None,
                    "pain_before": 6,
                    "pain_after": after,
                    "relieved": after <= 4,
                    "rated_at": at,
                }
            )
    with services.db() as db:
        if sessions:
            db.execute(insert(SessionRow), sessions)
            db.execute(insert(RatingRow), rows)
        repo.rebuild_tallies(db)
        db.commit()


def run() -> list[str]:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        diaries = {}
        for size in SIZES:
            settings = Settings(data_dir=Path(tmp) / str(size))
            services = service.Services(settings, catalog=catalog, clock=FakeClock())
            person = service.person_id(services)
            _fill(services, person, size, seed=size)
            diaries[size] = (services, person)
        cpu: dict[int, list[float]] = {size: [] for size in SIZES}
        wall: dict[int, list[float]] = {size: [] for size in SIZES}
        for round_ in range(ROUNDS + 1):  # the first round warms up
            for size in SIZES if round_ % 2 else reversed(SIZES):
                services, person = diaries[size]
                c0, w0 = time.process_time(), time.perf_counter()
                for _ in range(STARTS_PER_ROUND):
                    service.start_session(services, person, PAIN, [])
                c1, w1 = time.process_time(), time.perf_counter()
                if round_:
                    cpu[size].append((c1 - c0) / STARTS_PER_ROUND)
                    wall[size].append((w1 - w0) / STARTS_PER_ROUND)
        for services, _ in diaries.values():
            services.close()
    base = statistics.median(cpu[0])
    lines = [f"session start ({ROUNDS} interleaved rounds x {STARTS_PER_ROUND}, medians):"]
    for size in SIZES:
        c, w = statistics.median(cpu[size]), statistics.median(wall[size])
        lines.append(
            f"  {size:>6} ratings: CPU {c * 1e3:.2f} ms, wall {w * 1e3:.2f} ms, "
            f"CPU {c / base:.2f}x empty (rounds {min(cpu[size]) * 1e3:.2f}-"
            f"{max(cpu[size]) * 1e3:.2f} ms)"
        )
    ratio = statistics.median(cpu[SIZES[-1]]) / base
    verdict = "target met" if ratio <= TARGET else "target NOT met"
    lines.append(f"20,000 vs empty: {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    return lines
