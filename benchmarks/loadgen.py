"""Load-testing helpers for the API benchmark: servers as subprocesses, CPU readings, load loops.

Servers run as child processes on free ports; their CPU time is read from /proc/<pid>/stat
(user + system, all threads). Load is generated with asyncio and httpx.AsyncClient over
keep-alive connections: `open_loop` sends on a fixed schedule whatever the responses, and
measures each latency from the request's scheduled send time (no coordinated omission);
`closed_loop` keeps a fixed number of requests in flight for as long as asked.
"""

from __future__ import annotations

import asyncio
import math
import os
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process `pid` (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        stat = f.read()
    # The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLOCK_TICKS


def own_cpu_seconds() -> float:
    """User + system CPU seconds used so far by this process."""
    t = os.times()
    return t.user + t.system


@dataclass
class Server:
    """A server child process listening on `base_url`."""

    process: subprocess.Popen[bytes]
    base_url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)


@contextmanager
def server(
    argv: Sequence[str],
    port: int,
    ready_path: str,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 30.0,
) -> Iterator[Server]:
    """Start `argv` (which listens on `port`), wait until GET `ready_path` answers 200, and
    terminate it on leaving the block."""
    full_env = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        list(argv), env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base_url + ready_path, timeout_s)
        yield Server(process, base_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"server exited with {process.returncode}: {err[-2000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server not ready at {url} within {timeout_s:.0f} s")


def async_client(base_url: str, connections: int) -> httpx.AsyncClient:
    """A keep-alive client with room for `connections` requests in flight."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0)


#: One request of a load loop: given the client, send it and return the HTTP status.
Request = Callable[[httpx.AsyncClient], Awaitable[int]]
#: Some requests one after another, as one unit of a closed loop: returns their HTTP statuses.
Cycle = Callable[[httpx.AsyncClient], Awaitable[list[int]]]


@dataclass
class OpenLoopResult:
    """Latencies (seconds, from each scheduled send time) and statuses of an open-loop run."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    #: Seconds from the first to the last scheduled send, and from the first to the last send.
    scheduled_span: float = 0.0
    sent_span: float = 0.0
    #: How late the sends left, in seconds, at worst (the load generator falling behind).
    worst_send_lag: float = 0.0
    client_cpu: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for s in self.statuses if not 200 <= s < 300)


async def open_loop(
    client: httpx.AsyncClient, rate: float, count: int, request: Request
) -> OpenLoopResult:
    """Start `count` requests at `rate` per second on a fixed schedule, whatever the responses.

    `request` is awaited in its own task at its scheduled time; a failure to get a response
    counts as status 0. Each latency runs from the scheduled send time to the response.
    """
    loop = asyncio.get_running_loop()
    result = OpenLoopResult()
    cpu_before = own_cpu_seconds()
    start = loop.time() + 0.05
    lags: list[float] = []
    sent: list[float] = []

    async def one(scheduled: float) -> None:
        try:
            status = await request(client)
        except (httpx.HTTPError, TimeoutError):
            status = 0
        result.latencies.append(loop.time() - scheduled)
        result.statuses.append(status)

    tasks = []
    for i in range(count):
        scheduled = start + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        now = loop.time()
        sent.append(now)
        lags.append(now - scheduled)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    result.client_cpu = own_cpu_seconds() - cpu_before
    result.scheduled_span = (count - 1) / rate
    result.sent_span = sent[-1] - sent[0]
    result.worst_send_lag = max(lags)
    return result


@dataclass
class ClosedLoopResult:
    """Requests completed by a closed-loop run, its wall time, and the server's CPU time."""

    requests: int
    errors: int
    wall_s: float
    server_cpu_s: float
    client_cpu_s: float

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_s

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu_s / self.requests if self.requests else math.nan


async def closed_loop(
    client: httpx.AsyncClient,
    server_pid: int,
    workers: int,
    duration_s: float,
    cycle: Cycle,
) -> ClosedLoopResult:
    """`workers` loops each repeating `cycle` (some requests, one after another, returning
    their statuses) until `duration_s` has passed; the server's CPU time is read around it."""
    loop = asyncio.get_running_loop()
    statuses: list[int] = []

    async def worker(deadline: float) -> None:
        while loop.time() < deadline:
            try:
                statuses.extend(await cycle(client))
            except httpx.HTTPError:
                statuses.append(0)

    cpu_before, own_before = cpu_seconds(server_pid), own_cpu_seconds()
    start = loop.time()
    await asyncio.gather(*(worker(start + duration_s) for _ in range(workers)))
    wall = loop.time() - start
    server_cpu = cpu_seconds(server_pid) - cpu_before
    errors = sum(1 for s in statuses if not 200 <= s < 300)
    return ClosedLoopResult(
        len(statuses), errors, wall, server_cpu, own_cpu_seconds() - own_before
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) of `values`, nearest-rank."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]
