"""Reads and writes of the standing red flags (table `red_flag_answers`).

`record_answers` stores the latest answer per question with when it was given (a yes stands,
a no clears); `standing` lists the flags that stand. Each writing function commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from backpoints.store.flag_models import RedFlagAnswer


@dataclass(frozen=True)
class StandingFlag:
    flag: str
    answered_at: datetime


def standing(db: Session, person_id: str) -> list[StandingFlag]:
    """The flags answered yes and not answered "no" since, oldest answer first."""
    rows = db.scalars(
        select(RedFlagAnswer)
        .where(RedFlagAnswer.person_id == person_id, RedFlagAnswer.answer.is_(True))
        .order_by(RedFlagAnswer.answered_at, RedFlagAnswer.flag)
    ).all()
    return [StandingFlag(r.flag, r.answered_at) for r in rows]


def standing_flags(db: Session | Connection, person_id: str) -> list[str]:
    """The ids of the flags that stand (works on an ORM session or a plain connection)."""
    query = select(RedFlagAnswer.flag).where(
        RedFlagAnswer.person_id == person_id, RedFlagAnswer.answer.is_(True)
    )
    return list(db.execute(query).scalars())


def record_answers(db: Session, person_id: str, answers: Mapping[str, bool], at: datetime) -> None:
    """Store each answer as the latest for its question (no commit for an empty sheet)."""
    if not answers:
        return
    rows = {
        r.flag: r
        for r in db.scalars(
            select(RedFlagAnswer).where(
                RedFlagAnswer.person_id == person_id, RedFlagAnswer.flag.in_(list(answers))
            )
        )
    }
    for flag, yes in answers.items():
        row = rows.get(flag)
        if row is None:
            db.add(RedFlagAnswer(person_id=person_id, flag=flag, answer=yes, answered_at=at))
        else:
            row.answer, row.answered_at = yes, at
    db.commit()
