"""A hand-written equivalent of the session API: the yardstick for what the app's layers cost.

Starlette and the standard library's sqlite3, no ORM, no FastAPI, no pydantic models of the
session: the state is plain dicts and lists stored as JSON. It does the same durable work as
`POST /api/v1/sessions` and `POST /api/v1/sessions/{id}/ratings` in personal mode: reads the
profile, the flags standing, the last screening's pain map (are the questions due?), the
evidence tallies and the tender spots found, screens, plans with the project's `plan`, builds
steps with the project's `build_step`, stores each answer as the latest for its question, the
screening, the session, its pain map, each step shown, each rating and its tally; before a
rating it reads the standing flags and the age again (no step while a flag stands). All in one
transaction and one commit per request on a WAL database with `synchronous=FULL`, answering
with the same JSON (checked by `same_answers` on scripted sessions). Bodies get the checks the
API makes that matter here (regions, intensities, flags, a point id); a wrong one is a 422.

`benchmarks.reference_server` serves it over HTTP.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature
from backpoints.core.guided import (
    EXHAUSTED_ADVICE,
    NOTHING_ADVICE,
    RELIEVED_ADVICE,
    Queued,
    relieved,
)
from backpoints.core.learning import Tally
from backpoints.core.planner import PainEntry, plan
from backpoints.core.screening import Profile, screen
from backpoints.core.steps import Guide, build_step, limits_for
from backpoints.core.vocab import RED_FLAGS, REGION_IDS, REGION_LABELS

PERSON = "local"
DEFAULT_STATURE_CM = 169.25
SCHEMA = """
CREATE TABLE IF NOT EXISTS people (id TEXT PRIMARY KEY, profile TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS screenings (id INTEGER PRIMARY KEY, person_id TEXT, at TEXT,
    answers TEXT);
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, person_id TEXT, status TEXT,
    urgency TEXT, started_at TEXT, ended_at TEXT, version INTEGER, state TEXT);
CREATE TABLE IF NOT EXISTS pain_entries (id INTEGER PRIMARY KEY, session_id TEXT, region TEXT,
    intensity INTEGER, recorded_at TEXT);
CREATE TABLE IF NOT EXISTS steps (id INTEGER PRIMARY KEY, session_id TEXT, n INTEGER,
    region TEXT, point_id TEXT, side TEXT, shown_at TEXT, UNIQUE (session_id, n));
CREATE TABLE IF NOT EXISTS ratings (id INTEGER PRIMARY KEY, session_id TEXT, person_id TEXT,
    n INTEGER, region TEXT, point_id TEXT, side TEXT, pain_before INTEGER, pain_after INTEGER,
    relieved INTEGER, rated_at TEXT, UNIQUE (session_id, n));
CREATE TABLE IF NOT EXISTS point_tallies (person_id TEXT, region TEXT, point_id TEXT,
    helped INTEGER, tried INTEGER, PRIMARY KEY (person_id, region, point_id));
CREATE TABLE IF NOT EXISTS red_flag_answers (person_id TEXT, flag TEXT, answer INTEGER,
    answered_at TEXT, PRIMARY KEY (person_id, flag));
CREATE INDEX IF NOT EXISTS screenings_latest ON screenings (person_id, at, id);
CREATE TABLE IF NOT EXISTS found_spots (person_id TEXT, region TEXT, tenderness INTEGER,
    points TEXT);
