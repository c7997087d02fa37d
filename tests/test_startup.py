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
