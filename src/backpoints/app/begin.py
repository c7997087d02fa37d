"""One way to begin any guidance: ask the red-flag questions, refer, or start.

`begin` is the only use case that starts a guided session or a routine; the API, every page,
the terminal session and terminal routines call it. It stores the answers (a yes stands for
the person until that question is answered "no" again, `backpoints.store.flags_repo`), then
decides with the pure rule `backpoints.core.redflags.decide`. `guard` is the same rule without
new answers, for everything that would show guidance later (the next step of a session or a
routine, the scan's suggested points): while a flag stands, or under 16, nothing is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from backpoints.app import routine_service, service
from backpoints.app.routine_run import RoutineRun
from backpoints.app.service import Services
from backpoints.core import all_clear, guided, redflags
from backpoints.core.errors import BackpointsError
from backpoints.core.guided import SessionState
from backpoints.core.planner import PainEntry
from backpoints.core.redflags import Question, Urgency
from backpoints.core.screening import Profile
from backpoints.i18n import gettext as _
from backpoints.store import flags_repo, repo


@dataclass(frozen=True)
class ScreeningStatus:
    """What `GET /api/v1/screening` answers: the questions, the standing flags, and whether
    the questions should be asked now."""

    questions: tuple[Question, ...]
    standing: tuple[str, ...]
    due: bool


@dataclass(frozen=True)
class AskScreening:
    """Answer the questions first (`missing` are the unanswered ones)."""

    missing: tuple[str, ...]
    standing: tuple[str, ...]


@dataclass(frozen=True)
class Referred:
    """No guidance: see a clinician (urgency None: under 16). A referred session is stored
    (so the API can name it) when the person asked for a session."""

    urgency: Urgency | None
    standing: tuple[str, ...]
    message: str
    age: bool = False
    session_id: str | None = None
    session: SessionState | None = None


@dataclass(frozen=True)
class Started:
    """Guidance started: a session (`session`) or a routine run (`run`), stored under `id`."""

    id: str
    session: SessionState | None = None
    run: RoutineRun | None = None


Outcome = AskScreening | Referred | Started


def screening_status(
    services: Services, person: str, pain: Mapping[str, int] | None = None
) -> ScreeningStatus:
    """The questions, the flags standing for `person`, and whether to ask now for `pain`."""
    with services.conn() as db:
        standing, last = _state(db, person)
    due = redflags.due(standing, last, pain or {})
    return ScreeningStatus(redflags.QUESTION_LIST, standing, due)


def begin(
    services: Services,
    person: str,
    pain: Mapping[str, int],
    answers: Mapping[str, bool] | None = None,
    profile: Profile | None = None,
    *,
    flags: Iterable[str] = (),
    routine: str | None = None,
    stress_before: int | None = None,
) -> Outcome:
    """Ask, refer or start: a session for `pain`, or the routine `routine`.

    `answers` is the answer sheet ({question id: yes?}); `flags` are extra yes answers. A
    given `profile` is saved first. Answers are stored unless the outcome is to ask again.
    A session start reads, decides and stores in one transaction with one commit.
    """
    if routine is None and not any(i > 0 for i in pain.values()):
        raise service.NoPain("Mark at least one painful region (1-10) to start.")
    sheet = {**(answers or {}), **dict.fromkeys(flags, True)}
    redflags.check_flags(sheet)
    with services.conn() as db:
        if profile is not None:
            repo.save_profile(db, person, profile.model_dump(mode="json"))
        saved, standing_now = flags_repo.profile_and_standing(db, person)
        prof = profile or Profile.model_validate(saved)
        standing, last = _state(db, person, standing_now)
        asked_now = redflags.due(standing, last, pain)
        decision = redflags.decide(
            age=prof.age, standing=standing, answers=sheet, asked_now=asked_now
        )
        if isinstance(decision, redflags.Ask):
            db.commit()  # the profile given, if any
            return AskScreening(decision.missing, decision.standing)
        if sheet:
            _record(services, db, person, sheet, pain, decision)
        if isinstance(decision, redflags.Refer):
            referred = _referred(services, db, person, pain, prof, decision, store=routine is None)
            db.commit()
            return referred
        if routine is None:
            # nothing stands after these answers (else: referred above)
            session_id, state = service.start_in(services, db, person, pain, [], prof)
            db.commit()
            return Started(session_id, session=state)
        db.commit()
    run_id, run = routine_service.start(services, person, routine, (), stress_before)
    return Started(run_id, run=run)


def guard(services: Services, person: str) -> Referred | None:
    """The referral while a flag stands for `person` (or they are under 16), else None."""
    with services.conn() as db:
        return guard_in(db, person)


def guard_in(db: repo.Db, person: str) -> Referred | None:
    """`guard` on the caller's connection."""
    age, standing = flags_repo.age_and_standing(db, person)
    decision = redflags.decide(age=age, standing=standing, answers={}, asked_now=False)
    if isinstance(decision, redflags.Refer):
        return Referred(decision.urgency, decision.standing, decision.message, decision.age)
    return None


