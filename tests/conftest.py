"""Shared fixtures: the packaged catalogue, bodies, and running the real command line."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import pytest

from backpoints.app.service import Services
from backpoints.catalog import Catalog, load_catalog
from backpoints.core.anatomy import Body, body_from_stature
from backpoints.core.clock import FakeClock
from backpoints.settings import Settings
from tests.pg import PostgresServer, running_server, server_binaries

# Timing deadlines make property tests flaky on a busy machine (CI shares its two cores);
# the properties are about results, not speed, which the benchmarks measure.
hypothesis.settings.register_profile("backpoints", deadline=None)
hypothesis.settings.load_profile("backpoints")

CliRun = Callable[..., subprocess.CompletedProcess[str]]

# Starlette's TestClient sends `Host: testserver`; the app answers only to hosts it is told of
# (tests of that rule pass their own `allowed_hosts`).
os.environ.setdefault("BACKPOINTS_ALLOWED_HOSTS", "testserver")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def woman() -> Body:
    return body_from_stature(163, "female")


def invoke_cli(
    data_dir: Path, *args: str, input: str | None = None, columns: int = 80
) -> subprocess.CompletedProcess[str]:
    """Run `backpoints ARGS` in this process (Typer's CliRunner) on `data_dir`, in a terminal
    `columns` wide and 24 rows tall; the result looks like a finished subprocess (returncode,
    stdout, stderr) and errors end as `backpoints.cli.main.main` ends them."""
    from typer.testing import CliRunner

    from backpoints.cli.main import app, failure

    env: dict[str, str | None] = {
        "BACKPOINTS_DATA_DIR": str(data_dir),
        "BACKPOINTS_DATABASE_URL": None,
        "BACKPOINTS_COUNTDOWN_SPEED": "1000",
        "COLUMNS": str(columns),
        "LINES": "24",
    }
    result = CliRunner().invoke(app, list(args), input=input, env=env)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        ended = failure(result.exception)
        if ended is None:
            raise result.exception
        stderr, code = stderr + ended[0] + "\n", ended[1]
    return subprocess.CompletedProcess(list(args), code, result.stdout, stderr)


@pytest.fixture
def run_cli(tmp_path: Path) -> CliRun:
    """`invoke_cli` with a data dir of this test's own."""

    def run(
        *args: str, input: str | None = None, columns: int = 80
    ) -> subprocess.CompletedProcess[str]:
        return invoke_cli(tmp_path / "data", *args, input=input, columns=columns)

    return run


@pytest.fixture
def run_real(tmp_path: Path) -> CliRun:
    """Run `python -m backpoints ARGS` in a real subprocess with its own data dir (for what
    only a real process shows: the entry point, exit codes, signals)."""

    def run(
        *args: str,
        input: str | None = None,
        timeout: float = 60,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        locale_vars = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
        env = {
            **{k: v for k, v in os.environ.items() if k not in locale_vars},
            "LANG": "C.UTF-8",  # English unless a test asks for another language
            "BACKPOINTS_DATA_DIR": str(tmp_path / "data"),
            "BACKPOINTS_COUNTDOWN_SPEED": "1000",
            "COLUMNS": "80",
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "backpoints", *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
            env=env,
        )

    return run


# ---- Databases: real SQLite in tmp_path, a real PostgreSQL server ---------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run (each test gets its own database)."""
    bin_dir = server_binaries()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; `make test` installs it")
        pytest.skip("PostgreSQL is not installed (run `make test` to install it)")
    with running_server(bin_dir) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh database: SQLite in tmp_path, then a new PostgreSQL database."""
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "data")
    server: PostgresServer = request.getfixturevalue("postgres")
    return Settings(data_dir=tmp_path / "data", database_url=server.create_database())


# ---- A real server and a real browser ---------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/api/v1/regions", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start in time")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """`backpoints serve` on a free loopback port, with a fast countdown and its own data."""
    yield from _serve(tmp_path, {})


@pytest.fixture
def live_server_mode(tmp_path: Path) -> Iterator[LiveServer]:
    """The same in server mode (accounts and log-in), on SQLite."""
    yield from _serve(tmp_path, {"BACKPOINTS_SERVER_MODE": "true"})


def serve(tmp_path: Path, extra: dict[str, str]) -> Generator[LiveServer, None, None]:
    """`backpoints serve` with these extra environment variables, until the generator closes."""
    yield from _serve(tmp_path, extra)


def _serve(tmp_path: Path, extra: dict[str, str]) -> Iterator[LiveServer]:
    port = _free_port()
    env = {
        **os.environ,
        "BACKPOINTS_DATA_DIR": str(tmp_path / "data"),
        "BACKPOINTS_COUNTDOWN_SPEED": "60",
    }
    env.pop("BACKPOINTS_DATABASE_URL", None)  # unless `extra` names one (several processes)
    env.update(extra)
    argv = [sys.executable, "-m", "backpoints", "serve", "--port", str(port), "--no-browser"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc)
        yield LiveServer(url, tmp_path / "data")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; `make test` installs it")
        pytest.skip("chromium is not installed (run `make test` to install it)")
    return path


#: How the browser tests start Debian's chromium (no sandbox: it runs as root in CI).
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")


@contextmanager
def chromium(path: str, args: Sequence[str] = CHROMIUM_ARGS) -> Iterator[Any]:
    """Debian's chromium driven by Playwright, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=list(args))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_path: str) -> Iterator[Any]:
    """A fresh Chromium page (Debian's chromium, driven by Playwright)."""
    with chromium(chromium_path) as browser:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        try:
            yield context.new_page()
        finally:
            context.close()


# ---- Translations: a message missing from a catalogue is a test failure -----------------------


class _UntranslatedLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the .po catalogues, as `make` does, so a fresh clone's tests see them."""
    from backpoints.i18n.build import compile_all

    compile_all()


@pytest.fixture(autouse=True)
def no_english_fallback() -> Iterator[None]:
    """Fail any test during which a translated language fell back to English."""
    handler = _UntranslatedLog()
    logger = logging.getLogger("backpoints.i18n")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        pytest.fail("English fallback for: " + "; ".join(handler.messages[:10]))


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand."""
    return FakeClock()


@pytest.fixture
def services(tmp_path: Path, catalog: Catalog, clock: FakeClock) -> Iterator[Services]:
    """The shell's services on a fresh SQLite diary in tmp_path, on the fake clock."""
    s = Services(Settings(data_dir=tmp_path / "data"), catalog=catalog, clock=clock)
    yield s
    s.close()
