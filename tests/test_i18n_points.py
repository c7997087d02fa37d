"""Point texts in every language: complete, the same shape as the English, in the right
script, with the standard Chinese names, and never silently stale after English changes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpoints.catalog import Catalog, Point, load_catalog
from backpoints.i18n import DEFAULT, LANGUAGES
from backpoints.i18n.points import (
    check_all,
    fingerprint,
    localize,
    localized_catalog,
    point_texts,
    problems,
)

TRANSLATED = [lang for lang in LANGUAGES if lang != DEFAULT]
POINTS = [p.id for p in load_catalog()]
SCRIPT = {"hi": re.compile(r"[\u0900-\u097f]"), "zh": re.compile(r"[\u4e00-\u9fff]")}


@pytest.mark.parametrize("point_id", POINTS)
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_point_has_every_text_in_every_language(
    catalog: Catalog, lang: str, point_id: str
) -> None:
    point = catalog.get(point_id)
    text = point_texts(lang).get(point_id)
    assert problems(point, text, lang) == []
    shown = localize(point, lang)
    for english, translated in zip(point.how_to_find, shown.how_to_find, strict=True):
        assert translated != english
        if lang in SCRIPT:
            assert SCRIPT[lang].search(translated), translated
    for english, translated in zip(point.cautions, shown.cautions, strict=True):
        assert translated != english
    assert shown.names.english != point.names.english or lang == "es"


def test_no_stale_missing_or_unknown_translations() -> None:
    assert check_all() == []


def test_every_standard_point_has_its_chinese_name(catalog: Catalog) -> None:
    standard = [p for p in catalog if p.names.code]
    assert len(standard) == 33
    for point in standard:
        assert point.names.hanzi and point.names.pinyin, point.id
        assert point.names.hanzi in point_texts("zh")[point.id].name
    assert catalog.get("BL23").names.chinese == "肾俞 Shenshu"
    assert catalog.get("GV14").names.chinese == "大椎 Dazhui"
    assert catalog.get("GB21").names.chinese == "肩井 Jianjing"


def test_a_chinese_name_needs_both_characters_and_pinyin(catalog: Catalog) -> None:
    names = catalog.get("BL23").names.model_dump()
    with pytest.raises(ValueError, match="Chinese characters and pinyin"):
        type(catalog.get("BL23").names).model_validate({**names, "hanzi": None})
    with pytest.raises(ValueError, match="hanzi"):
        type(catalog.get("BL23").names).model_validate({**names, "hanzi": "Shen"})


_edits = st.sampled_from(["name", "alias", "how_to_find", "caution"])


@given(point_id=st.sampled_from(POINTS), edit=_edits, extra=st.text(min_size=1, max_size=5))
def test_any_change_to_the_english_makes_every_translation_stale(
    point_id: str, edit: str, extra: str
) -> None:
    point = load_catalog().get(point_id)
    changed = _edit(point, edit, extra)
    if changed is None:
        return
    assert fingerprint(changed) != fingerprint(point)
    for lang in TRANSLATED:
        found = problems(changed, point_texts(lang)[point_id], lang)
        assert any("older English text" in p for p in found), found


def _edit(point: Point, edit: str, extra: str) -> Point | None:
    names = point.names
    if edit == "name":
        return point.model_copy(
            update={"names": names.model_copy(update={"english": names.english + extra})}
        )
    if edit == "alias":
        if not names.aliases:
            return None
        aliases = (names.aliases[0] + extra, *names.aliases[1:])
        return point.model_copy(update={"names": names.model_copy(update={"aliases": aliases})})
    if edit == "how_to_find":
        steps = (*point.how_to_find[:-1], point.how_to_find[-1] + extra)
        return point.model_copy(update={"how_to_find": steps})
    if not point.cautions:
        return None
    return point.model_copy(update={"cautions": (point.cautions[0] + extra, *point.cautions[1:])})


def test_a_translation_with_a_step_too_few_is_reported(catalog: Catalog) -> None:
    point = catalog.get("BL23")
    text = point_texts("es")["BL23"]
    short = text.model_copy(update={"how_to_find": text.how_to_find[:-1]})
    assert problems(point, short, "es") == ["es: BL23 how_to_find has 2 entries, English 3"]
    assert problems(point, None, "es") == ["es: BL23 has no translation"]


def test_the_localized_catalogue_keeps_ids_locations_and_techniques(catalog: Catalog) -> None:
    for lang in TRANSLATED:
        shown = localized_catalog(lang)
        assert [p.id for p in shown] == [p.id for p in catalog]
        for before, after in zip(catalog, shown, strict=True):
            assert (after.location, after.technique, after.helps, after.avoid_when) == (
                before.location,
                before.technique,
                before.helps,
                before.avoid_when,
            )
    assert localized_catalog("es").get("BL23").names.english == "Shu del Riñón"
    assert localized_catalog("en") is load_catalog()
