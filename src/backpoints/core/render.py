"""The one SVG drawing of the back: soft-shaded skin, spine, shoulder blades, ribs, pelvis,
regions, points with their names, and LEFT / RIGHT written on it.

Seen from behind, as a helper or a camera sees the back: the person's right is on the right
of the picture, so nothing is mirrored. Everything is drawn from the body frame, so the
picture follows the person's build. Labels are placed by `labels.place_labels` (inside the
picture, never on top of one another, with leader lines when moved). The web app uses
`back_svg` for every map. Pure string building; imports anatomy, regions and labels only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

from backpoints.core.anatomy import Body, Position, Vec
from backpoints.core.labels import LINE, Box, Placed, place_labels, text_width
from backpoints.core.regions import (
    GLUTEAL_FOLD_FRACTION,
    NECK_TOP_FRACTION,
    half_width_at,
    regions,
    torso_outline,
)
from backpoints.core.vocab import LEVELS, region_label
from backpoints.i18n import gettext as _

MARGIN_CM: Final = 3.0
LANDMARK_LEVELS: Final = ("C7", "T3", "T7", "L1", "L4", "S2")
FONT_SHARE: Final = 0.045  # label size as a share of the picture's width (about 16 px on a phone)
SPINE: Final = LEVELS[: LEVELS.index("L5") + 1]

ViewBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Marker:
    """A point to draw: its position, a short plain label, and whether to press it now."""

    position: Position
    label: str
    highlight: bool = False


def pain_fill(intensity: int | None) -> str:
    """Fill colour for a region by pain 0-10: none is transparent, then yellow to deep red."""
    if not intensity:
        return "transparent"
    t = max(0, min(10, intensity)) / 10
    red, green, blue = 250 - int(60 * t), 220 - int(190 * t), 120 - int(90 * t)
    return f"rgb({red},{green},{blue})"


def _path(points: Sequence[Vec], closed: bool = True) -> str:
    head, *rest = points
    d = f"M{head[0]:.2f},{head[1]:.2f} " + " ".join(f"L{x:.2f},{y:.2f}" for x, y in rest)
    return d + (" Z" if closed else "")


def smooth(points: Sequence[Vec], rounds: int = 2) -> list[Vec]:
    """Chaikin corner cutting of a closed outline: soft, organic corners."""
    pts = list(points)
    for _round in range(rounds):
        out: list[Vec] = []
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
            out += [(0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1)]
            out += [(0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1)]
        pts = out
    return pts


def full_view(body: Body) -> ViewBox:
    """The whole back with a margin, in body-frame centimetres."""
    half = max(body.acromion_half_width_cm, body.hip_half_width_cm) * 1.05 + MARGIN_CM
    top = NECK_TOP_FRACTION * body.c7_psis_cm - MARGIN_CM
    bottom = GLUTEAL_FOLD_FRACTION * body.c7_psis_cm + 2 * MARGIN_CM
    return (-half, top, 2 * half, bottom - top)


def focus_view(
    body: Body, spots: Sequence[Vec], pad_x: float = 12.0, pad_y: float = 9.0
) -> ViewBox:
    """A closer view around `spots` (always with the spine in it), landscape-shaped, inside
    the whole back: the player's map zoomed to the point's region."""
    fx, fy, fw, fh = full_view(body)
    xs, ys = [x for x, _ in spots], [y for _, y in spots]
    x0, x1 = min(min(xs) - pad_x, -4.0), max(max(xs) + pad_x, 4.0)
    y0, y1 = min(ys) - pad_y, max(ys) + pad_y
    width = min(fw, max(x1 - x0, 0.8 * fw))
    height = min(fh, max(y1 - y0, width / 1.6))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = min(max(cx - width / 2, fx), fx + fw - width)
    top = min(max(cy - height / 2, fy), fy + fh - height)
    return (left, top, width, height)


def back_svg(
    body: Body,
    *,
    pain: Mapping[str, int] | None = None,
    markers: Sequence[Marker] = (),
    interactive: bool = False,
    title: str = "Map of the back, seen from behind",
    landmark_labels: bool = False,
    view: ViewBox | None = None,
    sides: tuple[str, str] | None = None,
) -> str:
    """An SVG of the back. With `interactive`, each region is a keyboard-focusable button.
    `landmark_labels` shows the spine levels (they are always drawn, hidden unless asked, so a
    page can reveal them); `view` crops the picture (see `focus_view`); `sides` are the words
    written on the person's left and right."""
    x, y, w, h = view or full_view(body)
    size = w * FONT_SHARE
    frame = Box(x + size * 0.3, y + size * 0.2, w - size * 0.6, h - size * 0.4)
    side_boxes, side_svg = _sides(frame, size, sides or (_("LEFT"), _("RIGHT")))
    role = "group" if interactive else "img"
    outline = smooth(torso_outline(body))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="backmap" viewBox="{x:.2f} {y:.2f} '
        f'{w:.2f} {h:.2f}" role="{role}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        _defs(outline, w),
        f'<path class="skin" d="{_path(outline)}" fill="url(#bp-skin)" stroke="#8a6a55" '
        'stroke-width="0.3"/>',
        _muscles_svg(body),
        _regions_svg(body, pain or {}, interactive),
        _skeleton_svg(body, landmark_labels, size),
        side_svg,
        _markers_svg(markers, frame, size, side_boxes),
        "</svg>",
    ]
    return "".join(parts)


