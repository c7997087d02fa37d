"""Server mode for people and their therapists: accounts, log-in, consent, routines, audit.

Passwords are hashed with argon2id; log-in tokens and invitation codes are stored only as
SHA-256 hashes. A therapist sees a client's data only while the client's consent (an accepted,
unrevoked invitation) stands, and every such read is written to the client's audit log.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final, Literal

from backpoints.app.service import Services
from backpoints.core.errors import BackpointsError, NotAuthenticated, NotFoundError, RateLimited
from backpoints.store import accounts_repo as repo

Role = Literal["client", "therapist"]
EMAIL: Final = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 200
MAX_ROUTINE_POINTS: Final = 8


class AccountError(BackpointsError):
    """Bad account input, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotLoggedIn(NotAuthenticated):
    field = "login"


class TooManyAttempts(RateLimited):
    field = "login"


class NotFound(NotFoundError):
    """Not there, or not yours: the two look the same from outside (no guessing ids)."""

    field = "id"


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_email(email: str) -> str:
    clean = email.strip().lower()
    if not EMAIL.match(clean) or len(clean) > 254:
        raise AccountError("email", "Enter an e-mail address like name@example.org.")
    return clean


def _check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(
            "password", f"Use a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters."
        )
    return password


@dataclass(frozen=True)
class NewLogin:
    """What the browser or API client keeps: the token (cookie) and the CSRF token."""

    token: str
    csrf_token: str
    account_id: str
    role: str


def register(services: Services, email: str, password: str, role: Role = "client") -> str:
    """Create an account (and its person); returns the account id."""
    address, word = _check_email(email), _check_password(password)
    if role not in ("client", "therapist"):
        raise AccountError("role", "Role must be client or therapist.")
    with services.db() as db:
        if repo.account_by_email(db, address) is not None:
            raise AccountError("email", "An account with this e-mail address exists; log in.")
        account_id = secrets.token_urlsafe(12)
        repo.create_account(
            db, account_id, address, _hasher().hash(word), role, services.clock.now()
        )
    return account_id


def log_in(services: Services, email: str, password: str, client: str) -> NewLogin:
    """Check the password (rate-limited per address and per client) and open a log-in."""
    address = email.strip().lower()
    now = services.clock.now()
    settings = services.settings
    since = now - timedelta(minutes=settings.login_window_minutes)
    with services.db() as db:
        if repo.failures_since(db, address, client, since) >= settings.login_attempts:
            raise TooManyAttempts(
                f"Too many failed log-ins; try again in {settings.login_window_minutes} minutes."
            )
        account = repo.account_by_email(db, address)
        if account is None or not _verify(account.password_hash, password):
            repo.record_failure(db, address, client, now)
            raise NotLoggedIn("E-mail address or password is wrong.")
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        expires = now + timedelta(days=settings.login_days)
        repo.add_login(db, digest(token), account.id, csrf, now, expires)
    return NewLogin(token, csrf, account.id, account.role)


def _verify(password_hash: str, password: str) -> bool:
    from argon2.exceptions import VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerifyMismatchError, VerificationError):
        return False


def who(services: Services, token: str) -> repo.Login | None:
    """The log-in a token belongs to, if it is valid and not expired."""
    with services.db() as db:
        return repo.login_of(db, digest(token), services.clock.now())


def log_out(services: Services, token: str) -> None:
    with services.db() as db:
        repo.end_login(db, digest(token))


def change_password(
    services: Services, account_id: str, current: str, new: str, keep_token: str | None = None
) -> None:
    """Change the password; every other log-in of the account ends."""
    word = _check_password(new)
    with services.db() as db:
        account = repo.account_by_id(db, account_id)
        if account is None or not _verify(account.password_hash, current):
            raise AccountError("current_password", "The current password is wrong.")
        repo.set_password_hash(db, account_id, _hasher().hash(word))
        repo.end_logins(db, account_id, except_hash=digest(keep_token) if keep_token else None)


