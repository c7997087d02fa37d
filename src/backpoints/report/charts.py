"""Charts of the diary as PNG images (matplotlib), for the PDF report and the web pages.

Each function takes plain data and returns PNG bytes at a fixed size (`DPI`): pain over time
per region, pain before and after each session, relief rate per point, PEG scores, a heat map
of pain on the back and the person's numbered points on the back. Backs are drawn seen from
behind (the person's right on the right, neck up), like `backpoints.core.render`. matplotlib is
imported inside the functions (Agg backend, no pyplot state), so importing this is cheap.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from backpoints.core.anatomy import Body, Position
from backpoints.core.guided import relieved
from backpoints.core.regions import GLUTEAL_FOLD_FRACTION, NECK_TOP_FRACTION, regions, torso_outline
from backpoints.core.vocab import region_label
from backpoints.i18n import babel_locale, current, format_number, format_percent
from backpoints.i18n import gettext as _

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI: Final = 150
#: Line colours for regions, in the order they are drawn (colour-blind-safe Okabe-Ito set).
PALETTE: Final = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
BEFORE_COLOUR: Final = "#8c8680"
RELIEF_COLOUR: Final = "#1a9850"
NO_RELIEF_COLOUR: Final = "#d55e00"
BAR_COLOUR: Final = "#0072b2"
SKIN: Final = "#f3dcc8"
HEAT_CMAP: Final = "YlOrRd"
MARKER_COLOUR: Final = "#0b63c5"
#: Past this many sessions, the before/after chart labels only every n-th one.
MAX_SESSION_LABELS: Final = 16
#: One colour and one marker for each region, never shared, so a line is known by both
#: (and by its label at the end of the line), in print and in greyscale.
REGION_COLOURS: Final[dict[str, str]] = {
    "neck": "#000000",
    "upper_trapezius_left": "#0072b2",
    "upper_trapezius_right": "#56b4e9",
    "scapula_left": "#009e73",
    "scapula_right": "#66c2a5",
    "interscapular": "#7f7f7f",
    "mid_back_left": "#8856a7",
    "mid_back_right": "#cc79a7",
    "lower_back_left": "#d55e00",
    "lower_back_right": "#e69f00",
    "sacrum": "#a6761d",
    "buttock_left": "#1b9e77",
    "buttock_right": "#e7298a",
}
REGION_MARKERS: Final[dict[str, str]] = {
    "neck": "o",
    "upper_trapezius_left": "s",
    "upper_trapezius_right": "D",
    "scapula_left": "^",
    "scapula_right": "v",
    "interscapular": "P",
    "mid_back_left": "<",
    "mid_back_right": ">",
    "lower_back_left": "o",
    "lower_back_right": "s",
    "sacrum": "X",
    "buttock_left": "*",
    "buttock_right": "h",
}
#: Up to this many different days, the date axis has one tick per day that has data.
FEW_DAYS: Final = 8
#: Fonts for the scripts matplotlib's DejaVu lacks (Debian packages, `make fonts`).
SCRIPT_FONTS: Final[dict[str, str]] = {
    "hi": "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
    "zh": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
}
#: Scripts matplotlib cannot shape (it draws no conjuncts): sentences about a picture go in
#: the PDF around the image instead.
UNSHAPED: Final = frozenset({"hi"})


@functools.cache
def _font_family() -> tuple[str, ...]:
    """DejaVu Sans, then (glyph by glyph) the installed fonts for Devanagari and Chinese; the
    same for every language, so charts drawn at once in several languages never race."""
    from pathlib import Path

    from matplotlib import font_manager

    # the script fonts have no bold: matplotlib falls back to their regular weight, knowingly
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    names = ["DejaVu Sans"]
    for path in SCRIPT_FONTS.values():
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)
            names.append(font_manager.FontProperties(fname=path).get_name())
    return tuple(names)


def _figure(width_in: float, height_in: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    matplotlib.rcParams["font.family"] = list(_font_family())
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    fig.set_layout_engine("constrained")
    return fig


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _pain_axis(ax: Axes, label: str) -> None:
    ax.set_ylim(-0.3, 10.3)
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel(label)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def _date_axis(ax: Axes, when: Sequence[datetime]) -> None:
    """Dates on the x axis: one tick per day with data when there are few days (so one
    check-in is one labelled tick, not the same date seven times), else automatic ticks."""
    from matplotlib.dates import AutoDateLocator

    first: dict[float, float] = {}
    for x in sorted(_days(when)):
        first.setdefault(x // 1, x)
    if len(first) <= FEW_DAYS:
        ticks = sorted(first.values())
        ax.set_xticks(ticks)
        span = max(ticks[-1] - ticks[0], 1.0) if ticks else 1.0
        if ticks:
            ax.set_xlim(ticks[0] - 0.15 * span, ticks[-1] + 0.15 * span)
        ax.xaxis.set_major_formatter(_day_label())
        return
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(_day_label())


def _day_label() -> Any:
    """Tick labels such as "05 Jan", "5 ene", "1月5日": the day and month the way the
    language writes them (Babel). Hindi gets numbers (5/1): the charts' text is not shaped,
    so a Devanagari month name would not read well."""
    from babel.dates import format_skeleton
    from matplotlib.dates import num2date
    from matplotlib.ticker import FuncFormatter

    locale = babel_locale()
    skeleton = "dM" if current() == "hi" else "dMMM"

    def label(x: float, _pos: object) -> str:
        return format_skeleton(skeleton, num2date(x), locale=locale)  # type: ignore[no-untyped-call]

    return FuncFormatter(label)


def _days(when: Sequence[datetime]) -> list[float]:
    """Datetimes as matplotlib date numbers (days)."""
    from matplotlib.dates import date2num

    return [float(date2num(t)) for t in when]  # type: ignore[no-untyped-call]


def pain_over_time(series: Mapping[str, Sequence[tuple[datetime, int]]]) -> bytes:
    """Pain (0-10) at the start of each session, one line per region (region id -> points),
    each region in its own colour and marker, labelled at the end of its line."""
    fig = _figure(7.0, 3.0)
    ax = fig.add_subplot()
    ends: list[tuple[float, float, str]] = []
    for region, points in series.items():
        ordered = sorted(points)
        x = _days([t for t, _ in ordered])
        y = [level for _, level in ordered]
        colour = REGION_COLOURS[region]
        ax.plot(x, y, marker=REGION_MARKERS[region], markersize=5, color=colour, linewidth=1.4)
        ends.append((x[-1], y[-1], region))
    _pain_axis(ax, _("Pain at start (0-10)"))
    _date_axis(ax, [t for points in series.values() for t, _ in points])
    low, high = ax.get_xlim()
    ax.set_xlim(low, high + 0.35 * (high - low))  # room for the labels
    _end_labels(ax, ends)
    return _png(fig)


def _end_labels(ax: Axes, ends: Sequence[tuple[float, float, str]]) -> None:
    """Each line's region name just right of its last point, nudged so none overlap."""
    placed: list[float] = []
    for x, y, region in sorted(ends, key=lambda e: e[1]):
        label_y = y
        while any(abs(label_y - other) < 0.7 for other in placed):
            label_y += 0.7
        placed.append(label_y)
        ax.annotate(
            region_label(region),
            (x, y),
            xytext=(8, (label_y - y) * 12),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
            color=REGION_COLOURS[region],
            annotation_clip=False,
        )


