"""Pages and downloads for the PDF report, the printable points chart and the PEG check-in.

GET /report (choose a period), GET /report.pdf?from=&to= and GET /chart.pdf (downloads),
GET/POST /peg (the weekly check-in form and its history) and GET /peg.png (its chart).
Bad input re-renders the page with a message naming the field and status 422. The work is
done by `backpoints.report` (reportlab and matplotlib are imported there, per request).
"""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backpoints.i18n import gettext as _
from backpoints.report import diary, peg
from backpoints.web.pages.library import render, see_other
from backpoints.web.state import app_state

router = APIRouter(include_in_schema=False)


def _download(content: bytes, filename: str, media_type: str = "application/pdf") -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> Response:
    """Choose a period and download the report."""
    query = request.query_params
    return _report_page(request, query.get("from", ""), query.get("to", ""))


def _report_page(
    request: Request,
    start: str,
    end: str,
    error: diary.InvalidPeriod | None = None,
    status_code: int = 200,
) -> Response:
    message, field = (str(error), error.field) if error else (None, None)
    context = {"start": start, "end": end, "error": message, "error_field": field}
    return render(request, "report.html", status_code, **context)


@router.get("/report.pdf")
def report_pdf(request: Request) -> Response:
    """The clinician's report of the period in ?from=&to= (YYYY-MM-DD; empty: whole diary)."""
    from backpoints.report import pdf

    start, end = request.query_params.get("from", ""), request.query_params.get("to", "")
    out = io.BytesIO()
    try:
        first, last = diary.parse_day(start, "from"), diary.parse_day(end, "to")
        state = app_state(request)
        period = pdf.write_report(state.services, out, first, last, state.person())
    except diary.InvalidPeriod as exc:
        return _report_page(request, start, end, exc, 422)
    return _download(out.getvalue(), f"backpoints-report-{period.start}-to-{period.end}.pdf")


@router.get("/chart.pdf")
def chart_pdf(request: Request) -> Response:
    """The printable chart of the person's points, for a partner or carer."""
    from backpoints.app import begin
    from backpoints.report import pdf

    state = app_state(request)
    if begin.guard(state.services, state.person()) is not None:
        return see_other("/refer")  # no points chart while a red flag stands
    out = io.BytesIO()
    pdf.write_point_chart(state.services, out, state.person())
    return _download(out.getvalue(), "backpoints-points-chart.pdf")


@router.get("/peg", response_class=HTMLResponse)
def peg_page(request: Request) -> Response:
    return _peg_page(request)


def _peg_page(
    request: Request,
    given: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    state = app_state(request)
    checkins = peg.history(state.services, state.person())[::-1]
    items = [
        {"id": field, "label": _(label), "question": _(q), "low": _(low), "high": _(high)}
        for field, (label, q, low, high) in peg.ITEMS.items()
    ]
    context = {"items": items, "checkins": checkins, "given": given or {}, "error": error}
    return render(request, "peg.html", status_code, **context)


@router.post("/peg", response_class=HTMLResponse)
async def save_peg(request: Request) -> Response:
    form = await request.form()
    given = {field: str(form.get(field, "")) for field in peg.ITEMS}
    try:
        answers = peg.answers(**given)
    except peg.InvalidPegAnswer as exc:
        return _peg_page(request, given, str(exc), 422)
    state = app_state(request)
    peg.record(state.services, state.person(), answers)
    return see_other("/peg?saved=1")


@router.get("/peg.png")
def peg_png(request: Request) -> Response:
    """The PEG scores over time (an empty chart before the first check-in)."""
    from backpoints.report import charts

    state = app_state(request)
    rows = [
        (c.at, c.answers.pain, c.answers.enjoyment, c.answers.activity)
        for c in peg.history(state.services, state.person())
    ]
    headers = {"Cache-Control": "no-store"}
    return Response(charts.peg_scores(rows), media_type="image/png", headers=headers)
