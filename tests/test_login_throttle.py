"""Log-in and registration that hold across processes: attempts are counted in the database
(atomically) before a password is checked, per (e-mail, address) pair and per address; an
unknown e-mail costs the same as a known one; registrations are limited per address; weak
passwords are refused. Ends with 60 parallel attempts on two app processes sharing one
PostgreSQL."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backpoints.app import accounts, service
from backpoints.settings import Settings
from backpoints.store import accounts_repo
from backpoints.web.app import create_app
from tests.conftest import _free_port, _wait_until_up
from tests.pg import PostgresServer

PASSWORD = "correct horse battery"
LIMIT = 5
ANN = "ann@example.org"


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


@pytest.fixture
def server(settings: Settings) -> Iterator[TestClient]:
    """Server mode behind a trusted proxy (the test client), so each request names its
    address in X-Forwarded-For."""
    app = create_app(
        settings.model_copy(
            update={
                "server_mode": True,
                "login_attempts": LIMIT,
                "login_attempts_per_address": 8,
                "registrations_per_hour": 3,
                "trusted_proxies": ("testclient",),
            }
        )
    )
    with TestClient(app) as client:
        yield client


def _log_in(client: TestClient, password: str, address: str, email: str = ANN) -> int:
    body = {"email": email, "password": password}
    status = client.post("/api/v1/auth/login", json=body, headers=_from(address)).status_code
    client.cookies.clear()
    return status


def _register(client: TestClient, email: str, address: str, password: str = PASSWORD) -> Any:
    body = {"email": email, "password": password}
    answer = client.post("/api/v1/auth/register", json=body, headers=_from(address))
    client.cookies.clear()
    return answer


# ---- the counter itself ---------------------------------------------------------------------


WINDOWS = [timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60)]


def test_parallel_attempts_never_pass_the_limit(settings: Settings) -> None:
    services = service.Services(settings)
    services.open()  # before the threads (as the app's start-up does)
    now = datetime.now(UTC)

    def take(_: int) -> bool:
        with services.db() as db:
            return accounts_repo.take_attempt(db, "k", LIMIT, now, WINDOWS)

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:  # within the pool of connections
            taken = list(pool.map(take, range(60)))
        assert taken.count(True) == LIMIT
        with services.db() as db:
            assert accounts_repo.attempts_of(db, "k") == LIMIT
    finally:
        services.close()


def test_the_window_grows_while_the_limit_keeps_being_reached(settings: Settings) -> None:
    services = service.Services(settings)
    start = datetime.now(UTC)

    def burst(at: datetime, n: int = LIMIT + 1) -> list[bool]:
        with services.db() as db:
            return [accounts_repo.take_attempt(db, "k", LIMIT, at, WINDOWS) for _ in range(n)]

    def ends(at: datetime) -> timedelta:
        with services.db() as db:
            end = accounts_repo.window_end_of(db, "k")
        assert end is not None
        return end - at

    try:
        assert burst(start) == [True] * LIMIT + [False]
        assert ends(start) == WINDOWS[0]
        at = start + WINDOWS[0]  # the first window is over: a second one, twice as long
        assert burst(at) == [True] * LIMIT + [False]
        assert ends(at) == WINDOWS[1]
        assert burst(at + WINDOWS[1] - timedelta(seconds=1), 1) == [False]  # still waiting
        at += WINDOWS[1]
        assert burst(at) == [True] * LIMIT + [False]
        assert ends(at) == WINDOWS[2]
        at += WINDOWS[2]
        assert burst(at) == [True] * LIMIT + [False]
        assert ends(at) == WINDOWS[2]  # the longest step stays
        at += WINDOWS[2]
        assert burst(at, 2) == [True, True]  # a window that does not fill up ...
        at += WINDOWS[2]
        assert burst(at, 1) == [True]
        assert ends(at) == WINDOWS[0]  # ... and the next is back to the first step
    finally:
        services.close()


# ---- over HTTP ------------------------------------------------------------------------------


def test_a_stranger_cannot_lock_the_owner_out(server: TestClient) -> None:
    assert _register(server, ANN, "198.51.100.20").status_code == 201
    stranger, owner = "203.0.113.7", "198.51.100.20"
    assert [_log_in(server, "wrong guess number", stranger) for _ in range(LIMIT)] == [401] * LIMIT
    assert _log_in(server, PASSWORD, stranger) == 429  # even the right one: nothing is checked
    body = {"email": ANN, "password": PASSWORD}
    refused = server.post("/api/v1/auth/login", json=body, headers=_from(stranger))
    message = refused.json()["detail"][0]["message"]
    assert message.endswith("from here; try again in 15 minutes.")
    assert _log_in(server, PASSWORD, owner) == 200


def test_a_success_starts_the_pair_afresh(server: TestClient) -> None:
    assert _register(server, ANN, "198.51.100.20").status_code == 201
    for _ in range(LIMIT - 1):
        assert _log_in(server, "wrong guess", "198.51.100.20") == 401
    assert _log_in(server, PASSWORD, "198.51.100.20") == 200
    for _ in range(LIMIT - 1):  # more than LIMIT failures in all: the pair was reset
        assert _log_in(server, "wrong guess", "198.51.100.20") == 401


def test_one_address_trying_many_accounts_is_stopped(server: TestClient) -> None:
    answers = [_log_in(server, "wrong guess", "203.0.113.8", f"u{i}@example.org") for i in range(9)]
    assert answers == [401] * 8 + [429]
    assert _log_in(server, "wrong guess", "203.0.113.9", "u0@example.org") == 401  # elsewhere


def test_unknown_and_known_e_mails_are_counted_alike(server: TestClient) -> None:
    assert _register(server, ANN, "198.51.100.20").status_code == 201
    for email, address in ((ANN, "203.0.113.30"), ("nobody@example.org", "203.0.113.31")):
        answers = [_log_in(server, "wrong guess", address, email) for _ in range(LIMIT + 1)]
        assert answers == [401] * LIMIT + [429]


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"server_mode": True, "login_attempts": LIMIT}))
    with TestClient(app) as client:
        assert _register(client, ANN, "x").status_code == 201
        for n in range(LIMIT):  # a new "address" each time: all are the same peer
            assert _log_in(client, "wrong guess", f"203.0.113.{n}") == 401
        assert _log_in(client, PASSWORD, "198.51.100.20") == 429


def test_registrations_are_limited_per_address(server: TestClient) -> None:
    made = [_register(server, f"p{i}@example.org", "203.0.113.40").status_code for i in range(4)]
    assert made == [201, 201, 201, 429]
    refused = _register(server, "p9@example.org", "203.0.113.40")
    assert "Too many new accounts" in refused.json()["detail"][0]["message"]
    assert _register(server, "q@example.org", "203.0.113.41").status_code == 201


def test_log_in_costs_the_same_for_unknown_and_known_e_mails(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", server_mode=True, login_attempts=100)
    services = service.Services(settings)
    accounts.register(services, ANN, PASSWORD)

    def seconds(email: str, n: int) -> float:
        start = time.perf_counter()
        with pytest.raises(accounts.NotLoggedIn):
            accounts.log_in(services, email, "wrong guess", f"203.0.113.{n}")
        return time.perf_counter() - start

    seconds("warm@example.org", 0)
    known, unknown = [], []
    for n in range(1, 8):
        known.append(seconds(ANN, n))
        unknown.append(seconds(f"nobody{n}@example.org", n + 100))
    services.close()
    k, u = statistics.median(known), statistics.median(unknown)
    print(f"log-in timing: known {k * 1000:.0f} ms, unknown {u * 1000:.0f} ms")  # noqa: T201
    assert 0.5 < u / k < 2.0


# ---- passwords ------------------------------------------------------------------------------

WEAK = ["aaaaaaaaaa", "password123", "1234567890", "qwertyuiop", "iloveyou12", "Password1!",
        "ann@example.org", "abcabcabcabc", "letmein12345"]  # fmt: skip
STRONG = [PASSWORD, "a long enough password", "Tr0ub4dour&3x-horse", "mauve kettle orbit lamp"]


@pytest.mark.parametrize("password", WEAK)
def test_weak_and_common_passwords_are_refused(tmp_path: Path, password: str) -> None:
    services = service.Services(Settings(data_dir=tmp_path / "data", server_mode=True))
    with pytest.raises(accounts.AccountError, match="too easy to guess") as refused:
        accounts.register(services, ANN, password)
    assert refused.value.field == "password"
    services.close()


@pytest.mark.parametrize("password", STRONG)
def test_long_unguessable_passwords_are_accepted(tmp_path: Path, password: str) -> None:
    services = service.Services(Settings(data_dir=tmp_path / "data", server_mode=True))
    assert accounts.register(services, ANN, password)
    with pytest.raises(accounts.AccountError, match="too easy to guess"):
        accounts.change_password(services, accounts.log_in(services, ANN, password, "a")
                                 .account_id, password, "aaaaaaaaaaaa")  # fmt: skip
    services.close()


def test_the_register_page_says_why_a_password_is_refused(server: TestClient) -> None:
    page = server.post("/register", data={"email": ANN, "password": "password123"})
    assert page.status_code == 422
    assert "too easy to guess" in page.text


# ---- two app processes, one PostgreSQL ------------------------------------------------------


def _serve(database_url: str, data_dir: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    env = {
        **os.environ,
        "BACKPOINTS_DATA_DIR": str(data_dir),
        "BACKPOINTS_DATABASE_URL": database_url,
        "BACKPOINTS_SERVER_MODE": "true",
        "BACKPOINTS_ALLOWED_HOSTS": "backpoints.example.org",
        "BACKPOINTS_TRUSTED_PROXIES": "127.0.0.1",
        "BACKPOINTS_LOGIN_ATTEMPTS": str(LIMIT),
    }
    argv = [sys.executable, "-m", "backpoints", "serve", "--port", str(port), "--no-browser"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(url, proc)
    return url, proc


def _post(url: str, path: str, body: bytes, address: str) -> int:
    headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
    request = urllib.request.Request(url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


@pytest.fixture
def two_processes(postgres: PostgresServer, tmp_path: Path) -> Iterator[list[str]]:
    database = postgres.create_database()
    started = [_serve(database, tmp_path / f"data{n}") for n in range(2)]
    try:
        yield [url for url, _ in started]
    finally:
        for _, proc in started:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.mark.slow
def test_sixty_parallel_attempts_on_two_processes_check_at_most_the_limit(
    two_processes: list[str],
) -> None:
    import json

    first, second = two_processes
    body = json.dumps({"email": ANN, "password": PASSWORD}).encode()
    assert _post(first, "/api/v1/auth/register", body, "198.51.100.20") == 201
    for email in (ANN, "nobody@example.org"):
        wrong = json.dumps({"email": email, "password": "wrong guess"}).encode()

        def attempt(n: int, wrong: bytes = wrong) -> int:
            return _post(two_processes[n % 2], "/api/v1/auth/login", wrong, "203.0.113.7")

        with ThreadPoolExecutor(max_workers=60) as pool:
            answers = Counter(pool.map(attempt, range(60)))
        print(f"60 parallel wrong passwords for {email} on 2 processes: {dict(answers)}")  # noqa: T201
        assert answers[401] <= LIMIT  # checked: never more than the limit
        assert answers[401] + answers[429] == 60
    assert _post(second, "/api/v1/auth/login", body, "203.0.113.7") == 429  # the pair waits
    assert _post(second, "/api/v1/auth/login", body, "198.51.100.20") == 200  # the owner not
