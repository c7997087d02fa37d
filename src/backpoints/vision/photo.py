"""A photo of the back in, the catalogue's points placed on it out (`locate_photo`).

Reads the image's size from its header first (Pillow's lazy open: no pixel is decoded) and
refuses a file over `MAX_PHOTO_BYTES` or a picture over `MAX_PIXELS` (a small file can
claim 30000x30000 pixels: gigabytes once decoded); then decodes it (opencv, JPEGs already
scaled down while decoding) and refuses what cannot work (unreadable, tiny, blurred, no person,
a front view, a cropped body) with an error that says what to do, then hands the landmarks
to the pure `backpoints.vision.geometry`. Needs numpy and opencv (the vision extra); the
estimator is injected, so tests run the whole pipeline with a `FakeEstimator`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from backpoints.i18n import N_
from backpoints.i18n import gettext as _
from backpoints.vision.errors import (
    BadStature,
    ImageBlurred,
    ImageTooLarge,
    ImageTooSmall,
    NoPerson,
    UnreadableImage,
)
from backpoints.vision.estimator import PoseEstimator, require_vision
from backpoints.vision.geometry import (
    PhotoBody,
    PlacedPoint,
    Pose,
    back_frame,
    check_back_view,
    place_points,
)

if TYPE_CHECKING:
    from backpoints.catalog.models import Point
    from backpoints.core.vocab import Sex
    from backpoints.vision.estimator import Image

#: Shorter side of the image, in pixels, below which it is refused.
MIN_SIDE_PX: Final = 200
#: Longest side the model sees; larger photos are scaled down first (phone photos are huge).
MAX_SIDE_PX: Final = 1920
#: Largest picture decoded, in pixels (a 48-megapixel phone photo scaled once fits well).
MAX_PIXELS: Final = 40_000_000
#: Largest photo file read, in bytes.
MAX_PHOTO_BYTES: Final = 25 * 1024 * 1024
#: Formats read (by what the file's header says, not its name).
FORMATS: Final = frozenset({"JPEG", "PNG", "WEBP", "BMP"})
NOT_AN_IMAGE: Final = N_("That file is not an image this app can read; use a JPEG or PNG photo.")
#: Variance of the Laplacian at 512 px (longest side) below which an image is "blurred".
#: scikit-image's sample photos score 65 (the moon) to 5,300 (grass); a Gaussian blur of
#: sigma 3 brings its astronaut from 860 down to 4.7, sigma 2 to 11.6 (docs/vision.md).
MIN_SHARPNESS: Final = 4.0


@dataclass(frozen=True)
class PointLabel:
    """How the overlay names and colours a point."""

    tradition: str
    name: str


@dataclass(frozen=True)
class PhotoResult:
    """Points located on one photo: the body frame on it and every side of every point."""

    image: Image
    pose: Pose
    frame: PhotoBody
    points: list[PlacedPoint]

    def to_json(self) -> dict[str, Any]:
        """The shape of `backpoints locate --json`, plus pixels and the photo's frame."""
        body = self.frame.body
        return {
            "body": {
                "basis": body.basis,
                "c7_psis_cm": round(body.c7_psis_cm, 2),
                "cun_cm": round(body.cun_cm, 2),
                "acromion_half_width_cm": round(body.acromion_half_width_cm, 2),
                "sex": body.sex,
                "stature_cm": body.stature_cm,
            },
            "image": {
                "width": self.pose.width,
                "height": self.pose.height,
                "c7_px": [round(v, 1) for v in self.frame.c7],
                "px_per_cm": round(self.frame.px_per_cm, 3),
                "tilt_deg": round(self.frame.tilt_deg, 1),
            },
            "points": [
                {
                    "id": p.position.point_id,
                    "side": p.position.side,
                    "x_cm": round(p.position.x_cm, 2),
                    "y_cm": round(p.position.y_cm, 2),
                    "level": p.position.level,
                    "uncertainty_cm": p.position.uncertainty_cm,
                    "x_px": round(p.px, 1),
                    "y_px": round(p.py, 1),
                }
                for p in self.points
            ],
        }


