"""Small timing helpers shared by the benchmarks: medians of repeated runs."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def median_seconds(fn: Callable[[], object], repeat: int = 200) -> float:
    """Median wall time of `fn()` over `repeat` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def median_command_seconds(argv: Sequence[str], repeat: int = 9) -> float:
    """Median wall time of running a command to completion (output discarded)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def ratio_line(label: str, value: float, baseline: float, baseline_label: str) -> str:
    """One printable line: a figure, its baseline from the same run, and their ratio."""
    return (
        f"{label}: {value * 1e3:.3f} ms | {baseline_label}: {baseline * 1e3:.3f} ms | "
        f"ratio {value / baseline:.2f}x"
    )
