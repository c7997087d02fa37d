""" "Find my points with the camera": live pose in the browser, and a photo upload.

GET /camera shows the page: a live video with the points drawn over the person's back
(`static/camera.js` runs @mediapipe/pose from the app's own static files, vendored by
`scripts/vendor-mediapipe.sh`) and a form that posts a photo to POST /camera/photo, which
runs `backpoints.vision` on the server and shows the overlay and the list of points. Without
the vision extra (or the vendored files) the page says how to install them. Each route only
translates; a refused photo re-renders the page with the reason (4xx), never a 500.

A photo's size is checked from its header before it waits for the model, and at most
`CAMERA_SLOTS` photos are in hand at once (one with the model, the others waiting); one more
is answered 429 "try again in a moment" instead of queueing without bound.
"""

from __future__ import annotations

import base64
import json
import threading
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from backpoints.core.errors import BackpointsError, RateLimited
from backpoints.i18n import gettext as _
from backpoints.vision.errors import INSTALL_HINT
from backpoints.vision.geometry import browser_recipe
from backpoints.web.errors import status_for
from backpoints.web.pages.library import render
from backpoints.web.state import app_state

if TYPE_CHECKING:
    from backpoints.catalog.models import Point
    from backpoints.vision.estimator import PoseEstimator
    from backpoints.vision.photo import PhotoResult, PointLabel

router = APIRouter(include_in_schema=False)

#: Where scripts/vendor-mediapipe.sh puts @mediapipe/pose, under the app's static files.
VENDOR_DIR: Final = "vendor/mediapipe-pose"
#: POST paths that take a photo (larger than a form): BodySizeLimit's `uploads`.
UPLOAD_PATHS: Final = frozenset({"/camera/photo"})
VENDOR_HINT: Final = "make vendor (runs scripts/vendor-mediapipe.sh; needs npm)"
#: Photos in hand at once per app: one with the model and one waiting for it.
CAMERA_SLOTS: Final = 2


class CameraBusy(RateLimited):
    """Every camera slot is taken: the photo is not queued (429)."""

    field = "photo"

    def __init__(self) -> None:
        super().__init__("The camera is busy with other photos; try again in a moment.")


def vendored() -> bool:
    """Whether the browser's pose files are in the static folder."""
    static = resources.files("backpoints.web").joinpath("static")
    return static.joinpath(VENDOR_DIR).joinpath("pose.js").is_file()


def _script_json(data: dict[str, Any]) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _points(request: Request, wanted: str) -> list[Point]:
    catalog = app_state(request).catalog
    ids = [i for i in wanted.replace(",", " ").split() if i]
    return [catalog.get(i) for i in ids] if ids else list(catalog)


@router.get("/camera", response_class=HTMLResponse)
def camera_page(request: Request, point: str = "") -> Response:
    """The camera page; `?point=BL23,GB21` shows only those points."""
    try:
        return _page(request, point=point)
    except BackpointsError as exc:
        return render(request, "message.html", 404, title=_("Unknown point"), message=str(exc))


def _page(
    request: Request,
    *,
    point: str = "",
    result: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
    height: str = "",
) -> Response:
    from backpoints.vision.estimator import vision_available

    profile = app_state(request).profile()
    points = _points(request, point)
    recipe = browser_recipe(points, profile.stature_cm, profile.sex)
    labels = {p.id: {"name": p.display_name, "tradition": p.tradition} for p in points}
    return render(
        request,
        "camera.html",
        status_code,
        recipe_json=_script_json({**recipe, "labels": labels, "vendor": f"/static/{VENDOR_DIR}/"}),
        live_ready=vendored(),
        photo_ready=vision_available(),
        install_hint=INSTALL_HINT,
        vendor_hint=VENDOR_HINT,
        point=point,
        height=height or (f"{profile.stature_cm:g}" if profile.stature_cm else ""),
        result=result,
        error=error,
    )


@router.post("/camera/photo", response_class=HTMLResponse)
async def camera_photo(request: Request) -> Response:
    """Locate the points on an uploaded photo; the page again with the overlay and list."""
    async with request.form() as form:  # closes the uploaded file's temporary copy
        upload, height, point = form.get("photo"), str(form.get("height") or ""), form.get("point")
        raw = await upload.read() if isinstance(upload, UploadFile) and upload.filename else b""
    wanted = str(point or "")
    if not raw:
        return _page(request, point=wanted, error="Choose a photo first.", status_code=422)
    try:
        stature = float(height) if height.strip() else None
    except ValueError:
        error = f"Height must be a number of centimetres, got {height!r}."
        return _page(request, point=wanted, error=error, status_code=422, height=height)
    try:
        points = _points(request, wanted)
        result = await run_in_threadpool(_locate, request, raw, points, stature)
    except BackpointsError as exc:
        status = status_for(exc)
        page = _page(request, point=wanted, error=str(exc), status_code=status, height=height)
        if status == 429:
            page.headers["Retry-After"] = "5"
        return page
    return _page(request, point=wanted, result=result, height=height)


def _locate(
    request: Request, raw: bytes, points: list[Point], stature: float | None
) -> dict[str, Any]:
    """Run the estimator (one per app, built on first use, one photo at a time)."""
    from backpoints.vision import overlay, photo

    state = request.app.state
    settings = app_state(request).services.settings
    photo.check_stature(stature)
    photo.image_size(photo.read_photo_bytes(raw, settings.max_photo_bytes))  # before any wait
    profile = app_state(request).profile()
    lock, slots = _gate(state)
    if not slots.acquire(blocking=False):
        raise CameraBusy()
    try:
        with lock:
            estimator = _estimator(state)
            found, labels = photo.locate_with_model(
                raw,
                point_ids=[p.id for p in points],
                stature_cm=stature,
                sex=profile.sex,
                estimator=estimator,
                max_bytes=settings.max_photo_bytes,
            )
    finally:
        slots.release()
    return _view(found, labels, overlay.overlay_bytes(found, labels, ".jpg", max_width=960))


_GATE_GUARD = threading.Lock()


def _gate(state: Any) -> tuple[threading.Lock, threading.BoundedSemaphore]:
    """The app's model lock and its `CAMERA_SLOTS` slots (made on first use)."""
    with _GATE_GUARD:
        if not hasattr(state, "camera_lock"):
            state.camera_lock = threading.Lock()
            state.camera_slots = threading.BoundedSemaphore(CAMERA_SLOTS)
        return state.camera_lock, state.camera_slots


def _estimator(state: Any) -> PoseEstimator:
    """The app's estimator: `app.state.camera_estimator` if set (tests), else mediapipe."""
    from backpoints.vision.estimator import MediapipeEstimator, require_vision

    if getattr(state, "camera_estimator", None) is None:
        require_vision()
        state.camera_estimator = MediapipeEstimator()
    estimator: PoseEstimator = state.camera_estimator
    return estimator


def _view(found: PhotoResult, labels: dict[str, PointLabel], jpeg: bytes) -> dict[str, Any]:
    from backpoints.vision.photo import summary

    data = found.to_json()
    numbers = {pid: n for n, pid in enumerate(dict.fromkeys(p["id"] for p in data["points"]), 1)}
    rows = [
        {**p, "n": numbers[p["id"]], "name": labels[p["id"]].name if p["id"] in labels else ""}
        for p in data["points"]
    ]
    return {
        "image": "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii"),
        "summary": summary(found, height_hint="your height"),
        "rows": rows,
        "body": data["body"],
    }