def read_photo_bytes(source: Path | bytes, max_bytes: int = MAX_PHOTO_BYTES) -> bytes:
    """The file's bytes, refused before reading when it is larger than `max_bytes`."""
    if isinstance(source, bytes):
        size = len(source)
    else:
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise UnreadableImage(
                _("Cannot read {path}: {why}.").format(path=source, why=exc.strerror or exc)
            ) from exc
    if size > max_bytes:
        raise ImageTooLarge(
            _(
                "The photo is {size} MB; the largest this app reads is {most} MB. Send a "
                "smaller photo (a phone's normal size is fine)."
            ).format(size=f"{size / 1e6:.1f}", most=f"{max_bytes / 1e6:.1f}")
        )
    if isinstance(source, bytes):
        return source
    try:
        return source.read_bytes()
    except OSError as exc:
        raise UnreadableImage(
            _("Cannot read {path}: {why}.").format(path=source, why=exc.strerror or exc)
        ) from exc


def image_size(raw: bytes, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """(width, height) from the header alone; refuses non-images and too many pixels."""
    import io
    import warnings

    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns (or raises) past ~89 megapixels; ours is lower
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(raw), formats=sorted(FORMATS)) as header:
                width, height = header.size
    except PILImage.DecompressionBombError as bomb:  # "Image size (N pixels) exceeds ..."
        said = re.search(r"\((\d+) pixels\)", str(bomb))
        claim = (
            _("{n} megapixels").format(n=f"{int(said[1]) / 1e6:,.0f}")
            if said
            else _("far too many pixels")
        )
        raise _too_many_pixels(claim, max_pixels) from None
    except Exception:  # Pillow raises many kinds for a damaged or foreign file
        raise UnreadableImage(_(NOT_AN_IMAGE)) from None
    if width * height > max_pixels:
        claim = _("{width}x{height} pixels ({n} megapixels)").format(
            width=width, height=height, n=f"{width * height / 1e6:.0f}"
        )
        raise _too_many_pixels(claim, max_pixels)
    return width, height


def _too_many_pixels(claim: str, max_pixels: int) -> ImageTooLarge:
    return ImageTooLarge(
        _(
            "The photo says it has {claim}; the most this app decodes is {most} megapixels. "
            "Send a normal phone photo."
        ).format(claim=claim, most=f"{max_pixels / 1e6:.0f}")
    )


def _reduced_read_flag(width: int, height: int) -> int:
    """Decode JPEGs at 1/2, 1/4 or 1/8 size when that still leaves `MAX_SIDE_PX`."""
    import cv2

    for factor, flag in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4)):
        if max(width, height) // factor >= MAX_SIDE_PX:
            return int(flag)
    if max(width, height) // 2 >= MAX_SIDE_PX:
        return int(cv2.IMREAD_REDUCED_COLOR_2)
    return int(cv2.IMREAD_COLOR)


def read_image(
    source: Path | bytes, max_bytes: int = MAX_PHOTO_BYTES, max_pixels: int = MAX_PIXELS
) -> Image:
    """Decode a file or its bytes to a BGR image, scaled down to `MAX_SIDE_PX` at most.

    The byte size and the header's pixel count are checked before anything is decoded.
    """
    raw = read_photo_bytes(source, max_bytes)
    if not raw:
        raise UnreadableImage(_(NOT_AN_IMAGE))
    width, height = image_size(raw, max_pixels)  # before opencv is even imported
    require_vision(model=False)
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(raw, np.uint8), _reduced_read_flag(width, height))
    if image is None:
        raise UnreadableImage(_(NOT_AN_IMAGE))
    height, width = image.shape[:2]
    if max(height, width) > MAX_SIDE_PX:
        scale = MAX_SIDE_PX / max(height, width)
        size = (round(width * scale), round(height * scale))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cast("Image", image)


