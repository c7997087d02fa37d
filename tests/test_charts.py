"""The matplotlib charts: real PNGs of a fixed size whose pixels follow the data."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from backpoints.core.anatomy import Body, Position, body_from_stature
from backpoints.report import charts

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
Pixel = tuple[int, int, int]


@pytest.fixture
def body() -> Body:
    return body_from_stature(170)


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _pixels(png: bytes) -> tuple[int, int, list[Pixel]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    raw = image.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    return image.width, image.height, pixels


def _hex(colour: str) -> Pixel:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _where(png: bytes, colour: Pixel, tolerance: int = 12) -> list[tuple[int, int]]:
    """(x, y) of every pixel within `tolerance` of a colour."""
    width, _, pixels = _pixels(png)
    return [
        (i % width, i // width)
        for i, p in enumerate(pixels)
        if all(abs(a - b) <= tolerance for a, b in zip(p, colour, strict=True))
    ]


def _hot(png: bytes, max_x: float) -> list[tuple[int, int]]:
    """Deep red pixels (pain 8-10 on the heat scale) left of `max_x` (the map, not the scale)."""
    width, _, pixels = _pixels(png)
    return [
        (i % width, i // width)
        for i, (r, g, b) in enumerate(pixels)
        if r > 140 and g < 70 and b < 70 and i % width < max_x
    ]


def test_every_chart_is_a_png_of_its_fixed_size(body: Body) -> None:
    series = {"lower_back_left": [(T0, 7), (T0 + timedelta(days=7), 5)]}
    assert _size(charts.pain_over_time(series)) == (1050, 450)
    assert _size(charts.before_after([("05 Jan", 7, 4)])) == (1050, 450)
    assert _size(charts.peg_scores([(T0, 7, 6, 5)])) == (1050, 420)
    assert _size(charts.heat_map(body, {"sacrum": 4})) == (630, 810)
    assert _size(charts.points_map(body, [])) == (630, 810)


def test_heat_map_colours_the_painful_region_on_its_own_side(body: Body) -> None:
    left = charts.heat_map(body, {"lower_back_left": 9, "neck": 1})
    right = charts.heat_map(body, {"lower_back_right": 9, "neck": 1})
    width = _size(left)[0]
    map_centre = 0.39 * width  # the back is centred in the left 78% of the image
    hot_left, hot_right = _hot(left, 0.78 * width), _hot(right, 0.78 * width)
    assert len(hot_left) > 500 and len(hot_right) > 500
    # Seen from behind: the person's left is on the left of the picture.
    assert max(x for x, _ in hot_left) < map_centre < min(x for x, _ in hot_right)
    assert _hot(charts.heat_map(body, {"neck": 1, "sacrum": 2}), 0.78 * width) == []


def test_heat_map_colour_rises_with_pain(body: Body) -> None:
    mild = charts.heat_map(body, {"lower_back_left": 3})
    severe = charts.heat_map(body, {"lower_back_left": 8})
    assert mild != severe
    width = _size(mild)[0]
    assert _hot(mild, 0.78 * width) == [] and _hot(severe, 0.78 * width)


def test_pain_over_time_draws_higher_pain_higher_up() -> None:
    blue = _hex(charts.REGION_COLOURS["neck"])
    days = [T0 + timedelta(days=d) for d in range(0, 21, 7)]
    high = _where(charts.pain_over_time({"neck": [(d, 9) for d in days]}), blue)
    low = _where(charts.pain_over_time({"neck": [(d, 1) for d in days]}), blue)
    assert high and low
    # Ignore the legend (top right): the line lies left of it.
    mean_y = [sum(y for x, y in pts if x < 800) / len(pts) for pts in (high, low)]
    assert mean_y[0] < mean_y[1] - 150


def test_before_after_marks_relief_green_and_no_relief_orange() -> None:
    green, orange = _hex(charts.RELIEF_COLOUR), _hex(charts.NO_RELIEF_COLOUR)
    eased = charts.before_after([("05 Jan", 7, 3), ("12 Jan", 6, 2)])
    same = charts.before_after([("05 Jan", 7, 6), ("12 Jan", 6, 6)])

    def in_plot(points: list[tuple[int, int]]) -> int:  # left of the legend
        return sum(1 for x, _ in points if x < 780)

    assert in_plot(_where(eased, green)) > 50 and in_plot(_where(eased, orange)) == 0
    assert in_plot(_where(same, orange)) > 50 and in_plot(_where(same, green)) == 0


def test_relief_rate_bars_are_as_long_as_the_chance_and_the_chart_grows_with_points() -> None:
    blue = _hex(charts.BAR_COLOUR)
    rows = [("BL23 Shenshu", 3, 3, 0.75), ("GV4 Mingmen", 1, 3, 0.25)]
    png = charts.relief_rates(rows)
    bars = _where(png, blue, tolerance=4)
    ys = sorted({y for _, y in bars})
    split = (ys[0] + ys[-1]) / 2
    full = [x for x, y in bars if y < split]
    third = [x for x, y in bars if y > split]
    ratio = (max(third) - min(third)) / (max(full) - min(full))
    assert ratio == pytest.approx(1 / 3, abs=0.03)
    taller = charts.relief_rates(rows + [("BL52 Zhishi", 0, 2, 0.1), ("GV3", 1, 1, 0.5)])
    assert _size(taller)[1] > _size(png)[1]


def test_points_map_draws_a_right_side_point_on_the_right(body: Body) -> None:
    colour = _hex(charts.MARKER_COLOUR)
    spot = Position("BL23", "right", 4.0, 30.0, "L2", 2.0)
    png = charts.points_map(body, [("1", spot)])
    marks = _where(png, colour, tolerance=20)
    assert marks and min(x for x, _ in marks) > _size(png)[0] / 2
    assert _where(charts.points_map(body, []), colour, tolerance=20) == []


def test_importing_the_report_modules_loads_no_plotting_or_pdf_library() -> None:
    probe = (
        "import sys, backpoints.report.charts, backpoints.report.pdf, backpoints.cli.pdf\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'reportlab')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
