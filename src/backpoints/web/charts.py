"""Small inline SVG charts for the diary pages (no JavaScript, no library, print well).

`trend_svg` draws pain (0-10) over time for one region; `before_after_svg` draws each
session's pain at the start and at its end. Both carry a title and a text summary for
screen readers. Pure: data in, SVG text out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from backpoints.i18n import format_day, ngettext
from backpoints.i18n import gettext as _

WIDTH, HEIGHT, PAD = 320, 120, 24


def _x(i: int, n: int) -> float:
    return PAD + (WIDTH - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)


def _y(level: float) -> float:
    return HEIGHT - PAD - (HEIGHT - 2 * PAD) * level / 10


def _frame(title: str, inner: str) -> str:
    grid = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{_y(v):.1f}" y2="{_y(v):.1f}" class="grid"/>'
        f'<text x="{PAD - 4}" y="{_y(v) + 3:.1f}" class="axis" text-anchor="end">{v}</text>'
        for v in (0, 5, 10)
    )
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{grid}{inner}</svg>'
    )


def trend_svg(label: str, points: Sequence[tuple[datetime, int]]) -> str:
    """Pain in one region at the start of each session, oldest first."""
    n = len(points)
    coords = [(_x(i, n), _y(v)) for i, (_, v) in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"/>' for x, y in coords)
    first, last = points[0], points[-1]
    title = _("{region}: pain {first} on {first_day} to {last} on {last_day} ({sessions})").format(
        region=label,
        first=first[1],
        first_day=format_day(first[0]),
        last=last[1],
        last_day=format_day(last[0]),
        sessions=ngettext("{n} session", "{n} sessions", n).format(n=n),
    )
    return _frame(title, f'<polyline points="{line}" class="line"/>{dots}')


def before_after_svg(sessions: Sequence[tuple[str, int, int]], what: str) -> str:
    """For each session (label, level at start, level at the end): a bar from start to end."""
    n = len(sessions)
    bars = []
    for i, (label, before, after) in enumerate(sessions):
        x = _x(i, n)
        cls = "better" if after < before else "same"
        bars.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_y(before):.1f}" y2="{_y(after):.1f}" '
            f'class="bar {cls}"><title>{escape(label)}: {before} → {after}</title></line>'
            f'<circle cx="{x:.1f}" cy="{_y(after):.1f}" r="3" class="dot {cls}"/>'
        )
    eased = sum(1 for _, b, a in sessions if a < b)
    title = _("{what}: lower after {eased} of {n}").format(what=what, eased=eased, n=n)
    return _frame(title, "".join(bars))
