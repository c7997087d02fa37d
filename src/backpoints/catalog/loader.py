"""Loads and cross-checks the packaged catalogue (TOML data files) into a `Catalog`.

Cross-checks that pydantic cannot do per entry: unique ids, known source keys,
links between points (`coincides_with`) that resolve.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from pydantic import ValidationError

from backpoints.catalog.index import POINT_FILES
from backpoints.catalog.models import CatalogFile, Point, Source, SourcesFile
from backpoints.core.errors import CatalogError, UnknownPoint, check_region

SOURCES_FILE = "sources.toml"


@dataclass(frozen=True)
class Catalog:
    """All points and sources, with lookups by id and by region."""

    points: tuple[Point, ...]
    sources: dict[str, Source]
    _by_id: dict[str, Point] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.points})

    def __iter__(self) -> Iterator[Point]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def get(self, point_id: str) -> Point:
        """The point with this id (case-insensitive); raises UnknownPoint with suggestions."""
        found = self._by_id.get(point_id) or self._by_id.get(point_id.upper())
        if found is None:
            found = next((p for p in self.points if p.id.lower() == point_id.lower()), None)
        if found is None:
            raise UnknownPoint(point_id, self._by_id)
        return found

    def for_region(self, region: str) -> tuple[Point, ...]:
        """Points that help a region; raises UnknownRegion with suggestions."""
        check_region(region)
        return tuple(p for p in self.points if region in p.regions)

    def also_known_as(self, point: Point) -> str | None:
        """A lay point's standard points, or the lay names of a standard point."""
        if point.names.same_as:
            return point.names.same_as
        lay = [p for p in self.points if p.tradition == "lay" and point.id in p.coincides_with]
        names = [p.names.english[0].lower() + p.names.english[1:] for p in lay]
        return " or ".join(names) or None

    def linked(self, point: Point) -> tuple[Point, ...]:
        """Points that coincide with this one, in either direction."""
        ids = set(point.coincides_with)
        ids |= {p.id for p in self.points if point.id in p.coincides_with}
        return tuple(self._by_id[i] for i in sorted(ids))


def _read(name: str) -> dict[str, object]:
    text = resources.files("backpoints.catalog").joinpath("data", name).read_text("utf-8")
    return tomllib.loads(text)


def parse_catalog(point_docs: list[dict[str, object]], sources_doc: dict[str, object]) -> Catalog:
    """Validate raw documents into a Catalog; raises CatalogError naming every problem."""
    try:
        sources = SourcesFile.model_validate(sources_doc).sources
        points = [p for doc in point_docs for p in CatalogFile.model_validate(doc).points]
    except ValidationError as exc:
        raise CatalogError(f"invalid catalogue data: {exc}") from exc
    problems = _cross_check(points, {s.key for s in sources})
    if problems:
        raise CatalogError("invalid catalogue data: " + "; ".join(problems))
    return Catalog(points=tuple(points), sources={s.key: s for s in sources})


def _cross_check(points: list[Point], source_keys: set[str]) -> list[str]:
    problems: list[str] = []
    ids = [p.id for p in points]
    problems += [f"duplicate point id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for point in points:
        problems += [
            f"{point.id} cites unknown source {key!r}"
            for key in point.sources
            if key not in source_keys
        ]
        problems += [
            f"{point.id} coincides with unknown point {other!r}"
            for other in point.coincides_with
            if other not in ids
        ]
    return problems


@cache
def load_catalog() -> Catalog:
    """The packaged catalogue, parsed and checked once per process."""
    return parse_catalog([_read(name) for name in POINT_FILES], _read(SOURCES_FILE))