def _defs(outline: Sequence[Vec], width: float) -> str:
    return (
        "<defs>"
        '<radialGradient id="bp-skin" cx="50%" cy="38%" r="70%">'
        '<stop offset="0" class="shade-stop-1" stop-color="#f6e0cc"/>'
        '<stop offset="1" class="shade-stop-2" stop-color="#e3bd9f"/></radialGradient>'
        '<linearGradient id="bp-groove" x1="0" x2="1" y1="0" y2="0">'
        '<stop offset="0" stop-color="#7a4a2e" stop-opacity="0"/>'
        '<stop offset=".5" stop-color="#7a4a2e" stop-opacity=".16"/>'
        '<stop offset="1" stop-color="#7a4a2e" stop-opacity="0"/></linearGradient>'
        f'<clipPath id="bp-body"><path d="{_path(outline)}"/></clipPath>'
        "</defs>"
    )


def _muscles_svg(body: Body) -> str:
    """Soft shading: the groove of the spine between the long back muscles, and the lower
    edge of the ribs."""
    bottom = body.sacral_hiatus[1]
    col = body.cun(1.6)
    out = ['<g class="shading" clip-path="url(#bp-body)" pointer-events="none" aria-hidden="true">']
    out.append(
        f'<rect x="{-col:.2f}" y="{body.level_y("T1"):.2f}" width="{2 * col:.2f}" '
        f'height="{bottom - body.level_y("T1"):.2f}" fill="url(#bp-groove)"/>'
    )
    rib_y, end_y = body.level_y("T12"), body.level_y("L2")
    for sign in (-1, 1):
        edge = half_width_at(body, end_y) * 0.92
        out.append(
            f'<path d="M{sign * 1.2:.2f},{rib_y:.2f} Q{sign * edge * 0.55:.2f},{rib_y + 0.5:.2f} '
            f'{sign * edge:.2f},{end_y:.2f}" fill="none" stroke="#8a6a55" stroke-opacity=".35" '
            'stroke-width="0.25" class="skeleton"/>'
        )
    out.append("</g>")
    return "".join(out)


def _regions_svg(body: Body, pain: Mapping[str, int], interactive: bool) -> str:
    out = ['<g class="regions" clip-path="url(#bp-body)">']
    for region in regions(body):
        level = pain.get(region.id)
        name = region_label(region.id)
        label = (
            _("{region}, pain {level} of 10").format(region=name, level=level) if level else name
        )
        shape = (
            f'<path d="{_path(region.outline)}" fill="{pain_fill(level)}" fill-opacity="0.6" '
            'stroke="#b08d78" stroke-width="0.12" stroke-dasharray="0.6 0.5"/>'
        )
        if interactive:
            pressed = "true" if level else "false"
            out.append(
                f'<g class="region" data-region="{region.id}" role="button" tabindex="0" '
                f'aria-label="{escape(name)}" aria-pressed="{pressed}">'
                f"<title>{escape(label)}</title>{shape}</g>"
            )
        else:
            out.append(f'<g class="region" data-region="{region.id}">{shape}</g>')
    out.append("</g>")
    return "".join(out)