def before_after(sessions: Sequence[tuple[str, int, int]]) -> bytes:
    """Per session (label, pain at the start, pain after the last point tried): a dumbbell."""
    from matplotlib.lines import Line2D

    fig = _figure(7.0, 3.0)
    ax = fig.add_subplot()
    for x, (_when, before, after) in enumerate(sessions):
        colour = RELIEF_COLOUR if relieved(before, after) else NO_RELIEF_COLOUR
        ax.plot([x, x], [before, after], color="#bbbbbb", linewidth=2, zorder=1)
        ax.scatter([x], [before], s=28, color=BEFORE_COLOUR, zorder=2)
        ax.scatter([x], [after], s=36, color=colour, marker="D", zorder=3)
    step = 1 + len(sessions) // MAX_SESSION_LABELS
    ax.set_xticks(range(0, len(sessions), step), [lbl for lbl, _, _ in sessions][::step])
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.set_xlim(-0.6, max(len(sessions), 1) - 0.4)
    _pain_axis(ax, _("Pain (0-10)"))
    handles = [
        Line2D([], [], color=BEFORE_COLOUR, marker="o", linestyle="", label=_("Before")),
        Line2D([], [], color=RELIEF_COLOUR, marker="D", linestyle="", label=_("After: relief")),
        Line2D(
            [], [], color=NO_RELIEF_COLOUR, marker="D", linestyle="", label=_("After: no relief")
        ),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(fig)


def relief_rates(rows: Sequence[tuple[str, int, int, float]]) -> bytes:
    """Per point (label, times it helped, times tried, estimated chance of relief): a bar for
    the chance the app ranks by, labelled with the tries it rests on (one lucky try is short)."""
    fig = _figure(7.0, 0.9 + 0.32 * max(len(rows), 1))
    ax = fig.add_subplot()
    labels = [label for label, _, _, _ in rows]
    bars = ax.barh(range(len(rows)), [chance for *_, chance in rows], color=BAR_COLOUR, height=0.6)
    relief = _("relief {helped} of {tried}")
    texts = [
        f"{format_percent(chance)}  ({relief.format(helped=helped, tried=tried)})"
        for _label, helped, tried, chance in rows
    ]
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(_("Estimated chance of relief"))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def peg_scores(checkins: Sequence[tuple[datetime, int, int, int]]) -> bytes:
    """PEG check-ins (when, pain, enjoyment, activity): the score (mean) and the three items."""
    fig = _figure(7.0, 2.8)
    ax = fig.add_subplot()
    rows = sorted(checkins)
    x = _days([when for when, *_ in rows])
    items = {
        _("Average pain"): ([r[1] for r in rows], "o"),
        _("Enjoyment of life"): ([r[2] for r in rows], "s"),
        _("General activity"): ([r[3] for r in rows], "^"),
    }
    for label, (values, marker) in items.items():
        ax.plot(
            x,
            values,
            linestyle=":",
            marker=marker,
            markersize=3,
            linewidth=1,
            color="#999999",
            label=label,
        )
    scores = [round((p + e + a) / 3, 1) for _, p, e, a in rows]
    ax.plot(x, scores, marker="o", color=PALETTE[0], linewidth=2.2, label=_("PEG score (mean)"))
    _pain_axis(ax, "0-10")
    _date_axis(ax, [when for when, *_ in rows])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return _png(fig)


# ---- the back, seen from behind ---------------------------------------------------------------


def _back_axes(fig: Figure, body: Body, rect: tuple[float, float, float, float]) -> Axes:
    """Axes showing the back outline, region borders and spine (neck up, right on the right)."""
    from matplotlib.patches import Polygon

    ax = fig.add_axes(rect)
    half = max(body.acromion_half_width_cm, body.hip_half_width_cm) * 1.08 + 2
    top = NECK_TOP_FRACTION * body.c7_psis_cm - 2
    bottom = GLUTEAL_FOLD_FRACTION * body.c7_psis_cm + 7
    ax.set_xlim(-half, half)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(Polygon(torso_outline(body), closed=True, facecolor=SKIN, edgecolor="#8a6a55"))
    ax.plot([0, 0], [0, body.sacral_hiatus[1]], color="#6d5142", linewidth=0.8, linestyle=":")
    for level in ("C7", "T7", "L4", "S2"):
        y = body.level_y(level)
        ax.plot([0], [y], marker="o", markersize=2.5, color="#6d5142")
        ax.text(-0.8, y, level, fontsize=6, color="#4a3428", ha="right", va="center")
    text = {"fontsize": 9, "fontweight": "bold", "va": "top", "color": "#333333"}
    ax.text(-half + 1, bottom - 1, _("LEFT"), ha="left", **text)  # type: ignore[arg-type]
    ax.text(half - 1, bottom - 1, _("RIGHT"), ha="right", **text)  # type: ignore[arg-type]
    return ax


def heat_map(body: Body, pain: Mapping[str, float], title: str = "") -> bytes:
    """Pain per region (0-10, e.g. the mean over a period) coloured on the back, with a scale.

    Regions without a value stay uncoloured; each coloured region shows its number.
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.patches import Polygon

    fig = _figure(4.2, 5.4)
    fig.set_layout_engine(None)
    ax = _back_axes(fig, body, (0.0, 0.06, 0.78, 0.86))
    norm, cmap = Normalize(0, 10), colormaps[HEAT_CMAP]
    border = {"edgecolor": "#b08d78", "linewidth": 0.5, "linestyle": "--"}
    for region in regions(body):
        level = pain.get(region.id)
        fill = cmap(norm(level)) if level is not None else "none"
        ax.add_patch(Polygon(region.outline, closed=True, facecolor=fill, **border))
        if level is not None:
            ink = "white" if level >= 6 else "black"
            text = format_number(level)
            style = {"fontsize": 10, "fontweight": "bold", "color": ink}
            ax.text(*region.centroid, text, ha="center", va="center", **style)  # type: ignore[arg-type]
    bar_ax = fig.add_axes((0.82, 0.2, 0.045, 0.6))
    fig.colorbar(
        ScalarMappable(norm, cmap), cax=bar_ax, ticks=range(0, 11, 2), label=_("Pain 0-10")
    )
    _caption(fig, 0.39)
    if title:
        fig.text(0.39, 0.97, title, ha="center", va="top", fontsize=10)
    return _png(fig)


def points_map(body: Body, points: Sequence[tuple[str, Position]]) -> bytes:
    """Numbered points on the back (label, position); a circle shows each one's uncertainty."""
    from matplotlib.patches import Circle

    fig = _figure(4.2, 5.4)
    fig.set_layout_engine(None)
    ax = _back_axes(fig, body, (0.02, 0.06, 0.96, 0.9))
    for label, pos in points:
        centre = (pos.x_cm, pos.y_cm)
        ax.add_patch(Circle(centre, pos.uncertainty_cm, color=MARKER_COLOUR, alpha=0.12, lw=0))
        ax.add_patch(Circle(centre, 0.7, facecolor=MARKER_COLOUR, edgecolor="white", lw=0.6))
        _point_label(ax, label, pos)
    _caption(fig, 0.5)
    return _png(fig)


def _caption(fig: Figure, x: float) -> None:
    if current() in UNSHAPED:
        return  # the PDF's own text says how the back is seen
    text = _("Seen from behind: the person's left is on the left")
    fig.text(x, 0.02, text, ha="center", fontsize=7, color="#555555")


def _point_label(ax: Axes, label: str, pos: Position) -> None:
    """A point's number beside it, outward from the spine (above it on the midline)."""
    if pos.side is None:
        x, y, align = pos.x_cm, pos.y_cm - 1.4, "center"
    else:
        x, y = pos.x_cm + (1.2 if pos.x_cm >= 0 else -1.2), pos.y_cm
        align = "left" if pos.x_cm >= 0 else "right"
    style = {"fontsize": 9, "fontweight": "bold", "color": MARKER_COLOUR}
    ax.text(x, y, label, ha=align, va="center", **style)  # type: ignore[arg-type]
