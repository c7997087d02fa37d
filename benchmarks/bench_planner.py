"""Planning cost: `plan()` for 1, 3 and all 13 regions, beside a plain pass over the same data.

Target (docs/architecture.md): planning the whole catalogue (every region painful) takes under 1 ms.
Each case runs deterministic (posterior means) and with Thompson sampling, both with a personal
evidence dict of about 50 entries. The baseline, measured in the same run, is one plain pass
over the catalogue listing the (point id, region) pairs of the same regions.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence

from backpoints.catalog import Catalog, load_catalog
from backpoints.core.learning import Tally
from backpoints.core.planner import PainEntry, plan
from backpoints.core.vocab import REGION_IDS

TARGET_S = 1e-3
EVIDENCE_SIZE = 50
REPEAT = 2000
CASES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("1 region", ("lower_back_left",), 6),
    ("3 regions", ("lower_back_left", "interscapular", "upper_trapezius_right"), 6),
    ("all 13 regions", REGION_IDS, 5),
)


def _samples(fn: Callable[[], object], repeat: int = REPEAT) -> list[float]:
    """Wall time of each of `repeat` calls of `fn()`, after a few warm-up calls."""
    for _ in range(5):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _p99(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def _evidence(catalog: Catalog, size: int, rng: random.Random) -> dict[tuple[str, str], Tally]:
    """About `size` (region, point id) tallies spread over every region, like a long diary."""
    pairs = [(r, p.id) for r in REGION_IDS for p in catalog.for_region(r)]
    evidence = {}
    for pair in rng.sample(pairs, min(size, len(pairs))):
        tried = rng.randint(1, 8)
        evidence[pair] = Tally(rng.randint(0, tried), tried)
    return evidence


def run() -> list[str]:
    catalog = load_catalog()
    evidence = _evidence(catalog, EVIDENCE_SIZE, random.Random(0))
    lines = [f"{len(catalog)} points, personal evidence of {len(evidence)} entries"]
    whole_catalogue: list[tuple[str, float, float]] = []
    for label, regions, intensity in CASES:
        pain = [PainEntry(r, intensity) for r in regions]

        def baseline(wanted: frozenset[str] = frozenset(regions)) -> list[tuple[str, str]]:
            return [(p.id, h.region) for p in catalog for h in p.helps if h.region in wanted]

        base = statistics.fmean(_samples(baseline))
        count = sum(len(rp.candidates) for rp in plan(pain, catalog, evidence=evidence))
        lines.append(f"{label} ({count} candidates): baseline pass {base * 1e6:.1f} µs mean")
        for mode, rng in (("deterministic", None), ("thompson", random.Random(0))):

            def call(pain: list[PainEntry] = pain, rng: random.Random | None = rng) -> object:
                return plan(pain, catalog, evidence=evidence, rng=rng)

            samples = _samples(call)
            mean = statistics.fmean(samples)
            p99 = _p99(samples)
            if regions == REGION_IDS:
                whole_catalogue.append((mode, mean, p99))
            lines.append(
                f"  {mode:>13}: mean {mean * 1e6:7.1f} µs | p99 {p99 * 1e6:7.1f} µs"
                f" | ratio to baseline {mean / base:5.1f}x"
            )
    for mode, mean, p99 in whole_catalogue:
        verdict = "target met" if mean < TARGET_S else "target NOT met"
        tail = "p99 also under" if p99 < TARGET_S else "p99 over"
        lines.append(
            f"under 1 ms for the whole catalogue, {mode}: mean {mean * 1e6:.0f} µs, {verdict}"
            f" ({tail} 1 ms)"
        )
    return lines
