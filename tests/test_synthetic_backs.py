"""Synthetic backs (benchmarks/synthetic_backs.py): the renderer's ground truth, and the real
photo pipeline on a few renders (accepted, BL23 within a stated distance of the truth).

Slow (Chromium renders with software WebGL); they need Chromium, the vendored three.js and the
vision extra, skip without them on a developer's machine and fail in CI, where `make test`
installs them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import pytest
from benchmarks.synthetic_backs import STATIC, Render, Scene, SyntheticBacks, point_key

from backpoints.catalog import Catalog
from tests.test_vision_mediapipe import need_vision

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: BL23 placed from a photo (height and sex given) lies within this of the truth, on the skin.
#: It is wider than the 3.7 cm radius the app draws for BL23: on the model the photo places
#: the low back 3-4 cm too high (docs/vision.md, "Accuracy on synthetic backs").
BL23_TOLERANCE_CM = 5.0


@pytest.fixture(scope="module")
def renderer(chromium_path: str) -> Iterator[SyntheticBacks]:
    if not (STATIC / "vendor" / "three" / "three.module.min.js").is_file():
        if os.environ.get("CI"):
            pytest.fail("three.js is not vendored; `make test` runs `make vendor`")
        pytest.skip("three.js is not vendored (make vendor)")
    with SyntheticBacks(chromium_path) as backs:
        yield backs


SQUARE = Scene(stature_cm=170, sex="female", distance_cm=200)


def test_c7_projects_on_the_image_midline_of_a_square_back(
    renderer: SyntheticBacks, catalog: Catalog
) -> None:
    shot = renderer.render(SQUARE, [catalog.get("BL23")])
    c7 = shot.truth["C7"]
    assert abs(c7.px[0] - SQUARE.width / 2) < 0.5
    left, right = shot.truth["acromion left"].px, shot.truth["acromion right"].px
    assert right[0] > SQUARE.width / 2 > left[0]  # the person's right on the viewer's right
    assert abs((right[0] - SQUARE.width / 2) - (SQUARE.width / 2 - left[0])) < 1.0
    psis = shot.truth["psis right"]
    assert psis.px[1] > c7.px[1]  # down the back is down the picture
    # 1 cm along the body's y moves the pixel by the local map, read back as 1 cm
    step = psis.per_y_cm
    assert psis.error_cm(psis.px[0] + step[0], psis.px[1] + step[1]) == pytest.approx(1.0)
    assert point_key("BL23", "right", 0) in shot.truth


def test_a_rolled_camera_turns_the_truth_with_it(renderer: SyntheticBacks) -> None:
    level = renderer.render(SQUARE)
    rolled = renderer.render(replace(SQUARE, roll_deg=5))

    def slope(shot: Render) -> float:
        (x0, y0), (x1, y1) = shot.truth["acromion left"].px, shot.truth["acromion right"].px
        return (y1 - y0) / (x1 - x0)

    assert abs(slope(level)) < 0.005
    assert abs(slope(rolled)) == pytest.approx(0.0875, abs=0.02)  # tan(5 degrees)


@pytest.mark.parametrize(
    "scene",
    [
        SQUARE,
        Scene(stature_cm=185, sex="male", distance_cm=200),
        Scene(stature_cm=160, sex="female", distance_cm=170, background="#8fa3b5", skin="#a8775a"),
    ],
    ids=lambda s: s.label(),
)
def test_the_photo_pipeline_places_bl23_near_the_truth(
    renderer: SyntheticBacks, catalog: Catalog, scene: Scene
) -> None:
    need_vision()
    from backpoints.vision.estimator import MediapipeEstimator
    from backpoints.vision.photo import locate_photo

    bl23 = catalog.get("BL23")
    shot = renderer.render(scene, [bl23])
    model = MediapipeEstimator()
    try:
        result = locate_photo(
            shot.image(), model, [bl23], stature_cm=scene.stature_cm, sex=scene.sex
        )
    finally:
        model.close()
    for placed in result.points:
        truth = shot.truth[point_key("BL23", placed.position.side, 0)]
        assert truth.error_cm(placed.px, placed.py) < BL23_TOLERANCE_CM
