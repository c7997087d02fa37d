"""The back drawn in the terminal: regions as coloured cells, the spine, and numbered points.

The terminal twin of `render.back_svg`, seen from behind (the person's right on the right).
The map is sized to the room it is given (`fit_width`), each of the 13 regions has its own
colour, and without colour (NO_COLOR, piped output) each region has its own character
pattern instead. Returns Rich renderables; printing is the CLI's job.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from backpoints.core.anatomy import Body, Position
from backpoints.core.regions import (
    GLUTEAL_FOLD_FRACTION,
    NECK_TOP_FRACTION,
    Region,
    contains,
    regions,
    torso_outline,
)
from backpoints.core.vocab import region_label

#: A background colour for each region: thirteen different colours, all of them names Rich
#: accepts (a test parses each), dark enough for a white marker to stand out.
REGION_STYLES: Final[dict[str, str]] = {
    "neck": "on grey42",
    "upper_trapezius_left": "on dark_sea_green4",
    "upper_trapezius_right": "on dark_olive_green3",
    "scapula_left": "on steel_blue",
    "scapula_right": "on dodger_blue3",
    "interscapular": "on medium_purple4",
    "mid_back_left": "on dark_cyan",
    "mid_back_right": "on turquoise4",
    "lower_back_left": "on dark_goldenrod",
    "lower_back_right": "on dark_orange3",
    "sacrum": "on indian_red",
    "buttock_left": "on plum4",
    "buttock_right": "on medium_violet_red",
}
#: Without colour, each region is filled with its own character (left and right differ).
REGION_PATTERNS: Final[dict[str, str]] = {
    "neck": ".",
    "upper_trapezius_left": "/",
    "upper_trapezius_right": "\\",
    "scapula_left": "-",
    "scapula_right": "=",
    "interscapular": ":",
    "mid_back_left": "+",
    "mid_back_right": "x",
    "lower_back_left": "~",
    "lower_back_right": "o",
    "sacrum": "#",
    "buttock_left": "%",
    "buttock_right": "*",
}
LABEL_WIDTH: Final = 4
#: Glyphs for numbered markers 1, 2, ...; marker number 0 draws a plain dot.
MARKER_GLYPHS: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: A terminal cell is about twice as tall as it is wide.
CELL_ASPECT: Final = 2.0
MIN_WIDTH: Final = 15
DIMMED: Final = "on grey23"


@dataclass(frozen=True)
class MapMarker:
    """A numbered point on the terminal map."""

    number: int
    position: Position
    label: str
    highlight: bool = False


@dataclass(frozen=True)
class Look:
    """How to draw: in colour or with character patterns, and which region stands out."""

    plain: bool = False
    focus: str | None = None


def look_for(console: Console, focus: str | None = None) -> Look:
    """Patterns when the console has no colour (NO_COLOR, a pipe, a dumb terminal)."""
    return Look(plain=console.no_color or console.color_system is None, focus=focus)


def pain_style(intensity: int) -> str:
    """Background for a painful region: yellow for mild through red for severe."""
    if intensity >= 7:
        return "on red3"
    if intensity >= 4:
        return "on dark_orange"
    return "on gold3"


def _frame(body: Body, width: int) -> tuple[float, float, float, float, int]:
    half = max(body.acromion_half_width_cm, body.hip_half_width_cm) * 1.05
    cm_per_col = 2 * half / width
    cm_per_row = cm_per_col * CELL_ASPECT
    top = NECK_TOP_FRACTION * body.c7_psis_cm
    rows = int((GLUTEAL_FOLD_FRACTION * body.c7_psis_cm - top) / cm_per_row) + 1
    return half, cm_per_col, cm_per_row, top, rows


def map_rows(body: Body, width: int) -> int:
    """How many terminal rows the map takes at this width."""
    return _frame(body, width)[4]


def fit_width(body: Body, max_rows: int, max_cols: int) -> int:
    """The widest map (odd, so the spine has a column of its own; at least MIN_WIDTH) that
    fits `max_rows` rows and `max_cols` columns."""
    width = max(MIN_WIDTH, (min(max_cols, 97) - 1) // 2 * 2 + 1)
    while width > MIN_WIDTH and map_rows(body, width) > max_rows:
        width -= 2
    return width


def back_map(
    body: Body,
    *,
    markers: Sequence[MapMarker] = (),
    pain: Mapping[str, int] | None = None,
    width: int = 47,
    look: Look = Look(),
) -> Text:
    """The back as text, `width` cells wide (plus a column of level labels)."""
    half, cm_per_col, cm_per_row, top, rows = _frame(body, width)
    outline, all_regions = torso_outline(body), regions(body)
    cells = {_cell(m.position, half, top, cm_per_col, cm_per_row): m for m in markers}
    level_rows = _level_rows(body, top, cm_per_row)
    text = Text()
    for row in range(rows):
        y = top + (row + 0.5) * cm_per_row
        text.append(level_rows.get(row, "").rjust(LABEL_WIDTH - 1) + " ", style="dim")
        for col in range(width):
            x = -half + (col + 0.5) * cm_per_col
            marker = cells.get((row, col))
            glyph, style = _glyph(x, y, cm_per_col, outline, all_regions, pain or {}, look)
            if marker is not None:
                glyph = marker_glyph(marker.number)
                style = "bold white on blue" if marker.highlight else f"bold bright_white {style}"
            text.append(glyph, style="" if look.plain else style)
        text.append("\n")
    text.rstrip()
    return text


def marker_glyph(number: int) -> str:
    """The character a marker is drawn with: its number, or a dot for unnumbered markers."""
    if 1 <= number <= len(MARKER_GLYPHS):
        return MARKER_GLYPHS[number - 1]
    return "@"


def _cell(pos: Position, half: float, top: float, cw: float, ch: float) -> tuple[int, int]:
    return (int((pos.y_cm - top) / ch), int((pos.x_cm + half) / cw))


def _level_rows(body: Body, top: float, cm_per_row: float) -> dict[int, str]:
    return {int((body.level_y(lv) - top) / cm_per_row): lv for lv in ("C7", "T3", "T7", "L1", "L4")}


def _glyph(
    x: float,
    y: float,
    cm_per_col: float,
    outline: Sequence[tuple[float, float]],
    all_regions: Sequence[Region],
    pain: Mapping[str, int],
    look: Look,
) -> tuple[str, str]:
    if not contains(outline, x, y):
        return " ", ""
    region = next((r for r in all_regions if contains(r.outline, x, y)), None)
    spine = abs(x) < cm_per_col / 2
    if region is None:
        return ("┃" if spine else " "), DIMMED
    if look.plain:
        return ("┃" if spine else REGION_PATTERNS[region.id]), ""
    level = pain.get(region.id, 0)
    if look.focus is not None and region.id != look.focus:
        return ("┃" if spine else " "), DIMMED
    return ("┃" if spine else " "), pain_style(level) if level else REGION_STYLES[region.id]


def swatch(region_id: str, look: Look, pain: int = 0) -> Text:
    """Two cells that show a region as the map draws it."""
    if look.plain:
        return Text(REGION_PATTERNS[region_id] * 2)
    return Text("  ", style=pain_style(pain) if pain else REGION_STYLES[region_id])


def legend(markers: Sequence[MapMarker]) -> Table:
    """One row per numbered point: its number, name, sides and levels."""
    table = Table(box=None, show_header=False, pad_edge=False)
    by_number: dict[int, list[MapMarker]] = {}
    for marker in markers:
        if marker.number:
            by_number.setdefault(marker.number, []).append(marker)
    for number, found in by_number.items():
        sides = sorted({m.position.side or "midline" for m in found})
        levels = list(dict.fromkeys(m.position.level for m in found))
        where = levels[0] if len(levels) == 1 else f"{levels[0]}-{levels[-1]}"
        table.add_row(
            Text(marker_glyph(number), style="bold"), found[0].label, "+".join(sides), where
        )
    return table


def region_legend(
    pain: Mapping[str, int] | None = None, look: Look = Look(), ids: bool = True
) -> Table:
    """A swatch for each region with its label (and its id, which `--region` takes)."""
    table = Table(box=None, show_header=False, pad_edge=False)
    for region_id in REGION_STYLES:
        level = (pain or {}).get(region_id, 0)
        cells: list[RenderableType] = [swatch(region_id, look, level)]
        if ids:
            cells.append(region_id)
        cells.append(region_label(region_id) + (f" (pain {level})" if level else ""))
        table.add_row(*cells)
    return table


def beside(left: RenderableType, right: RenderableType) -> Table:
    """Two renderables side by side, top-aligned."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(left, right)
    return grid


def map_with_legend(
    body: Body,
    markers: Sequence[MapMarker],
    size: tuple[int, int],
    *,
    pain: Mapping[str, int] | None = None,
    look: Look = Look(),
) -> Group:
    """What `backpoints map` prints, fitted to `size` (columns, rows): the map with its
    region legend beside it, or (for one region) with the numbered points beside it."""
    cols, rows = size
    if look.focus:
        caption = f"{region_label(look.focus)}, seen from behind: your left is on the left."
        side: Table = legend(markers)
    else:
        caption = "Seen from behind, as a helper sees it: your left is on the left."
        with_ids = cols >= 80
        side = region_legend(pain, look, ids=with_ids)
    room = cols - LABEL_WIDTH - 2 - _table_width(side)
    width = fit_width(body, rows - 3, room)
    drawn = back_map(body, markers=markers, pain=pain, width=width, look=look)
    if room < MIN_WIDTH:  # too narrow to sit beside: stack
        return Group(Text(caption), drawn, side)
    return Group(Text(caption), beside(drawn, side))


def _table_width(table: Table) -> int:
    return Console(width=400, file=io.StringIO()).measure(table).maximum
