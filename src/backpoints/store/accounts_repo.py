"""Reads and writes of server-mode tables: accounts, log-ins, care links, routines, audit.

Plain data in and out; each writing function commits. Secrets are stored only as hashes.
Throttles (`take_attempt`) are one conditional UPDATE each, so processes sharing the
database never let more than the limit through (PostgreSQL re-checks the condition on the
locked row; SQLite runs one writer at a time), with windows that grow while the limit keeps
being reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, delete, func, literal, select, update
from sqlalchemy.orm import Session

from backpoints.store.account_models import (
    Account,
    AuditEntry,
    CareLink,
    LoginSession,
    LoginThrottle,
    Routine,
)
from backpoints.store.models import Person


@dataclass(frozen=True)
class AccountInfo:
    id: str
    email: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class Login:
    account_id: str
    role: str
    email: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Link:
    id: str
    therapist_id: str
    therapist_email: str
    client_id: str | None
    client_email: str | None
    status: str
    created_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


def create_account(
    db: Session, person_id: str, email: str, password_hash: str, role: str, now: datetime
) -> None:
    db.add(Person(id=person_id, created_at=now, profile={}))
    db.flush()
    db.add(
        Account(id=person_id, email=email, password_hash=password_hash, role=role, created_at=now)
    )
    db.commit()


def account_by_email(db: Session, email: str) -> AccountInfo | None:
    row = db.scalars(select(Account).where(Account.email == email)).first()
    return None if row is None else AccountInfo(row.id, row.email, row.role, row.password_hash)


def account_by_id(db: Session, account_id: str) -> AccountInfo | None:
    row = db.get(Account, account_id)
    return None if row is None else AccountInfo(row.id, row.email, row.role, row.password_hash)


def set_password_hash(db: Session, account_id: str, password_hash: str) -> None:
    db.execute(update(Account).where(Account.id == account_id).values(password_hash=password_hash))
    db.commit()


def delete_person(db: Session, person_id: str) -> None:
    """Delete a person and, through the cascading foreign keys, all of their data."""
    db.execute(delete(Person).where(Person.id == person_id))
    db.commit()


def add_login(
    db: Session, token_hash: str, account_id: str, csrf: str, now: datetime, expires: datetime
) -> None:
    db.add(
        LoginSession(
            token_hash=token_hash,
            account_id=account_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    db.commit()


def login_of(db: Session, token_hash: str, now: datetime) -> Login | None:
    row = db.execute(
        select(
            LoginSession.account_id,
            Account.role,
            Account.email,
            LoginSession.csrf_token,
            LoginSession.expires_at,
        )
        .join(Account, Account.id == LoginSession.account_id)
        .where(LoginSession.token_hash == token_hash, LoginSession.expires_at > now)
    ).first()
    return None if row is None else Login(*row)


def end_logins(db: Session, account_id: str, except_hash: str | None = None) -> None:
    query = delete(LoginSession).where(LoginSession.account_id == account_id)
    if except_hash is not None:
        query = query.where(LoginSession.token_hash != except_hash)
    db.execute(query)
    db.commit()


def end_login(db: Session, token_hash: str) -> None:
    db.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash))
    db.commit()


def take_attempt(
    db: Session, key: str, limit: int, now: datetime, windows: Sequence[timedelta]
) -> bool:
    """Count one attempt for `key` unless `limit` were counted in its current window.

    True if counted (go ahead), False if the limit is reached. When the window has ended, a
    new one starts at `now` lasting `windows[0]`; but if the ended window had reached the
    limit, the next is one step longer (`windows[1]`, `windows[2]`, ...): a backoff that
    goes back to the start after a window without reaching the limit. One conditional
    UPDATE: atomic across processes.
    """
    ends = [now + window for window in windows]
    _insert_missing(db, key, ends[0])
    row = LoginThrottle
    when = row.__table__.c.window_end.type
    expired = row.window_end <= literal(now, when)
    top = len(ends) - 1
    longer = case((row.strikes >= top, top), else_=row.strikes + 1)
    strikes = case((row.attempts >= limit, longer), else_=0)
    new_end = case({n: literal(end, when) for n, end in enumerate(ends)}, value=strikes)
    result = db.execute(
        update(row)
        .where(row.key == key, expired | (row.attempts < limit))
        .values(
            attempts=case((expired, 1), else_=row.attempts + 1),
            strikes=case((expired, strikes), else_=row.strikes),
            window_end=case((expired, new_end), else_=row.window_end),
        )
    )
    db.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _insert_missing(db: Session, key: str, window_end: datetime) -> None:
    values = {"key": key, "attempts": 0, "strikes": 0, "window_end": window_end}
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.execute(pg_insert(LoginThrottle).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        db.execute(sqlite_insert(LoginThrottle).values(values).on_conflict_do_nothing())


def window_end_of(db: Session, key: str) -> datetime | None:
    """When the current window of `key` ends (None if nothing was counted)."""
    found: datetime | None = db.scalar(
        select(LoginThrottle.window_end).where(LoginThrottle.key == key)
    )
    return found


def give_back_attempt(db: Session, key: str) -> None:
    """Uncount one attempt (it succeeded, or another throttle refused it)."""
    db.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )
    db.commit()


def clear_attempts(db: Session, key: str) -> None:
    db.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    db.commit()


def attempts_of(db: Session, key: str) -> int:
    """Attempts counted for `key` in its current window (0 if none)."""
    return int(db.scalar(select(LoginThrottle.attempts).where(LoginThrottle.key == key)) or 0)


def add_link(db: Session, link_id: str, therapist_id: str, code_hash: str, now: datetime) -> None:
    db.add(
        CareLink(
            id=link_id,
            therapist_id=therapist_id,
            client_id=None,
            code_hash=code_hash,
            status="invited",
            created_at=now,
            accepted_at=None,
            revoked_at=None,
        )
    )
    db.commit()


def accept_link(db: Session, code_hash: str, client_id: str, now: datetime) -> str | None:
    """Accept an open invitation; returns the link id, or None if there is no such code."""
    row = db.scalars(
        select(CareLink).where(CareLink.code_hash == code_hash, CareLink.status == "invited")
    ).first()
    if row is None or row.therapist_id == client_id:
        return None
    row.client_id, row.status, row.accepted_at = client_id, "active", now
    db.commit()
    return row.id


def revoke_link(db: Session, link_id: str, person_id: str, now: datetime) -> bool:
    """End a link the person is part of (client or therapist); False if there is none."""
    result = db.execute(
        update(CareLink)
        .where(
            CareLink.id == link_id,
            CareLink.status.in_(("invited", "active")),
            (CareLink.client_id == person_id) | (CareLink.therapist_id == person_id),
        )
        .values(status="revoked", revoked_at=now)
    )
    db.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def links_of(db: Session, person_id: str) -> list[Link]:
    """Every link where the person is the therapist or the client, newest first."""
    rows = db.scalars(
        select(CareLink)
        .where((CareLink.therapist_id == person_id) | (CareLink.client_id == person_id))
        .order_by(CareLink.created_at.desc())
    ).all()
    emails = _emails(
        db, {r.therapist_id for r in rows} | {r.client_id for r in rows if r.client_id}
    )
    return [
        Link(
            r.id,
            r.therapist_id,
            emails.get(r.therapist_id, ""),
            r.client_id,
            emails.get(r.client_id or ""),
            r.status,
            r.created_at,
            r.accepted_at,
            r.revoked_at,
        )
        for r in rows
    ]


def _emails(db: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(db.execute(select(Account.id, Account.email).where(Account.id.in_(ids))).all())


def has_consent(db: Session, therapist_id: str, client_id: str) -> bool:
    found = db.scalar(
        select(func.count()).where(
            CareLink.therapist_id == therapist_id,
            CareLink.client_id == client_id,
            CareLink.status == "active",
        )
    )
    return bool(found)


def audit(db: Session, client_id: str, therapist_id: str, action: str, now: datetime) -> None:
    db.add(AuditEntry(client_id=client_id, therapist_id=therapist_id, action=action[:200], at=now))
    db.commit()


def audit_of(db: Session, client_id: str) -> list[tuple[datetime, str, str]]:
    """(when, therapist e-mail, what) for every therapist read of the client's data."""
    rows = db.execute(
        select(AuditEntry.at, Account.email, AuditEntry.action)
        .join(Account, Account.id == AuditEntry.therapist_id, isouter=True)
        .where(AuditEntry.client_id == client_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
    return [(at, email or "(deleted account)", action) for at, email, action in rows]


def set_routine(
    db: Session, therapist_id: str, client_id: str, plan: dict[str, Any], now: datetime
) -> None:
    """Make `plan` the client's active routine (earlier ones become inactive)."""
    db.execute(update(Routine).where(Routine.client_id == client_id).values(active=False))
    db.add(
        Routine(
            therapist_id=therapist_id, client_id=client_id, plan=plan, created_at=now, active=True
        )
    )
    db.commit()


def active_routine(db: Session | Connection, client_id: str) -> dict[str, Any] | None:
    """The client's active routine from a therapist who still has consent, if any."""
    plan = db.execute(
        select(Routine.plan)
        .join(
            CareLink,
            (CareLink.therapist_id == Routine.therapist_id)
            & (CareLink.client_id == Routine.client_id)
            & (CareLink.status == "active"),
        )
        .where(Routine.client_id == client_id, Routine.active.is_(True))
        .order_by(Routine.created_at.desc())
    ).scalar()
    return None if plan is None else dict(plan)
