"""The shape of the code: domain errors know nothing of HTTP, one table maps them, and the
import rules of docs/architecture.md hold (the same contracts `make lint` checks)."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import backpoints
from backpoints.core import errors
from backpoints.web.errors import STATUS_BY_ERROR, status_for

ROOT = Path(__file__).resolve().parents[1]
SKIP = ("backpoints.vision", "backpoints.store.migrations", "backpoints.__main__")


def _all_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(backpoints.__path__, "backpoints."):
        if not info.name.startswith(SKIP):
            names.append(info.name)
    return names


def _error_classes() -> list[type[errors.BackpointsError]]:
    for name in _all_modules():
        importlib.import_module(name)
    found: list[type[errors.BackpointsError]] = []
    todo = [errors.BackpointsError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_no_domain_error_carries_an_http_status() -> None:
    carrying = [c.__qualname__ for c in _error_classes() if "status_code" in vars(c)]
    assert carrying == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("backpoints.app.service:UnknownSession", 404),
        ("backpoints.app.accounts:NotFound", 404),
        ("backpoints.app.accounts:NotLoggedIn", 401),
        ("backpoints.app.accounts:TooManyAttempts", 429),
        ("backpoints.store.repo:Conflict", 409),
        ("backpoints.core.guided:SessionError", 409),
        ("backpoints.core.guided:WrongPoint", 422),
        ("backpoints.core.errors:ReferralRequired", 422),
    ],
)
def test_each_kind_of_error_gets_its_status_from_the_table(path: str, status: int) -> None:
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    exc = cls.__new__(cls)
    assert status_for(exc) == status


def test_every_error_class_has_a_status_in_the_table() -> None:
    for cls in _error_classes():
        assert any(kind in STATUS_BY_ERROR for kind in cls.__mro__), cls


def test_an_unknown_point_is_404_only_where_it_is_the_resource() -> None:
    exc = errors.UnknownPoint("BL99", ["BL23"])
    assert status_for(exc, "/api/v1/points/BL99") == 404
    assert status_for(exc, "/api/v1/sessions/1/ratings") == 422


def test_at_most_eight_loose_modules() -> None:
    loose = [p.name for p in (ROOT / "src/backpoints").glob("*.py")]
    assert len(loose) <= 8, loose


def test_import_rules_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is a dev dependency"
    done = subprocess.run(
        [lint, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout[-2000:]
