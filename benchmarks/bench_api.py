"""The web API under load: ratings latency at 200 requests/s, and one worker's cost per request.

Targets (docs/architecture.md, "Performance targets"), on SQLite:
- p99 of `POST /api/v1/sessions/{id}/ratings` under 20 ms at an offered load of 200 requests/s,
  open loop: requests leave on a fixed schedule whatever the responses, and each latency runs
  from the scheduled send time (so a stalled server is not hidden by a waiting client).
  The worker should be under 50% busy at that load (its CPU seconds per wall second).
- the session cycle (create a session, rate it once) costs at most 1.5x the server CPU of a
  hand-written reference doing the same durable work (`benchmarks.reference_app`: Starlette +
  sqlite3, the project's planner and step builder, one commit per request, the same JSON,
  checked equal on scripted sessions first), beside a bare Starlette JSON endpoint. The load
  client shares the 2 CPU cores with the servers, so the measure is each server process's CPU
  seconds per request (/proc/<pid>/stat). The three servers run side by side and are measured
  in interleaved rounds (the machine is shared and noisy: medians of the rounds, and their
  range, are printed). Wall-clock requests/s is shown for information.

The real server is `python -m backpoints serve` on a fresh data directory. For the latency run,
a pool of sessions is created first; each request rates an idle session at its current step
with the starting pain (so the session stays active and offers a new point), and no session
is rated twice at once (that is a 409 by design).
"""

from __future__ import annotations

import asyncio
import math
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.loadgen import (
    Client,
    ClosedLoopResult,
    Cycle,
    OpenLoopResult,
    closed_loop,
    cpu_seconds,
    free_port,
    open_loop,
    percentile,
    server,
)
from benchmarks.reference_check import SCRIPTS, same_answers

RATE = 200.0
WARMUP_REQUESTS = 400
MEASURED_REQUESTS = 2000
POOL_SESSIONS = 300
TARGET_P99_S = 0.020
THROUGHPUT_WORKERS = 8
THROUGHPUT_WARMUP_S = 1.0
ROUNDS = 5
ROUND_S = 2.0
REFERENCE_S = 2.0
TARGET_VS_REFERENCE = 1.5
TARGET_BUSY = 0.5
CREATE_PROBES = 20
PAIN = 6
SESSION_BODY: dict[str, Any] = {
    "pain": [{"region": "lower_back_left", "intensity": PAIN}],
    "flags": [],
}
READY_PATH = "/api/v1/regions"

BARE_APP = """
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def ok(request):
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/", ok, methods=["GET", "POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(__import__("sys").argv[1]), log_level="warning")
"""


@dataclass(frozen=True)
class Live:
    """An active session and the point its current step asks to rate."""

    id: str
    point_id: str
    side: str | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Live | None:
        if body.get("status") != "active" or not body.get("step"):
            return None
        point = body["step"]["point"]
        return cls(body["id"], point["id"], point["side"])


class SessionPool:
    """Idle active sessions; a rating takes one, and gives it back while it stays active.

    A send that finds no idle session waits for one (its latency still runs from its
    scheduled time), so no session is ever rated twice at once."""

    def __init__(self) -> None:
        self.idle: asyncio.Queue[Live] = asyncio.Queue()
        self.busy = 0
        self.rated = 0
        self.exhausted = 0
        self.waited = 0

    async def fill(self, client: Client, count: int, parallel: int = 8) -> None:
        async def create(n: int) -> None:
            for _ in range(n):
                status, body = await client.post_json("/api/v1/sessions", SESSION_BODY)
                live = Live.of(body) if status == 201 else None
                if live is None:
                    raise RuntimeError(f"no active session: {status} {str(body)[:300]}")
                self.idle.put_nowait(live)

        share, extra = divmod(count, parallel)
        await asyncio.gather(*(create(share + (i < extra)) for i in range(parallel)))

    async def rate(self, client: Client) -> int:
        if self.idle.empty():
            if not self.busy:
                raise RuntimeError("every session of the pool is exhausted: make it bigger")
            self.waited += 1
        live = await self.idle.get()
        self.busy += 1
        try:
            status, body = await client.post_json(
                f"/api/v1/sessions/{live.id}/ratings", _rating(live)
            )
        except BaseException:
            self.idle.put_nowait(live)
            raise
        finally:
            self.busy -= 1
        following: Live | None = live
        if status == 200:
            self.rated += 1
            following = Live.of(body)
        if following is None:
            self.exhausted += 1
        else:
            self.idle.put_nowait(following)
        return status


