"""Two `backpoints serve` processes on one PostgreSQL database keep every account's data its own.

The owner's diary is built through process A; then the whole isolation matrix of
`tests.test_isolation` runs with requests alternating between A and B, so a log-in made on
one process is used on the other and every check crosses processes. Then backup, restore and
the per-account reports are checked against both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx
import pytest

from backpoints.app.service import Services
from backpoints.settings import Settings
from tests.conftest import LiveServer, serve
from tests.isolation_routes import ROUTES
from tests.isolation_world import IDENTITIES, World, build_world
from tests.pg import PostgresServer
from tests.test_account_data import ann_backup, audit, everything, pdf_text
from tests.test_isolation import run_matrix


class Alternating(httpx.Client):
    """An HTTP client whose every request goes to the next of several servers in turn."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(base_url=urls[0], timeout=60)
        self._next = cycle(urls)

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        self.base_url = httpx.URL(next(self._next))
        return super().request(method, url, *args, **kwargs)


@contextmanager
def _process(tmp_path: Path, name: str, database: str) -> Iterator[LiveServer]:
    env = {
        "BACKPOINTS_SERVER_MODE": "true",
        "BACKPOINTS_DATABASE_URL": database,
        "BACKPOINTS_REGISTRATIONS_PER_HOUR": "1000",  # the matrix registers many accounts
    }
    running = serve(tmp_path / name, env)
    try:
        yield next(running)
    finally:
        running.close()


@pytest.fixture
def two(postgres: PostgresServer, tmp_path: Path) -> Iterator[tuple[World, str, str]]:
    """The world built through process A; its client alternates between A and B."""
    database = postgres.create_database()
    services = Services(Settings(server_mode=True, database_url=database, data_dir=tmp_path))
    with ExitStack() as stack:
        a = stack.enter_context(_process(tmp_path, "a", database))
        b = stack.enter_context(_process(tmp_path, "b", database))
        with httpx.Client(base_url=a.url, timeout=60) as only_a:
            world = build_world(only_a, services)  # type: ignore[arg-type]
        world.client = stack.enter_context(Alternating([a.url, b.url]))  # type: ignore[assignment]
        yield world, a.url, b.url
    services.close()


def test_two_processes_keep_every_account_to_itself(
    two: tuple[World, str, str], tmp_path: Path
) -> None:
    world, a, b = two
    pin = {a: httpx.Client(base_url=a, timeout=60), b: httpx.Client(base_url=b, timeout=60)}

    # Reports: each process gives each person their own.
    for url in (a, b):
        ann = pdf_text(pin[url].get("/report.pdf", headers=world.ann.auth).content, tmp_path)
        bob = pdf_text(pin[url].get("/report.pdf", headers=world.bob.auth).content, tmp_path)
        assert "Sessions: 7;" in ann and "Sessions: none." in bob, url

    # Backups: the same file from both processes, and only Ann's.
    from_a = pin[a].get("/backup.json", headers=world.ann.auth).json()
    from_b = pin[b].get("/backup.json", headers=world.ann.auth).json()
    assert from_a["tables"] == from_b["tables"] == ann_backup(world)["tables"]
    assert world.bob.id not in json.dumps(from_b)
    assert [e["action"][:25] for e in audit(world, world.ann)[:2]] == [
        "downloaded a backup of yo"
    ] * 2

    # Restores: a forged care link through B changes nothing seen from A; Ann's own diary,
    # restored by Bob through A, lands in Bob's diary only, as B shows.
    forged = ann_backup(world)
    forged["tables"]["care_links"] = [
        {"id": "forged", "therapist_id": world.bob.id, "client_id": world.ann.id,
         "code_hash": "x" * 64, "status": "active", "created_at": "2026-01-01T00:00:00+00:00"}
    ]  # fmt: skip
    before = everything(world)
    assert _restore_on(pin[b], world, forged).status_code == 422
    assert everything(world) == before
    history = f"/api/v1/clients/{world.ann.id}/history"
    assert pin[a].get(history, headers=world.bob.auth).status_code == 404
    ann_history = pin[b].get("/api/v1/history", headers=world.ann.auth).json()
    assert _restore_on(pin[a], world, ann_backup(world)).status_code == 303
    assert pin[b].get("/api/v1/history", headers=world.ann.auth).json() == ann_history
    bobs = pin[b].get("/api/v1/history", headers=world.bob.auth).json()
    assert len(bobs) == len(ann_history)
    assert not {s["id"] for s in bobs} & {s["id"] for s in ann_history}
    bob_report = pdf_text(pin[b].get("/report.pdf", headers=world.bob.auth).content, tmp_path)
    assert "Sessions: 7;" in bob_report  # his copy, in his own report
    for client in pin.values():
        client.close()


def _restore_on(client: httpx.Client, world: World, doc: dict[str, Any]) -> httpx.Response:
    """Bob restores `doc` through this process."""
    files = {"file": ("backup.json", json.dumps(doc).encode(), "application/json")}
    return client.post("/restore", files=files, headers=world.bob.auth, follow_redirects=False)


def test_the_isolation_matrix_holds_across_two_processes(two: tuple[World, str, str]) -> None:
    world, _, _ = two
    checked = run_matrix(world)
    assert len(checked) == len(ROUTES) * len(IDENTITIES)
