"""Every text a template shows goes through gettext: a literal left in a template (between tags,
or in an attribute people read) fails here, naming the template and the text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from jinja2 import Environment

TEMPLATES = Path(str(resources.files("backpoints.web").joinpath("templates")))
#: Attributes whose values people read or hear.
READ_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description"})
#: Words that are the same in every language: the app's name, units, symbols.
SAME_EVERYWHERE = frozenset({"backpoints", "cm", "kg", "s", "PEG", "PDF", "CSV", "FHIR", "JSON"})


class _Literals(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check(data)

    def _check(self, text: str) -> None:
        words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w not in SAME_EVERYWHERE]
        if words:
            self.found.append(" ".join(text.split()))


def literals(source: str) -> list[str]:
    """The texts of a template that are not inside `{{ ... }}`, `{% ... %}` or `{# ... #}`."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    parts: list[str] = []
    in_trans, previous = False, ""
    for _line, token, value in env.lex(source):
        if token == "name" and previous == "block_begin":
            in_trans = value in ("trans", "pluralize") or (in_trans and value != "endtrans")
        if token == "data":
            parts.append(" " if in_trans else value)  # a {% trans %} block is a message
        elif token in ("variable_begin", "block_begin"):
            parts.append(" ")
        if token != "whitespace":
            previous = token
    html = "".join(parts)
    parser = _Literals()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_untranslated_literal_in_a_template(name: str) -> None:
    assert literals((TEMPLATES / name).read_text("utf-8")) == []


def test_the_checker_finds_a_literal() -> None:
    assert literals("<p>{% trans n=1 %}Hello {{ n }}{% endtrans %}</p>") == []
    assert literals('<p>Hello {{ name }}</p><p>{{ _("Fine") }}</p>') == ["Hello"]
    assert literals('<img alt="A back" src="x.png"><b>{{ _("ok") }}</b>') == ["A back"]
    assert literals("<p>{% if x %}{{ _('Yes') }}{% endif %} 3 cm</p>") == []
