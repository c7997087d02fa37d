"""The red-flag answers that stand for a person: one row per question, the latest answer and
when it was given. A yes stands until the same question is answered "no" again, or a
clinician's all-clear is recorded (the answer becomes "no", with the day of the check and who
checked, until the question is answered again)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backpoints.store.models import Base


class RedFlagAnswer(Base):
    __tablename__ = "red_flag_answers"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    flag: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: True: the flag stands; False: answered "no" (it no longer stands).
    answer: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime]
    #: Cleared by a clinician's all-clear: the day of the check, and who checked ("" unknown).
    cleared_on: Mapped[date | None] = mapped_column(default=None)
    cleared_by: Mapped[str | None] = mapped_column(String(120), default=None)
