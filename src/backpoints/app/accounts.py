"""Server mode for people and their therapists: accounts, log-in, consent, routines, audit.

Passwords are hashed with argon2id; log-in tokens and invitation codes are stored only as
SHA-256 hashes. New passwords follow NIST SP 800-63B: a length range and no common or easily
guessed password (zxcvbn's lists and patterns), no composition rules. Log-in attempts are
counted in the database before the password is checked, per (e-mail, address) pair (a
stranger cannot lock the owner out) and per address; an unknown e-mail costs the same
argon2 check as a known one. Registrations are limited per address.

A therapist sees a client's data only while the client's consent (an accepted, unrevoked
invitation) stands, and every such read is written to the client's audit log.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from backpoints.app.service import Services
from backpoints.core.errors import BackpointsError, NotAuthenticated, NotFoundError, RateLimited
from backpoints.i18n import gettext as _
from backpoints.i18n import ngettext
from backpoints.store import accounts_repo as repo

Role = Literal["client", "therapist"]
EMAIL: Final = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 200
MAX_ROUTINE_POINTS: Final = 8
#: How many times a pair's log-in window doubles while it keeps filling up (15 min -> 16 h).
BACKOFF_STEPS: Final = 6
#: zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable" (about 10^8 guesses).
MIN_STRENGTH: Final = 3


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
        raise AccountError("email", _("Enter an e-mail address like name@example.org."))
    return clean


def _check_password(password: str, email: str = "", field: str = "password") -> str:
    """Length, then zxcvbn: common passwords, keyboard walks, repeats, the e-mail itself."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(
            field,
            _("Use a password of {low} to {high} characters.").format(
                low=MIN_PASSWORD, high=MAX_PASSWORD
            ),
        )
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise AccountError(field, _("The password has a character that cannot be used.")) from None
    from zxcvbn import zxcvbn

    found = zxcvbn(password, user_inputs=[email, email.split("@")[0]] if email else [])
    if found["score"] < MIN_STRENGTH:
        warning = str(found["feedback"].get("warning") or "").rstrip(".")
        why = f" ({warning[0].lower() + warning[1:]})" if warning else ""
        raise AccountError(
            field,
            _(
                "This password is too easy to guess{why}; use a longer phrase, e.g. a few "
                "unrelated words."
            ).format(why=why),
        )
    return password


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password: unknown e-mails are checked against it (same work)."""
    return str(_hasher().hash(secrets.token_urlsafe(16)))


def _throttle_key(kind: str, *parts: str) -> str:
    return f"{kind}:{digest(chr(0x1F).join(parts))}"


@dataclass(frozen=True)
class NewLogin:
    """What the browser or API client keeps: the token (cookie) and the CSRF token."""

    token: str
    csrf_token: str
    account_id: str
    role: str


def register(
    services: Services,
    email: str,
    password: str,
    role: Role = "client",
    client: str | None = None,
) -> str:
    """Create an account (and its person); returns the account id. With `client` (the
    address asking), at most `registrations_per_hour` from that address."""
    address = _check_email(email)
    word = _check_password(password, address)
    if role not in ("client", "therapist"):
        raise AccountError("role", _("Role must be client or therapist."))
    now = services.clock.now()
    with services.db() as db:
        limit = services.settings.registrations_per_hour
        if client is not None and not repo.take_attempt(
            db, _throttle_key("register", client), limit, now, [timedelta(hours=1)]
        ):
            raise TooManyAttempts(_("Too many new accounts from this address; try again later."))
        if repo.account_by_email(db, address) is not None:
            raise AccountError("email", _("An account with this e-mail address exists; log in."))
        account_id = secrets.token_urlsafe(12)
        repo.create_account(
            db, account_id, address, _hasher().hash(word), role, services.clock.now()
        )
    return account_id


def log_in(services: Services, email: str, password: str, client: str) -> NewLogin:
    """Check the password and open a log-in. The attempt is counted first (per e-mail and
    address pair, and per address): past a limit, no password is checked at all."""
    address = email.strip().lower()
    now = services.clock.now()
    with services.db() as db:
        pair, place = _take_login_attempt(services, db, address, client, now)
        account = repo.account_by_email(db, address)
        stored = account.password_hash if account is not None else _dummy_hash()
        fits = len(password) <= MAX_PASSWORD  # no account has a longer one; same work anyway
        if not _verify(stored, password if fits else "") or account is None or not fits:
            raise NotLoggedIn(_("E-mail address or password is wrong."))
        repo.clear_attempts(db, pair)
        repo.give_back_attempt(db, place)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        expires = now + timedelta(days=services.settings.login_days)
        repo.add_login(db, digest(token), account.id, csrf, now, expires)
    return NewLogin(token, csrf, account.id, account.role)


def _take_login_attempt(
    services: Services, db: Any, address: str, client: str, now: datetime
) -> tuple[str, str]:
    """Count the attempt for the (e-mail, address) pair and for the address, or refuse.

    The pair's window doubles (up to `BACKOFF_STEPS` times) each time it fills up."""
    settings = services.settings
    window = timedelta(minutes=settings.login_window_minutes)
    pair, place = _throttle_key("login", address, client), _throttle_key("from", client)
    backoff = [window * 2**step for step in range(BACKOFF_STEPS + 1)]
    if not repo.take_attempt(db, pair, settings.login_attempts, now, backoff):
        wait = _minutes_left(db, pair, now)
        raise TooManyAttempts(
            _("Too many failed log-ins for this account from here; try again in {wait}.").format(
                wait=wait
            )
        )
    if not repo.take_attempt(db, place, settings.login_attempts_per_address, now, [window]):
        repo.give_back_attempt(db, pair)
        wait = _minutes_left(db, place, now)
        raise TooManyAttempts(
            _("Too many failed log-ins from this address; try again in {wait}.").format(wait=wait)
        )
    return pair, place