def delete_account(services: Services, account_id: str, password: str) -> None:
    """Delete the account and every piece of the person's data."""
    with services.db() as db:
        account = repo.account_by_id(db, account_id)
        if account is None or not _verify(account.password_hash, password):
            raise AccountError("password", "The password is wrong; nothing was deleted.")
        repo.delete_person(db, account_id)


# ---- therapists and clients -----------------------------------------------------------------


def invite(services: Services, therapist_id: str) -> str:
    """A new invitation code for a client (shown once to the therapist)."""
    with services.db() as db:
        account = repo.account_by_id(db, therapist_id)
        if account is None or account.role != "therapist":
            raise AccountError("role", "Only a therapist account can invite clients.")
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        repo.add_link(
            db, secrets.token_urlsafe(12), therapist_id, digest(code), services.clock.now()
        )
    return code


def accept(services: Services, client_id: str, code: str) -> str:
    """The client consents: the therapist may now see the diary and assign routines."""
    with services.db() as db:
        link = repo.accept_link(db, digest(code.strip().upper()), client_id, services.clock.now())
    if link is None:
        raise AccountError("code", "This invitation code is unknown or already used.")
    return link


def revoke(services: Services, person_id: str, link_id: str) -> None:
    """End a link (the client withdraws consent, or the therapist ends it)."""
    with services.db() as db:
        if not repo.revoke_link(db, link_id, person_id, services.clock.now()):
            raise NotFound("No such link.")


def links(services: Services, person_id: str) -> list[repo.Link]:
    with services.db() as db:
        return repo.links_of(db, person_id)


def require_consent(services: Services, therapist_id: str, client_id: str, action: str) -> None:
    """Raise NotFound unless the client consents; otherwise write the read to the audit log."""
    with services.db() as db:
        if not repo.has_consent(db, therapist_id, client_id):
            raise NotFound("No client with this id has shared their diary with you.")
        repo.audit(db, client_id, therapist_id, action, services.clock.now())


def audit_log(services: Services, client_id: str) -> list[tuple[Any, str, str]]:
    with services.db() as db:
        return repo.audit_of(db, client_id)


def assign_routine(
    services: Services, therapist_id: str, client_id: str, plan: dict[str, Any]
) -> dict[str, Any]:
    """Validate and store a home routine: point ids (known), optional duration, frequency."""
    points = [services.catalog.get(str(p)).id for p in plan.get("points", [])]
    if not 1 <= len(points) <= MAX_ROUTINE_POINTS:
        raise AccountError("points", f"Choose 1 to {MAX_ROUTINE_POINTS} points.")
    duration = plan.get("duration_s")
    if duration is not None and not (isinstance(duration, int) and 30 <= duration <= 180):
        raise AccountError("duration_s", "Duration must be 30 to 180 seconds.")
    frequency = str(plan.get("frequency", "") or "")[:80]
    clean = {
        "points": points,
        "duration_s": duration,
        "frequency": frequency,
        "note": str(plan.get("note", "") or "")[:500],
    }
    require_consent(services, therapist_id, client_id, "assigned a home routine")
    with services.db() as db:
        repo.set_routine(db, therapist_id, client_id, clean, services.clock.now())
    return clean


def routine_of(services: Services, client_id: str) -> dict[str, Any] | None:
    with services.db() as db:
        return repo.active_routine(db, client_id)


def assign_full_routine(
    services: Services, therapist_id: str, client_id: str, routine_id: str
) -> Any:
    """Give a consenting client one of the routines (built-in or the therapist's own): it
    appears among the client's routines as "from your therapist"."""
    from backpoints.app import routine_service
    from backpoints.core import routines

    found = routines.find(routine_id, routine_service.custom_routines(services, therapist_id))
    require_consent(services, therapist_id, client_id, f"assigned the routine {found.name!r}")
    given = found.model_copy(
        update={
            "id": f"t-{found.id}"[:49],
            "name": f"{found.name} (from your therapist)"[:80],
        }
    )
    return routine_service.save_custom(services, client_id, given)