def _rating(live: Live) -> dict[str, Any]:
    return {"point_id": live.point_id, "side": live.side, "pain_after": PAIN}


async def _latency(port: int, pid: int) -> tuple[OpenLoopResult, SessionPool]:
    client = Client(port)
    try:
        pool = SessionPool()
        await pool.fill(client, POOL_SESSIONS)
        await open_loop(client, RATE, WARMUP_REQUESTS, pool.rate, pid)
        return await open_loop(client, RATE, MEASURED_REQUESTS, pool.rate, pid), pool
    finally:
        client.close()


async def _session_cycle(client: Client) -> list[int]:
    created, body = await client.post_json("/api/v1/sessions", SESSION_BODY)
    live = Live.of(body) if created == 201 else None
    if live is None:
        return [created]
    rated, _ = await client.post_json(f"/api/v1/sessions/{live.id}/ratings", _rating(live))
    return [created, rated]


async def _bare_request(client: Client) -> list[int]:
    status, _ = await client.get("/")
    return [status]


async def _regions_request(client: Client) -> list[int]:
    status, _ = await client.get(READY_PATH)
    return [status]


async def _throughput(
    port: int, pid: int, cycle: Cycle, duration_s: float = ROUND_S, warm: bool = True
) -> ClosedLoopResult:
    """A closed-loop run (after a warm-up one if `warm`)."""
    client = Client(port)
    try:
        if warm:
            await closed_loop(client, pid, THROUGHPUT_WORKERS, THROUGHPUT_WARMUP_S, cycle)
        return await closed_loop(client, pid, THROUGHPUT_WORKERS, duration_s, cycle)
    finally:
        client.close()


async def _create_cpu(port: int, pid: int) -> float:
    """Server CPU seconds per `POST /api/v1/sessions`, one at a time."""
    client = Client(port)
    try:
        await client.post_json("/api/v1/sessions", SESSION_BODY)
        before = cpu_seconds(pid)
        for _ in range(CREATE_PROBES):
            status, _ = await client.post_json("/api/v1/sessions", SESSION_BODY)
            if status != 201:
                raise RuntimeError(f"POST /api/v1/sessions answered {status}")
        return (cpu_seconds(pid) - before) / CREATE_PROBES
    finally:
        client.close()


def _verdict(met: bool) -> str:
    return "target met" if met else "target NOT met"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def _latency_lines(result: OpenLoopResult, pool: SessionPool) -> list[str]:
    lat = result.latencies
    p50, p90, p99 = (percentile(lat, q) for q in (50, 90, 99))
    sent_rate = (len(lat) - 1) / result.sent_span if result.sent_span else math.nan
    server_cpu = result.server_cpu / len(lat)
    busy = server_cpu * RATE
    return [
        f"POST .../ratings at {RATE:.0f} req/s open loop, one worker, SQLite: {len(lat)} "
        f"requests after {WARMUP_REQUESTS} warm-up, over a pool of {POOL_SESSIONS} sessions",
        f"  latency from scheduled send: p50 {_ms(p50)}, p90 {_ms(p90)}, p99 {_ms(p99)}, "
        f"max {_ms(max(lat))}",
        f"  sent at {sent_rate:.1f} req/s (latest send {_ms(result.worst_send_lag)} behind "
        f"schedule), errors (non-2xx) {result.errors}, load-client CPU "
        f"{result.client_cpu / len(lat) * 1e3:.2f} ms/req",
        f"  server CPU {server_cpu * 1e3:.2f} ms per rating: one worker saturates near "
        f"{1 / server_cpu:.0f} ratings/s; sends that waited for an idle session {pool.waited}",
        f"  p99 {_ms(p99)} (target < {_ms(TARGET_P99_S)}): {_verdict(p99 < TARGET_P99_S)}; "
        f"worker busy {busy:.0%} (target < {TARGET_BUSY:.0%}): {_verdict(busy < TARGET_BUSY)}",
    ]


def _cpu(runs: list[ClosedLoopResult]) -> float:
    return statistics.median(r.cpu_per_request for r in runs)


