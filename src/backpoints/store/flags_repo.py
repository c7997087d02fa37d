"""Reads and writes of the standing red flags (table `red_flag_answers`).

`record_answers` stores the latest answer per question with when it was given (a yes stands,
a no clears); `standing_flags` lists the flags that stand; `record_all_clear` clears flags on
a clinician's all-clear and keeps it in the person's audit log. Writes belong to the caller's
transaction: the session start stores its answers, screening and session in one commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backpoints.core.all_clear import AllClear
from backpoints.core.redflags import QUESTIONS_BY_ID
from backpoints.store.account_models import AuditEntry
from backpoints.store.flag_models import RedFlagAnswer
from backpoints.store.models import Person

_ANSWERS = cast(Table, RedFlagAnswer.__table__)
_STANDING = select(_ANSWERS.c.flag).where(
    _ANSWERS.c.person_id == bindparam("pid"), _ANSWERS.c.answer.is_(True)
)


_PEOPLE = cast(Table, Person.__table__)
_AGE_AND_STANDING = (
    select(_PEOPLE.c.profile, _ANSWERS.c.flag)
    .select_from(
        _PEOPLE.outerjoin(
            _ANSWERS, and_(_ANSWERS.c.person_id == _PEOPLE.c.id, _ANSWERS.c.answer.is_(True))
        )
    )
    .where(_PEOPLE.c.id == bindparam("pid"))
)


@dataclass(frozen=True)
class StandingFlag:
    flag: str
    answered_at: datetime


_STANDING_SINCE = (
    select(_ANSWERS.c.flag, _ANSWERS.c.answered_at)
    .where(_ANSWERS.c.person_id == bindparam("pid"), _ANSWERS.c.answer.is_(True))
    .order_by(_ANSWERS.c.answered_at, _ANSWERS.c.flag)
)


def standing(db: Session | Connection, person_id: str) -> list[StandingFlag]:
    """The flags answered yes and not answered "no" since, with when, oldest answer first."""
    rows = db.execute(_STANDING_SINCE, {"pid": person_id}).all()
    return [StandingFlag(r.flag, r.answered_at) for r in rows]


@dataclass(frozen=True)
class ClearedFlag:
    """A flag a clinician's all-clear lifted: the day of the check, who checked ("" unsaid),
    and when it was recorded."""

    flag: str
    checked_on: date
    clinician: str
    recorded_at: datetime


def all_clears(db: Session | Connection, person_id: str) -> list[ClearedFlag]:
    """The flags lifted by a clinician's all-clear and not answered since, oldest first."""
    rows = db.execute(
        select(
            _ANSWERS.c.flag, _ANSWERS.c.cleared_on, _ANSWERS.c.cleared_by, _ANSWERS.c.answered_at
        )
        .where(_ANSWERS.c.person_id == person_id, _ANSWERS.c.cleared_on.is_not(None))
        .order_by(_ANSWERS.c.answered_at, _ANSWERS.c.flag)
    ).all()
    return [ClearedFlag(r.flag, r.cleared_on, r.cleared_by or "", r.answered_at) for r in rows]


def standing_flags(db: Session | Connection, person_id: str) -> list[str]:
    """The ids of the flags that stand (works on an ORM session or a plain connection)."""
    return list(db.execute(_STANDING, {"pid": person_id}).scalars())


def profile_and_standing(
    db: Session | Connection, person_id: str
) -> tuple[dict[str, Any], list[str]]:
    """The person's saved profile and the flags standing for them, in one statement."""
    rows = db.execute(_AGE_AND_STANDING, {"pid": person_id}).all()
    profile = (rows[0][0] if rows else None) or {}
    return dict(profile), [flag for _, flag in rows if flag is not None]


def age_and_standing(db: Session | Connection, person_id: str) -> tuple[int | None, list[str]]:
    """The person's age (from the profile) and the flags standing: what the guard before
    every step reads."""
    profile, standing = profile_and_standing(db, person_id)
    return profile.get("age"), standing


def _upsert(insert_of: Any) -> Any:
    new = insert_of(_ANSWERS)
    return new.on_conflict_do_update(
        index_elements=[_ANSWERS.c.person_id, _ANSWERS.c.flag],
        # a new answer replaces the last one, and any all-clear recorded with it
        set_={
            "answer": new.excluded.answer,
            "answered_at": new.excluded.answered_at,
            "cleared_on": new.excluded.cleared_on,
            "cleared_by": new.excluded.cleared_by,
        },
    )


_RECORD = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


def record_answers(
    db: Session | Connection,
    person_id: str,
    answers: Mapping[str, bool],
    at: datetime,
    cleared: Mapping[str, Any] | None = None,
) -> None:
    """Store each answer as the latest for its question, in one statement (no commit: the
    caller's transaction); `cleared`: the all-clear (day, who) these answers record, if any."""
    if not answers:
        return
    dialect = db.dialect if isinstance(db, Connection) else db.get_bind().dialect
    extra = {"cleared_on": None, "cleared_by": None, **(cleared or {})}
    rows = [
        {"person_id": person_id, "flag": flag, "answer": yes, "answered_at": at, **extra}
        for flag, yes in answers.items()
    ]
    db.execute(_RECORD[dialect.name], rows)


_AUDIT = cast(Table, AuditEntry.__table__)


def record_all_clear(db: Connection, person_id: str, clear: AllClear, at: datetime) -> None:
    """Clear `clear.flags` as of `at` and note the all-clear (day, who, flags) in the person's
    own audit log, in the caller's transaction."""
    cleared = {"cleared_on": clear.checked_on, "cleared_by": clear.clinician}
    record_answers(db, person_id, dict.fromkeys(clear.flags, False), at, cleared)
    labels = ", ".join(QUESTIONS_BY_ID[f].label for f in clear.flags)
    by = f" by {clear.clinician}" if clear.clinician else ""
    action = f"recorded a clinician's all-clear (checked on {clear.checked_on}{by}) for: {labels}"
    if len(action) > 200:
        action = action[:197] + "..."
    db.execute(
        _AUDIT.insert(),
        {"client_id": person_id, "therapist_id": person_id, "action": action, "at": at},
    )
