"""The photo pipeline with opencv, and mediapipe's real model on real photos a package ships.

No package ships a photo of a person's back, so the real model is tested on what is there:
scikit-image's astronaut and matplotlib's Grace Hopper (front views: refused, also when
mirrored), scikit-image's cameraman (side-on with his face showing: refused), photos and
noise with no person, and a blurred, tiny or unreadable image. A drawn back with landmarks
from the fake estimator runs the rest of the pipeline (body, points, overlay). These tests
need the vision extra and scikit-image's data files; they skip without them, and fail in CI
(`CI` set), where `make test` installs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from backpoints.catalog import Catalog
from backpoints.vision.errors import (
    BadStature,
    FacingCamera,
    ImageBlurred,
    ImageTooSmall,
    NoPerson,
    UnreadableImage,
    VisionUnavailable,
)
from backpoints.vision.estimator import FakeEstimator, MediapipeEstimator, require_vision
from backpoints.vision.geometry import Pose
from tests.test_vision_geometry import back_pose


def need_vision(*, model: bool = True) -> None:
    """Skip without the vision extra; in CI, fail instead (it must be installed there)."""
    try:
        require_vision(model=model)
    except VisionUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the vision extra is not installed; `make test` installs it: {exc}")
        pytest.skip(str(exc))


def shipped_photo(name: str) -> Path:
    """A photo from scikit-image's wheel (read as a file; skimage itself is not imported)."""
    try:
        path = Path(str(metadata.distribution("scikit-image").locate_file(f"skimage/data/{name}")))
    except metadata.PackageNotFoundError:
        path = Path("/nonexistent")
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail("scikit-image's sample photos are missing; `make test` installs them")
        pytest.skip("scikit-image's sample photos are not installed")
    return path


def back_scene(width: int = 720, height: int = 1280) -> Any:
    """A drawn back (no model finds a person in it) whose joints sit where `back_pose` says."""
    need_vision(model=False)
    import cv2
    import numpy as np

    rng = np.random.default_rng(1)
    img: Any = np.full((height, width, 3), (200, 205, 210), np.uint8)
    img = cv2.add(img, rng.integers(0, 25, (height, width, 3), dtype=np.uint8))
    skin, cx = (140, 170, 215), 360
    for s in (-1, 1):
        cv2.line(img, (cx + s * 120, 400), (cx + s * 150, 700), skin, 70, cv2.LINE_AA)
        cv2.line(img, (cx + s * 150, 700), (cx + s * 140, 950), skin, 55, cv2.LINE_AA)
    trunk = [(-150, 380), (150, 380), (120, 600), (110, 801), (-110, 801), (-120, 600)]
    cv2.fillPoly(img, [np.array([(cx + x, y) for x, y in trunk], np.int32)], skin, cv2.LINE_AA)
    cv2.rectangle(img, (cx - 45, 250), (cx + 45, 400), skin, -1)
    cv2.ellipse(img, (cx, 220), (80, 100), 0, 0, 360, (40, 50, 60), -1, cv2.LINE_AA)
    legs = np.array([(cx - 110, 781), (cx + 110, 781), (cx + 100, height), (cx - 100, height)])
    cv2.fillPoly(img, [legs.astype(np.int32)], (90, 60, 40), cv2.LINE_AA)
    return img


def back_pose_for(width: int, height: int) -> Pose:
    """`back_pose` for a `back_scene` of any size (it is drawn for 720x1280)."""
    pose = back_pose()
    sx, sy = width / 720, height / 1280
    marks = {k: type(v)(v.x * sx, v.y * sy, v.visibility) for k, v in pose.landmarks.items()}
    return Pose(width, height, marks)


@pytest.fixture(scope="module")
def model() -> Iterator[MediapipeEstimator]:
    need_vision()
    estimator = MediapipeEstimator()
    yield estimator
    estimator.close()


def _read(name: str) -> Any:
    import cv2

    return cv2.imread(str(shipped_photo(name)))


# ---- The real model on real photos ---------------------------------------------------


def test_the_astronaut_is_found_facing_the_camera_and_refused(
    model: MediapipeEstimator, catalog: Catalog
) -> None:
    from backpoints.vision import photo

    image = _read("astronaut.png")
    pose = model.estimate(image)
    assert pose is not None and (pose.width, pose.height) == (512, 512)
    for name in ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder"):
        assert pose.seen(name, 0.9), name
    # facing the camera, her right shoulder is on the viewer's left
    assert pose.landmarks["right_shoulder"].x < 256 < pose.landmarks["left_shoulder"].x
    assert 50 < pose.landmarks["nose"].y < pose.landmarks["left_shoulder"].y
    with pytest.raises(FacingCamera, match="turn|behind"):
        photo.locate_photo(image, model, list(catalog))


