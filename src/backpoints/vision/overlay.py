"""The overlay picture: the photo with each point numbered, its uncertainty circle, and a key.

Drawn with opencv on a copy of the photo (needs the vision extra); `overlay_png` returns PNG
bytes. Beside the photo a panel lists the numbers with each point's id and name. Colours
follow the app's map: acupressure blue, trigger points orange, lay points green. C7, the
midline down to the PSIS level, both PSIS and "their left" / "their right" are marked, as a
helper sees them from behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from backpoints.vision.estimator import Image
    from backpoints.vision.photo import PhotoResult, PointLabel

BGR = tuple[int, int, int]
#: BGR colours by tradition.
COLOURS: Final[dict[str, BGR]] = {
    "acupressure": (173, 92, 11),
    "trigger-point": (0, 110, 220),
    "lay": (50, 130, 20),
}
DEFAULT_COLOUR: Final = COLOURS["acupressure"]
FRAME_COLOUR: Final = (255, 255, 255)
INK: Final = (40, 40, 40)
#: Opacity of the filled uncertainty circles.
RING_ALPHA: Final = 0.16


def draw_overlay(result: PhotoResult, labels: Mapping[str, PointLabel] | None = None) -> Image:
    """A copy of the photo with the body frame and the points, and the key beside it."""
    import cv2
    import numpy as np

    labels = labels or {}
    image = result.image.copy()
    height, width = image.shape[:2]
    unit = max(1.0, max(height, width) / 900)  # line and text size for this picture
    thick = max(1, round(unit))
    ids = dict.fromkeys(p.position.point_id for p in result.points)
    numbers = {pid: n for n, pid in enumerate(ids, 1)}
    inks = {pid: COLOURS.get(labels[pid].tradition, DEFAULT_COLOUR) if pid in labels
            else DEFAULT_COLOUR for pid in ids}  # fmt: skip

    rings = image.copy()
    for p in result.points:
        centre = (round(p.px), round(p.py))
        cv2.circle(rings, centre, max(2, round(p.radius_px)), inks[p.position.point_id], -1,
                   cv2.LINE_AA)  # fmt: skip
    cv2.addWeighted(rings, RING_ALPHA, image, 1 - RING_ALPHA, 0, dst=image)
    _draw_frame(image, result, unit, thick)
    for p in result.points:
        ink, centre = inks[p.position.point_id], (round(p.px), round(p.py))
        cv2.circle(image, centre, max(2, round(p.radius_px)), ink, 1, cv2.LINE_AA)
        cv2.circle(image, centre, max(2, round(2.5 * unit)), ink, -1, cv2.LINE_AA)
        text = str(numbers[p.position.point_id])
        at = (centre[0] + round(4 * unit), centre[1] - round(5 * unit))
        _text(image, text, at, unit * 0.85, ink)
    panel = _key_panel(height, max(300, round(width * 0.5)), numbers, labels, inks, unit)
    return np.hstack([image, panel])


def _draw_frame(image: Image, result: PhotoResult, unit: float, thick: int) -> None:
    """C7, the midline down to the PSIS level, both PSIS, and the person's sides."""
    import cv2

    frame, body = result.frame, result.frame.body
    c7, sacrum = frame.to_image(0, 0), frame.to_image(0, body.c7_psis_cm)
    cv2.line(image, _px(c7), _px(sacrum), FRAME_COLOUR, thick, cv2.LINE_AA)
    for side in (-1, 1):
        psis = frame.to_image(side * body.psis[0], body.psis[1])
        size = round(12 * unit)
        cv2.drawMarker(image, _px(psis), FRAME_COLOUR, cv2.MARKER_TILTED_CROSS, size, thick)
        x, y = frame.to_image(side * body.acromion_half_width_cm * 1.1, -6)
        name = "their right" if side > 0 else "their left"
        _text(image, name, (round(x), round(y)), unit, INK, right_align=side < 0)
    cv2.drawMarker(image, _px(c7), FRAME_COLOUR, cv2.MARKER_CROSS, round(16 * unit), thick + 1)
    _text(image, "C7", (round(c7[0]) + round(10 * unit), round(c7[1])), unit, INK)


def _key_panel(
    height: int,
    width: int,
    numbers: Mapping[str, int],
    labels: Mapping[str, PointLabel],
    inks: Mapping[str, BGR],
    unit: float,
) -> Image:
    """A white panel: what the marks mean, then "n  ID  name" for each point."""
    import numpy as np

    panel = np.full((height, width, 3), 255, np.uint8)
    lines: list[tuple[str, BGR]] = [
        ("Seen from behind: their right is on the right.", INK),
        ("Circles: where the point is, give or take.", INK),
        ("+ C7; x PSIS (dimples); line: spine.", INK),
    ]
    lines += [(f"{n}  {labels[pid].name if pid in labels else pid}", inks[pid])
              for pid, n in numbers.items()]  # fmt: skip
    step = max(12, round(18 * unit))
    scale = unit
    if len(lines) * step + step > height:  # shrink to fit a long list
        scale = unit * (height - step) / (len(lines) * step)
        step = max(8, round(18 * scale))
    for i, (text, ink) in enumerate(lines):
        _text(panel, text, (round(10 * unit), step * (i + 1)), scale * 0.95, ink, halo=False)
    return panel


def _px(point: tuple[float, float]) -> tuple[int, int]:
    return (round(point[0]), round(point[1]))


def _text(
    image: Image,
    text: str,
    at: tuple[int, int],
    unit: float,
    colour: BGR,
    right_align: bool = False,
    halo: bool = True,
) -> None:
    """Text, with a white halo so it reads on skin, cloth or a dark background."""
    import cv2

    font, scale = cv2.FONT_HERSHEY_SIMPLEX, 0.45 * unit
    thick = max(1, round(unit))
    (w, h), _ = cv2.getTextSize(text, font, scale, thick)
    origin = (at[0] - w if right_align else at[0], at[1] + h // 2)
    if halo:
        cv2.putText(image, text, origin, font, scale, (255, 255, 255), thick + 3, cv2.LINE_AA)
    cv2.putText(image, text, origin, font, scale, colour, thick, cv2.LINE_AA)


def overlay_bytes(
    result: PhotoResult,
    labels: Mapping[str, PointLabel] | None = None,
    ext: str = ".png",
    max_width: int | None = None,
) -> bytes:
    """The overlay encoded as PNG (or ".jpg", smaller for a web page), at most `max_width`."""
    import cv2

    picture: Any = draw_overlay(result, labels)
    height, width = picture.shape[:2]
    if max_width is not None and width > max_width:
        size = (max_width, round(height * max_width / width))
        picture = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
    params = [cv2.IMWRITE_JPEG_QUALITY, 88] if ext == ".jpg" else []
    ok, encoded = cv2.imencode(ext, picture, params)
    if not ok:  # pragma: no cover - opencv encodes any 8-bit BGR image
        raise RuntimeError(f"opencv could not encode the overlay as {ext}")
    return bytes(encoded.tobytes())
