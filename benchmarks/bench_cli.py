"""CLI start-up: `backpoints --help` and `backpoints points` against bare Python in the same run.

Targets (the design's performance targets): `--help` within 0.1 s and `points` within 0.15 s over
bare Python, with no FastAPI, SQLAlchemy, matplotlib or pydantic adapters imported for them.
"""

from __future__ import annotations

import sys

from benchmarks.timing import median_command_seconds

#: Seconds over bare Python start-up, per command.
TARGETS_S = {"--help": 0.10, "points": 0.15}


def run() -> list[str]:
    python = sys.executable
    bare = median_command_seconds([python, "-c", "pass"])
    lines = [f"bare python start-up: {bare * 1e3:.1f} ms (baseline)"]
    for command, target in TARGETS_S.items():
        took = median_command_seconds([python, "-m", "backpoints", command])
        over = took - bare
        verdict = "target met" if over <= target else "target NOT met"
        lines.append(
            f"backpoints {command}: {took * 1e3:.1f} ms, {over * 1e3:.1f} ms over bare python "
            f"(target < {target * 1e3:.0f} ms): {verdict}; {took / bare:.1f}x bare"
        )
    return lines
