"""Safe photo intake: a file's size and its header's pixel count are checked before anything
is decoded (a small PNG can claim 30000x30000 pixels), in the library, on the camera page and
in `locate-photo`; a busy camera answers 429 instead of queueing photos without bound."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backpoints.vision import photo
from backpoints.vision.errors import ImageTooLarge, UnreadableImage
from backpoints.vision.estimator import FakeEstimator
from tests.test_camera_page import camera_app, jpeg
from tests.test_vision_mediapipe import back_pose_for, back_scene, need_vision


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG whose header says width x height; its data is a few rows only
    (nothing past the header is ever decoded when the claim is refused)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (min(width, 4096) * 3 + 1) * 8, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


OVER_THE_LIMIT = [(30000, 30000), (60000, 60000), (6400, 6400), (40_000_001, 1), (1, 50_000_000)]


@pytest.mark.parametrize(("width", "height"), OVER_THE_LIMIT)
def test_a_header_over_the_pixel_limit_is_refused_before_decoding(width: int, height: int) -> None:
    need_vision(model=False)
    raw = png_claiming(width, height)
    assert len(raw) < 200_000
    with pytest.raises(ImageTooLarge, match="the most this app decodes is 40 megapixels"):
        photo.read_image(raw)


@pytest.mark.parametrize(("width", "height"), [(6000, 6000), (400, 300), (8000, 5000)])
def test_the_header_gives_the_size_under_the_limit(width: int, height: int) -> None:
    assert photo.image_size(png_claiming(width, height)) == (width, height)


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.jpg"
    with big.open("wb") as handle:
        handle.truncate(photo.MAX_PHOTO_BYTES + 1)  # sparse: no bytes are written or read
    with pytest.raises(ImageTooLarge, match=r"the largest this app reads is 26.2 MB"):
        photo.read_photo_bytes(big)
    with pytest.raises(ImageTooLarge):
        photo.read_photo_bytes(b"x" * 2048, max_bytes=1024)


@pytest.mark.parametrize("raw", [b"", b"GIF89a" + b"\x00" * 64, b"not an image", b"\x89PNG\r\n"])
def test_what_is_not_a_photo_is_unreadable(raw: bytes) -> None:
    need_vision(model=False)
    with pytest.raises(UnreadableImage, match="use a JPEG or PNG photo"):
        photo.read_image(raw)


MEASURE = """
import json, resource, struct, sys, time, tracemalloc, zlib
from backpoints.vision import photo
from backpoints.vision.errors import ImageTooLarge
from tests.test_photo_intake import png_claiming
raw = png_claiming(30000, 30000)
photo.image_size(png_claiming(10, 10))  # imports done before measuring
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
start = time.perf_counter()
try:
    photo.read_image(raw)
except ImageTooLarge:
    pass
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"bytes": len(raw), "seconds": seconds, "traced_peak": peak,
                  "rss_growth_kb": after - before, "rss_kb": after}))
"""


def test_the_30000_square_bomb_is_refused_fast_with_bounded_memory() -> None:
    """In a fresh process: time, Python peak (tracemalloc) and growth of the peak RSS."""
    need_vision(model=False)
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE], capture_output=True, text=True, check=True, cwd=root
    )
    figures = json.loads(done.stdout.splitlines()[-1])
    print("bomb refusal:", figures)  # noqa: T201 (the figures go in the report)
    assert figures["seconds"] < 0.5
    assert figures["traced_peak"] < 5_000_000
    assert figures["rss_growth_kb"] < 20_000


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    need_vision(model=False)
    with TestClient(camera_app(tmp_path, FakeEstimator(back_pose_for))) as c:
        yield c


def _post(client: TestClient, raw: bytes, name: str = "back.png") -> Any:
    return client.post("/camera/photo", files={"photo": (name, raw, "image/png")})


def test_the_camera_page_refuses_the_bomb_in_well_under_a_second(client: TestClient) -> None:
    start = time.perf_counter()
    answer = _post(client, png_claiming(30000, 30000))
    took = time.perf_counter() - start
    assert answer.status_code == 413
    assert "The photo says it has 900 megapixels" in answer.text
    assert "the most this app decodes is 40 megapixels" in answer.text
    assert 'role="alert"' in answer.text
    assert took < 1.0
    assert client.get("/camera").status_code == 200  # still serving


def test_the_camera_page_refuses_a_file_over_the_byte_limit(tmp_path: Path) -> None:
    need_vision(model=False)
    app = camera_app(tmp_path, FakeEstimator(back_pose_for), max_photo_bytes=4096)
    with TestClient(app) as client:
        answer = _post(client, png_claiming(100, 100) + b"\x00" * 8192)
    assert answer.status_code == 413
    assert "the largest this app reads is" in answer.text


def _taken(client: TestClient, slots: int) -> threading.BoundedSemaphore:
    """Take `slots` of the camera's slots, as photos being worked on would."""
    from backpoints.web.pages import camera

    _lock, gate = camera._gate(client.app.state)  # type: ignore[attr-defined]
    for _ in range(slots):
        assert gate.acquire(blocking=False)
    return gate


def test_a_busy_camera_answers_429_and_takes_photos_again_when_free(client: TestClient) -> None:
    from backpoints.web.pages.camera import CAMERA_SLOTS

    photo_bytes = jpeg(back_scene(), 720, 1280)
    gate = _taken(client, CAMERA_SLOTS)
    busy = client.post("/camera/photo", files={"photo": ("back.jpg", photo_bytes, "image/jpeg")})
    assert busy.status_code == 429
    assert "try again in a moment" in busy.text
    assert busy.headers["retry-after"] == "5"
    bomb = _post(client, png_claiming(30000, 30000))
    assert bomb.status_code == 413  # refused from its header, without waiting for a slot
    gate.release()  # one photo finished: one slot free
    done = client.post("/camera/photo", files={"photo": ("back.jpg", photo_bytes, "image/jpeg")})
    assert done.status_code == 200, done.text
    for _ in range(CAMERA_SLOTS - 1):
        gate.release()


def test_locate_photo_refuses_the_bomb_in_one_line(tmp_path: Path, run_cli: Any) -> None:
    need_vision(model=False)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(30000, 30000))
    start = time.perf_counter()
    result = run_cli("locate-photo", str(bomb))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "the most this app decodes is 40 megapixels" in result.stderr
    assert time.perf_counter() - start < 15  # the whole command, interpreter start included
