"""Shared fixtures: the packaged catalogue, bodies, and running the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from backpoints.anatomy import Body, body_from_stature
from backpoints.catalog import Catalog, load_catalog

CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def woman() -> Body:
    return body_from_stature(163, "female")


@pytest.fixture
def run_cli(tmp_path: Path) -> CliRun:
    """Run `python -m backpoints ARGS` in a subprocess with its own data dir."""

    def run(
        *args: str, input: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "BACKPOINTS_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "120"}
        return subprocess.run(
            [sys.executable, "-m", "backpoints", *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
            env=env,
        )

    return run
