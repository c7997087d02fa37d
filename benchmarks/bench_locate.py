"""Locating every catalogue point on a body, beside a plain pass over the catalogue."""

from __future__ import annotations

from backpoints.catalog import load_catalog
from backpoints.core.anatomy import body_from_stature, locate
from benchmarks.timing import median_seconds, ratio_line


def run() -> list[str]:
    catalog = load_catalog()
    body = body_from_stature(170, "female")
    points = list(catalog)

    def locate_all() -> int:
        return sum(len(locate(p, body)) for p in points)

    def baseline() -> int:
        return sum(len(p.id) for p in points)

    took, base = median_seconds(locate_all), median_seconds(baseline)
    count = locate_all()
    return [
        ratio_line(
            f"locate {len(points)} points ({count} positions)", took, base, "pass over catalogue"
        ),
        f"per position: {took / count * 1e6:.1f} µs",
    ]
