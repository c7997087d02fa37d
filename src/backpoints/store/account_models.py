"""Tables of server mode: accounts, log-in sessions, log-in throttles, therapist-client links
(with consent), home routines and the audit log of therapist reads.

An account's id is its person id, so all diary tables stay keyed by person; deleting the
person deletes everything (foreign keys cascade).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backpoints.store.models import Base

PERSON_FK = "people.id"


def _person(nullable: bool = False) -> Mapped[Any]:
    return mapped_column(ForeignKey(PERSON_FK, ondelete="CASCADE"), nullable=nullable, index=True)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(ForeignKey(PERSON_FK, ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class LoginSession(Base):
    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = _person()
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LoginThrottle(Base):
    """Attempts counted for one key (an e-mail and address pair, an address, registrations
    from an address) in the window ending at `window_end`; `strikes` is how many windows in
    a row reached the limit (each makes the next one longer). Shared by every process."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    attempts: Mapped[int]
    strikes: Mapped[int]
    window_end: Mapped[datetime]


class CareLink(Base):
    """A therapist's invitation to a client, accepted (consent) or revoked by the client."""

    __tablename__ = "care_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    therapist_id: Mapped[str] = _person()
    client_id: Mapped[str | None] = _person(nullable=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Routine(Base):
    """A home routine a therapist assigned to a client: points, technique, how often."""

    __tablename__ = "routines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    therapist_id: Mapped[str] = _person()
    client_id: Mapped[str] = _person()
    plan: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    active: Mapped[bool]


class AuditEntry(Base):
    """One read or change of a client's data by a therapist; the client can see them all."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = _person()
    therapist_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_audit_client_at", "client_id", "at"),)