def sharpness(image: Image) -> float:
    """Variance of the Laplacian of the grey image scaled to 512 px on its longest side."""
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape[:2]
    scale = 512 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def check_image(image: Image) -> None:
    """Refuse an image too small or too blurred for the model to find a back in it."""
    height, width = image.shape[:2]
    if min(height, width) < MIN_SIDE_PX:
        raise ImageTooSmall(
            _(
                "The image is only {width}x{height} pixels; use a photo at least {side} pixels "
                "on each side (a phone photo is fine)."
            ).format(width=width, height=height, side=MIN_SIDE_PX)
        )
    if sharpness(image) < MIN_SHARPNESS:
        raise ImageBlurred(
            _(
                "The photo is blurred or shows almost no detail; hold the camera still, let it "
                "focus on the back, and take it again."
            )
        )


def check_stature(stature_cm: float | None) -> None:
    """Refuse a height no person has (before any work is done)."""
    if stature_cm is not None and not 100 <= stature_cm <= 250:
        raise BadStature(
            _("The height must be between 100 and 250 cm, got {height}.").format(
                height=f"{stature_cm:g}"
            )
        )


def locate_photo(
    source: Path | bytes | Image,
    estimator: PoseEstimator,
    points: Iterable[Point],
    *,
    stature_cm: float | None = None,
    sex: Sex | None = None,
) -> PhotoResult:
    """Find the back in a photo and place `points` on it; raises a `VisionError` saying why not."""
    check_stature(stature_cm)
    image = read_image(source) if isinstance(source, Path | bytes) else source
    check_image(image)
    pose = estimator.estimate(image)
    if pose is None or not any(pose.seen(name) for name in pose.landmarks):
        raise NoPerson(
            _(
                "No person found in the photo; take it from behind, 1.5 to 2 metres away, with "
                "the whole back in the picture and good light."
            )
        )
    check_back_view(pose)
    frame = back_frame(pose, stature_cm, sex)
    return PhotoResult(image, pose, frame, place_points(frame, points))


def locate_with_model(
    source: Path | bytes,
    *,
    point_ids: Iterable[str] = (),
    stature_cm: float | None = None,
    sex: Sex | None = None,
    estimator: PoseEstimator | None = None,
    max_bytes: int = MAX_PHOTO_BYTES,
) -> tuple[PhotoResult, dict[str, PointLabel]]:
    """`locate_photo` with the catalogue (all points, or those named) and, unless one is
    given, a new `MediapipeEstimator`; also returns each point's label for the overlay."""
    from backpoints.catalog import load_catalog
    from backpoints.vision.estimator import MediapipeEstimator

    if estimator is None:
        require_vision()
    check_stature(stature_cm)
    catalog = load_catalog()
    ids = list(point_ids)
    points = [catalog.get(i) for i in ids] if ids else list(catalog)
    image = read_image(source, max_bytes)  # a bad file fails before the model loads
    model = estimator or MediapipeEstimator()
    result = locate_photo(image, model, points, stature_cm=stature_cm, sex=sex)
    return result, {p.id: PointLabel(p.tradition, p.display_name) for p in points}


def summary(result: PhotoResult, height_hint: str = "--height") -> str:
    """One line about the body found: its trunk length, tilt and how the scale was set."""
    frame, body = result.frame, result.frame.body
    scale = (
        f"scaled from your height ({body.stature_cm:g} cm)"
        if frame.stature_known
        else f"scaled from shoulder width and average proportions (give {height_hint} for a "
        "better scale)"
    )
    return (
        f"Back found: C7 to PSIS {body.c7_psis_cm:.1f} cm, tilt {frame.tilt_deg:+.0f}°, "
        f"{scale}; {len(result.points)} positions."
    )