def test_grace_hopper_facing_the_camera_is_refused(model: MediapipeEstimator) -> None:
    """matplotlib (a dependency of backpoints) ships her portrait: a second front view."""
    import cv2

    from backpoints.vision import photo

    path = metadata.distribution("matplotlib").locate_file(
        "matplotlib/mpl-data/sample_data/grace_hopper.jpg"
    )
    image: Any = cv2.imread(str(path))
    assert image is not None, "matplotlib's sample photo"
    with pytest.raises(FacingCamera):
        photo.locate_photo(image, model, [])


def test_a_mirrored_front_view_is_still_a_front_view(model: MediapipeEstimator) -> None:
    from backpoints.vision import photo

    with pytest.raises(FacingCamera):
        photo.locate_photo(_read("astronaut.png")[:, ::-1].copy(), model, [])


def test_a_side_view_showing_the_face_is_refused(model: MediapipeEstimator) -> None:
    from backpoints.vision import photo

    with pytest.raises(FacingCamera):  # the cameraman, side-on behind his tripod
        photo.locate_photo(_read("camera.png"), model, [])


@pytest.mark.parametrize("name", ["coffee.png", "rocket.jpg", "motorcycle_left.png"])
def test_photos_without_a_person_say_so(model: MediapipeEstimator, name: str) -> None:
    from backpoints.vision import photo

    with pytest.raises(NoPerson, match="No person"):
        photo.locate_photo(_read(name), model, [])


def test_noise_has_no_person(model: MediapipeEstimator) -> None:
    import numpy as np

    from backpoints.vision import photo

    noise = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    with pytest.raises(NoPerson):
        photo.locate_photo(noise, model, [])


def test_landmarks_are_in_the_pixels_of_the_image_given(model: MediapipeEstimator) -> None:
    import numpy as np

    astronaut = _read("astronaut.png")
    canvas = np.full((720, 1280, 3), 90, np.uint8)
    canvas[100:612, 600:1112] = astronaut
    alone, placed = model.estimate(astronaut), model.estimate(canvas)
    assert alone is not None and placed is not None
    assert (placed.width, placed.height) == (1280, 720)
    # the face is well inside both pictures (the shoulders, cut by the photo's edge, move by
    # up to 50 px when the context around them changes)
    for name in ("nose", "left_eye", "right_eye"):
        a, b = alone.landmarks[name], placed.landmarks[name]
        assert (b.x - 600, b.y - 100) == pytest.approx((a.x, a.y), abs=6), name


def test_a_heavily_blurred_photo_is_refused_before_the_model(model: MediapipeEstimator) -> None:
    import cv2

    from backpoints.vision import photo

    blurred = cv2.GaussianBlur(_read("astronaut.png"), (0, 0), 4)
    counting = FakeEstimator(None)
    with pytest.raises(ImageBlurred, match="blurred"):
        photo.locate_photo(blurred, counting, [])
    assert counting.calls == 0
    lightly = cv2.GaussianBlur(_read("astronaut.png"), (0, 0), 1.5)
    with pytest.raises(FacingCamera):  # a little blur is fine: the model still sees her
        photo.locate_photo(lightly, model, [])


def test_a_blank_picture_is_refused_as_blurred_or_empty() -> None:
    need_vision(model=False)
    import numpy as np

    from backpoints.vision import photo

    with pytest.raises(ImageBlurred, match="almost no detail"):
        photo.locate_photo(np.full((480, 640, 3), 128, np.uint8), FakeEstimator(None), [])


def test_a_thumbnail_is_too_small() -> None:
    need_vision(model=False)
    import cv2

    from backpoints.vision import photo

    tiny = cv2.resize(_read("astronaut.png"), (150, 150))
    with pytest.raises(ImageTooSmall, match="150x150"):
        photo.locate_photo(tiny, FakeEstimator(None), [])


def test_a_file_that_is_not_an_image_is_unreadable(tmp_path: Path) -> None:
    need_vision(model=False)
    from backpoints.vision import photo

    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(UnreadableImage, match="JPEG or PNG"):
        photo.read_image(text)
    with pytest.raises(UnreadableImage, match="Cannot read"):
        photo.read_image(tmp_path / "missing.jpg")
    with pytest.raises(UnreadableImage):
        photo.read_image(b"")


def test_a_huge_photo_is_scaled_down_before_the_model() -> None:
    need_vision(model=False)
    import cv2

    from backpoints.vision import photo

    big = cv2.resize(back_scene(), (2160, 3840))
    ok, encoded = cv2.imencode(".jpg", big)
    assert ok
    image = photo.read_image(encoded.tobytes())
    assert image.shape[:2] == (photo.MAX_SIDE_PX, 1080)


# ---- The pipeline on a drawn back, landmarks from the fake ---------------------------


