"""A quick, read-only view of the catalogue data files for listings that must start fast.

`backpoints points` lists ids, names and regions without importing pydantic: it reads the
same TOML files `load_catalog` validates (the tests check both agree). Anything that uses a
point's details goes through `load_catalog`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

POINT_FILES = ("acupoints.toml", "trigger_points.toml", "lay_points.toml")


@dataclass(frozen=True)
class PointSummary:
    """What a listing shows of a point."""

    id: str
    name: str
    tradition: str
    regions: tuple[str, ...]


def point_summaries() -> list[PointSummary]:
    """Every point of the data files, in file order, as listing rows."""
    data = resources.files("backpoints.catalog").joinpath("data")
    rows: list[PointSummary] = []
    for name in POINT_FILES:
        for raw in tomllib.loads(data.joinpath(name).read_text("utf-8"))["points"]:
            names = raw["names"]
            code = names.get("code")
            label = f"{code} {names['english']}" if code else names["english"]
            regions = tuple(h["region"] for h in raw["helps"])
            rows.append(PointSummary(raw["id"], label, raw["tradition"], regions))
    return rows
