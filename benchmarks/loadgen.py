"""Load-testing helpers for the API benchmark: servers as subprocesses, CPU readings, load loops.

Servers run as child processes on free ports; their CPU time is read from /proc/<pid>/stat
(user + system, all threads). Load comes from asyncio: `open_loop` starts requests on a fixed
schedule whatever the responses, and measures each latency from the request's scheduled send
time (no coordinated omission); `closed_loop` keeps a fixed number of request chains going for
as long as asked.

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams (`Client`) rather than
httpx.AsyncClient: the load client shares the 2 CPU cores with the server, and httpx spent
several ms of CPU per request here (its connection pool grows slow with hundreds of requests
waiting), which would have been taken from the server being measured.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: What a failed exchange raises: the connection broke or the answer was not HTTP as expected.
TRANSPORT_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


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
    """A server child process listening on 127.0.0.1:`port`."""

    process: subprocess.Popen[bytes]
    port: int

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
    process = subprocess.Popen(
        list(argv),
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}{ready_path}", timeout_s)
        yield Server(process, port)
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


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Client:
    """HTTP/1.1 to one local server over keep-alive connections, one request per connection
    at a time; a connection is opened whenever none is idle. Bodies need a Content-Length."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self._idle: list[Connection] = []

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request; the status and body of the response."""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Length: {len(body)}\r\n"
        )
        if body:
            head += "Content-Type: application/json\r\n"
        message = (head + "\r\n").encode("ascii") + body
        if self._idle:
            conn = self._idle.pop()
            try:
                return await self._exchange(conn, message)
            except (OSError, asyncio.IncompleteReadError):
                pass  # the server closed an idle keep-alive connection: retry on a new one
        conn = await asyncio.open_connection(self.host, self.port)
        return await self._exchange(conn, message)

    async def _exchange(self, conn: Connection, message: bytes) -> tuple[int, bytes]:
        reader, writer = conn
        try:
            writer.write(message)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in lines[1:] if line)
            }
            data = await reader.readexactly(int(headers["content-length"]))
        except BaseException:
            writer.close()
            raise
        if headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self._idle.append(conn)
        return status, data

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.request("GET", path)

    async def post_json(self, path: str, payload: Any) -> tuple[int, Any]:
        """POST a JSON body; the status and the decoded JSON answer."""
        status, data = await self.request("POST", path, json.dumps(payload).encode())
        return status, json.loads(data) if data else None

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


#: One request of an open loop: send it with the client, return the HTTP status.
Request = Callable[[Client], Awaitable[int]]
#: Requests one after another, the unit of a closed loop: returns their HTTP statuses.
Cycle = Callable[[Client], Awaitable[list[int]]]


@dataclass
class OpenLoopResult:
    """Latencies (seconds, from each scheduled send time) and statuses of an open-loop run."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    #: Seconds from the first to the last actual send.
    sent_span: float = 0.0
    #: How late a send left its schedule, at worst (the load generator falling behind).
    worst_send_lag: float = 0.0
    #: CPU seconds used by the load client during the run.
    client_cpu: float = 0.0
    #: CPU seconds used by the server during the run.
    server_cpu: float = 0.0

    @property
    def errors(self) -> int:
        """Requests without a 2xx answer (status 0: no answer at all)."""
        return sum(1 for s in self.statuses if not 200 <= s < 300)


async def open_loop(
    client: Client, rate: float, count: int, request: Request, server_pid: int
) -> OpenLoopResult:
    """Start `count` requests at `rate` per second on a fixed schedule, whatever the responses.

    Each `request` runs in its own task from its scheduled time; one that raises a transport
    error counts as status 0. Each latency runs from the scheduled send time to the answer.
    """
    loop = asyncio.get_running_loop()
    result = OpenLoopResult()
    cpu_before, own_before = cpu_seconds(server_pid), own_cpu_seconds()
    start = loop.time() + 0.05
    lags: list[float] = []
    sent: list[float] = []

    async def one(scheduled: float) -> None:
        try:
            status = await request(client)
        except TRANSPORT_ERRORS:
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
    result.client_cpu = own_cpu_seconds() - own_before
    result.server_cpu = cpu_seconds(server_pid) - cpu_before
    result.sent_span = sent[-1] - sent[0]
    result.worst_send_lag = max(lags)
    return result


@dataclass
class ClosedLoopResult:
    """Requests completed by a closed-loop run, its wall time, and the CPU time used."""

    statuses: list[int]
    wall_s: float
    server_cpu_s: float
    client_cpu_s: float

    @property
    def requests(self) -> int:
        return len(self.statuses)

    @property
    def errors(self) -> int:
        """Requests without a 2xx answer (status 0: no answer at all)."""
        return sum(1 for s in self.statuses if not 200 <= s < 300)

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_s

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu_s / self.requests if self.requests else math.nan


async def closed_loop(
    client: Client, server_pid: int, workers: int, duration_s: float, cycle: Cycle
) -> ClosedLoopResult:
    """`workers` loops each repeating `cycle` until `duration_s` has passed; the server's CPU
    time is read before the first request and after the last answer."""
    loop = asyncio.get_running_loop()
    statuses: list[int] = []

    async def worker(deadline: float) -> None:
        while loop.time() < deadline:
            try:
                statuses.extend(await cycle(client))
            except TRANSPORT_ERRORS:
                statuses.append(0)

    cpu_before, own_before = cpu_seconds(server_pid), own_cpu_seconds()
    start = loop.time()
    await asyncio.gather(*(worker(start + duration_s) for _ in range(workers)))
    wall = loop.time() - start
    server_cpu = cpu_seconds(server_pid) - cpu_before
    return ClosedLoopResult(statuses, wall, server_cpu, own_cpu_seconds() - own_before)


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) of `values`, nearest rank."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]
