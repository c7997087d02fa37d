"""Why a photo could not give points: one `BackpointsError` per thing a person can fix.

Each message is one line that says what to do. The CLI prints it and exits with 2; the web
page shows it beside the upload form. No imports beyond `backpoints.core.errors`.
"""

from __future__ import annotations

from typing import Final

from backpoints.core.errors import BackpointsError

#: One line that installs the vision extra (mediapipe without its heavy declared dependencies).
INSTALL_HINT: Final = "pip install 'backpoints[vision]' && pip install --no-deps mediapipe==0.10.14"


class VisionError(BackpointsError):
    """Base of the errors about a photo."""

    field = "photo"


class VisionUnavailable(VisionError):
    """The optional vision extra (opencv, numpy, mediapipe) is not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"Finding points in a photo needs the vision extra ({missing} is missing); "
            f"install it with: {INSTALL_HINT}"
        )


class UnreadableImage(VisionError):
    """The file is not an image opencv can decode (or cannot be read at all)."""


class ImageTooLarge(VisionError):
    """The file, or the picture its header describes, is larger than the app decodes (413)."""


class ImageTooSmall(VisionError):
    """The image, or the person in it, has too few pixels to place points."""


class ImageBlurred(VisionError):
    """The image has almost no sharp detail (motion blur, out of focus, or blank)."""


class NoPerson(VisionError):
    """The pose model found no person."""


class FacingCamera(VisionError):
    """The face is clearly visible: the photo shows the front (or side), not the back."""


class BodyCropped(VisionError):
    """Shoulders or hips are outside the picture or hidden."""


class UnusablePose(VisionError):
    """The landmarks are found but cannot describe an upright back (upside down, side-on)."""


class BadStature(VisionError):
    """The height given cannot describe a person."""

    field = "height"
