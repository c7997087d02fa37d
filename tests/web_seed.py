"""Fill a running app with a little of everything, so every page has something to show:
an open session, a relieved one, a routine in progress. Used by the page sweep and by
`make screenshots`. Talks to the app over HTTP only, as a browser would."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from backpoints.core.screening import QUESTIONS
from tests.flows import NO_ANSWERS


@dataclass(frozen=True)
class Seeded:
    active: str  # a session showing its first step (lower back, left)
    relieved: str  # a finished session
    run: str  # a routine run at its first step


def _post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def _post_form(url: str, fields: dict[str, str]) -> str:
    """Post a form as a browser does (same origin) and return the address it ends on."""
    data = urllib.parse.urlencode(fields).encode()
    origin = "/".join(url.split("/")[:3])
    request = urllib.request.Request(url, data, {"Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.url)


def seed(base: str) -> Seeded:
    api = base + "/api/v1/sessions"
    done = _post_json(
        api, {"pain": [{"region": "lower_back_left", "intensity": 7}], "answers": NO_ANSWERS}
    )
    step = done["step"]["point"]
    rated = {"point_id": step["id"], "pain_after": 3}
    if step["side"]:
        rated["side"] = step["side"]
    _post_json(f"{api}/{done['id']}/ratings", rated)
    active = _post_json(
        api, {"pain": [{"region": "lower_back_left", "intensity": 6}], "answers": NO_ANSWERS}
    )
    answers = dict.fromkeys(QUESTIONS, "no")
    run_url = _post_form(
        base + "/routines/shoulder-blade-tension/start", {**answers, "stress_before": "5"}
    )
    return Seeded(active["id"], done["id"], run_url.rsplit("/", 1)[-1])


def pages(seeded: Seeded) -> list[str]:
    """Every page of a personal install (server-mode pages are swept separately)."""
    return [
        "/",
        f"/sessions/{seeded.active}",
        f"/sessions/{seeded.relieved}",
        "/routines",
        "/routines/shoulder-blade-tension",
        f"/runs/{seeded.run}",
        "/history",
        "/insights",
        "/peg",
        "/report",
        "/chart",
        "/points",
        "/points/BL23",
        "/points/TP-iliocostalis-lumborum-1",
        "/tools",
        "/scan",
        "/camera",
        "/profile",
        "/data",
        "/offline",
    ]
