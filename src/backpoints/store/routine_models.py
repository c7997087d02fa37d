"""Tables for routines and scans: each run of a routine (with stress before and after), the
routines people built themselves, and the tender spots they found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backpoints.store.models import Base


class RoutineRunRow(Base):
    __tablename__ = "routine_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    routine_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    stress_before: Mapped[int | None] = mapped_column(Integer)
    stress_after: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[dict[str, Any]]

    __table_args__ = (Index("ix_routine_runs_person_started", "person_id", "started_at"),)


class CustomRoutine(Base):
    __tablename__ = "custom_routines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    routine_id: Mapped[str] = mapped_column(String(64))
    routine: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("person_id", "routine_id", name="uq_custom_routines_person_routine"),
    )


class FoundSpot(Base):
    """A tender spot the person marked in a scan, with the catalogue points nearest it."""

    __tablename__ = "found_spots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(String(32))
    x_cm: Mapped[float]
    y_cm: Mapped[float]
    tenderness: Mapped[int]
    points: Mapped[dict[str, Any]]
    found_at: Mapped[datetime]

    __table_args__ = (Index("ix_found_spots_person_region", "person_id", "region"),)
