"""From landmarks to points on the picture, with synthetic landmarks (no model, no opencv).

A `back_pose` is what a pose model would report for an upright adult photographed from
behind, 240 px between the shoulders; tests move, tilt, scale and hide its landmarks.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpoints.catalog import Catalog
from backpoints.core.anatomy import UNCERTAINTY, Body, body_from_stature, locate
from backpoints.vision.errors import BodyCropped, FacingCamera, ImageTooSmall, UnusablePose
from backpoints.vision.geometry import (
    C7_ABOVE_SHOULDERS,
    LANDMARK_INDEX,
    PSIS_ALONG_C7_HIP,
    Landmark,
    Pose,
    back_frame,
    browser_recipe,
    check_back_view,
    facing_camera,
    linear_coefficients,
    place_points,
)

CENTRE = (360.0, 600.0)


def back_pose(
    *,
    tilt_deg: float = 0.0,
    scale: float = 1.0,
    face: float = 0.1,
    swap_labels: bool = False,
    hidden: tuple[str, ...] = (),
    shoulder_half: float = 120.0,
    size: tuple[int, int] = (720, 1280),
) -> Pose:
    """An upright back (person's right on the viewer's right), optionally rotated about CENTRE
    by `tilt_deg` (clockwise on screen) and scaled about it."""
    cx = 360.0
    plain = {
        "nose": (cx, 230.0, face),
        "left_eye": (cx - 20, 210.0, face),
        "right_eye": (cx + 20, 210.0, face),
        # seen from behind, the person's left shoulder is on the viewer's left
        "left_shoulder": (cx - shoulder_half, 400.0, 0.99),
        "right_shoulder": (cx + shoulder_half, 400.0, 0.99),
        "left_hip": (cx - 60, 781.0, 0.95),
        "right_hip": (cx + 60, 781.0, 0.95),
    }
    if swap_labels:
        for a, b in (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")):
            plain[a], plain[b] = plain[b], plain[a]
    angle = math.radians(tilt_deg)
    marks = {}
    for name, (x, y, vis) in plain.items():
        dx, dy = (x - CENTRE[0]) * scale, (y - CENTRE[1]) * scale
        rx = CENTRE[0] + dx * math.cos(angle) - dy * math.sin(angle)
        ry = CENTRE[1] + dx * math.sin(angle) + dy * math.cos(angle)
        marks[name] = Landmark(rx, ry, 0.05 if name in hidden else vis)
    width, height = size
    return Pose(round(width * max(1.0, scale)), round(height * max(1.0, scale)), marks)


def test_back_view_puts_the_persons_right_on_the_viewers_right(catalog: Catalog) -> None:
    frame = back_frame(back_pose())
    placed = place_points(frame, [catalog.get("BL23")])
    right = next(p for p in placed if p.position.side == "right")
    left = next(p for p in placed if p.position.side == "left")
    assert right.position.x_cm > 0 and right.px > frame.c7[0] > left.px
    assert right.py == pytest.approx(left.py)


def test_c7_sits_above_the_shoulders_and_psis_above_the_hips() -> None:
    frame = back_frame(back_pose())
    assert frame.c7 == pytest.approx((360.0, 400.0 - C7_ABOVE_SHOULDERS * 240))
    psis_y = frame.to_image(0, frame.body.c7_psis_cm)[1]
    assert psis_y == pytest.approx(frame.c7[1] + PSIS_ALONG_C7_HIP * (781.0 - frame.c7[1]))
    assert psis_y < 781.0  # the hip landmarks are the hip joints, below the iliac crest
    # about 9 cm above the hip joints on an average body
    assert (781.0 - psis_y) / frame.px_per_cm == pytest.approx(9, abs=1.5)


def test_an_average_back_gets_average_proportions() -> None:
    body = back_frame(back_pose()).body
    assert body.basis == "photo"
    assert 45 < body.c7_psis_cm < 57  # ernst2013: 50.9 cm on average
    assert body.acromion_half_width_cm == pytest.approx((41.6 + 36.5) / 4, rel=0.03)


def test_a_clear_face_from_behind_is_still_a_back() -> None:
    """The pose model reports nose and eyes at 0.99 on people seen from behind: not a front."""
    assert not facing_camera(back_pose(face=0.99))
    check_back_view(back_pose(face=0.99))


@pytest.mark.parametrize("face", [0.1, 0.99])
def test_the_models_left_shoulder_on_the_viewers_right_is_a_front_view(face: float) -> None:
    with pytest.raises(FacingCamera, match="from the front"):
        check_back_view(back_pose(face=face, swap_labels=True))


@settings(max_examples=60)
@given(
    tilt=st.floats(min_value=-40, max_value=40),
    scale=st.floats(min_value=0.5, max_value=2.0),
    face=st.floats(min_value=0, max_value=1),
)
def test_shoulder_order_across_the_trunk_tells_back_from_front(
    tilt: float, scale: float, face: float
) -> None:
    assert not facing_camera(back_pose(tilt_deg=tilt, scale=scale, face=face))
    assert facing_camera(back_pose(tilt_deg=tilt, scale=scale, face=face, swap_labels=True))


def test_a_three_quarter_view_is_refused_on_the_shoulders_spread_across_the_trunk() -> None:
    """Turned 50 degrees, the shoulders still lie far apart in a straight line (one above the
    other in depth is not seen), but their spread across the trunk shrinks to cos 50."""
    pose = back_pose()
    marks = dict(pose.landmarks)
    half = 120 * math.cos(math.radians(50))
    marks["left_shoulder"] = Landmark(360 - half, 340.0, 0.99)
    marks["right_shoulder"] = Landmark(360 + half, 460.0, 0.99)
    with pytest.raises(UnusablePose, match="side-on"):
        back_frame(Pose(pose.width, pose.height, marks))


@pytest.mark.parametrize("stretch", [0.7, 1.3])
def test_a_back_far_from_its_statures_proportions_is_refused(stretch: float) -> None:
    """With a known height, a C7-PSIS length 30% off the prediction is refused, not measured."""
    pose = back_pose()
    marks = dict(pose.landmarks)
    for hip in ("left_hip", "right_hip"):
        mark = marks[hip]
        marks[hip] = Landmark(mark.x, 400 + (mark.y - 400) * stretch, mark.visibility)
    with pytest.raises(UnusablePose):
        back_frame(Pose(pose.width, pose.height, marks), stature_cm=170.0)


def test_an_average_back_with_its_stature_is_plausible() -> None:
    for stature in (155.0, 170.0, 190.0):
        body = back_frame(back_pose(), stature_cm=stature).body
        expected = body_from_stature(stature).c7_psis_cm
        assert 0.8 < body.c7_psis_cm / expected < 1.2


@pytest.mark.parametrize(
    ("hidden", "named"),
    [
        (("left_hip", "right_hip"), "hidden: the left hip, the right hip."),
        (("right_shoulder",), "hidden: the right shoulder."),
    ],
)
def test_hidden_shoulders_or_hips_mean_a_cropped_body(hidden: tuple[str, ...], named: str) -> None:
    with pytest.raises(BodyCropped, match=named) as refused:
        check_back_view(back_pose(hidden=hidden))
    shown = {"left_shoulder", "right_shoulder", "left_hip", "right_hip"} - set(hidden)
    assert not any(part.replace("_", " ") in str(refused.value) for part in shown)


def test_a_cropped_body_is_named_in_the_language_in_force() -> None:
    from backpoints import i18n

    with i18n.language("es"), pytest.raises(BodyCropped) as refused:
        check_back_view(back_pose(hidden=("left_hip",)))
    assert "la cadera izquierda" in str(refused.value)
    assert "hip" not in str(refused.value)


def test_hips_below_the_bottom_edge_mean_a_cropped_body() -> None:
    pose = back_pose(size=(720, 700))  # hips at y=781, outside a 700 px tall picture
    with pytest.raises(BodyCropped, match="hip"):
        check_back_view(pose)


def test_missing_landmarks_are_cropped_not_a_crash() -> None:
    pose = back_pose()
    marks = {k: v for k, v in pose.landmarks.items() if "hip" not in k}
    with pytest.raises(BodyCropped, match="hip"):
        check_back_view(Pose(pose.width, pose.height, marks))


@settings(max_examples=40, deadline=None)
@given(tilt=st.floats(-40, 40))
def test_a_tilted_photo_turns_the_points_with_the_body(catalog: Catalog, tilt: float) -> None:
    points = [catalog.get(i) for i in ("GV14", "BL23", "GB21", "GB30")]
    upright = place_points(back_frame(back_pose()), points)
    tilted_frame = back_frame(back_pose(tilt_deg=tilt))
    tilted = place_points(tilted_frame, points)
    a = math.radians(tilt)
    for u, t in zip(upright, tilted, strict=True):
        dx, dy = u.px - CENTRE[0], u.py - CENTRE[1]
        expected = (
            CENTRE[0] + dx * math.cos(a) - dy * math.sin(a),
            CENTRE[1] + dx * math.sin(a) + dy * math.cos(a),
        )
        assert (t.px, t.py) == pytest.approx(expected, abs=1e-6)
        assert (t.position.x_cm, t.position.y_cm) == pytest.approx(
            (u.position.x_cm, u.position.y_cm)
        )
    assert tilted_frame.tilt_deg == pytest.approx(tilt, abs=1e-6)


@pytest.mark.parametrize("tilt", [60.0, -60.0, 180.0])
def test_a_back_lying_sideways_or_upside_down_is_refused(tilt: float) -> None:
    with pytest.raises(UnusablePose, match="upright"):
        back_frame(back_pose(tilt_deg=tilt))


def test_narrow_shoulders_for_the_trunk_mean_side_on() -> None:
    with pytest.raises(UnusablePose, match="side-on"):
        back_frame(back_pose(shoulder_half=50))


def test_a_person_far_away_is_too_small() -> None:
    with pytest.raises(ImageTooSmall, match="come closer"):
        back_frame(back_pose(scale=0.15))


@pytest.mark.parametrize("stature", [None, 180.0])
def test_the_same_back_twice_as_large_in_pixels_gives_the_same_cm(
    catalog: Catalog, stature: float | None
) -> None:
    points = [catalog.get("BL23"), catalog.get("GB30")]
    small = back_frame(back_pose(), stature)
    large = back_frame(back_pose(scale=2.0), stature)
    assert large.px_per_cm == pytest.approx(2 * small.px_per_cm)
    for a, b in zip(place_points(small, points), place_points(large, points), strict=True):
        assert b.position == a.position
        assert b.radius_px == pytest.approx(2 * a.radius_px)


def test_a_known_stature_sets_the_cun_and_narrows_the_uncertainty(catalog: Catalog) -> None:
    bl23 = [catalog.get("BL23")]
    guessed = back_frame(back_pose())
    known = back_frame(back_pose(), stature_cm=190.0, sex="male")
    assert known.body.cun_cm == pytest.approx(190 / 75)
    assert known.body.stature_cm == 190.0 and guessed.body.stature_cm is None
    assert known.px_per_cm < guessed.px_per_cm  # a tall man: more cm in the same pixels
    for g, k in zip(place_points(guessed, bl23), place_points(known, bl23), strict=True):
        assert k.position.uncertainty_cm < g.position.uncertainty_cm
        base, per_cm = UNCERTAINTY["photo"]
        assert k.position.uncertainty_cm > base + per_cm * abs(k.position.y_cm) - 0.01


def test_the_sex_sets_the_expected_shoulder_width_without_a_stature() -> None:
    woman = back_frame(back_pose(), sex="female")
    man = back_frame(back_pose(), sex="male")
    assert woman.body.acromion_half_width_cm == pytest.approx(36.5 / 2, rel=1e-6)
    assert man.body.acromion_half_width_cm == pytest.approx(41.6 / 2, rel=1e-6)
    assert woman.body.c7_psis_cm < man.body.c7_psis_cm


@settings(max_examples=30, deadline=None)
@given(
    p=st.floats(30, 70),
    c=st.floats(1.5, 3.5),
    a=st.floats(14, 25),
    sex=st.sampled_from([None, "female", "male"]),
)
def test_the_browsers_linear_recipe_reproduces_locate(
    catalog: Catalog, p: float, c: float, a: float, sex: None | str
) -> None:
    body = Body(p, c, a, "photo", sex)  # type: ignore[arg-type]
    for point in catalog:
        rows = linear_coefficients(point, body.sex)
        positions = locate(point, body)
        assert len(rows) == len(positions)
        for row, pos in zip(rows, positions, strict=True):
            x = sum(k * v for k, v in zip(row["x"], (p, c, a), strict=True))  # type: ignore[call-overload]
            y = sum(k * v for k, v in zip(row["y"], (p, c, a), strict=True))  # type: ignore[call-overload]
            assert (row["id"], row["side"]) == (pos.point_id, pos.side)
            assert (x, y) == pytest.approx((pos.x_cm, pos.y_cm), abs=1e-3)


def test_the_browser_recipe_carries_the_same_constants(catalog: Catalog) -> None:
    recipe = browser_recipe(catalog, None, None)
    assert recipe["landmarks"] == LANDMARK_INDEX
    assert recipe["c7AboveShoulders"] == C7_ABOVE_SHOULDERS
    assert recipe["psisAlongC7Hip"] == PSIS_ALONG_C7_HIP
    rows: list[object] = recipe["points"]  # type: ignore[assignment]
    assert len(rows) == sum(len(locate(p, back_frame(back_pose()).body)) for p in catalog)


def test_importing_the_vision_package_loads_no_image_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, backpoints.vision, backpoints.cli.vision, backpoints.web.pages.camera; "
        "print(sorted(m for m in ('numpy', 'cv2', 'mediapipe') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
