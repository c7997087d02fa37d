"""The benchmark's hand-written reference answers exactly as the app does (else it measures
something else)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.reference_check import SCRIPTS, same_answers

from backpoints.catalog import Catalog


def test_the_reference_gives_the_apps_answers_on_every_scripted_session(
    catalog: Catalog, tmp_path: Path
) -> None:
    answers = same_answers(catalog, tmp_path)
    assert answers >= len(SCRIPTS) + 30  # every session start, and the ratings that follow
