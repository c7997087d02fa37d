"""The referral screen and the safety questions as pages.

`GET /refer` shows why no guidance is given (the standing red flags, or the age rule), what to
do now and, for an emergency, a one-tap call link to the configured number; its quiet way back,
`/screening/again`, asks every question again (nothing is skipped). `refer_page` and
`answers_from` are shared by the session, routine and scan pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from backpoints.app import begin
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
