"""The PEG weekly check-in (krebs2009): three 0-10 items and their mean, stored per person.

Owns the questions, validation (`answers`, `parse_item`), the score, and storing and listing
check-ins through the store's repository (`save` and `checkins` take an open database session;
`record` and `history` take `Services` and use its clock). No web, CLI or plotting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy.orm import Session

from backpoints.core.errors import BackpointsError
from backpoints.core.records import PAIN_MAX, PAIN_MIN, parse_level
from backpoints.i18n import N_
from backpoints.store import repo

if TYPE_CHECKING:
    from backpoints.app.service import Services

#: The three PEG items (krebs2009), in order: field -> (short label, question, 0 and 10 anchors).
ITEMS: Final[dict[str, tuple[str, str, str, str]]] = {
    "pain": (
        N_("Average pain"),
        N_("What number best describes your pain on average in the past week?"),
        N_("no pain"),
        N_("pain as bad as you can imagine"),
    ),
    "enjoyment": (
        N_("Enjoyment of life"),
        N_(
            "What number best describes how, during the past week, pain has interfered with "
            "your enjoyment of life?"
        ),
        N_("does not interfere"),
        N_("completely interferes"),
    ),
    "activity": (
        N_("General activity"),
        N_(
            "What number best describes how, during the past week, pain has interfered with "
            "your general activity?"
        ),
        N_("does not interfere"),
        N_("completely interferes"),
    ),
}


class InvalidPegAnswer(BackpointsError, ValueError):
    """A PEG answer that is missing, not a whole number, or outside 0-10."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PegAnswers:
    """One check-in's three answers (each 0-10)."""

    pain: int
    enjoyment: int
    activity: int

    @property
    def score(self) -> float:
        """The PEG score: the mean of the three items (0-10), to one decimal."""
        return round((self.pain + self.enjoyment + self.activity) / 3, 1)


@dataclass(frozen=True)
class StoredPeg:
    """A stored check-in with the time it was given (UTC)."""

    at: datetime
    answers: PegAnswers

    @property
    def score(self) -> float:
        return self.answers.score


def parse_item(field: str, value: object) -> int:
    """One item's answer as an int 0-10 (from an int or the text of a form or prompt)."""
    label = ITEMS[field][0] if field in ITEMS else field
    message = f"{label} ({field}): give a whole number from 0 to 10."
    if isinstance(value, bool) or value is None:
        raise InvalidPegAnswer(field, message)
    if isinstance(value, str):
        level = parse_level(value)
        if level is None:
            raise InvalidPegAnswer(field, message)
        value = level
    if not isinstance(value, int) or not PAIN_MIN <= value <= PAIN_MAX:
        raise InvalidPegAnswer(field, message)
    return value


def answers(pain: object, enjoyment: object, activity: object) -> PegAnswers:
    """Validated answers; InvalidPegAnswer names the first bad field."""
    return PegAnswers(
        parse_item("pain", pain),
        parse_item("enjoyment", enjoyment),
        parse_item("activity", activity),
    )


def save(db: Session, person_id: str, given: PegAnswers, at: datetime) -> StoredPeg:
    """Store a check-in (committed before returning)."""
    repo.add_peg(db, person_id, at, vars(given))
    return StoredPeg(at, given)


def checkins(
    db: Session, person_id: str, start: date | None = None, end: date | None = None
) -> list[StoredPeg]:
    """The person's check-ins, oldest first, optionally within [start, end] (dates, UTC)."""
    since = None if start is None else day_start(start)
    before = None if end is None else day_start(end + timedelta(days=1))
    rows = repo.pegs_of(db, person_id, since, before)
    return [StoredPeg(at, PegAnswers(p, e, a)) for at, p, e, a in rows]


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of a day."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def record(services: Services, person_id: str, given: PegAnswers) -> StoredPeg:
    """Store a check-in now (by the services' clock)."""
    with services.db() as db:
        return save(db, person_id, given, services.clock.now())


def history(
    services: Services, person_id: str, start: date | None = None, end: date | None = None
) -> list[StoredPeg]:
    with services.db() as db:
        return checkins(db, person_id, start, end)
