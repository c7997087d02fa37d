"""The back drawn in the terminal: regions as coloured cells, the spine, and numbered points.

The terminal twin of `render.back_svg`, seen from behind (the person's right on the right).
Returns Rich renderables; printing is the CLI's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from rich.console import Group, RenderableType
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

#: Background colours that tell neighbouring regions apart (no pain marked).
REGION_STYLES: Final[dict[str, str]] = {
    "neck": "on grey37",
    "upper_trapezius_left": "on dark_sea_green4",
    "upper_trapezius_right": "on dark_sea_green4",
    "scapula_left": "on steel_blue",
    "scapula_right": "on steel_blue",
    "interscapular": "on medium_purple4",
    "mid_back_left": "on dark_cyan",
    "mid_back_right": "on cyan4",
    "lower_back_left": "on dark_goldenrod",
    "lower_back_right": "on dark_orange3",
    "sacrum": "on indian_red",
    "buttock_left": "on plum4",
    "buttock_right": "on orchid4",
}
LABEL_WIDTH: Final = 4
#: Glyphs for numbered markers 1, 2, ...; marker number 0 draws a plain dot.
MARKER_GLYPHS: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: A terminal cell is about twice as tall as it is wide.
CELL_ASPECT: Final = 2.0


@dataclass(frozen=True)
class MapMarker:
    """A numbered point on the terminal map."""

    number: int
    position: Position
    label: str
    highlight: bool = False


def pain_style(intensity: int) -> str:
    """Background for a painful region: yellow for mild through red for severe."""
    if intensity >= 7:
        return "on red3"
    if intensity >= 4:
        return "on dark_orange"
    return "on gold3"


def back_map(
    body: Body,
    *,
    markers: Sequence[MapMarker] = (),
    pain: Mapping[str, int] | None = None,
    width: int = 48,
) -> Text:
    """The back as coloured text, `width` cells wide (plus a column of level labels)."""
    half = max(body.acromion_half_width_cm, body.hip_half_width_cm) * 1.05
    cm_per_col = 2 * half / width
    cm_per_row = cm_per_col * CELL_ASPECT
    top = NECK_TOP_FRACTION * body.c7_psis_cm
    rows = int((GLUTEAL_FOLD_FRACTION * body.c7_psis_cm - top) / cm_per_row) + 1
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
            glyph, style = _glyph(x, y, cm_per_col, outline, all_regions, pain or {})
            if marker is not None:
                glyph = marker_glyph(marker.number)
                style = "bold white on blue" if marker.highlight else f"bold bright_white {style}"
            text.append(glyph, style=style)
        text.append("\n")
    return text


def marker_glyph(number: int) -> str:
    """The character a marker is drawn with: its number, or a dot for unnumbered markers."""
    if 1 <= number <= len(MARKER_GLYPHS):
        return MARKER_GLYPHS[number - 1]
    return "•"


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
) -> tuple[str, str]:
    if not contains(outline, x, y):
        return " ", ""
    region = next((r for r in all_regions if contains(r.outline, x, y)), None)
    glyph = "┃" if abs(x) < cm_per_col / 2 else " "
    if region is None:
        return glyph, "on grey23"
    level = pain.get(region.id, 0)
    return glyph, pain_style(level) if level else REGION_STYLES[region.id]


def legend(markers: Sequence[MapMarker]) -> Table:
    """Numbers on the map, with each point's name, side and level."""
    table = Table(box=None, show_header=False, pad_edge=False)
    for marker in (m for m in markers if m.number):
        pos = marker.position
        table.add_row(
            f"[bold]{marker_glyph(marker.number)}[/]",
            marker.label,
            pos.side or "midline",
            pos.level,
        )
    return table


def region_legend(pain: Mapping[str, int] | None = None) -> Table:
    """Colour swatches with each region's id and label."""
    table = Table(box=None, show_header=False, pad_edge=False)
    for region_id, style in REGION_STYLES.items():
        level = (pain or {}).get(region_id, 0)
        swatch = Text("  ", style=pain_style(level) if level else style)
        table.add_row(swatch, region_id, region_label(region_id), f"pain {level}" if level else "")
    return table


def map_with_legend(
    body: Body, markers: Sequence[MapMarker], pain: Mapping[str, int] | None = None
) -> Group:
    """The map followed by its legends: what `backpoints map` prints."""
    caption = Text("Seen from behind, as a helper sees it: your left is on the left.")
    numbered = legend(markers)
    parts: list[RenderableType] = [
        caption,
        back_map(body, markers=markers, pain=pain),
        region_legend(pain),
    ]
    return Group(*parts, Text(""), numbered) if numbered.row_count else Group(*parts)