def _skeleton_svg(body: Body, labels: bool, size: float) -> str:
    line = 'fill="none" stroke="#8a6a55" stroke-width="0.28" stroke-linecap="round"'
    bone = 'class="bone" fill="#fffaf3" fill-opacity="0.7" stroke="#8a6a55" stroke-width="0.22"'
    out = [f'<g class="skeleton" pointer-events="none" aria-hidden="true" {line}>']
    for sign in (-1, 1):
        out.append(f'<path {bone} d="{_path(smooth(_scapula(body, sign), 1))}"/>')
        root, acr = body.scapular_spine_root, body.acromion
        spine = [(sign * root[0], root[1]), (sign * acr[0] * 0.9, acr[1] + 0.9)]
        out.append(f'<path class="scapular-spine" d="{_path(spine, closed=False)}"/>')
        out.append(f'<path {bone} d="{_path(smooth(_ilium(body, sign), 1))}"/>')
    out.append(f'<path {bone} d="{_path(smooth(_sacrum(body), 1))}"/>')
    out.append(_spine_svg(body, bone))
    out.append(_levels_svg(body, labels, size))
    out.append("</g>")
    return "".join(out)


def _spine_svg(body: Body, bone: str) -> str:
    out = []
    for i, level in enumerate(SPINE):
        y = body.level_y(level)
        nxt = body.level_y(SPINE[i + 1]) if i + 1 < len(SPINE) else y + (y - body.level_y("L4"))
        gap = nxt - y
        width = 1.0 + 0.9 * i / len(SPINE)
        out.append(
            f'<rect {bone} x="{-width / 2:.2f}" y="{y - gap * 0.15:.2f}" width="{width:.2f}" '
            f'height="{gap * 0.7:.2f}" rx="{min(width, gap) * 0.3:.2f}"/>'
        )
    return "".join(out)


