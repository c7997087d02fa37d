"""Plain words for pages: a point's everyday name before its expert name, sides, outcomes
and sources as people read them (full titles, never keys), and counts with the right plural.

Pure helpers over catalogue objects; the templates and page modules call them so no internal
id, status word or source key reaches running text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from backpoints.catalog import Catalog
from backpoints.catalog.models import Point
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

OUTCOMES: Final[dict[str, str]] = {
    "active": N_("In progress"),
    "relieved": N_("Pain eased"),
    "exhausted": N_("No clear relief"),
    "stopped": N_("Stopped"),
    "refer": N_("Sent to a doctor first"),
    "done": N_("Finished"),
    "completed": N_("Finished"),
    "finished": N_("Finished"),
}


def plain_name(point: Point) -> str:
    """The name a lay person would use: the everyday alias of a standard point, else its
    English name ("Between the shoulder blades" before "GV11 Spirit Path")."""
    if point.names.code and point.names.aliases:
        alias = point.names.aliases[0]
        return alias[:1].upper() + alias[1:]
    return point.names.english


def expert_name(point: Point) -> str:
    """The expert's name, shown second: code, name, and the standard Chinese name (characters
    and pinyin, BL23 肾俞 Shenshu) where they exist."""
    parts = [point.display_name]
    if point.names.chinese and point.names.hanzi != point.names.english:
        parts.append(point.names.chinese)
    elif point.names.pinyin:
        parts.append(point.names.pinyin)
    return " · ".join(parts)


def with_side(name: str, side: str | None, spots: int = 1) -> str:
    """ "Waist-level point, left side"; "…, both sides" for a pair; the name alone on the
    midline."""
    if side in ("left", "right"):
        return f"{name}, " + (_("left side") if side == "left" else _("right side"))
    if spots > 1:
        return f"{name}, " + _("both sides")
    return name


def outcome(status: str) -> str:
    """A session or routine status as people say it."""
    if status in OUTCOMES:
        return _(OUTCOMES[status])
    return status.replace("_", " ").capitalize()


def count(n: int, one: str, many: str) -> str:
    """ "1 point", "3 points"."""
    return f"{n} {one if n == 1 else many}"


def sources(catalog: Catalog, keys: Iterable[str]) -> list[str]:
    """Full citations for source keys, in the given order, each once; unknown keys dropped."""
    seen: list[str] = []
    for key in keys:
        source = catalog.sources.get(key)
        if source is not None and source.citation not in seen:
            seen.append(source.citation)
    return seen
