"""Tables of the diary: people, screenings, sessions (state as JSON), ratings, their tallies.

Ratings are rows of their own (not only inside the session JSON) so history, insights,
learning and exports read them with plain queries. Imports SQLAlchemy only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime}


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Screening(Base):
    __tablename__ = "screenings"
    __table_args__ = (Index("ix_screenings_person_at", "person_id", "at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    answers: Mapped[dict[str, Any]]


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[dict[str, Any]]

    __table_args__ = (Index("ix_sessions_person_started", "person_id", "started_at"),)


class RatingRow(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    n: Mapped[int]
    region: Mapped[str] = mapped_column(String(32))
    point_id: Mapped[str] = mapped_column(String(64))
    side: Mapped[str | None] = mapped_column(String(8))
    pain_before: Mapped[int]
    pain_after: Mapped[int]
    relieved: Mapped[bool] = mapped_column(Boolean)
    rated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("session_id", "n", name="uq_ratings_session_step"),)


class PainEntry(Base):
    """One region's pain at the start of a session (the pain map, row by row)."""

    __tablename__ = "pain_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    region: Mapped[str] = mapped_column(String(32))
    intensity: Mapped[int]
    recorded_at: Mapped[datetime]


class StepRow(Base):
    """A point shown in a session (rated or not: skipped points are steps without a rating)."""

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    n: Mapped[int]
    region: Mapped[str] = mapped_column(String(32))
    point_id: Mapped[str] = mapped_column(String(64))
    side: Mapped[str | None] = mapped_column(String(8))
    shown_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("session_id", "n", name="uq_steps_session_n"),)


class PegCheckin(Base):
    """A weekly PEG check-in (krebs2009): three 0-10 items; the score is their mean."""

    __tablename__ = "peg_checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    #: Average pain in the past week, 0-10.
    pain: Mapped[int]
    #: How much pain interfered with enjoyment of life, 0-10.
    enjoyment: Mapped[int]
    #: How much pain interfered with general activity, 0-10.
    activity: Mapped[int]

    __table_args__ = (Index("ix_peg_checkins_person_at", "person_id", "at"),)


class PointTally(Base):
    """How often a point relieved a region for a person: kept up to date with each rating
    (in the rating's transaction), so learning reads a handful of rows, not the whole diary."""

    __tablename__ = "point_tallies"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    point_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    helped: Mapped[int]
    tried: Mapped[int]
