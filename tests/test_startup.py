"""Fast start: the quick commands import no web framework, database layer or plotting library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from backpoints.cli.main import app
try:
    app({args!r})
except SystemExit:
    pass
heavy = ("fastapi", "starlette", "sqlalchemy", "matplotlib", "uvicorn", "alembic")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


@pytest.mark.parametrize("args", [["--help"], ["points"], ["points", "--region", "sacrum"]])
def test_quick_commands_import_nothing_heavy(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_help_does_not_even_import_pydantic() -> None:
    probe = PROBE.replace("heavy = (", 'heavy = ("pydantic", ').format(args=["--help"])
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert json.loads(result.stdout.splitlines()[-1]) == []


MAIN_PROBE = """
import json, sys
sys.argv = ["backpoints", *{args!r}]
from backpoints.cli.main import main
try:
    main()
except SystemExit:
    pass
heavy = ("pydantic", "pydantic_core", "fastapi", "sqlalchemy", "matplotlib", "rich")
loaded = [m for m in sys.modules if m.split(".")[0] in heavy or m == "typer._adapters"]
print(json.dumps(sorted(loaded)))
"""
POINTS_ARGS = [["points"], ["points", "--region", "sacrum"], ["points", "-r", "neck"]]


@pytest.mark.parametrize("args", POINTS_ARGS + [["points", "--region=buttock_left"]])
def test_points_builds_no_pydantic_adapter(args: list[str]) -> None:
    """Typer builds a pydantic adapter per option when a command runs; the entry point lists
    points before that, so neither pydantic nor the adapters are imported."""
    probe = MAIN_PROBE.format(args=args)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


@pytest.mark.parametrize("args", POINTS_ARGS)
def test_the_fast_listing_prints_what_typer_prints(args: list[str]) -> None:
    fast = subprocess.run([sys.executable, "-m", "backpoints", *args], capture_output=True)
    typer_app = "from backpoints.cli.main import app\napp()"
    slow = subprocess.run([sys.executable, "-c", typer_app, *args], capture_output=True)
    assert fast.returncode == slow.returncode == 0
    assert fast.stdout == slow.stdout and b" points" in fast.stdout


def test_the_fast_listing_names_an_unknown_region_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backpoints", "points", "-r", "nowhere"], capture_output=True
    )
    assert done.returncode == 2
    assert done.stderr.decode().startswith("error: Unknown region 'nowhere'")
    assert done.stderr.count(b"\n") == 1
