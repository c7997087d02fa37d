"""Pages and downloads for exports (CSV, FHIR) and backup/restore.

"Your data" (`/data`) links the downloads and holds the restore form. Each route only
translates: it calls one function of `backpoints.report` and wraps the result as a download
or a page. A refused backup re-renders the page with the reason (422), never a 500. Every
download and restore is the caller's own: in server mode the backup holds only their diary
and a restore adds only to it (`_scope`); a personal install backs up the whole database.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from backpoints.core.errors import BackpointsError
from backpoints.i18n import gettext as _
from backpoints.report import backup, csv_export, fhir
from backpoints.web.pages.library import render, see_other
from backpoints.web.state import app_state

router = APIRouter(include_in_schema=False)


def _download(request: Request, body: str | bytes, media_type: str, stem: str) -> Response:
    """`body` as a file download named like backpoints-ratings-2026-01-05.csv."""
    day = app_state(request).services.clock.now().date().isoformat()
    suffix = ".csv" if media_type.startswith("text/csv") else ".json"
    disposition = f'attachment; filename="backpoints-{stem}-{day}{suffix}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, restored: str = "", skipped: str = "") -> Response:
    done = None
    if restored.isdigit() and skipped.isdigit():  # after a restore (POST, then redirect here)
        done = _("Backup restored: {added} new rows added, {skipped} already here.").format(
            added=int(restored), skipped=int(skipped)
        )
    return _page(request, done=done)


def _page(
    request: Request, done: str | None = None, error: str | None = None, status_code: int = 200
) -> Response:
    return render(request, "data.html", status_code, done=done, error=error)


@router.get("/export/ratings.csv")
def ratings_csv(request: Request) -> Response:
    state = app_state(request)
    text = csv_export.ratings_csv(state.services, state.person())
    return _download(request, text.encode("utf-8-sig"), "text/csv; charset=utf-8", "ratings")


@router.get("/export/fhir.json")
def fhir_bundle(request: Request) -> Response:
    state = app_state(request)
    bundle = fhir.to_json(fhir.diary_bundle(state.services, state.person()))
    return _download(request, bundle, "application/fhir+json", "fhir")


def _scope(request: Request) -> str | None:
    """Whose data a backup or restore is: the caller's (server mode), else the whole database."""
    state = app_state(request)
    return state.person() if state.services.settings.server_mode else None


@router.get("/backup.json")
def backup_file(request: Request) -> Response:
    data = backup.to_json(backup.backup_data(app_state(request).services, _scope(request)))
    return _download(request, data, "application/json", "backup")


@router.post("/restore", response_class=HTMLResponse)
async def restore(request: Request) -> Response:
    async with request.form() as form:  # closes the uploaded file's temporary copy
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _page(request, error=_("Choose a backup file first."), status_code=422)
        raw = await upload.read()
    try:
        services, scope = app_state(request).services, _scope(request)
        report = await run_in_threadpool(backup.restore_bytes, services, raw, scope)
    except BackpointsError as exc:
        return _page(request, error=str(exc), status_code=422)
    return see_other(f"/data?restored={report.inserted}&skipped={report.skipped}")
