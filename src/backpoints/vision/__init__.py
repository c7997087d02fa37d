"""Optional extra `backpoints[vision]`: pose landmarks from a photo of the back -> body frame
-> the points drawn on the person's own back (docs/vision.md).

- `geometry`: landmarks -> `Body` -> points in cm and pixels (pure; mirrored by camera.js);
- `estimator`: the `PoseEstimator` protocol, mediapipe's legacy Pose, and a fake for tests;
- `photo`: decode and check a photo, run an estimator, locate points (`locate_photo`);
- `overlay`: the picture with points, labels and uncertainty circles (opencv);
- `errors`: what went wrong, in words a person can act on.

Importing this package imports none of numpy, opencv or mediapipe.
"""

from __future__ import annotations

from backpoints.vision.errors import INSTALL_HINT, VisionError, VisionUnavailable
from backpoints.vision.estimator import FakeEstimator, PoseEstimator
from backpoints.vision.geometry import Landmark, Pose

__all__ = [
    "INSTALL_HINT",
    "FakeEstimator",
    "Landmark",
    "Pose",
    "PoseEstimator",
    "VisionError",
    "VisionUnavailable",
]