def _levels_svg(body: Body, shown: bool, size: float) -> str:
    hidden = "" if shown else ' display="none"'
    out = [f'<g class="levels"{hidden} stroke="none">']
    for level in LANDMARK_LEVELS:
        y = body.level_y(level)
        out.append(
            f'<text class="level-label" x="{-1.3:.2f}" y="{y + size * 0.3:.2f}" '
            f'font-size="{size * 0.75:.2f}" text-anchor="end" fill="#4a3428">{level}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _scapula(body: Body, sign: int) -> list[Vec]:
    medial_x, top_y = body.scapular_spine_root[0], body.level_y("T1") + 0.5
    angle_x, angle_y = body.inferior_angle
    acr_x, acr_y = body.acromion
    shape = [
        (medial_x, top_y),
        (medial_x * 0.97, body.level_y("T3")),
        (angle_x * 1.12, angle_y),
        (acr_x * 0.86, body.level_y("T3") + 1.0),
        (acr_x * 0.9, acr_y + 1.4),
        (medial_x + (acr_x - medial_x) * 0.45, top_y - 0.6),
    ]
    return [(sign * x, y) for x, y in shape]


def _ilium(body: Body, sign: int) -> list[Vec]:
    """One hip bone's wing seen from behind: crest on top, down to the PSIS by the sacrum."""
    crest = body.iliac_crest_y
    half = body.hip_half_width_cm * 0.9
    psis_x, psis_y = body.psis
    shape = [
        (psis_x * 0.9, psis_y - 1.0),
        (psis_x * 1.3, crest - 0.6),
        (half * 0.7, crest - 1.3),
        (half * 0.98, crest + 1.5),
        (half * 0.82, crest + 6.0),
        (half * 0.62, crest + 10.0),
        (psis_x * 1.5, psis_y + 7.5),
        (psis_x * 1.0, psis_y + 3.0),
    ]
    return [(sign * x, y) for x, y in shape]


def _sacrum(body: Body) -> list[Vec]:
    top = (body.level_y("L5") + body.level_y("S1")) / 2 + 0.4
    tip_x, tip_y = body.sacral_hiatus
    half = body.psis[0] * 0.92
    return [(-half, top), (half, top), (1.0, tip_y), (0.0, tip_y + 1.6), (-1.0, tip_y)]


def _sides(frame: Box, size: float, words: tuple[str, str]) -> tuple[list[Box], str]:
    left, right = words
    y = frame.y + size
    boxes = [
        Box(frame.x, frame.y, text_width(left, size), size * 1.2),
        Box(frame.x + frame.w - text_width(right, size), frame.y, text_width(right, size), size),
    ]
    svg = (
        f'<g class="sides" aria-hidden="true" font-size="{size:.2f}" fill="#3b2a20">'
        f'<text class="side-label" x="{frame.x:.2f}" y="{y:.2f}">{escape(left)}</text>'
        f'<text class="side-label" x="{frame.x + frame.w:.2f}" y="{y:.2f}" '
        f'text-anchor="end">{escape(right)}</text></g>'
    )
    return boxes, svg


def _markers_svg(markers: Sequence[Marker], frame: Box, size: float, taken: list[Box]) -> str:
    # highlighted markers get the first pick of label spots
    order = sorted(range(len(markers)), key=lambda i: not markers[i].highlight)
    ordered = [markers[i] for i in order]
    spots = [(m.label, m.position.x_cm, m.position.y_cm) for m in ordered]
    placed = place_labels(spots, frame, size, taken) if ordered else []
    dots = "".join(_dot_svg(m, size) for m in ordered)
    texts = "".join(_label_svg(m, p, size) for m, p in zip(ordered, placed, strict=True))
    return f'<g class="markers">{dots}{texts}</g>'


def _dot_svg(marker: Marker, size: float) -> str:
    pos = marker.position
    cls = "point highlight" if marker.highlight else "point"
    side = pos.side or "midline"
    colour = "#0e6b68" if marker.highlight else "#1f3b57"
    radius = size * (0.42 if marker.highlight else 0.3)
    return (
        f'<g class="{cls}" data-point="{escape(pos.point_id)}" data-side="{side}" '
        'pointer-events="none">'
        f"<title>{escape(marker.label)}</title>"
        f'<circle cx="{pos.x_cm:.2f}" cy="{pos.y_cm:.2f}" r="{pos.uncertainty_cm:.2f}" '
        f'fill="{colour}" fill-opacity="0.14" stroke="{colour}" stroke-opacity="0.35" '
        'stroke-width="0.12" stroke-dasharray="0.4 0.3"/>'
        f'<circle cx="{pos.x_cm:.2f}" cy="{pos.y_cm:.2f}" r="{radius:.2f}" '
        f'fill="{colour}" stroke="#fff" stroke-width="{size * 0.1:.2f}"/></g>'
    )


def _label_svg(marker: Marker, placed: Placed | None, size: float) -> str:
    if placed is None:
        return ""
    pos = marker.position
    leader = ""
    if placed.leader:
        end_x = placed.box.x if placed.anchor == "start" else placed.box.x + placed.box.w
        end_y = placed.box.y + placed.box.h / 2
        leader = (
            f'<line class="leader" x1="{pos.x_cm:.2f}" y1="{pos.y_cm:.2f}" x2="{end_x:.2f}" '
            f'y2="{end_y:.2f}" stroke="#10403e" stroke-width="{size * 0.06:.2f}"/>'
        )
    lines = "".join(
        f'<tspan x="{placed.x:.2f}" dy="{0 if i == 0 else size * LINE:.2f}">{escape(line)}</tspan>'
        for i, line in enumerate(placed.lines)
    )
    return (
        f'<g class="label" data-label-for="{escape(pos.point_id)}" aria-hidden="true">{leader}'
        f'<text class="point-label" x="{placed.x:.2f}" y="{placed.y:.2f}" '
        f'font-size="{size:.2f}" text-anchor="{placed.anchor}" fill="#10403e" '
        f'stroke="#faf7f2" stroke-width="{size * 0.22:.2f}">{lines}</text></g>'
    )