"""
STANDING = "SELECT flag FROM red_flag_answers WHERE person_id = ? AND answer"
LAST_SCREENING = (
    "SELECT at, answers FROM screenings WHERE person_id = ? ORDER BY at DESC, id DESC LIMIT 1"
)
State = dict[str, Any]


class Invalid(ValueError):
    """A request body the API would refuse with a 422."""


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat().replace("+00:00", "Z")


class Reference:
    """The session use cases over one sqlite3 connection (one worker, one person)."""

    def __init__(
        self,
        path: Path,
        catalog: Catalog,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], str] = lambda: secrets.token_urlsafe(12),
    ) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO people VALUES (?, '{}')", (PERSON,))
        self.catalog, self.now, self.new_id = catalog, now, new_id

    # ---- the two requests ---------------------------------------------------------------

    def create(self, raw: bytes) -> tuple[int, bytes]:
        pain, flags, answers_given = _session_body(raw)
        now = self.now()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            (profile_json,) = db.execute(
                "SELECT profile FROM people WHERE id = ?", (PERSON,)
            ).fetchone()
            profile = Profile.model_validate_json(profile_json)
            standing = [f for (f,) in db.execute(STANDING, (PERSON,))]
            last = db.execute(LAST_SCREENING, (PERSON,)).fetchone()
            if not answers_given and (standing or last is None):
                raise Invalid("answers")  # the questions are due
            db.executemany(
                "INSERT INTO red_flag_answers VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                "answer = excluded.answer, answered_at = excluded.answered_at",
                [(PERSON, f, int(yes), _iso(now)) for f, yes in answers_given.items()],
            )
            verdict = screen(flags)
            answers: dict[str, Any] = {
                "flags": list(verdict.flags),
                "answers": answers_given,
                "pain": pain,
                "urgency": verdict.urgency,
            }
            db.execute(
                "INSERT INTO screenings (person_id, at, answers) VALUES (?, ?, ?)",
                (PERSON, _iso(now), json.dumps(answers)),
            )
            entries = [PainEntry(r, i) for r, i in pain.items() if i > 0]
            if verdict.refer:
                state = _referral(verdict, entries, profile_json, now)
            else:
                state = self._planned(db, entries, profile, profile_json, now)
            sid = self.new_id()
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                (sid, PERSON, state["status"], state["urgency"], _iso(now), state["ended_at"])
                + (json.dumps(state),),
            )
            db.executemany(
                "INSERT INTO pain_entries (session_id, region, intensity, recorded_at) "
                "VALUES (?, ?, ?, ?)",
                [(sid, r, i, _iso(now)) for r, i in pain.items()],
            )
            self._shown(db, sid, state, now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return 201, _public(sid, state)

    def rate(self, sid: str, raw: bytes) -> tuple[int, bytes]:
        point_id, pain_after = _rating_body(raw)
        now = self.now()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            standing = db.execute(STANDING, (PERSON,)).fetchall()
            (profile_json,) = db.execute(
                "SELECT profile FROM people WHERE id = ?", (PERSON,)
            ).fetchone()
            if standing or (json.loads(profile_json).get("age") or 99) < 16:
                raise Invalid("referred")  # the scripted sessions never rate past a flag
            row = db.execute(
                "SELECT person_id, version, state FROM sessions WHERE id = ?", (sid,)
            ).fetchone()
            if row is None or row[0] != PERSON:
                raise LookupError(sid)
            version, state = row[1], json.loads(row[2])
            step = state["current"]
            if state["status"] != "active" or step is None:
                raise Invalid("this session has already ended")
            if point_id.lower() != step["point"]["id"].lower():
                raise Invalid(f"the current step is {step['point']['id']}")
            rating = self._record(state, step, pain_after, now)
            self._advance(state, now)
            cur = db.execute(
                "UPDATE sessions SET state = ?, version = ?, status = ?, urgency = ?, "
                "ended_at = ? WHERE id = ? AND version = ?",
                (json.dumps(state), version + 1, state["status"], state["urgency"])
                + (state["ended_at"], sid, version),
            )
            if cur.rowcount != 1:
                raise Invalid("conflict")
            db.execute(
                "INSERT INTO ratings (session_id, person_id, n, region, point_id, side, "
                "pain_before, pain_after, relieved, rated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sid, PERSON, *rating.values()),
            )
            db.execute(
                "INSERT INTO point_tallies VALUES (?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET "
                "helped = helped + excluded.helped, tried = tried + 1",
                (PERSON, rating["region"], rating["point_id"], int(rating["relieved"])),
            )
            self._shown(db, sid, state, now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return 200, _public(sid, state)

    # ---- the session as plain data ------------------------------------------------------

    def _planned(
        self,
        db: sqlite3.Connection,
        entries: list[PainEntry],
        profile: Profile,
        profile_json: str,
        now: datetime,
    ) -> State:
        evidence = {
            (region, point): Tally(helped, tried)
            for region, point, helped, tried in db.execute(
                "SELECT region, point_id, helped, tried FROM point_tallies WHERE person_id = ?",
                (PERSON,),
            )
        }
        found: dict[str, list[str]] = {}
        for region, _, points in db.execute(
            "SELECT region, tenderness, points FROM found_spots WHERE person_id = ? "
            "ORDER BY tenderness DESC",
            (PERSON,),
        ):
            found.setdefault(region, []).extend(json.loads(points)["nearest"][:1])
        limits = limits_for(profile, self.catalog)
        plans = plan(entries, self.catalog, limits, evidence, None, (), found)
        state: State = {
            "status": "active",
            "urgency": None,
            "message": None,
            "advice": None,
            "flags": [],
            "profile": json.loads(profile_json),
            "regions": [
                {
                    "region": p.region,
                    "pain_start": p.intensity,
                    "pain_now": p.intensity,
                    "queue": [[c.point.id, c.side, c.why] for c in p.candidates],
                    "tried": [],
                    "outcome": "excluded" if p.excluded_reason else None,
                    "excluded_reason": p.excluded_reason,
                }
                for p in plans
            ],
            "current": None,
            "steps_shown": 0,
            "ratings": [],
            "notes": [
                *limits.notes,
                *dict.fromkeys(
                    p.excluded_reason
                    for p in plans
                    if p.excluded_reason and p.excluded_reason not in limits.notes
                ),
            ],
            "started_at": _iso(now),
            "ended_at": None,
        }
        self._advance(state, now)
        return state

    def _record(self, state: State, step: State, pain_after: int, now: datetime) -> State:
        region = next(r for r in state["regions"] if r["outcome"] is None)
        ok = relieved(region["pain_start"], pain_after)
        rating = {
            "n": step["n"],
            "region": region["region"],
            "point_id": step["point"]["id"],
            "side": step["point"]["side"],
            "pain_before": region["pain_now"],
            "pain_after": pain_after,
            "relieved": ok,
            "rated_at": _iso(now),
        }
        region["pain_now"] = pain_after
        region["outcome"] = "relieved" if ok else None
        state["ratings"].append(rating)
        state["current"] = None
        return rating

    def _advance(self, state: State, now: datetime) -> None:
        for region in state["regions"]:
            if region["outcome"] is not None:
                continue
            queued = self._next_untried(region, state["ratings"])
            if queued is None:
                region["outcome"] = "exhausted"
                continue
            region["tried"].append(queued[0])
            state["steps_shown"] += 1
            profile = Profile.model_validate(state["profile"])
            body = body_from_stature(profile.stature_cm or DEFAULT_STATURE_CM, profile.sex)
            item = Queued.model_construct(point_id=queued[0], side=queued[1], why=queued[2])
            step = build_step(
                state["steps_shown"], region["region"], item, profile, Guide(self.catalog, body)
            )
            state["current"] = step.model_dump(mode="json")
            return
        _finish(state, now)

    def _next_untried(self, region: State, ratings: list[State]) -> list[Any] | None:
        tried = set(region["tried"])
        failed = {(r["point_id"], r["side"]) for r in ratings if not r["relieved"]}
        for queued in region["queue"]:
            if queued[0] in tried:
                continue
            point = self.catalog.get(queued[0])
            if (queued[0], queued[1] if point.bilateral else None) in failed:
                continue
            if not {p.id for p in self.catalog.linked(point)} & tried:
                return list(queued)
        return None

    def _shown(self, db: sqlite3.Connection, sid: str, state: State, now: datetime) -> None:
        step = state["current"]
        if step is not None:
            db.execute(
                "INSERT INTO steps (session_id, n, region, point_id, side, shown_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sid, step["n"], step["region"], step["point"]["id"], step["point"]["side"])
                + (_iso(now),),
            )


def _finish(state: State, now: datetime) -> None:
    treated = [r for r in state["regions"] if r["outcome"] in ("relieved", "exhausted")]
    eased = [r for r in treated if r["outcome"] == "relieved"]
    done = bool(treated) and len(eased) == len(treated)
    state["status"] = "relieved" if done else "exhausted"
    state["advice"] = RELIEVED_ADVICE if done else EXHAUSTED_ADVICE if treated else NOTHING_ADVICE
    parts = "; ".join(
        f"{REGION_LABELS[r['region']]}: {r['pain_start']} → {r['pain_now']}" for r in treated
    )
    excluded = list(
        dict.fromkeys(r["excluded_reason"] for r in state["regions"] if r["excluded_reason"])
    )
    summary = f"Pain {parts}." if parts else ""
    state["message"] = " ".join(filter(None, [summary, *excluded])) or None
    state["ended_at"] = _iso(now)


def _referral(verdict: Any, entries: list[PainEntry], profile_json: str, now: datetime) -> State:
    return {
        "status": "refer",
        "urgency": verdict.urgency,
        "message": verdict.message,
        "advice": None,
        "flags": list(verdict.flags),
        "profile": json.loads(profile_json),
        "regions": [
            {"region": e.region, "pain_start": e.intensity, "pain_now": e.intensity}
            for e in entries
        ],
        "current": None,
        "ratings": [],
        "notes": [],
        "started_at": _iso(now),
        "ended_at": _iso(now),
    }


def _public(sid: str, state: State) -> bytes:
    return json.dumps(
        {
            "id": sid,
            "status": state["status"],
            "urgency": state["urgency"],
            "message": state["message"],
            "advice": state["advice"],
            "standing": state["flags"] if state["status"] == "refer" else [],
            "notes": state["notes"],
            "step": state["current"],
            "pain": [
                {"region": r["region"], "intensity": r["pain_start"]} for r in state["regions"]
            ],
            "ratings": state["ratings"],
            "started_at": state["started_at"],
            "ended_at": state["ended_at"],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _session_body(raw: bytes) -> tuple[dict[str, int], list[str], dict[str, bool]]:
    try:
        body = json.loads(raw)
        pain = {p["region"]: p["intensity"] for p in body["pain"]}
        flags = list(body.get("flags", []))
        answers = dict(body.get("answers", {}))
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("pain") from exc
    if not pain or len(pain) > len(REGION_IDS) or set(body) - {"pain", "flags", "answers"}:
        raise Invalid("pain")
    if any(f not in RED_FLAGS or type(v) is not bool for f, v in answers.items()):
        raise Invalid("answers")
    flags = list(dict.fromkeys([*flags, *(f for f, yes in answers.items() if yes)]))
    for region, intensity in pain.items():
        if region not in REGION_IDS or type(intensity) is not int or not 0 <= intensity <= 10:
            raise Invalid("pain")
    if any(f not in RED_FLAGS for f in flags):
        raise Invalid("flags")
    return pain, flags, {**answers, **dict.fromkeys(flags, True)}


def _rating_body(raw: bytes) -> tuple[str, int]:
    try:
        body = json.loads(raw)
        point_id, pain_after = body["point_id"], body["pain_after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("point_id") from exc
    if not isinstance(point_id, str) or not 0 < len(point_id) <= 64:
        raise Invalid("point_id")
    if type(pain_after) is not int or not 0 <= pain_after <= 10:
        raise Invalid("pain_after")
    return point_id, pain_after