def _minutes_left(db: Any, key: str, now: datetime) -> str:
    end = repo.window_end_of(db, key)
    minutes = max(1, math.ceil((end - now).total_seconds() / 60)) if end else 1
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def _verify(password_hash: str, password: str) -> bool:
    from argon2.exceptions import VerificationError, VerifyMismatchError

    try:
        # bytes: a lone surrogate (valid JSON, not UTF-8) is checked like any wrong password
        return bool(_hasher().verify(password_hash, password.encode("utf-8", "surrogatepass")))
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
    with services.db() as db:
        account = repo.account_by_id(db, account_id)
        word = _check_password(new, account.email if account else "", "new_password")
        if account is None or not _verify(account.password_hash, current):
            raise AccountError("current_password", _("The current password is wrong."))
        repo.set_password_hash(db, account_id, _hasher().hash(word))
        repo.end_logins(db, account_id, except_hash=digest(keep_token) if keep_token else None)


def delete_account(services: Services, account_id: str, password: str) -> None:
    """Delete the account and every piece of the person's data."""
    with services.db() as db:
        account = repo.account_by_id(db, account_id)
        if account is None or not _verify(account.password_hash, password):
            raise AccountError("password", _("The password is wrong; nothing was deleted."))
        repo.delete_person(db, account_id)


# ---- therapists and clients -----------------------------------------------------------------


def invite(services: Services, therapist_id: str) -> str:
    """A new invitation code for a client (shown once to the therapist)."""
    with services.db() as db:
        account = repo.account_by_id(db, therapist_id)
        if account is None or account.role != "therapist":
            raise AccountError("role", _("Only a therapist account can invite clients."))
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
        raise AccountError("code", _("This invitation code is unknown or already used."))
    return link


def revoke(services: Services, person_id: str, link_id: str) -> None:
    """End a link (the client withdraws consent, or the therapist ends it)."""
    with services.db() as db:
        if not repo.revoke_link(db, link_id, person_id, services.clock.now()):
            raise NotFound(_("No such link."))


def links(services: Services, person_id: str) -> list[repo.Link]:
    with services.db() as db:
        return repo.links_of(db, person_id)


def require_consent(services: Services, therapist_id: str, client_id: str, action: str) -> None:
    """Raise NotFound unless the client consents; otherwise write the read to the audit log."""
    with services.db() as db:
        if not repo.has_consent(db, therapist_id, client_id):
            raise NotFound(_("No client with this id has shared their diary with you."))
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
        raise AccountError("points", _("Choose 1 to {n} points.").format(n=MAX_ROUTINE_POINTS))
    duration = plan.get("duration_s")
    if duration is not None and not (isinstance(duration, int) and 30 <= duration <= 180):
        raise AccountError("duration_s", _("Duration must be 30 to 180 seconds."))
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
