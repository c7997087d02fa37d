"""The referral screen and the safety questions as pages.

`GET /refer` shows why no guidance is given (the standing red flags, or the age rule), what to
do now and, for an emergency, a one-tap call link to the configured number; its quiet way back,
`/screening/again`, asks every question again (nothing is skipped), and `/screening/all-clear`
records a clinician's all-clear for flags that stand (`core.all_clear`). `refer_page` and
`answers_from` are shared by the session, routine and scan pages.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backpoints.app import begin
from backpoints.core import all_clear
from backpoints.core.redflags import QUESTIONS_BY_ID, questions_in_groups
from backpoints.i18n import gettext as _
from backpoints.web import words
from backpoints.web.pages.library import render, see_other
from backpoints.web.state import app_state

router = APIRouter(include_in_schema=False)

#: Sent with every referral page (see `refer_page`).
REFERRAL_HEADER = "X-Backpoints-Referral"


def question_groups() -> list[dict[str, Any]]:
    """The questions under their headings (emergency groups first), for `_questions.html`,
    in the page's language."""
    return [
        {"title": _(title), "questions": [{"id": q.id, "text": _(q.text)} for q in found]}
        for title, found in questions_in_groups()
    ]


def answers_from(form: FormData) -> tuple[dict[str, bool], int]:
    """The yes/no answers in a form, and how many questions were left unanswered."""
    answers = {q: form.get(q) == "yes" for q in QUESTIONS_BY_ID if form.get(q) in ("yes", "no")}
    return answers, len(QUESTIONS_BY_ID) - len(answers)


def refer_page(request: Request, referred: begin.Referred, status_code: int = 200) -> Response:
    """The calm referral: what to do now, the call link in an emergency, the way back."""
    said_yes = [QUESTIONS_BY_ID[f] for f in referred.standing]
    keys = dict.fromkeys(s for q in said_yes for s in q.sources)
    sources = words.sources(app_state(request).catalog, keys)
    response = render(
        request,
        "refer.html",
        status_code,
        urgency=referred.urgency,
        age=referred.age,
        message=_(referred.message) if referred.message else "",
        said_yes=[_(q.label) for q in said_yes],
        sources=sources,
        emergency_number=app_state(request).services.settings.emergency_number,
    )
    # the service worker drops the guidance pages it keeps for offline use (sw.js): a step
    # page kept from before would otherwise still open offline while the flag stands
    response.headers[REFERRAL_HEADER] = "1"
    return response


@router.get("/refer", response_class=HTMLResponse)
def refer(request: Request) -> Response:
    state = app_state(request)
    referred = begin.guard(state.services, state.person())
    if referred is None:
        return see_other("/")
    return refer_page(request, referred)


@router.get("/screening/again", response_class=HTMLResponse)
def ask_again(request: Request) -> Response:
    return _again_page(request)


def _again_page(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    return render(
        request, "screening_again.html", status_code, groups=question_groups(), error=error
    )


@router.post("/screening/again", response_class=HTMLResponse)
async def answer_again(request: Request) -> Response:
    state = app_state(request)
    answers, missing = answers_from(await request.form())
    if missing:
        error = _("Please answer every question ({n} not answered).").format(n=missing)
        return _again_page(request, error, 422)
    outcome = begin.answer(state.services, state.person(), answers)
    if isinstance(outcome, begin.Referred):
        return see_other("/refer")
    if isinstance(outcome, begin.AskScreening):  # not reached: every question was answered
        return _again_page(request, _("Please answer every question."), 422)
    return see_other("/")


@router.get("/screening/all-clear", response_class=HTMLResponse)
def all_clear_form(request: Request) -> Response:
    return _all_clear_page(request, {})


@router.post("/screening/all-clear", response_class=HTMLResponse)
async def record_all_clear(request: Request) -> Response:
    state = app_state(request)
    form = await request.form()
    flags = [str(f) for f in form.getlist("flag")]
    day, clinician = str(form.get("checked_on") or ""), str(form.get("clinician") or "")
    confirmed = form.get("confirmed") == "yes"
    try:
        referred = begin.record_all_clear(
            state.services,
            state.person(),
            flags,
            _day(day),
            clinician,
            confirmed=confirmed,
        )
    except all_clear.AllClearRefused as refused:
        given = {"flags": flags, "checked_on": day, "clinician": clinician, "confirmed": confirmed}
        return _all_clear_page(request, given, refused, 422)
    return see_other("/?cleared=1" if referred is None else "/refer?cleared=1")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise all_clear.AllClearRefused(
            "checked_on", _("Give the day of the check as a date, like 2026-11-30.")
        ) from None


def _all_clear_page(
    request: Request,
    given: dict[str, Any],
    refused: all_clear.AllClearRefused | None = None,
    status_code: int = 200,
) -> Response:
    """The form: the flags that stand (none: back to the start), the day, who, the promise."""
    state = app_state(request)
    referred = begin.guard(state.services, state.person())
    if referred is None or not referred.standing:
        return see_other("/refer" if referred is not None else "/")
    today = state.services.clock.now().date()
    return render(
        request,
        "all_clear.html",
        status_code,
        standing=[{"id": f, "label": _(QUESTIONS_BY_ID[f].label)} for f in referred.standing],
        chosen=given.get("flags", ()),
        checked_on=given.get("checked_on", ""),
        clinician=given.get("clinician", ""),
        confirmed=given.get("confirmed", False),
        earliest=(today - timedelta(days=all_clear.MAX_AGE_DAYS)).isoformat(),
        latest=(today + all_clear.GRACE).isoformat(),
        max_days=all_clear.MAX_AGE_DAYS,
        max_name=all_clear.MAX_CLINICIAN,
        error=str(refused) if refused else None,
        error_field=refused.field if refused else None,
    )
