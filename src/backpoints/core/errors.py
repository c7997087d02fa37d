"""Domain errors people can act on: each message says what was wrong and what to do.

The CLI turns these into one line and exit code 2; the web API into a 4xx JSON body. Errors
know nothing of HTTP: they say what kind of failure they are (not found, a conflict, ...) by
their base class, and `backpoints.web.errors` holds the one table from kind to status code.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

from backpoints.i18n import gettext as _


class BackpointsError(Exception):
    """Base of every error backpoints raises on purpose."""

    #: The input field the error is about (used by the API to name it).
    field: str = ""


class NotFoundError(BackpointsError, LookupError):
    """The thing asked for is not there (or not the caller's: the two look the same)."""


class ConflictError(BackpointsError):
    """The request does not fit the current state (a double click, a second tab)."""


class NotAuthenticated(BackpointsError):
    """The caller has to log in first."""


class RateLimited(BackpointsError):
    """Too many attempts in a short time; try again later."""


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The valid choices closest to a mistyped word, case-insensitively.

    Ranked by similarity, then by how long a start they share with the word (a typo at
    the end of "BL2e" is nearer "BL23" than "BL52").
    """
    typed = word.lower()
    scored = []
    for choice in choices:
        lower = choice.lower()
        ratio = difflib.SequenceMatcher(None, typed, lower).ratio()
        prefix = len(os.path.commonprefix([typed, lower]))
        if ratio >= 0.4 or (prefix >= 2 and lower.startswith(typed[:2])):
            scored.append((-ratio, -prefix, lower, choice))
    return [choice for *_, choice in sorted(scored)[:n]]


def _suggest(unknown: str, value: str, choices: Iterable[str]) -> str:
    """`unknown` is the message for the value ("Unknown point {value!r}."), in the language."""
    near = closest(value, choices)
    hint = " " + _("Did you mean {choices}?").format(choices=", ".join(near)) if near else ""
    return unknown.format(value=value) + hint


class UnknownPoint(BackpointsError, LookupError):
    """No point in the catalogue has this id."""

    field = "point_id"

    def __init__(self, point_id: str, choices: Iterable[str]) -> None:
        unknown = _("Unknown point {value!r}.")
        super().__init__(_suggest(unknown, point_id, choices) + " " + _("See `backpoints points`."))
        self.point_id = point_id


class UnknownRegion(BackpointsError, LookupError):
    """No region has this id."""

    field = "region"

    def __init__(self, region: str, choices: Iterable[str]) -> None:
        unknown = _("Unknown region {value!r}.")
        super().__init__(_suggest(unknown, region, choices) + " " + _("See `backpoints map`."))
        self.region = region


class ReferralRequired(BackpointsError):
    """A red flag was reported: no self-massage guidance is given."""

    field = "flags"


class CatalogError(BackpointsError):
    """The packaged catalogue is invalid (a bug in the data files)."""


def check_region(region: str) -> str:
    """Return the region id unchanged, or raise UnknownRegion with suggestions."""
    from backpoints.core.vocab import REGION_IDS

    if region not in REGION_IDS:
        raise UnknownRegion(region, REGION_IDS)
    return region
