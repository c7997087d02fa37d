"""Pose estimators: the `PoseEstimator` protocol, mediapipe's legacy Pose solution, and a fake.

`MediapipeEstimator` imports mediapipe (and opencv) only when it is built, so importing this
module costs nothing and works without the vision extra; `require_vision()` names what is
missing in one line. `FakeEstimator` returns landmarks a test gives it, so the geometry and
the whole photo pipeline are tested without the model (the world is injected through an interface).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from backpoints.vision.errors import VisionUnavailable
from backpoints.vision.geometry import LANDMARK_INDEX, Landmark, Pose

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Image = NDArray[np.uint8]
else:
    Image = Any

#: The pinned mediapipe release: the last with the legacy Pose solution and its models inside.
MEDIAPIPE_VERSION = "0.10.14"


class PoseEstimator(Protocol):
    """Finds one person's landmarks in a BGR image (opencv's layout), or None."""

    def estimate(self, image: Image) -> Pose | None: ...


class FakeEstimator:
    """Returns the pose a test gave it (or builds one from the image size), counting calls."""

    def __init__(self, pose: Pose | Callable[[int, int], Pose | None] | None) -> None:
        self._pose = pose
        self.calls = 0

    def estimate(self, image: Image) -> Pose | None:
        self.calls += 1
        if callable(self._pose):
            height, width = image.shape[:2]
            return self._pose(width, height)
        return self._pose


def require_vision(*, model: bool = True) -> None:
    """Raise `VisionUnavailable` unless numpy, opencv (and mediapipe, for the model) import."""
    needed = {"numpy": "numpy", "cv2": "opencv-python-headless"}
    if model:
        needed["mediapipe"] = f"mediapipe=={MEDIAPIPE_VERSION}"
    for module, package in needed.items():
        if importlib.util.find_spec(module) is None:
            raise VisionUnavailable(package)


def vision_available() -> bool:
    """Whether the vision extra (with mediapipe) is installed."""
    try:
        require_vision()
    except VisionUnavailable:
        return False
    return True


class MediapipeEstimator:
    """mediapipe's legacy Pose solution (full model, shipped inside the wheel; offline).

    Build one and reuse it: loading the graph takes a few hundred milliseconds. Not safe to
    call from two threads at once (the web route holds a lock around it).
    """

    def __init__(self, model_complexity: int = 1) -> None:
        require_vision()
        import numpy as np

        with _quiet(), _no_stderr():  # the C++ side logs its set-up to stderr
            mp_pose = importlib.import_module("mediapipe.python.solutions.pose")
            self._pose: Any = mp_pose.Pose(
                static_image_mode=True,
                model_complexity=model_complexity,
                enable_segmentation=False,
                min_detection_confidence=0.5,
            )
            self._pose.process(np.zeros((64, 64, 3), np.uint8))  # start the graph now

    def estimate(self, image: Image) -> Pose | None:
        import cv2

        height, width = image.shape[:2]
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        with _quiet():
            result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        found = result.pose_landmarks.landmark
        return Pose(width, height, _landmarks(found, width, height))

    def close(self) -> None:
        self._pose.close()


def _landmarks(found: Any, width: int, height: int) -> Mapping[str, Landmark]:
    return {
        name: Landmark(found[i].x * width, found[i].y * height, float(found[i].visibility))
        for name, i in LANDMARK_INDEX.items()
    }


@contextmanager
def _no_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment (mediapipe's C++ logging)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _quiet(warnings.catch_warnings):
    """mediapipe 0.10.14 calls a protobuf API that warns on every frame; not ours to fix."""

    def __enter__(self) -> None:
        super().__enter__()
        warnings.filterwarnings("ignore", message=r"SymbolDatabase\.GetPrototype")
