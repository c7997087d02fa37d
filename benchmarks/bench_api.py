"""The web API under load: ratings latency at 200 requests/s, and one worker's cost per request.

Targets (DESIGN.md, "Performance targets"), on SQLite:
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
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.loadgen import (
    ClosedLoopResult,
    Cycle,
    OpenLoopResult,
    async_client,
    closed_loop,
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
TARGET_CPU_RATIO = 2.0
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
    """Idle active sessions; a rating takes one, and gives it back while it stays active."""

    def __init__(self) -> None:
        self.idle: asyncio.Queue[Live] = asyncio.Queue()
        self.exhausted = 0
        self.waited = 0

    async def fill(self, client: httpx.AsyncClient, count: int, parallel: int = 8) -> None:
        async def create(n: int) -> None:
            for _ in range(n):
                response = await client.post("/api/v1/sessions", json=SESSION_BODY)
                response.raise_for_status()
                live = Live.of(response.json())
                if live is None:
                    raise RuntimeError(f"new session is not active: {response.text[:300]}")
                self.idle.put_nowait(live)

        share, extra = divmod(count, parallel)
        await asyncio.gather(*(create(share + (i < extra)) for i in range(parallel)))

    async def rate(self, client: httpx.AsyncClient) -> int:
        if self.idle.empty():
            self.waited += 1
        live = await asyncio.wait_for(self.idle.get(), timeout=10.0)
        body = {"point_id": live.point_id, "side": live.side, "pain_after": PAIN}
        try:
            response = await client.post(f"/api/v1/sessions/{live.id}/ratings", json=body)
        except httpx.HTTPError:
            self.idle.put_nowait(live)
            raise
        if response.status_code != 200:
            self.idle.put_nowait(live)
            return response.status_code
        following = Live.of(response.json())
        if following is None:
            self.exhausted += 1
        else:
            self.idle.put_nowait(following)
        return response.status_code


async def _latency(base_url: str) -> tuple[OpenLoopResult, SessionPool]:
    async with async_client(base_url, connections=256) as client:
        pool = SessionPool()
        await pool.fill(client, POOL_SESSIONS)
        await open_loop(client, RATE, WARMUP_REQUESTS, pool.rate)
        result = await open_loop(client, RATE, MEASURED_REQUESTS, pool.rate)
        return result, pool


async def _session_cycle(client: httpx.AsyncClient) -> list[int]:
    created = await client.post("/api/v1/sessions", json=SESSION_BODY)
    live = Live.of(created.json()) if created.status_code == 201 else None
    if live is None:
        return [created.status_code]
    body = {"point_id": live.point_id, "side": live.side, "pain_after": PAIN}
    rated = await client.post(f"/api/v1/sessions/{live.id}/ratings", json=body)
    return [created.status_code, rated.status_code]


async def _bare_request(client: httpx.AsyncClient) -> list[int]:
    return [(await client.get("/")).status_code]


async def _throughput(base_url: str, pid: int, cycle: Cycle) -> ClosedLoopResult:
    async with async_client(base_url, connections=THROUGHPUT_WORKERS) as client:
        await closed_loop(client, pid, THROUGHPUT_WORKERS, THROUGHPUT_WARMUP_S, cycle)
        return await closed_loop(client, pid, THROUGHPUT_WORKERS, THROUGHPUT_S, cycle)


def _verdict(met: bool) -> str:
    return "target met" if met else "target NOT met"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def _latency_lines(result: OpenLoopResult, pool: SessionPool) -> list[str]:
    lat = result.latencies
    p50, p90, p99 = (percentile(lat, q) for q in (50, 90, 99))
    sent_rate = (len(lat) - 1) / result.sent_span if result.sent_span else float("nan")
    return [
        f"ratings at {RATE:.0f} req/s open loop, {len(lat)} requests after {WARMUP_REQUESTS} "
        f"warm-up, {POOL_SESSIONS} sessions (SQLite):",
        f"  latency from scheduled send: p50 {_ms(p50)}, p90 {_ms(p90)}, p99 {_ms(p99)}, "
        f"max {_ms(max(lat))}",
        f"  achieved send rate {sent_rate:.1f} req/s (worst send lag {_ms(result.worst_send_lag)})"
        f", errors (non-2xx) {result.errors}, load-client CPU "
        f"{result.client_cpu / len(lat) * 1e3:.2f} ms/req",
        f"  sessions exhausted {pool.exhausted}, sends that waited for an idle session "
        f"{pool.waited}",
        f"  p99 {_ms(p99)} (target < {_ms(TARGET_P99_S)}): {_verdict(p99 < TARGET_P99_S)}",
    ]


def _throughput_lines(cycle: ClosedLoopResult, bare: ClosedLoopResult) -> list[str]:
    ratio = cycle.cpu_per_request / bare.cpu_per_request
    return [
        f"one worker, {THROUGHPUT_WORKERS} requests in flight, {THROUGHPUT_S:.0f} s each "
        "(server CPU per request; the load client shares the 2 cores):",
        f"  bare starlette GET: {bare.cpu_per_request * 1e3:.3f} ms CPU/req, "
        f"{bare.per_second:.0f} req/s wall, errors {bare.errors} "
        f"(server CPU {bare.server_cpu_s:.2f} s, client CPU {bare.client_cpu_s:.2f} s)",
        f"  session cycle (create + rate): {cycle.cpu_per_request * 1e3:.3f} ms CPU/req "
        f"({cycle.cpu_per_request * 2e3:.3f} ms per cycle), {cycle.per_second:.0f} req/s wall, "
        f"errors {cycle.errors} (server CPU {cycle.server_cpu_s:.2f} s, "
        f"client CPU {cycle.client_cpu_s:.2f} s)",
        f"  CPU-bound throughput: cycle {1 / cycle.cpu_per_request:.0f} req/s vs bare "
        f"{1 / bare.cpu_per_request:.0f} req/s per CPU second",
        f"  cycle / bare CPU per request: {ratio:.2f}x (target <= {TARGET_CPU_RATIO:.0f}x): "
        f"{_verdict(ratio <= TARGET_CPU_RATIO)}",
    ]


def run() -> list[str]:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-api-") as data_dir:
        port = free_port()
        argv = [python, "-m", "backpoints", "serve", "--port", str(port), "--no-browser"]
        with server(argv, port, READY_PATH, env={"BACKPOINTS_DATA_DIR": data_dir}) as app:
            latency, pool = asyncio.run(_latency(app.base_url))
            cycle = asyncio.run(_throughput(app.base_url, app.pid, _session_cycle))
    bare_port = free_port()
    with server([python, "-c", BARE_APP, str(bare_port)], bare_port, "/") as bare_server:
        bare = asyncio.run(_throughput(bare_server.base_url, bare_server.pid, _bare_request))
    return _latency_lines(latency, pool) + _throughput_lines(cycle, bare)
