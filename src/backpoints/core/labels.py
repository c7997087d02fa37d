"""Placing text labels beside points on a map so none is clipped and none overlaps another.

A greedy pass, top to bottom: each label tries the spot beside its point (outward from the
spine first, then inward), then spots moved up or down in small steps; a label that had to
move is joined to its point by a leader line. Every box stays inside the frame. Pure
geometry, no drawing: `render` turns the result into SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Final, Literal

Anchor = Literal["start", "end"]

#: Average advance of a character of the labels, as a fraction of the font size.
CHAR_WIDTH: Final = 0.64  # the labels are semi-bold with a halo: wider than a plain face
GAP: Final = 0.6  # between a point and its label, in font sizes
STEPS: Final = 24  # how far a label may travel up or down, in half-line steps


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle: left, top, width, height."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box, pad: float = 0.0) -> bool:
        return not (
            self.x + self.w + pad <= other.x
            or other.x + other.w + pad <= self.x
            or self.y + self.h + pad <= other.y
            or other.y + other.h + pad <= self.y
        )

    def inside(self, frame: Box) -> bool:
        return (
            self.x >= frame.x
            and self.y >= frame.y
            and self.x + self.w <= frame.x + frame.w
            and self.y + self.h <= frame.y + frame.h
        )


@dataclass(frozen=True)
class Placed:
    """Where a label went: its text origin (x at the anchor, y at the baseline), its box,
    and whether it needs a leader line back to its point."""

    lines: tuple[str, ...]
    x: float
    y: float
    anchor: Anchor
    box: Box
    leader: bool


LINE: Final = 1.15  # line height, in font sizes


def text_width(text: str, size: float) -> float:
    return CHAR_WIDTH * size * len(text)


def wrappings(text: str) -> list[tuple[str, ...]]:
    """The text on one line, then on two, then on three, each split at the spaces that make
    its longest line shortest (a long name fits a narrow map on three)."""
    words = text.split(" ")
    options: list[tuple[str, ...]] = [(text,)]
    for count in (2, 3):
        if len(words) < count:
            break
        cuts = combinations(range(1, len(words)), count - 1)
        options.append(min((_lines(words, c) for c in cuts), key=_balance))
    return options


def _balance(lines: tuple[str, ...]) -> tuple[int, int]:
    """Shortest longest line first; on a tie, the longer first line (it reads on)."""
    return max(map(len, lines)), -len(lines[0])


def _lines(words: list[str], cuts: tuple[int, ...]) -> tuple[str, ...]:
    bounds = (0, *cuts, len(words))
    return tuple(" ".join(words[a:b]) for a, b in pairwise(bounds))


def _candidate(
    lines: tuple[str, ...], px: float, py: float, size: float, outward: int, dy: float
) -> tuple[float, Anchor, Box]:
    width = max(text_width(line, size) for line in lines)
    height = size * LINE * len(lines)
    gap = GAP * size
    x = px + outward * gap
    left = x if outward > 0 else x - width
    anchor: Anchor = "start" if outward > 0 else "end"
    return x, anchor, Box(left, py + dy - height / 2, width, height)


def place_labels(
    points: Sequence[tuple[str, float, float]],
    frame: Box,
    size: float,
    obstacles: Sequence[Box] = (),
) -> list[Placed | None]:
    """Labels for `(text, x, y)` points, in the same order; None where no free spot exists
    inside `frame` (the caller then draws the point without a label)."""
    taken: list[Box] = list(obstacles)
    dots = [Box(x - size * 0.35, y - size * 0.35, size * 0.7, size * 0.7) for _, x, y in points]
    result: list[Placed | None] = [None] * len(points)
    order = sorted(range(len(points)), key=lambda i: (points[i][2], points[i][1]))
    for i in order:
        text, px, py = points[i]
        outward = 1 if px >= 0 else -1
        others = [d for j, d in enumerate(dots) if j != i]
        result[i] = _first_free(text, px, py, size, outward, frame, taken + others)
        if result[i] is not None:
            taken.append(result[i].box)  # type: ignore[union-attr]
    return result


def _first_free(
    text: str,
    px: float,
    py: float,
    size: float,
    outward: int,
    frame: Box,
    taken: Sequence[Box],
) -> Placed | None:
    shifts = [0.0]
    for k in range(1, STEPS + 1):
        shifts += [k * 0.5 * size, -k * 0.5 * size]
    for lines in wrappings(text):
        for dy in shifts:
            for side in (outward, -outward):
                x, anchor, box = _candidate(lines, px, py, size, side, dy)
                if box.inside(frame) and not any(box.overlaps(t, pad=size * 0.1) for t in taken):
                    baseline = box.y + size * 0.9
                    return Placed(lines, x, baseline, anchor, box, leader=abs(dy) > size * 0.6)
    return None
