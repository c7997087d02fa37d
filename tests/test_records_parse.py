"""The one 0-10 parser every surface uses for a typed or posted rating."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backpoints.core.records import parse_level


@given(st.integers(min_value=0, max_value=10), st.sampled_from(["", " ", "\t"]))
def test_every_whole_number_from_0_to_10_is_read(level: int, pad: str) -> None:
    assert parse_level(f"{pad}{level}{pad}") == level


@given(st.text(max_size=6))
def test_anything_else_is_none_never_an_error(text: str) -> None:
    result = parse_level(text)
    assert result is None or (
        0 <= result <= 10 and text.strip() == str(result).zfill(len(text.strip()))
    )


def test_what_people_and_attackers_type_is_refused() -> None:
    for text in ("11", "-1", "4.5", "five", "²", "٣", "1" * 5000, None, ""):
        assert parse_level(text) is None
    assert parse_level("0", low=1) is None and parse_level("1", low=1) == 1
