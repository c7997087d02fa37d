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


def point_summaries(lang: str = "en") -> list[PointSummary]:
    """Every point of the data files, in file order, as listing rows; names in a language
    (read from the translated point texts, like `backpoints.i18n.points` but without pydantic)."""
    data = resources.files("backpoints.catalog").joinpath("data")
    translated = _translated_names(lang)
    rows: list[PointSummary] = []
    for name in POINT_FILES:
        for raw in tomllib.loads(data.joinpath(name).read_text("utf-8"))["points"]:
            names = raw["names"]
            code = names.get("code")
            shown = translated.get(raw["id"], names["english"])
            label = f"{code} {shown}" if code else shown
            regions = tuple(h["region"] for h in raw["helps"])
            rows.append(PointSummary(raw["id"], label, raw["tradition"], regions))
    return rows


def _translated_names(lang: str) -> dict[str, str]:
    """Point id -> its name in a language ({} for English or a language without point texts)."""
    if lang == "en":
        return {}
    texts = resources.files("backpoints.i18n").joinpath("points", f"{lang}.toml")
    if not texts.is_file():
        return {}
    return {pid: body["name"] for pid, body in tomllib.loads(texts.read_text("utf-8")).items()}