def test_a_drawn_back_gets_its_points_and_an_overlay(catalog: Catalog, tmp_path: Path) -> None:
    need_vision(model=False)
    import cv2
    import numpy as np

    from backpoints.vision import overlay, photo

    ok, encoded = cv2.imencode(".png", back_scene())
    fake = FakeEstimator(back_pose_for)
    result, labels = photo.locate_with_model(
        encoded.tobytes(), point_ids=["BL23", "GB21"], estimator=fake, stature_cm=170
    )
    assert fake.calls == 1
    data = result.to_json()
    assert {p["id"] for p in data["points"]} == {"BL23", "GB21"}
    bl23 = {p["side"]: p for p in data["points"] if p["id"] == "BL23"}
    assert bl23["right"]["x_px"] > 360 > bl23["left"]["x_px"]  # their right on the right
    assert 400 < bl23["left"]["y_px"] < 781  # between the shoulders and the hips
    png = overlay.overlay_bytes(result, labels)
    picture: Any = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape[0] == 1280 and picture.shape[1] > 720  # the photo and its key
    x, y = round(bl23["right"]["x_px"]), round(bl23["right"]["y_px"])
    drawn = picture[y, x].astype(int)
    photo_pixel = back_scene()[y, x].astype(int)
    assert abs(drawn - photo_pixel).sum() > 60  # the point's dot is drawn there
    (tmp_path / "overlay.png").write_bytes(png)


def test_a_height_out_of_range_is_refused() -> None:
    need_vision(model=False)
    from backpoints.vision import photo

    with pytest.raises(BadStature, match="between 100 and 250"):
        photo.locate_photo(back_scene(), FakeEstimator(back_pose_for), [], stature_cm=20)


def test_no_pose_at_all_is_no_person() -> None:
    from backpoints.vision import photo

    with pytest.raises(NoPerson):
        photo.locate_photo(back_scene(), FakeEstimator(None), [])


# ---- The command line ------------------------------------------------------------------

RUN_CLI = """
import sys
from backpoints.cli import main as cli
from backpoints.cli import vision as cli_vision
names = {c.name or c.callback.__name__.replace("_", "-") for c in cli.app.registered_commands}
if "locate-photo" not in names:
    cli_vision.register(cli.app)
sys.argv = ["backpoints", *sys.argv[1:]]
cli.main()
"""


def _cli(*args: str, hide: str = "") -> subprocess.CompletedProcess[str]:
    code = (f"import sys; sys.modules[{hide!r}] = None\n" if hide else "") + RUN_CLI
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_locate_photo_refuses_the_astronaut_in_one_line(tmp_path: Path) -> None:
    need_vision()
    out = tmp_path / "overlay.png"
    done = _cli("locate-photo", str(shipped_photo("astronaut.png")), "--out", str(out))
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: ") and "from the front" in line and "from behind" in line
    assert not out.exists()


def test_locate_photo_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    picture = tmp_path / "back.jpg"
    picture.write_bytes(b"\xff\xd8 not really")
    done = _cli("locate-photo", str(picture), hide="mediapipe")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        "pip install 'backpoints[vision]' && pip install --no-deps mediapipe==0.10.14" in lines[0]
    )


def test_locate_photo_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    need_vision(model=False)
    done = _cli("locate-photo", str(tmp_path / "nope.jpg"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: Cannot read {tmp_path / 'nope.jpg'}: No such file or directory."
    ]


FAKE_MODEL = """
from backpoints.vision import estimator
from tests.test_vision_mediapipe import back_pose_for
estimator.MediapipeEstimator = lambda: estimator.FakeEstimator(back_pose_for)
"""


def test_locate_photo_prints_json_and_writes_the_overlay(tmp_path: Path) -> None:
    """The command's output, with the model replaced by landmarks of the drawn back."""
    need_vision(model=False)
    import json

    import cv2

    picture, out = tmp_path / "back.png", tmp_path / "overlay.png"
    cv2.imwrite(str(picture), back_scene())
    args = ["locate-photo", str(picture), "--out", str(out), "--json", "--height", "168"]
    done = subprocess.run(
        [sys.executable, "-c", FAKE_MODEL + RUN_CLI, *args, "-p", "GV4"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["body"]["basis"] == "photo" and data["body"]["stature_cm"] == 168
    assert [(p["id"], p["side"], p["level"]) for p in data["points"]] == [("GV4", None, "L2")]
    assert out.read_bytes().startswith(b"\x89PNG")
    table = subprocess.run(
        [sys.executable, "-c", FAKE_MODEL + RUN_CLI, "locate-photo", str(picture), "-p", "GB21"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "COLUMNS": "120"},
    )
    assert table.returncode == 0, table.stderr
    assert "GB21" in table.stdout and "left" in table.stdout and "right" in table.stdout
    assert "scaled from shoulder width and average proportions" in table.stdout
