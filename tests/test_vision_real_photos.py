"""The camera finder on real people seen from behind and from the front.

The photos are crops of OpenCV's sample video `vtest.avi` (pedestrians on a campus, filmed
from a first floor), shipped by Debian's `opencv-doc` package as
`/usr/share/doc/opencv-doc/examples/data/vtest.avi`; Debian's copyright file for the opencv
source lists no separate entry for it, so it comes under the package's Apache-2.0 AND
BSD-3-Clause. People are 70-150 px tall in it; each crop (a box found by background
subtraction, with a margin) is scaled up six times, as a phone photo of a distant person
would be. Which crops show a back and which a front was decided by eye (docs/vision.md).
`scripts/system-deps.sh` installs the package; without it these skip, and fail in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backpoints.core.anatomy import body_from_stature
from backpoints.vision.errors import FacingCamera
from backpoints.vision.estimator import MediapipeEstimator
from backpoints.vision.photo import locate_photo
from tests.test_vision_mediapipe import need_vision

VIDEO = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
UPSCALE = 6
#: (frame, x0, y0, x1, y1) of people walking away from the camera: backs.
BACKS = {
    "man-dark-jacket-f100": (100, 556, 134, 643, 262),
    "man-red-jacket-f650": (650, 604, 174, 704, 301),
    "man-black-f650": (650, 421, 204, 544, 345),
    "woman-blond-f650": (650, 294, 340, 430, 554),
    "woman-blond-f700": (700, 48, 250, 202, 456),
}
#: People walking toward the camera: fronts.
FRONTS = {
    "man-black-f200": (200, 664, 229, 768, 378),
    "man-jeans-f200": (200, 545, 237, 699, 427),
    "man-f350": (350, 428, 154, 556, 305),
    "man-brown-jacket-f400": (400, 254, 178, 328, 306),
    "man-f550": (550, 582, 278, 713, 454),
    "man-f650": (650, 110, 131, 209, 243),
    "man-grey-f700": (700, 338, 132, 451, 283),
    "man-f700": (700, 137, 147, 250, 283),
}
STATURE_CM = 170.0


@pytest.fixture(scope="module")
def frames() -> dict[int, Any]:
    need_vision()
    if not VIDEO.is_file():
        if os.environ.get("CI"):
            pytest.fail("opencv-doc's vtest.avi is missing; `make test` installs it")
        pytest.skip("Debian's opencv-doc (vtest.avi) is not installed")
    import cv2

    wanted = {box[0] for box in (*BACKS.values(), *FRONTS.values())}
    capture = cv2.VideoCapture(str(VIDEO))
    found: dict[int, Any] = {}
    index = 0
    while len(found) < len(wanted):
        ok, frame = capture.read()
        assert ok, f"vtest.avi ended at frame {index}"
        if index in wanted:
            found[index] = frame
        index += 1
    capture.release()
    return found


@pytest.fixture(scope="module")
def model() -> Iterator[MediapipeEstimator]:
    need_vision()
    estimator = MediapipeEstimator()
    yield estimator
    estimator.close()


def crop(frames: dict[int, Any], box: tuple[int, int, int, int, int]) -> Any:
    import cv2

    index, x0, y0, x1, y1 = box
    part = frames[index][y0:y1, x0:x1]
    return cv2.resize(part, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC)


@pytest.mark.parametrize("name", sorted(BACKS))
def test_a_real_back_is_accepted_with_plausible_proportions(
    frames: dict[int, Any], model: MediapipeEstimator, name: str
) -> None:
    result = locate_photo(crop(frames, BACKS[name]), model, [], stature_cm=STATURE_CM)
    found, expected = result.frame.body, body_from_stature(STATURE_CM)
    assert 0.85 <= found.c7_psis_cm / expected.c7_psis_cm <= 1.15
    assert 0.8 <= found.acromion_half_width_cm / expected.acromion_half_width_cm <= 1.2
    assert abs(result.frame.tilt_deg) < 15


@pytest.mark.parametrize("name", sorted(FRONTS))
def test_a_real_front_is_refused(
    frames: dict[int, Any], model: MediapipeEstimator, name: str
) -> None:
    with pytest.raises(FacingCamera):
        locate_photo(crop(frames, FRONTS[name]), model, [], stature_cm=STATURE_CM)
