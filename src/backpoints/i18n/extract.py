"""Babel extraction from the catalogue's TOML data: the texts people read in tools.toml and
routines.toml become gettext messages (translated where they are shown).

Configured in `babel.cfg` with the keys whose string values (or lists of strings) are messages.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import IO, Any

Extracted = tuple[int, str | None, str, list[str]]


def extract_toml(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Yield (line, function, message, comments) for each text under the configured keys."""
    keys = {k.strip() for k in str(options.get("keys", "")).split(",") if k.strip()}
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for message in _strings(tomllib.loads(text), keys):
        yield _line_of(lines, message), None, message, []


def _strings(node: object, keys: set[str], key: str | None = None) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _strings(value, keys, name)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, keys, key)
    elif isinstance(node, str) and key in keys and node:
        yield node


def _line_of(lines: list[str], message: str) -> int:
    needle = message[:40]
    return next((i for i, line in enumerate(lines, 1) if needle in line), 0)
