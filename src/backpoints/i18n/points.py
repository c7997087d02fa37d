"""Point texts in the user's language: names, aliases, how to find, cautions, muscle, referral.

Each translated language has `points/<lang>.toml`, one table per point id. Beside each
translation sits `source`, the fingerprint of the English texts it translates
(`fingerprint(point)`); when an English text changes, the fingerprint moves and the tests name
the point whose translation is stale. Technique words (motion, pressure, tools) and the
"why" of each region come from the gettext catalogues, not from here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backpoints.core.errors import CatalogError
from backpoints.i18n import DEFAULT, LANGUAGES

if TYPE_CHECKING:
    from backpoints.catalog import Catalog, Point

log = logging.getLogger("backpoints.i18n")

_Text = Field(min_length=1, max_length=400)


class PointText(BaseModel):
    """One point's texts in one language, with the fingerprint of the English it translates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(pattern=r"^[0-9a-f]{12}$")
    name: str = _Text
    aliases: tuple[str, ...] = ()
    how_to_find: tuple[str, ...] = Field(min_length=1)
    cautions: tuple[str, ...] = ()
    muscle: str | None = None
    refers_pain_to: str | None = None
    same_as: str | None = None


def english_texts(point: Point) -> dict[str, object]:
    """The English texts of a point that a translation must cover (`same_as`, the standard
    points a lay point is, only where there is one)."""
    texts: dict[str, object] = {
        "name": point.names.english,
        "aliases": list(point.names.aliases),
        "how_to_find": list(point.how_to_find),
        "cautions": list(point.cautions),
        "muscle": point.muscle,
        "refers_pain_to": point.refers_pain_to,
    }
    if point.names.same_as is not None:
        texts["same_as"] = point.names.same_as
    return texts


def fingerprint(point: Point) -> str:
    """A short hash of the point's English texts: it moves whenever one of them changes."""
    data = json.dumps(english_texts(point), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:12]


def problems(point: Point, text: PointText | None, lang: str) -> list[str]:
    """What is wrong with a translation of a point: missing, stale, or not the same shape."""
    if text is None:
        return [f"{lang}: {point.id} has no translation"]
    found: list[str] = []
    if text.source != fingerprint(point):
        found.append(
            f"{lang}: {point.id} translates an older English text "
            f"(source {text.source}, English now {fingerprint(point)})"
        )
    for name in ("aliases", "how_to_find", "cautions"):
        want, have = (
            len(getattr(point.names if name == "aliases" else point, name)),
            len(getattr(text, name)),
        )
        if want != have:
            found.append(f"{lang}: {point.id} {name} has {have} entries, English {want}")
    for name in ("muscle", "refers_pain_to"):
        if (getattr(point, name) is None) != (getattr(text, name) is None):
            found.append(f"{lang}: {point.id} {name} present in one language only")
    if (point.names.same_as is None) != (text.same_as is None):
        found.append(f"{lang}: {point.id} same_as present in one language only")
    return found


@cache
def point_texts(lang: str) -> dict[str, PointText]:
    """The translated point texts of a language, validated; {} for English."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return {}
    raw = resources.files("backpoints.i18n").joinpath("points", f"{lang}.toml")
    doc = tomllib.loads(raw.read_text("utf-8"))
    try:
        return {pid: PointText.model_validate(body) for pid, body in doc.items()}
    except ValidationError as exc:
        raise CatalogError(f"invalid {lang} point texts: {exc}") from exc


def localize(point: Point, lang: str) -> Point:
    """The point with its texts in a language (English, logged, where one is missing)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return point
    text = point_texts(lang).get(point.id)
    if text is None:
        log.warning("untranslated [%s]: point %s", lang, point.id)
        return point
    names = point.names.model_copy(
        update={"english": text.name, "aliases": text.aliases, "same_as": text.same_as}
    )
    return point.model_copy(
        update={
            "names": names,
            "how_to_find": text.how_to_find,
            "cautions": text.cautions,
            "muscle": text.muscle,
            "refers_pain_to": text.refers_pain_to,
        }
    )


@cache
def localized_catalog(lang: str) -> Catalog:
    """The packaged catalogue with every point's texts in a language."""
    from backpoints.catalog import Catalog, load_catalog

    catalog = load_catalog()
    if lang == DEFAULT or lang not in LANGUAGES:
        return catalog
    return Catalog(points=tuple(localize(p, lang) for p in catalog.points), sources=catalog.sources)


def check_all() -> list[str]:
    """Every problem of every language's point texts (missing, stale, unknown ids)."""
    from backpoints.catalog import load_catalog

    catalog = load_catalog()
    found: list[str] = []
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        texts = point_texts(lang)
        found += [
            f"{lang}: {pid} is not a catalogue point"
            for pid in texts
            if pid not in {p.id for p in catalog}
        ]
        for point in catalog:
            found += problems(point, texts.get(point.id), lang)
    return found


def main() -> None:
    """`python -m backpoints.i18n.points`: list stale or missing point translations."""
    import sys

    found = check_all()
    for line in found:
        sys.stdout.write(line + "\n")
    raise SystemExit(1 if found else 0)


if __name__ == "__main__":
    main()