def rate(
    services: Services,
    person: str,
    session_id: str,
    point_id: str,
    side: str | None,
    pain_after: int,
) -> SessionState:
    """Rate the current step and move on, in one transaction; while a flag stands (or under
    16) nothing is stored and the session is shown as it stands, referred."""
    with services.conn() as db:
        referred = guard_in(db, person)
        if referred is not None:
            _, current = service.load_in(db, session_id, person)
            return as_referral(current, referred) if current.status == "active" else current
        return service.rate(services, session_id, point_id, side, pain_after, person, db=db)


def as_referral(state: SessionState, referred: Referred) -> SessionState:
    """How a session shows while a flag stands: referred, no step (it is not changed)."""
    return state.model_copy(
        update={
            "status": "refer",
            "current": None,
            "urgency": referred.urgency,
            "message": referred.message,
            "flags": referred.standing,
        }
    )


def _state(
    db: repo.Db, person: str, standing_read: list[str] | None = None
) -> tuple[tuple[str, ...], dict[str, int] | None]:
    """The flags standing for the person (unless just read), and the pain map of their last
    screening."""
    standing = tuple(
        flags_repo.standing_flags(db, person) if standing_read is None else standing_read
    )
    last = repo.last_screening(db, person)
    return redflags.check_flags(standing), (dict(last["pain"]) if last else None)


def _record(
    services: Services,
    db: repo.Db,
    person: str,
    sheet: Mapping[str, bool],
    pain: Mapping[str, int],
    decision: redflags.Decision,
) -> None:
    """Store the answers (standing flags) and the screening with its pain map (no commit)."""
    yes = [q for q in redflags.QUESTIONS if sheet.get(q)]
    urgency = decision.urgency if isinstance(decision, redflags.Refer) else None
    entry = {"flags": yes, "answers": dict(sheet), "pain": dict(pain), "urgency": urgency}
    now = services.clock.now()
    flags_repo.record_answers(db, person, sheet, now)
    repo.record_screening(db, person, entry, now)


def _referred(
    services: Services,
    db: repo.Db,
    person: str,
    pain: Mapping[str, int],
    prof: Profile,
    decision: redflags.Refer,
    *,
    store: bool,
) -> Referred:
    """The referral; stored as a referred session (no commit) when a session was asked for."""
    referred = Referred(decision.urgency, decision.standing, decision.message, decision.age)
    if not store:
        return referred
    painful = {r: i for r, i in pain.items() if i > 0}
    entries = [PainEntry(r, i) for r, i in painful.items()]
    state = guided.referral(
        decision.urgency, decision.message, decision.standing, prof, entries, services.clock.now()
    )
    session_id = service.insert_new(db, person, state, painful)
    return Referred(
        referred.urgency, referred.standing, referred.message, referred.age, session_id, state
    )


class ScreeningDue(BackpointsError):
    """The questions are due and some are not answered (the API's answer to "ask")."""

    field = "answers"

    def __init__(self, missing: Iterable[str]) -> None:
        missing = tuple(missing)
        super().__init__(
            _(
                "The safety questions are due (the first time, for a new or worse pain, or "
                "while a red flag stands): answer each one in `answers`; {n} not answered, "
                "first {first}. GET /api/v1/screening lists them."
            ).format(n=len(missing), first=repr(missing[0]))
        )
        self.missing = missing


def answer(
    services: Services, person: str, answers: Mapping[str, bool]
) -> AskScreening | Referred | None:
    """Store a full answer sheet without starting anything ("I answered by mistake - ask me
    again"): the referral if a flag still stands, `AskScreening` if some are unanswered."""
    redflags.check_flags(answers)
    with services.conn() as db:
        standing, last = _state(db, person)
        age = repo.load_profile(db, person).get("age")
        decision = redflags.decide(age=age, standing=standing, answers=answers, asked_now=True)
        if isinstance(decision, redflags.Ask):
            return AskScreening(decision.missing, decision.standing)
        _record(services, db, person, answers, last or {}, decision)
        db.commit()
    if isinstance(decision, redflags.Refer):
        return Referred(decision.urgency, decision.standing, decision.message, decision.age)
    return None


def flags_since(services: Services, person: str) -> dict[str, date]:
    """Each flag standing for `person`, and the day it was answered yes (what an all-clear
    must not predate)."""
    with services.conn() as db:
        return _flags_since(db, person)


def _flags_since(db: repo.Db, person: str) -> dict[str, date]:
    return {s.flag: s.answered_at.date() for s in flags_repo.standing(db, person)}


def record_all_clear(
    services: Services,
    person: str,
    flags: Iterable[str],
    checked_on: date | None,
    clinician: str = "",
    *,
    confirmed: bool,
) -> Referred | None:
    """Record a clinician's all-clear for some standing flags (`core.all_clear` checks it):
    they no longer stand. The referral if a flag (or the age rule) still stands, else None."""
    now = services.clock.now()
    with services.conn() as db:  # read, checked and stored in one transaction
        standing = _flags_since(db, person)
        clear = all_clear.check(
            standing, flags, checked_on, clinician, confirmed=confirmed, today=now.date()
        )
        flags_repo.record_all_clear(db, person, clear, now)
        db.commit()
    return guard(services, person)
