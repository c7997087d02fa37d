"""Ranking what helped in the way the planner does: by the expected chance of relief
(`planner.expected_relief`, the catalogue's prior weighed with the person's tries), so one
lucky try does not outrank a point that helped 3 of 5 times, and insights, the PDF and the
planner agree. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from backpoints.catalog import Catalog
from backpoints.core.learning import Tally
from backpoints.core.planner import expected_relief
from backpoints.i18n import gettext as _
from backpoints.i18n import ngettext


class Tried(Protocol):
    @property
    def region(self) -> str: ...
    @property
    def point_id(self) -> str: ...
    @property
    def helped(self) -> int: ...
    @property
    def tried(self) -> int: ...


T = TypeVar("T", bound=Tried)


def ranked(catalog: Catalog, items: Iterable[T]) -> list[tuple[float, T]]:
    """Items with their expected chance of relief, best first (more tries break ties)."""
    scored = [
        (expected_relief(catalog, i.region, i.point_id, Tally(i.helped, i.tried)), i) for i in items
    ]
    return sorted(scored, key=lambda pair: (-pair[0], -pair[1].tried, pair[1].point_id))


def tries(n: int) -> str:
    """'1 try', '3 tries', in the language in force."""
    return ngettext("{n} try", "{n} tries", n).format(n=n)


def helped_of(helped: int, tried: int) -> str:
    """'2 of 3 tries', in the language in force."""
    return _("{helped} of {tries}").format(helped=helped, tries=tries(tried))


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 session', '2 sessions', '1 check-in', '0 check-ins'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
