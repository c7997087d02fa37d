"""CLI start-up: `backpoints --help` and `backpoints points` against bare Python in the same run.

Target (docs/architecture.md): within 0.25 s, with no FastAPI, SQLAlchemy or matplotlib imported.
"""

from __future__ import annotations

import sys

from benchmarks.timing import median_command_seconds

TARGET_S = 0.25


def run() -> list[str]:
    python = sys.executable
    bare = median_command_seconds([python, "-c", "pass"])
    lines = [f"bare python start-up: {bare * 1e3:.1f} ms (baseline)"]
    for args in (["--help"], ["points"]):
        took = median_command_seconds([python, "-m", "backpoints", *args])
        verdict = "meets" if took - bare <= TARGET_S else "MISSES"
        lines.append(
            f"backpoints {' '.join(args)}: {took * 1e3:.1f} ms, overhead over bare python "
            f"{(took - bare) * 1e3:.1f} ms, {took / bare:.1f}x bare ({verdict} the 250 ms target)"
        )
    return lines