def _row(name: str, runs: list[ClosedLoopResult], per: float, per_name: str) -> str:
    low, high = (f(r.cpu_per_request for r in runs) for f in (min, max))
    wall = statistics.median(r.per_second for r in runs)
    errors = sum(r.errors for r in runs)
    return (
        f"  {name:<28} {_cpu(runs) * 1e3:6.3f} ms CPU/req (rounds {low * 1e3:.3f}-"
        f"{high * 1e3:.3f}), {_cpu(runs) / per:5.2f}x {per_name}, {wall:.0f} req/s wall, "
        f"errors {errors}"
    )


def _throughput_lines(
    runs: dict[str, list[ClosedLoopResult]],
    regions: ClosedLoopResult,
    creates: tuple[tuple[int, float], tuple[int, float]],
) -> list[str]:
    app, ref, bare = (_cpu(runs[k]) for k in ("app", "reference", "bare"))
    ratio = app / ref
    pairs = [
        a.cpu_per_request / r.cpu_per_request
        for a, r in zip(runs["app"], runs["reference"], strict=True)
    ]
    (few, early), (many, late) = creates
    return [
        f"one worker each, {THROUGHPUT_WORKERS} requests in flight, {ROUNDS} interleaved "
        f"rounds of {ROUND_S:.0f} s, server CPU per request (medians; the load client shares "
        "the 2 cores):",
        _row("session cycle, app", runs["app"], bare, "bare"),
        _row("session cycle, reference", runs["reference"], bare, "bare"),
        _row("bare starlette JSON GET", runs["bare"], bare, "bare"),
        f"  session cycle: app {app * 2e3:.2f} ms CPU per cycle, reference "
        f"{ref * 2e3:.2f} ms, bare {bare * 2e3:.2f} ms (two requests)",
        f"  app / reference: {ratio:.2f}x (round by round {min(pairs):.2f}-{max(pairs):.2f}) "
        f"(target <= {TARGET_VS_REFERENCE}x): {_verdict(ratio <= TARGET_VS_REFERENCE)}",
        f"  for comparison, GET {READY_PATH} (FastAPI, no database): "
        f"{regions.cpu_per_request * 1e3:.3f} ms CPU/req, "
        f"{regions.cpu_per_request / bare:.1f}x bare, errors {regions.errors}",
        f"  POST /api/v1/sessions alone: {early * 1e3:.1f} ms CPU with {few} ratings in the "
        f"diary, {late * 1e3:.1f} ms with {many}",
    ]


def run() -> list[str]:
    from backpoints.catalog import load_catalog

    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        checked = same_answers(load_catalog(), Path(tmp))
        lines = [
            f"reference checked: the same JSON as the app for {checked} answers of "
            f"{len(SCRIPTS)} scripted sessions"
        ]
        ports = {name: free_port() for name in ("app", "reference", "bare")}
        argv = {
            "app": [python, "-m", "backpoints", "serve", "--port", str(ports["app"])]
            + ["--no-browser"],
            "reference": [python, "-m", "benchmarks.reference_server", str(ports["reference"])]
            + [str(Path(tmp) / "reference")],
            "bare": [python, "-c", BARE_APP, str(ports["bare"])],
        }
        cycles = {"app": _session_cycle, "reference": _session_cycle, "bare": _bare_request}
        env = {"BACKPOINTS_DATA_DIR": str(Path(tmp) / "app")}
        with (
            server(argv["app"], ports["app"], READY_PATH, env=env) as app,
            server(argv["reference"], ports["reference"], READY_PATH) as ref,
            server(argv["bare"], ports["bare"], "/") as bare,
        ):
            pids = {"app": app.pid, "reference": ref.pid, "bare": bare.pid}
            runs: dict[str, list[ClosedLoopResult]] = {name: [] for name in pids}
            for round_ in range(ROUNDS):
                names = list(pids)[round_ % 3 :] + list(pids)[: round_ % 3]
                for name in names:
                    result = _throughput(ports[name], pids[name], cycles[name], warm=not round_)
                    runs[name].append(asyncio.run(result))
            cycle_ratings = sum(r.statuses.count(200) for r in runs["app"])
            regions = asyncio.run(_throughput(ports["app"], app.pid, _regions_request))
            early = asyncio.run(_create_cpu(ports["app"], app.pid))
            latency, pool = asyncio.run(_latency(ports["app"], app.pid))
            late = asyncio.run(_create_cpu(ports["app"], app.pid))
    creates = ((cycle_ratings, early), (cycle_ratings + pool.rated, late))
    return lines + _latency_lines(latency, pool) + _throughput_lines(runs, regions, creates)
