"""A clinician's all-clear for standing red flags: what it may clear, and when it is valid.

A red flag stands until the person answers its question "no" again, or until a clinician's
all-clear is recorded (the red-flag contract in docs/safety.md). Some answers can never honestly
become "no" — "Have you ever had cancer?" — so without an all-clear a person who was checked
would be refused guidance for good. The all-clear is the person's own record that a clinician
examined them for these flags and said self-massage is fine:

- it names the standing flags it covers (at least one; the age rule is not a flag and is never
  cleared), the day of the check, and, if given, who checked;
- the check is on or after the day each flag it clears was answered yes (a check before
  the yes cannot have covered it: after an all-clear, a yes for a new or worse pain needs a
  new check), not in the future, and at most `MAX_AGE_DAYS` ago (an older check does not
  cover the pain a person has now). The days have a day's grace either way: the caller's
  `today` and the flags' days are the server's (UTC), the person's day may differ by one;
- the person confirms it in so many words (`confirmed`).

A cleared flag no longer stands; the question is asked again, as always, for a new or worse
pain, and a yes then stands again. Pure: the caller passes today's date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from backpoints.core.errors import BackpointsError
from backpoints.core.redflags import QUESTIONS_BY_ID
from backpoints.i18n import gettext as _

#: How old a clinician's check may be, in days, to clear a flag that stands now.
MAX_AGE_DAYS: Final = 28
#: Longest name of the person who checked (a clinician, a clinic).
MAX_CLINICIAN: Final = 120
#: The slack on every day compared: the server's day (UTC) and the person's may differ by one.
GRACE: Final = timedelta(days=1)


class AllClearRefused(BackpointsError, ValueError):
    """The all-clear cannot be recorded as given: `field` names what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AllClear:
    """A checked all-clear: the flags it clears, the day of the check, who checked (or "")."""

    flags: tuple[str, ...]
    checked_on: date
    clinician: str


def check(
    standing: Mapping[str, date],
    flags: Iterable[str],
    checked_on: date | None,
    clinician: str,
    *,
    confirmed: bool,
    today: date,
) -> AllClear:
    """The all-clear for `flags`, or `AllClearRefused` naming the first thing wrong.
    `standing`: each flag that stands, and the day it was answered yes."""
    stands = tuple(standing)
    chosen = tuple(dict.fromkeys(flags))
    if not chosen:
        raise AllClearRefused("flags", _("Tick what the clinician checked you for."))
    for flag in chosen:
        if flag not in QUESTIONS_BY_ID:
            raise AllClearRefused("flags", _("Unknown question {id!r}.").format(id=flag))
        if flag not in stands:
            label = _(QUESTIONS_BY_ID[flag].label)
            raise AllClearRefused("flags", _("“{label}” does not stand now.").format(label=label))
    checked_on = check_day(checked_on, today, {f: standing[f] for f in chosen})
    who = check_clinician(clinician)
    if not confirmed:
        raise AllClearRefused(
            "confirmed", _("Tick the box to confirm that a clinician said self-massage is fine.")
        )
    return AllClear(tuple(f for f in stands if f in chosen), checked_on, who)


def check_clinician(clinician: str) -> str:
    """Who checked, spaces tidied; `AllClearRefused` when the name is too long."""
    who = " ".join(clinician.split())
    if len(who) > MAX_CLINICIAN:
        raise AllClearRefused(
            "clinician", _("Shorten the name to {n} characters.").format(n=MAX_CLINICIAN)
        )
    return who


def check_day(checked_on: date | None, today: date, said_yes: Mapping[str, date]) -> date:
    """`checked_on`, if it can clear the flags `said_yes` (each with the day it was answered
    yes) today; else `AllClearRefused` saying why."""
    if checked_on is None:
        raise AllClearRefused("checked_on", _("Give the day the clinician checked you."))
    if checked_on > today + GRACE:
        raise AllClearRefused("checked_on", _("The day of the check cannot be in the future."))
    for flag, day in said_yes.items():
        if checked_on < day - GRACE:
            raise AllClearRefused(
                "checked_on",
                _(
                    "The check must be on or after {day}, when you said yes to “{label}”: "
                    "a check before that does not cover it."
                ).format(day=day.isoformat(), label=_(QUESTIONS_BY_ID[flag].label)),
            )
    if checked_on < today - timedelta(days=MAX_AGE_DAYS):
        raise AllClearRefused(
            "checked_on",
            _(
                "The check was more than {n} days ago: it does not cover the pain you have now. "
                "Please see a clinician again."
            ).format(n=MAX_AGE_DAYS),
        )
    return checked_on
