"""`backpoints serve --workers N`: N processes serve the app, each with the command's settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import _free_port, _wait_until_up
from tests.flows import NO_ANSWERS


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _post(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.load(response)


def _cycles(url: str, n: int) -> list[int]:
    """Start and rate n sessions, a new connection per request (any worker may answer)."""
    statuses = []
    for _ in range(n):
        created, session = _post(
            url + "/api/v1/sessions",
            {"pain": [{"region": "neck", "intensity": 5}], "answers": NO_ANSWERS},
        )
        step = session["step"]
        assert isinstance(step, dict)
        rating = {"point_id": step["point"]["id"], "pain_after": 5}
        rated, _ = _post(f"{url}/api/v1/sessions/{session['id']}/ratings", rating)
        statuses += [created, rated]
    return statuses


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_starts_the_workers_asked_for_with_the_given_port(
    tmp_path: Path, workers: int
) -> None:
    port = _free_port()
    env = {**os.environ, "BACKPOINTS_DATA_DIR": str(tmp_path / "data")}
    env.pop("BACKPOINTS_DATABASE_URL", None)
    env.pop("BACKPOINTS_PORT", None)
    argv = [sys.executable, "-m", "backpoints", "serve", "--port", str(port), "--no-browser"]
    argv += ["--workers", str(workers)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the port reached every worker through the env
            kids = {p for p in _children(proc.pid) if b"resource_tracker" not in _cmdline(p)}
            if len(kids) >= (workers if workers > 1 else 0):
                break
            time.sleep(0.2)
        assert len(kids) == (workers if workers > 1 else 0)
        assert set(_cycles(url, 10)) == {200, 201}
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert b"running at" in out and (b"2 workers" in out) == (workers == 2)


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def test_serve_refuses_zero_workers(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "backpoints", "serve", "--workers", "0", "--no-browser"]
    done = subprocess.run(argv, capture_output=True, timeout=60, check=False)
    assert done.returncode == 2
    assert b"workers" in done.stderr
