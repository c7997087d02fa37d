"""PostgreSQL scaling: session-cycle throughput of 4 app workers against 1.

Target (performance targets): "PostgreSQL with 4 app workers scales throughput at
least 1.6x over 1 worker", over the session cycle (create a session, rate its first point).

A throwaway PostgreSQL server (tests/pg.py) gets a fresh database per configuration, migrated
once with `python -m backpoints db upgrade` before `backpoints serve --workers N` starts N
uvicorn workers of the app on it.
A closed loop of CONNECTIONS request chains runs WARMUP_S, then MEASURE_S measured: completed
cycles per wall second and errors. CPU seconds are read from /proc for the uvicorn process
tree (master + workers), for this PostgreSQL cluster (postmaster + backends, found by its
port), for the load client itself, and for the whole machine (/proc/stat), so that the share
taken by anything else running on the 2 cores at the same time shows up too.

A process's CPU here is utime + stime + cutime + cstime: a child that ended and was waited
for stays counted in its parent, so summing over the live tree loses nothing. Per-process and
whole-machine times are accounted differently by the kernel, so "other processes" (machine
busy minus ours) is good to a few tenths of a second and can come out slightly negative.

The warm-up opens its connections 20 ms apart: opened in one burst, they were all accepted by
3 of the 4 workers (one worker's event loop accepts every pending connection at once), and
the fourth worker sat idle through the run.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from benchmarks.loadgen import (
    CLOCK_TICKS,
    Client,
    Cycle,
    closed_loop,
    free_port,
    own_cpu_seconds,
)

WORKER_COUNTS = (1, 4)
CONNECTIONS = 32
WARMUP_S = 2.0
MEASURE_S = 8.0
TARGET_RATIO = 1.6
READY_PATH = "/api/v1/regions"
START_TIMEOUT_S = 60.0
PAIN = 6
SESSION_BODY: dict[str, Any] = {
    "pain": [{"region": "lower_back_left", "intensity": PAIN}],
    "flags": [],
}
#: Connections of the warm-up open this far apart (see `_cycle_of`).
STAGGER_S = 0.02
PROBES = 100
CORES = os.cpu_count() or 1
#: Capacity assumptions: per client and day one session with this many ratings, and this
#: share of the day's sessions falls in the busiest hour.
RATINGS_PER_SESSION = 4
PEAK_HOUR_SHARE = 0.30
#: Busy share of a core to plan for at the peak (headroom for bursts within the hour).
PLANNED_UTILISATION = 0.5


# ---- /proc readings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgrp: int
    #: utime + stime + cutime + cstime, seconds.
    cpu: float


def _processes() -> dict[int, Proc]:
    """Every process on the machine that could be read right now."""
    found: dict[int, Proc] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
        pid = int(entry)
        found[pid] = Proc(pid, int(fields[1]), int(fields[2]), ticks / CLOCK_TICKS)
    return found


def _tree(table: dict[int, Proc], root: int) -> list[Proc]:
    """`root` and all its live descendants."""
    children: dict[int, list[int]] = {}
    for proc in table.values():
        children.setdefault(proc.ppid, []).append(proc.pid)
    out: list[Proc] = []
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(table[pid])
            todo.extend(children.get(pid, []))
    return out


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _workers(tree: list[Proc], master: int) -> dict[int, float]:
    """CPU seconds of each worker: the master's children but its multiprocessing resource
    tracker, or the master serving alone (uvicorn runs one worker in its own process)."""
    children = {
        p.pid: p.cpu for p in tree if p.ppid == master and "resource_tracker" not in _cmdline(p.pid)
    }
    return children or {p.pid: p.cpu for p in tree if p.pid == master}


def _postmaster(port: int) -> int | None:
    """The pid of the PostgreSQL server started with `-p port`."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if argv and argv[0].endswith("postgres") and "-p" in argv:
            i = argv.index("-p")
            if i + 1 < len(argv) and argv[i + 1] == str(port):
                return int(entry)
    return None


