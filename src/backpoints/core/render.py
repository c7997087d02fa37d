"""The one SVG drawing of the back: outline, spine, scapulae, iliac crest, regions, points.

Seen from behind, as a helper or a camera sees the back: the person's right is on the right
of the picture, so nothing is mirrored. The web app, the printable chart and the PDF all use
`back_svg`. Pure string building; imports anatomy and regions only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

from backpoints.core.anatomy import Body, Position, Vec
from backpoints.core.regions import GLUTEAL_FOLD_FRACTION, NECK_TOP_FRACTION, regions, torso_outline
from backpoints.core.vocab import LEVELS, region_label
from backpoints.i18n import gettext as _

MARGIN_CM: Final = 3.0
LANDMARK_LEVELS: Final = ("C7", "T3", "T7", "L1", "L4", "S2")


@dataclass(frozen=True)
class Marker:
    """A point to draw: its position, a short label, and whether it is the one to press now."""

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


def _view_box(body: Body) -> tuple[float, float, float, float]:
    half = max(body.acromion_half_width_cm, body.hip_half_width_cm) * 1.05 + MARGIN_CM
    top = NECK_TOP_FRACTION * body.c7_psis_cm - MARGIN_CM
    bottom = GLUTEAL_FOLD_FRACTION * body.c7_psis_cm + 2 * MARGIN_CM
    return (-half, top, 2 * half, bottom - top)


def back_svg(
    body: Body,
    *,
    pain: Mapping[str, int] | None = None,
    markers: Sequence[Marker] = (),
    interactive: bool = False,
    title: str = "Map of the back, seen from behind",
    landmark_labels: bool = True,
) -> str:
    """An SVG of the back. With `interactive`, each region is a keyboard-focusable button."""
    x, y, w, h = _view_box(body)
    role = "group" if interactive else "img"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="backmap" viewBox="{x:.2f} {y:.2f} '
        f'{w:.2f} {h:.2f}" role="{role}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<path class="torso" d="{_path(torso_outline(body))}" fill="#f3dcc8" '
        'stroke="#8a6a55" stroke-width="0.35"/>',
        _regions_svg(body, pain or {}, interactive),
        _skeleton_svg(body, landmark_labels),
        "".join(_marker_svg(m) for m in markers),
        "</svg>",
    ]
    return "".join(parts)


def _regions_svg(body: Body, pain: Mapping[str, int], interactive: bool) -> str:
    out = ['<g class="regions">']
    for region in regions(body):
        level = pain.get(region.id)
        name = region_label(region.id)
        label = (
            _("{region}, pain {level} of 10").format(region=name, level=level) if level else name
        )
        shape = (
            f'<path d="{_path(region.outline)}" fill="{pain_fill(level)}" '
            'stroke="#b08d78" stroke-width="0.15" stroke-dasharray="0.6 0.4"/>'
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


def _skeleton_svg(body: Body, labels: bool) -> str:
    line = 'fill="none" stroke="#6d5142" stroke-width="0.3" stroke-linecap="round"'
    out = [f'<g class="skeleton" pointer-events="none" aria-hidden="true" {line}>']
    out.append(_spine_svg(body, labels))
    for sign in (-1, 1):
        out.append(f'<path class="scapula" d="{_path(_scapula(body, sign))}"/>')
        root, acr = body.scapular_spine_root, body.acromion
        spine = [(sign * root[0], root[1]), (sign * acr[0] * 0.92, acr[1] + 0.8)]
        out.append(f'<path class="scapular-spine" d="{_path(spine, closed=False)}"/>')
        out.append(_psis_svg(body, sign))
    out.append(f'<path class="iliac-crest" d="{_crest_path(body)}"/>')
    out.append("</g>")
    return "".join(out)


def _spine_svg(body: Body, labels: bool) -> str:
    bottom = body.sacral_hiatus[1]
    out = [f'<path class="spine" d="M0,0 L0,{bottom:.2f}" stroke-dasharray="0.2 0.6"/>']
    for level in LEVELS[: LEVELS.index("S2") + 1]:
        y = body.level_y(level)
        big = level in LANDMARK_LEVELS
        out.append(f'<circle cx="0" cy="{y:.2f}" r="{0.45 if big else 0.3}" fill="#6d5142"/>')
        if labels and big:
            out.append(
                f'<text x="-1.2" y="{y + 0.5:.2f}" font-size="1.5" text-anchor="end" '
                f'fill="#4a3428" stroke="none">{level}</text>'
            )
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


def _crest_path(body: Body) -> str:
    y = body.iliac_crest_y
    half = body.hip_half_width_cm * 0.92
    return (
        f"M{-half:.2f},{y + 2.5:.2f} Q{-half * 0.55:.2f},{y - 1.2:.2f} {-body.psis[0]:.2f},"
        f"{body.psis[1] - 2.0:.2f} M{half:.2f},{y + 2.5:.2f} Q{half * 0.55:.2f},{y - 1.2:.2f} "
        f"{body.psis[0]:.2f},{body.psis[1] - 2.0:.2f}"
    )


def _psis_svg(body: Body, sign: int) -> str:
    x, y = body.psis
    return f'<circle class="psis" cx="{sign * x:.2f}" cy="{y:.2f}" r="0.5"/>'


def _marker_svg(marker: Marker) -> str:
    pos = marker.position
    cls = "point highlight" if marker.highlight else "point"
    side = pos.side or "midline"
    colour = "#0b63c5" if marker.highlight else "#1f3b57"
    text_x = pos.x_cm + (1.0 if pos.x_cm >= 0 else -1.0)
    anchor = "start" if pos.x_cm >= 0 else "end"
    return (
        f'<g class="{cls}" data-point="{escape(pos.point_id)}" data-side="{side}" '
        'pointer-events="none">'
        f"<title>{escape(marker.label)} ({side})</title>"
        f'<circle cx="{pos.x_cm:.2f}" cy="{pos.y_cm:.2f}" r="{pos.uncertainty_cm:.2f}" '
        f'fill="{colour}" fill-opacity="0.12" stroke="none"/>'
        f'<circle cx="{pos.x_cm:.2f}" cy="{pos.y_cm:.2f}" r="{0.9 if marker.highlight else 0.6}" '
        f'fill="{colour}" stroke="#fff" stroke-width="0.2"/>'
        f'<text x="{text_x:.2f}" y="{pos.y_cm + 0.5:.2f}" font-size="1.4" '
        f'text-anchor="{anchor}" fill="{colour}">{escape(marker.label)}</text></g>'
    )
