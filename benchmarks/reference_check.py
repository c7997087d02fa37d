"""The reference answers as the app does: scripted sessions through both, compared as JSON.

Both run in this process on fresh SQLite databases with one shared fake clock; the app through
its real HTTP routes (Starlette's test client). Session ids are random in the app, so each
answer is compared with its `id` left out. Scripts cover one and several regions, relief on
the first point and after several, sessions rated until no point is left, a referral, and
later sessions whose order depends on the evidence of earlier ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from backpoints.catalog import Catalog
from backpoints.core.clock import FakeClock
from backpoints.core.vocab import EMERGENCY_FLAGS, RED_FLAGS, URGENT_FLAGS
from backpoints.settings import Settings
from backpoints.web.app import create_app
from benchmarks.reference_app import Reference
from benchmarks.reference_server import make_app

#: (pain map, red flags, pain after each step until the session ends).
SCRIPTS: tuple[tuple[dict[str, int], list[str], list[int]], ...] = (
    ({"lower_back_left": 6}, [], [6, 6, 3]),
    ({"lower_back_left": 6}, [], [4]),
    ({"lower_back_left": 6, "sacrum": 4}, [], [6, 2, 4, 4, 1]),
    ({"neck": 7}, [URGENT_FLAGS[0]], []),
    ({"mid_back_right": 5, "buttock_left": 0}, [EMERGENCY_FLAGS[0]], []),
    ({"interscapular": 5}, [], [5] * 40),
    ({"upper_trapezius_right": 8, "lower_back_right": 3, "neck": 5}, [], [8, 5, 3, 3, 2, 1]),
    ({"lower_back_left": 6}, [], [6, 6, 6, 3]),
    ({"lower_back_left": 6, "sacrum": 4}, [], [3, 6, 6, 1]),
)
JSON = {"content-type": "application/json"}


def _answers(client: TestClient, clock: FakeClock) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for pain, flags, afters in SCRIPTS:
        body = {
            "pain": [{"region": r, "intensity": i} for r, i in pain.items()],
            "answers": {q: q in flags for q in RED_FLAGS},  # the whole sheet, as the app asks
        }
        response = client.post("/api/v1/sessions", content=json.dumps(body), headers=JSON)
        out.append((response.status_code, response.json()))
        clock.advance(minutes=1)
        for after in afters:
            session = out[-1][1]
            if session.get("status") != "active":
                break
            rating = {"point_id": session["step"]["point"]["id"], "pain_after": after}
            sid = session["id"]
            url = f"/api/v1/sessions/{sid}/ratings"
            response = client.post(url, content=json.dumps(rating), headers=JSON)
            out.append((response.status_code, response.json()))
            clock.advance(seconds=90)
        clock.advance(hours=5)
    return [(status, {k: v for k, v in body.items() if k != "id"}) for status, body in out]


def same_answers(catalog: Catalog, tmp: Path) -> int:
    """How many answers the app and the reference gave alike; AssertionError at the first
    that differs."""
    app_clock, ref_clock = FakeClock(), FakeClock()
    # the test client calls itself "testserver"; the app answers only to hosts it is told of
    app = create_app(Settings(data_dir=tmp / "app", allowed_hosts=("testserver",)))
    app.state.bp.services.catalog = catalog
    app.state.bp.services.clock = app_clock
    with TestClient(app) as client:
        theirs = _answers(client, app_clock)
    reference = Reference(tmp / "reference.db", catalog, now=ref_clock.now)
    with TestClient(make_app(reference)) as client:
        ours = _answers(client, ref_clock)
    reference.db.close()
    assert len(theirs) == len(ours), (len(theirs), len(ours))
    for n, (a, b) in enumerate(zip(theirs, ours, strict=True)):
        assert a == b, f"answer {n} differs:\napp       {a}\nreference {b}"
    return len(ours)
