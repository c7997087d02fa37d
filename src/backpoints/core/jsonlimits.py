"""Limits on JSON from outside (uploaded files, request bodies): nesting depth and the length
of a number, checked before `json.loads` builds anything.

Python's parser recurses once per level (a few thousand `[` end in RecursionError) and turns
a 5,000-digit number into a ValueError deep inside; `loads` refuses both with a message that
says what is wrong. Pure: the standard library's `json` and `re` only.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from backpoints.core.errors import BackpointsError

#: Deepest nesting of arrays and objects accepted (the app's own files use fewer than 8).
MAX_DEPTH: Final = 32
#: Longest run of digits in a number (a 64-bit integer has 19).
MAX_DIGITS: Final = 40

_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS: Final = re.compile(r"[\[\]{}]")
_LONG_NUMBER: Final = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


class JsonTooComplex(BackpointsError, ValueError):
    """JSON nested too deeply or with a number too long to be real data."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


def check(text: str, max_depth: int = MAX_DEPTH, field: str = "body") -> None:
    """Raise `JsonTooComplex` if `text` nests deeper than `max_depth` or has a long number."""
    bare = _STRING.sub('""', text)  # brackets and digits inside strings do not count
    if _LONG_NUMBER.search(bare):
        raise JsonTooComplex(f"A number in the JSON has more than {MAX_DIGITS} digits.", field)
    depth = 0
    for bracket in _BRACKETS.findall(bare):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise JsonTooComplex(f"The JSON is nested more than {max_depth} levels deep.", field)


def loads(text: str, max_depth: int = MAX_DEPTH, field: str = "body") -> Any:
    """`json.loads` after `check`; a malformed document still raises `json.JSONDecodeError`."""
    check(text, max_depth, field)
    return json.loads(text)