def _machine_busy() -> tuple[float, float]:
    """CPU seconds all cores have spent busy (not idle, not waiting for I/O) since boot, and
    of those the time in interrupts (irq + softirq: loopback TCP is partly handled there)."""
    with open("/proc/stat", encoding="ascii") as f:
        ticks = [int(t) for t in f.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / CLOCK_TICKS, (ticks[5] + ticks[6]) / CLOCK_TICKS


@dataclass(frozen=True)
class Reading:
    """Cumulative CPU seconds at one moment."""

    app: float
    workers: dict[int, float]
    pg: float
    client: float
    machine: float
    irq: float
    wall: float

    @classmethod
    def take(cls, app_pid: int, pg_pid: int | None) -> Reading:
        table = _processes()
        machine, irq = _machine_busy()
        app = _tree(table, app_pid)
        pg = sum(p.cpu for p in _tree(table, pg_pid)) if pg_pid is not None else float("nan")
        return cls(
            app=sum(p.cpu for p in app),
            workers=_workers(app, app_pid),
            pg=pg,
            client=own_cpu_seconds(),
            machine=machine,
            irq=irq,
            wall=time.monotonic(),
        )


@dataclass(frozen=True)
class Usage:
    """CPU seconds used between two readings."""

    app: float
    workers: list[float]
    pg: float
    client: float
    machine: float
    irq: float
    wall: float

    @classmethod
    def between(cls, before: Reading, after: Reading) -> Usage:
        return cls(
            app=after.app - before.app,
            workers=sorted(
                (after.workers[p] - before.workers.get(p, 0.0) for p in after.workers),
                reverse=True,
            ),
            pg=after.pg - before.pg,
            client=after.client - before.client,
            machine=after.machine - before.machine,
            irq=after.irq - before.irq,
            wall=after.wall - before.wall,
        )

    @property
    def other(self) -> float:
        """Busy CPU seconds of every other process on the machine."""
        return self.machine - self.irq - self.app - self.pg - self.client


# ---- the app under test ---------------------------------------------------------------------


@dataclass
class App:
    process: subprocess.Popen[bytes]
    port: int
    stderr_path: Path
    pg_pid: int | None
    workers: int
    boot_s: float = 0.0
    #: `ps` lines of processes of its group still running after the stop, and of zombies.
    leftovers: list[str] = field(default_factory=list)
    zombies: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def reading(self) -> Reading:
        return Reading.take(self.pid, self.pg_pid)


class StartFailed(RuntimeError):
    pass


def _migrate(url: str, data_dir: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backpoints", "db", "upgrade"],
        env={**os.environ, "BACKPOINTS_DATABASE_URL": url, "BACKPOINTS_DATA_DIR": data_dir},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise StartFailed(
            f"`backpoints db upgrade` exited with {done.returncode}: {done.stderr[-2000:]}"
        )


@contextmanager
def _app(workers: int, url: str, data_dir: str, pg_pid: int | None) -> Iterator[App]:
    """uvicorn with `workers` workers of the app on `url`; waits until every worker is up and
    idle, and on leaving stops the master and checks that no process of its group is left."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "backpoints",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-browser",
    ]
    env = {**os.environ, "BACKPOINTS_DATABASE_URL": url, "BACKPOINTS_DATA_DIR": data_dir}
    stderr_path = Path(data_dir) / "uvicorn.stderr"
    err: IO[bytes]
    with open(stderr_path, "wb") as err:
        started = time.monotonic()
        process = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
    app = App(process, port, stderr_path, pg_pid, workers)
    try:
        _wait_booted(app)
        app.boot_s = time.monotonic() - started
        yield app
    finally:
        app.leftovers, app.zombies = _stop(app)


def _wait_booted(app: App) -> None:
    """GET READY_PATH answers 200, the master has all its workers, and none of them used CPU
    for half a second (booting is import-heavy; a booted idle worker uses none)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    url = f"http://127.0.0.1:{app.port}{READY_PATH}"
    answered = False
    last: dict[int, float] = {}
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise StartFailed(
                f"uvicorn exited with {app.process.returncode}; stderr: {app.stderr()[-3000:]}"
            )
        if not answered:
            try:
                answered = httpx.get(url, timeout=2.0).status_code == 200
            except httpx.TransportError:
                pass
        now = time.monotonic()
        workers = _workers(_tree(_processes(), app.pid), app.pid)
        if answered and len(workers) >= app.workers and workers == last:
            quiet_since = quiet_since or now
            if now - quiet_since >= 0.5:
                return
        else:
            quiet_since = None
        last = workers
        time.sleep(0.1)
    raise StartFailed(
        f"{app.workers} workers not up within {START_TIMEOUT_S:.0f} s (answered: {answered}); "
        f"stderr: {app.stderr()[-3000:]}"
    )


def _group(pgid: int) -> list[str]:
    """`ps` lines (pid, ppid, state, command) of the processes still in process group `pgid`,
    zombies included."""
    done = subprocess.run(
        ["ps", "-o", "pid=,ppid=,stat=,args=", "-g", str(pgid)],
        capture_output=True,
        text=True,
    )
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def _stop(app: App) -> tuple[list[str], list[str]]:
    """SIGTERM to the master, as a process manager would. Returns what of its process group was
    still running 15 s later (then killed), and the zombies: processes that exited but that no
    parent has waited for (reparented to pid 1, which here may not reap them)."""
    app.process.terminate()
    try:
        app.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    time.sleep(0.3)
    left = _group(app.pid)
    running = [line for line in left if line.split()[2:3] != ["Z"]]
    zombies = [line for line in left if line.split()[2:3] == ["Z"]]
    if running or app.process.poll() is None:
        try:
            os.killpg(app.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        app.process.wait()
    return running, zombies


# ---- load -----------------------------------------------------------------------------------


@dataclass
class Counts:
    cycles: int = 0
    started: int = 0
    failed: dict[str, int] = field(default_factory=dict)

    def fail(self, what: str) -> None:
        self.failed[what] = self.failed.get(what, 0) + 1


def _rating(body: dict[str, Any]) -> dict[str, Any]:
    point = body["step"]["point"]
    return {"point_id": point["id"], "side": point["side"], "pain_after": PAIN}


def _cycle_of(counts: Counts, stagger_s: float = 0.0) -> Cycle:
    """The session cycle, counting completed cycles and failures. With `stagger_s`, the first
    CONNECTIONS cycles start that far apart, so that the connections are opened one after
    another as clients would arrive, not in one burst."""

    async def cycle(client: Client) -> list[int]:
        counts.started += 1
        if stagger_s and counts.started <= CONNECTIONS:
            await asyncio.sleep((counts.started - 1) * stagger_s)
        created, body = await client.post_json("/api/v1/sessions", SESSION_BODY)
        if created != 201 or not isinstance(body, dict) or not body.get("step"):
            counts.fail(f"create {created}" + ("" if created != 201 else " without a step"))
            return [created]
        rated, _ = await client.post_json(f"/api/v1/sessions/{body['id']}/ratings", _rating(body))
        if rated == 200:
            counts.cycles += 1
        else:
            counts.fail(f"rate {rated}")
        return [created, rated]

    return cycle


@dataclass
class Run:
    workers: int
    warm: Counts = field(default_factory=Counts)
    counts: Counts = field(default_factory=Counts)
    usage: Usage | None = None
    #: Server CPU seconds (app, PostgreSQL) of one create and one rating, sent one at a time.
    create_cpu: tuple[float, float] = (0.0, 0.0)
    rate_cpu: tuple[float, float] = (0.0, 0.0)
    boot_s: float = 0.0
    leftovers: list[str] = field(default_factory=list)
    zombies: list[str] = field(default_factory=list)
    stderr: str = ""

    @property
    def used(self) -> Usage:
        assert self.usage is not None
        return self.usage

    @property
    def per_second(self) -> float:
        return self.counts.cycles / self.used.wall

    @property
    def errors(self) -> int:
        return sum(self.counts.failed.values())

    def per_cycle(self, cpu: float) -> float:
        return cpu / self.counts.cycles if self.counts.cycles else float("nan")


async def _load(app: App, run: Run) -> None:
    client = Client(app.port)
    try:
        await closed_loop(client, app.pid, CONNECTIONS, WARMUP_S, _cycle_of(run.warm, STAGGER_S))
        before = app.reading()
        await closed_loop(client, app.pid, CONNECTIONS, MEASURE_S, _cycle_of(run.counts))
        run.usage = Usage.between(before, app.reading())
        await _probe(client, app, run)
    finally:
        client.close()


async def _probe(client: Client, app: App, run: Run) -> None:
    """PROBES creates, then one rating of each, one request at a time: the server CPU of each
    kind of request, for the capacity estimate."""
    bodies: list[dict[str, Any]] = []
    start = app.reading()
    for _ in range(PROBES):
        status, body = await client.post_json("/api/v1/sessions", SESSION_BODY)
        if status != 201:
            raise RuntimeError(f"probe: POST /api/v1/sessions answered {status}")
        bodies.append(body)
    created = Usage.between(start, start := app.reading())
    for body in bodies:
        status, _ = await client.post_json(f"/api/v1/sessions/{body['id']}/ratings", _rating(body))
        if status != 200:
            raise RuntimeError(f"probe: POST .../ratings answered {status}")
    rated = Usage.between(start, app.reading())
    run.create_cpu = (created.app / PROBES, created.pg / PROBES)
    run.rate_cpu = (rated.app / PROBES, rated.pg / PROBES)


def _measure(workers: int, pg: Any, pg_pid: int | None) -> Run:
    run = Run(workers)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as data_dir:
        url: str = pg.create_database()
        _migrate(url, data_dir)
        with _app(workers, url, data_dir, pg_pid) as app:
            asyncio.run(_load(app, run))
        run.boot_s, run.leftovers, run.zombies = app.boot_s, app.leftovers, app.zombies
        run.stderr = app.stderr()
    return run


# ---- report ---------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def _run_lines(run: Run) -> list[str]:
    u = run.used
    failed = ", ".join(f"{k}: {v}" for k, v in sorted(run.counts.failed.items())) or "none"
    warm_failed = sum(run.warm.failed.values())
    share = "/".join(f"{w:.2f}" for w in u.workers)
    lines = [
        f"{run.workers} worker{'s' if run.workers > 1 else ''}: {run.per_second:.1f} cycles/s "
        f"({run.counts.cycles} cycles in {u.wall:.2f} s), errors {run.errors} ({failed}); "
        f"warm-up {run.warm.cycles} cycles, errors {warm_failed}; up in {run.boot_s:.1f} s",
        f"  CPU s: app {u.app:.2f} (per worker {share}), PostgreSQL {u.pg:.2f}, load client "
        f"{u.client:.2f}, interrupts {u.irq:.2f}, other processes {u.other:.2f}; machine busy "
        f"{u.machine:.2f} of {CORES * u.wall:.2f} ({u.machine / (CORES * u.wall):.0%})",
        f"  CPU per cycle: app {_ms(run.per_cycle(u.app))}, PostgreSQL "
        f"{_ms(run.per_cycle(u.pg))}, client {_ms(run.per_cycle(u.client))}; "
        f"{1 / run.per_cycle(u.app):.0f} cycles per app-CPU second, "
        f"{1 / run.per_cycle(u.app + u.pg):.0f} per app+PostgreSQL CPU second",
    ]
    if run.leftovers:
        lines.append(
            f"  STILL RUNNING 15 s after SIGTERM to the master: {'; '.join(run.leftovers)}"
        )
    else:
        zombies = f" (exited, unreaped: {'; '.join(run.zombies)})" if run.zombies else ""
        lines.append(f"  after SIGTERM to the master no process of it left running{zombies}")
    if run.stderr.strip():
        tail = run.stderr.strip().splitlines()
        lines.append(f"  server stderr ({len(tail)} lines), last:")
        lines.extend(f"    {line}" for line in tail[-5:])
    return lines


def _bound(u: Usage) -> str:
    """What held a run back, from its CPU readings."""
    ours = (u.app + u.pg + u.client + u.irq) / (CORES * u.wall)
    if ours >= 0.9:
        return "bound by the 2 CPU cores"
    if u.machine >= 0.9 * CORES * u.wall:
        return (
            f"bound by the 2 CPU cores, {u.other / u.machine:.0%} of them taken by other processes"
        )
    return "not CPU-bound: waiting (database round trips, locks)"


def _analysis(one: Run, four: Run) -> list[str]:
    u1, u4 = one.used, four.used
    per_cycle4 = four.per_cycle(u4.app + u4.pg + u4.client + u4.irq)
    ceiling = CORES / per_cycle4
    serial1 = one.per_cycle(u1.app + u1.pg)
    lines = [
        f"1 worker: {_ms(1 / one.per_second)} of wall time per cycle against "
        f"{_ms(one.per_cycle(u1.app))} app + {_ms(one.per_cycle(u1.pg))} PostgreSQL CPU; the "
        f"worker busy {u1.app / u1.wall:.0%} of a core, the machine "
        f"{u1.machine / (CORES * u1.wall):.0%} -> "
        + (
            "bound by the one worker: its event loop waits for each database call (sync "
            "calls inside async endpoints), so its requests and PostgreSQL's work on them "
            "run one after the other"
            if u1.app < 0.9 * u1.wall
            else "bound by the one worker's CPU"
        )
        + f" (the machine: {_bound(u1)})",
        f"4 workers: machine busy {u4.machine / (CORES * u4.wall):.0%}; of the busy time app "
        f"{u4.app / u4.machine:.0%}, PostgreSQL {u4.pg / u4.machine:.0%}, load client "
        f"{u4.client / u4.machine:.0%}, interrupts {u4.irq / u4.machine:.0%}, other processes "
        f"{u4.other / u4.machine:.0%} -> {_bound(u4)}",
        f"  CPU ceilings with the machine to ourselves: 4 workers <= {CORES} cores / "
        f"{_ms(per_cycle4)} CPU per cycle (app + PostgreSQL + client + interrupts, as measured "
        f"with 4 workers) = {ceiling:.0f} cycles/s; 1 worker <= 1 / {_ms(serial1)} (app + "
        f"PostgreSQL CPU per cycle, run one after the other) = {1 / serial1:.0f} cycles/s; "
        f"best ratio on this machine ~{ceiling * serial1:.2f}x",
    ]
    crowded = [
        f"{r.workers}-worker run ({r.used.other / r.used.wall:.2f} cores on average)"
        for r in (one, four)
        if r.used.other > 0.1 * CORES * r.used.wall
    ]
    if crowded:
        lines.append(
            f"  WARNING: other processes on the machine used the {CORES} cores during the "
            f"{' and the '.join(crowded)}: the cycles/s there (and the CPU per cycle: caches "
            "are shared) are held down by them, so the ratio is not clean; the ceilings above "
            "depend only on CPU per cycle"
        )
    return lines


def _capacity_lines(one: Run) -> list[str]:
    create_app, create_pg = one.create_cpu
    rate_app, rate_pg = one.rate_cpu
    day_app = create_app + RATINGS_PER_SESSION * rate_app
    day_pg = create_pg + RATINGS_PER_SESSION * rate_pg
    peak_app = PEAK_HOUR_SHARE * day_app  # CPU s per client in the busiest hour
    peak_pg = PEAK_HOUR_SHARE * day_pg
    per_worker = PLANNED_UTILISATION * 3600 / peak_app
    per_box = PLANNED_UTILISATION * CORES * 3600 / (peak_app + peak_pg)
    return [
        f"capacity (assumed: each client does 1 session a day with {RATINGS_PER_SESSION} "
        f"ratings; {PEAK_HOUR_SHARE:.0%} of the day's sessions fall in the busiest hour; plan "
        f"for {PLANNED_UTILISATION:.0%} CPU busy at that peak):",
        f"  server CPU, {PROBES} requests one at a time with 1 worker: create "
        f"{_ms(create_app)} app + {_ms(create_pg)} PostgreSQL, rating {_ms(rate_app)} app + "
        f"{_ms(rate_pg)} PostgreSQL; a client-day {_ms(day_app)} app + {_ms(day_pg)} PostgreSQL",
        f"  one worker (one core) serves ~{per_worker:,.0f} clients "
        f"({per_worker * PEAK_HOUR_SHARE / 3600:.1f} sessions/s and "
        f"{per_worker * PEAK_HOUR_SHARE * RATINGS_PER_SESSION / 3600:.1f} ratings/s at the "
        f"peak); this 2-core machine with PostgreSQL on it ~{per_box:,.0f} clients",
    ]


def run() -> list[str]:
    try:
        from tests import pg as tests_pg
    except ImportError as exc:
        return [f"skipped: tests.pg not importable ({exc})"]
    bin_dir = tests_pg.server_binaries()
    if bin_dir is None:
        return ["skipped: no PostgreSQL server binaries installed (initdb not found)"]
    lines: list[str] = [
        f"session cycle (create + rate) on PostgreSQL {bin_dir.parent.name} (fsync off), "
        f"closed loop with {CONNECTIONS} keep-alive connections, {WARMUP_S:.0f} s warm-up + "
        f"{MEASURE_S:.0f} s measured, fresh database for each worker count"
    ]
    runs: list[Run] = []
    with tests_pg.running_server(bin_dir) as pg:
        pg_pid = _postmaster(pg.port)
        if pg_pid is None:
            lines.append("  (PostgreSQL's processes not found: its CPU is not measured)")
        for workers in WORKER_COUNTS:
            try:
                runs.append(_measure(workers, pg, pg_pid))
            except StartFailed as exc:
                lines.append(f"{workers} workers: the app did not start: {exc}")
                return lines
    for r in runs:
        lines.extend(_run_lines(r))
    one, four = runs
    ratio = four.per_second / one.per_second
    verdict = "target met" if ratio >= TARGET_RATIO else "target NOT met"
    lines.append(
        f"4 workers / 1 worker: {ratio:.2f}x cycles/s (target >= {TARGET_RATIO}x): {verdict}; "
        f"app CPU per cycle {four.per_cycle(four.used.app) / one.per_cycle(one.used.app):.2f}x"
        " with 4 workers"
    )
    lines += _analysis(one, four)
    lines += _capacity_lines(one)
    return lines
