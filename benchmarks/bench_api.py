"""The web API under load: ratings latency at 200 requests/s, and one worker's cost per request.

Targets (docs/architecture.md, "Performance targets"), on SQLite:
- p99 of `POST /api/v1/sessions/{id}/ratings` under 20 ms at an offered load of 200 requests/s,
  open loop: requests leave on a fixed schedule whatever the responses, and each latency runs
  from the scheduled send time (so a stalled server is not hidden by a waiting client).
- peak throughput of one server worker over the session cycle (create a session, rate it once)
  at least half that of a bare Starlette JSON endpoint served by uvicorn in the same run. The
  load client shares the 2 CPU cores with the server, so the measure is the server process's
  CPU seconds per request (/proc/<pid>/stat), which must be at most 2x the bare endpoint's.
  Wall-clock requests/s is shown for information.

The real server is `python -m backpoints serve` on a fresh data directory. For the latency run,
a pool of sessions is created first; each request rates an idle session at its current step
with the starting pain (so the session stays active and offers a new point), and no session
is rated twice at once (that is a 409 by design).
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
from dataclasses import dataclass
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

RATE = 200.0
WARMUP_REQUESTS = 400
MEASURED_REQUESTS = 2000
POOL_SESSIONS = 300
TARGET_P99_S = 0.020
THROUGHPUT_WORKERS = 8
THROUGHPUT_WARMUP_S = 1.0
THROUGHPUT_S = 5.0
REFERENCE_S = 2.0
TARGET_CPU_RATIO = 2.0
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
    port: int, pid: int, cycle: Cycle, duration_s: float = THROUGHPUT_S
) -> tuple[ClosedLoopResult, int]:
    """The measured closed-loop run, and how many ratings (200s) it and its warm-up made."""
    client = Client(port)
    try:
        warm = await closed_loop(client, pid, THROUGHPUT_WORKERS, THROUGHPUT_WARMUP_S, cycle)
        run = await closed_loop(client, pid, THROUGHPUT_WORKERS, duration_s, cycle)
        return run, (warm.statuses + run.statuses).count(200)
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
        f"  p99 {_ms(p99)} (target < {_ms(TARGET_P99_S)}): {_verdict(p99 < TARGET_P99_S)}",
    ]


def _throughput_lines(
    cycle: ClosedLoopResult,
    bare: ClosedLoopResult,
    regions: ClosedLoopResult,
    creates: tuple[tuple[int, float], tuple[int, float]],
) -> list[str]:
    ratio = cycle.cpu_per_request / bare.cpu_per_request
    (few, early), (many, late) = creates
    return [
        f"one worker, {THROUGHPUT_WORKERS} requests in flight, {THROUGHPUT_S:.0f} s each, "
        "server CPU per request (the load client shares the 2 cores):",
        f"  bare starlette JSON GET: {bare.cpu_per_request * 1e3:.3f} ms CPU/req, "
        f"{bare.per_second:.0f} req/s wall, errors {bare.errors} "
        f"(server CPU {bare.server_cpu_s:.2f} s, client CPU {bare.client_cpu_s:.2f} s)",
        f"  session cycle (create + rate): {cycle.cpu_per_request * 1e3:.3f} ms CPU/req "
        f"({cycle.cpu_per_request * 2e3:.2f} ms per cycle), {cycle.per_second:.0f} req/s wall, "
        f"errors {cycle.errors} (server CPU {cycle.server_cpu_s:.2f} s, "
        f"client CPU {cycle.client_cpu_s:.2f} s)",
        f"  per CPU second: cycle {1 / cycle.cpu_per_request:.0f} req/s, bare "
        f"{1 / bare.cpu_per_request:.0f} req/s",
        f"  cycle / bare CPU per request: {ratio:.1f}x (target <= {TARGET_CPU_RATIO:.0f}x): "
        f"{_verdict(ratio <= TARGET_CPU_RATIO)}",
        f"  for reference, GET {READY_PATH} (FastAPI, no database): "
        f"{regions.cpu_per_request * 1e3:.3f} ms CPU/req, "
        f"{regions.cpu_per_request / bare.cpu_per_request:.1f}x bare, {regions.per_second:.0f} "
        f"req/s wall, errors {regions.errors}",
        f"  POST /api/v1/sessions alone: {early * 1e3:.1f} ms CPU with {few} ratings in the "
        f"diary, {late * 1e3:.1f} ms with {many} (the cycle run above went from 0 to {few})",
    ]


def run() -> list[str]:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-api-") as data_dir:
        port = free_port()
        argv = [python, "-m", "backpoints", "serve", "--port", str(port), "--no-browser"]
        with server(argv, port, READY_PATH, env={"BACKPOINTS_DATA_DIR": data_dir}) as app:
            cycle, cycle_ratings = asyncio.run(_throughput(port, app.pid, _session_cycle))
            regions, _ = asyncio.run(_throughput(port, app.pid, _regions_request, REFERENCE_S))
            early = asyncio.run(_create_cpu(port, app.pid))
            latency, pool = asyncio.run(_latency(port, app.pid))
            late = asyncio.run(_create_cpu(port, app.pid))
    bare_port = free_port()
    with server([python, "-c", BARE_APP, str(bare_port)], bare_port, "/") as bare_server:
        bare, _ = asyncio.run(_throughput(bare_port, bare_server.pid, _bare_request))
    creates = ((cycle_ratings, early), (cycle_ratings + pool.rated, late))
    return _latency_lines(latency, pool) + _throughput_lines(cycle, bare, regions, creates)
