"""Terminal views that fit and say the truth: the map at 80x24 and 120x40, colours and
patterns, tables at 80 columns, the profile command, prompts, Ctrl-C, and the loose ends."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.color import Color
from rich.console import Console

from backpoints.catalog import Catalog
from backpoints.cli import tables, views
from backpoints.cli.prompt import wrap_prompt
from backpoints.cli.terminal import BadAnswer, Terminal, ask_pain, parse_pain
from backpoints.cli.termmap import (
    REGION_PATTERNS,
    REGION_STYLES,
    Look,
    back_map,
    fit_width,
    map_rows,
)
from backpoints.core.anatomy import Body, body_from_stature
from backpoints.core.guided import rate, start
from backpoints.core.planner import PainEntry
from backpoints.core.redflags import QUESTIONS
from backpoints.core.routines import builtin_routines
from backpoints.core.screening import Profile
from backpoints.core.steps import Guide
from backpoints.core.vocab import REGION_IDS, REGION_LABELS
from tests.conftest import CliRun

NO_FLAGS = "n\n" * len(QUESTIONS)
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _console(cols: int, rows: int, *, colour: bool = True) -> Console:
    return Console(
        file=io.StringIO(),
        width=cols,
        height=rows,
        force_terminal=colour,
        color_system="256" if colour else None,
        no_color=not colour,
    )


def _render(console: Console, thing: object) -> list[str]:
    console.print(thing)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out).rstrip("\n").split("\n")


@pytest.mark.parametrize("region", REGION_IDS)
def test_each_region_has_a_valid_colour_and_pattern_of_its_own(region: str) -> None:
    style = REGION_STYLES[region]
    Color.parse(style.removeprefix("on "))  # raises for a name Rich does not know
    others = [r for r in REGION_IDS if r != region]
    assert style not in {REGION_STYLES[r] for r in others}
    assert REGION_PATTERNS[region] not in {REGION_PATTERNS[r] for r in others}
    assert len(REGION_PATTERNS[region]) == 1


def _drawn_styles(body: Body, width: int) -> set[str]:
    text = back_map(body, width=width)
    return {str(span.style) for span in text.spans}


@pytest.mark.parametrize("width", [15, 21, 35, 47])
def test_the_map_draws_every_region_at_every_size(woman: Body, width: int) -> None:
    drawn = _drawn_styles(woman, width)
    missing = [r for r, style in REGION_STYLES.items() if style not in drawn]
    assert missing == []


def test_without_colour_every_region_has_its_pattern(woman: Body) -> None:
    text = back_map(woman, width=21, look=Look(plain=True))
    assert {str(s.style) for s in text.spans} <= {"", "dim"}
    for region, pattern in REGION_PATTERNS.items():
        assert pattern in text.plain, region


@pytest.mark.parametrize(("cols", "rows"), [(80, 24), (120, 40)])
@pytest.mark.parametrize("region", [None, "lower_back_left", "neck"])
def test_the_map_and_its_legend_fit_the_terminal(
    woman: Body, cols: int, rows: int, region: str | None
) -> None:
    console = _console(cols, rows)
    lines = _render(console, views.back_map_view(woman, region, console))
    assert len(lines) <= rows - 1  # a line is left for the shell prompt
    plain = _console(cols, rows, colour=False)
    assert (
        max(len(line) for line in _render(plain, views.back_map_view(woman, region, plain))) <= cols
    )
    if region is None:
        for label in REGION_LABELS.values():
            assert label in "\n".join(lines)


def test_a_bigger_terminal_gets_a_bigger_map(woman: Body) -> None:
    small, large = fit_width(woman, 21, 40), fit_width(woman, 37, 60)
    assert large > small
    assert map_rows(woman, small) <= 21 and map_rows(woman, large) <= 37


def test_one_region_map_shows_no_invented_pain_and_only_its_own_levels(woman: Body) -> None:
    console = _console(120, 40, colour=False)
    text = "\n".join(_render(console, views.back_map_view(woman, "lower_back_left", console)))
    assert "pain 5" not in text and "pain" not in text
    ex_b2 = next(line for line in text.splitlines() if "EX-B2" in line)
    assert "L1-L5" in ex_b2 and "T1" not in ex_b2


def test_the_map_is_plain_when_the_output_is_piped(run_cli: CliRun) -> None:
    result = run_cli("map")
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    for pattern in REGION_PATTERNS.values():
        assert pattern in result.stdout
    assert len(result.stdout.splitlines()) <= 23
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_points_fit_80_columns_with_full_ids(run_cli: CliRun, catalog: Catalog) -> None:
    result = run_cli("points")
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    firsts = {line.split()[0] for line in lines if line and not line.startswith(" ")}
    assert {p.id for p in catalog} <= firsts


def test_routines_list_their_full_ids_at_80_columns(run_cli: CliRun) -> None:
    out = run_cli("routine").stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    for routine in builtin_routines():
        assert routine.id in out, routine.id
    assert "…" not in out


def test_the_profile_is_shown_and_set_from_the_terminal(run_cli: CliRun) -> None:
    shown = run_cli("profile")
    assert shown.returncode == 0
    for words in ("Pregnant", "Blood thinners", "bleeding disorder", "osteoporosis", "Height"):
        assert words in shown.stdout
    saved = run_cli(
        "profile", "--pregnant", "--blood-thinners", "--osteoporosis", "--sex", "female",
        "--height", "163", "--age", "40", "--site", "sacrum", "--tool", "tennis_ball",
    )  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    again = " ".join(run_cli("profile").stdout.split())
    assert "Pregnant yes" in again and "Blood thinners (anticoagulants) yes" in again
    assert "Has osteoporosis yes" in again and "Has a bleeding disorder no" in again
    assert "163 cm" in again and "Sex Female" in again and "40" in again
    assert "Sacrum (base of the spine)" in again and "tennis ball" in again
    cleared = " ".join(run_cli("profile", "--not-pregnant", "--no-tools").stdout.split())
    assert "Pregnant no" in cleared and "Tools you own none" in cleared
    assert "163 cm" in cleared  # options left out keep their value


@pytest.mark.parametrize("lang", ["es", "hi", "zh"])
def test_the_profile_table_speaks_the_language(lang: str) -> None:
    from backpoints import i18n
    from backpoints.cli.profile import CONDITIONS, profile_table

    full = Profile(pregnant=True, sex="female", stature_cm=163, tools_owned=["tennis_ball"])
    with i18n.language(lang):
        words = " ".join(_render(_console(120, 40, colour=False), profile_table(full)))
    english = [label for _, label in CONDITIONS.values()]
    english += ["Where (never pressed)", "Tools you own", "Female", "tennis ball", " yes "]
    assert not [e for e in english if e in words], words


def test_the_profile_changes_the_guidance(run_cli: CliRun) -> None:
    run_cli("profile", "--pregnant")
    result = run_cli("session", "-p", "upper_trapezius_left=6", input=NO_FLAGS + "q\n")
    assert "GB21" not in result.stdout  # a pregnancy caution point is never offered


@pytest.mark.parametrize(
    ("args", "named"),
    [(("--height", "20"), "--height"), (("--sex", "x"), "--sex"), (("--age", "200"), "--age"),
     (("--site", "elbow"), "--site"), (("--tool", "hammer"), "--tool")],
)  # fmt: skip
def test_a_bad_profile_value_is_one_line_naming_the_option(
    run_cli: CliRun, args: tuple[str, str], named: str
) -> None:
    result = run_cli("profile", *args)
    assert result.returncode == 2
    assert named in result.stderr and "Traceback" not in result.stderr


def test_local_time_carries_its_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert tables.local_time(NOW) == "2026-01-05 10:00 CET"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_history_and_insights_show_names_not_ids(run_cli: CliRun, catalog: Catalog) -> None:
    run_cli("session", "-p", "lower_back_left=6", input=NO_FLAGS + "\n3\n")
    [session] = json.loads(run_cli("history", "--json").stdout)
    point = catalog.get(session["ratings"][0]["point_id"])
    history = " ".join(run_cli("history").stdout.split())
    assert point.names.english.split()[0] in history
    assert "Lower back, left" in history
    insights = " ".join(run_cli("insights").stdout.split())
    assert "1 of 1 try" in insights and "lower_back_left" not in insights


def test_history_and_insights_fit_80_columns(run_cli: CliRun) -> None:
    run_cli("session", "-p", "lower_back_left=6", "-p", "upper_trapezius_right=5",
            input=NO_FLAGS + "\n5\n\n3\nq\n")  # fmt: skip
    for command in ("history", "insights", "locate", "tools"):
        lines = run_cli(command).stdout.splitlines()
        assert lines and max(len(line) for line in lines) <= 80, command


def test_routine_runs_and_stress_are_in_the_history(run_cli: CliRun) -> None:
    run_cli("routine", "desk-neck-shoulders", input=NO_FLAGS + "7\n" + "\n" * 6 + "4\n")
    history = run_cli("history", columns=200).stdout
    assert "routine: Neck and shoulders for desk workers" in history
    assert "6 steps; stress 7→4" in history


def test_a_routine_step_asks_nothing_it_does_not_wait_for(run_cli: CliRun) -> None:
    result = run_cli("routine", "foam-roller", input=NO_FLAGS + "5\n" + "\n" * 6 + "3\n")
    assert result.returncode == 0, result.stderr
    assert "How is the pain now?" not in result.stdout
    assert "Stress 5 → 3" in result.stdout


def test_building_my_evening_saves_my_evening(run_cli: CliRun) -> None:
    built = run_cli("routine", "my-evening", "--point", "BL23")
    assert built.returncode == 0, built.stderr
    assert "'my-evening'" in built.stdout
    assert "my-my-evening" not in run_cli("routine").stdout


def test_export_without_a_routine_name_is_refused(run_cli: CliRun, tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    result = run_cli("routine", "--export", str(target))
    assert result.returncode == 2
    assert "--export needs" in result.stderr
    assert not target.exists()


def test_a_midline_point_that_failed_is_not_offered_again_for_the_other_side(
    catalog: Catalog,
) -> None:
    guide = Guide(catalog, body_from_stature(165, "female"))
    pain = [PainEntry("lower_back_left", 6), PainEntry("lower_back_right", 6)]
    state = start(pain, [], Profile(), guide, now=NOW)
    failed: set[tuple[str, str | None]] = set()
    while state.status == "active" and state.current is not None:
        step = state.current
        spot = (step.point.id, step.point.side)
        assert spot not in failed, f"{spot} offered again after it failed"
        # a midline point is one spot under each of its names (GV3 and "base of the spine")
        twins = {(p.id, None) for p in catalog.linked(catalog.get(step.point.id))}
        assert step.point.side is not None or not twins & failed, f"{spot}: its twin failed"
        failed.add(spot)
        state = rate(state, guide, step.point.id, step.point.side, 6, now=NOW)
    midline = [pid for pid, side in failed if side is None]
    assert midline, "the plan offers a midline point for the lower back"


def _scripted(answers: list[str]) -> Terminal:
    queue = iter(answers)
    return Terminal(_console(80, 24, colour=False), lambda _prompt: next(queue))


def test_pain_0_for_the_only_region_asks_again() -> None:
    term = _scripted(["1", "0", "", "1", "4", ""])
    assert ask_pain(term) == {"neck": 4}
    printed = term.console.file.getvalue()  # type: ignore[attr-defined]
    assert "left out" in printed and "at least one region that hurts" in printed


def test_pain_0_everywhere_on_the_command_line_is_refused(run_cli: CliRun) -> None:
    with pytest.raises(BadAnswer):
        parse_pain(["neck=0"])
    result = run_cli("session", "-p", "neck=0")
    assert result.returncode == 2 and "at least one" in result.stderr


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_prompts_break_between_words(width: int) -> None:
    from backpoints.core.screening import QUESTIONS

    for question in QUESTIONS.values():
        wrapped = wrap_prompt(f"{question} [y/n]", width)
        assert all(len(line) + 2 <= width for line in wrapped.splitlines())
        assert wrapped.split() == f"{question} [y/n]".split()


def test_a_step_fits_80x24_with_the_point_on_the_map(catalog: Catalog) -> None:
    from backpoints.cli.terminal import step_view

    body = body_from_stature(165, "female")
    state = start([PainEntry("upper_trapezius_left", 6)], [], Profile(), Guide(catalog, body),
                  now=NOW)  # fmt: skip
    assert state.current is not None
    console = _console(80, 24, colour=False)
    lines = _render(console, step_view(state.current, body, {}, console))
    assert len(lines) <= 23 and max(len(line) for line in lines) <= 80
    map_column = [line[:24] for line in lines]
    assert any("1" in line[4:] for line in map_column[3:])  # the marker is on screen


@pytest.mark.parametrize("region", REGION_IDS)
def test_a_step_names_no_bare_source_key_and_says_where_in_the_language(
    catalog: Catalog, region: str
) -> None:
    """Source keys mean nothing to a person: the step points to `show`, which cites in full;
    where the point lies is said in the language chosen."""
    from backpoints import i18n
    from backpoints.cli.terminal import step_panel

    body = body_from_stature(165, "female")
    state = start([PainEntry(region, 6)], [], Profile(), Guide(catalog, body), now=NOW)
    assert state.current is not None
    step = state.current
    words = " ".join(_render(_console(100, 60, colour=False), step_panel(step)))
    assert f"backpoints show {step.point.id}" in words
    assert not any(f" {key}," in words or words.endswith(f" {key}") for key in step.sources)
    with i18n.language("es"):
        spanish = " ".join(_render(_console(100, 60, colour=False), step_panel(step)))
    places = ("la línea media", "su lado izquierdo", "su lado derecho", "los dos lados")
    assert any(f"Dónde: {place}," in spanish for place in places), spanish


class KeptPager:
    """A pager that keeps what it was given (a fake through Rich's Pager interface)."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def show(self, content: str) -> None:
        self.shown.append(content)


@pytest.mark.parametrize(("rows", "paged"), [(24, True), (80, False)])
def test_show_pages_a_point_taller_than_the_terminal(
    catalog: Catalog, rows: int, paged: bool
) -> None:
    """At 80x24 `show` would scroll its map and names away: it goes through the pager, which
    holds every line (the sources included); a tall terminal gets it printed as it is."""
    from backpoints.cli.paging import print_paged

    console = _console(80, rows)
    pager = KeptPager()
    panel = views.point_panel(catalog.get("BL23"), console)
    print_paged(console, panel, pager)  # type: ignore[arg-type]
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert bool(pager.shown) == paged
    text = pager.shown[0] if paged else printed
    assert "BL23" in text and catalog.sources["who2008"].citation[:40] in text.replace("\n", " ")
    assert (printed == "") == paged


def test_show_piped_is_never_paged(run_cli: CliRun) -> None:
    result = run_cli("show", "BL23")
    assert result.returncode == 0 and "World Health Organization" in result.stdout


def test_scan_checks_the_level_first_and_names_points(run_cli: CliRun) -> None:
    # neck: a level outside it is refused before tenderness is asked; then L4 low back
    answers = "L3\n\n" + "\n" * 7 + "L4\n0\n6\n" + "\n" * 5
    result = run_cli("scan", input=answers)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Neck: a tender spot at which level (C7)?" in out
    assert "L3 is not within Neck" in out
    assert "Lower back, left: a tender spot at which level (L1 to L5)?" in out
    assert "from 1 to 10, not '0'" in out  # 0 is refused on the 1-10 scale
    assert "0 to 10" not in out  # one scale throughout
    saved = out[out.index("Saved: Lower back, left at L4, near") :]
    assert "Lumbar Eyes" in saved and "Quadratus lumborum trigger point" in saved


def test_scanned_points_are_offered_first(run_cli: CliRun) -> None:
    run_cli("scan", input="\n" * 8 + "L4\n6\n" + "\n" * 5)
    spots = run_cli("session", "-p", "lower_back_left=6", input=NO_FLAGS + "q\n")
    first = next(line for line in spots.stdout.splitlines() if "Step 1:" in line)
    why = " ".join(spots.stdout.split())
    assert "near a tender spot you marked" in why, first


# ---- a few real processes: the entry point, exit codes and Ctrl-C ----------------------------


def test_ctrl_c_at_a_prompt_exits_130_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "BACKPOINTS_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    for args in (["session", "-p", "neck=4"], ["peg"], ["scan"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "backpoints", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env,
        )  # fmt: skip
        assert proc.stdout is not None
        proc.stdout.read(20)  # the first prompt has started
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, (args, err)
        assert err.strip().splitlines()[-1] == "Interrupted (Ctrl-C).", args
        assert "Traceback" not in err and "Aborted" not in err


def test_the_entry_point_ends_domain_errors_with_exit_2(run_real: CliRun) -> None:
    result = run_real("points", "--region", "lower_bak_left")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "lower_back_left" in result.stderr


def test_keys_typed_during_a_countdown_are_not_echoed_and_answer_nothing() -> None:
    """On a real terminal (a pty): while held, typing is not echoed; what was typed is dropped
    when the countdown ends, so a stray "q" cannot answer the rating question."""
    import pty
    import select
    import termios

    from backpoints.cli.prompt import keys_held

    master, slave = pty.openpty()
    with os.fdopen(slave, "r") as stream:
        before = termios.tcgetattr(slave)
        with keys_held(stream):
            assert not termios.tcgetattr(slave)[3] & termios.ECHO
            os.write(master, b"q\n3\n")
            time.sleep(0.05)
        assert termios.tcgetattr(slave) == before  # the terminal is given back as it was
        readable, _, _ = select.select([slave], [], [], 0.1)
        assert not readable  # nothing typed during the countdown is left to read
        os.write(master, b"7\n")
        assert os.read(slave, 10) == b"7\n"  # what is typed after it is read as usual
    os.close(master)


def test_a_question_ending_in_its_own_mark_gets_no_colon_after_it(run_cli: CliRun) -> None:
    result = run_cli("session", input="1\n5\n\n" + "n\n" * 17 + "q\n")
    assert "(0-10)? " in result.stdout
    assert "?:" not in result.stdout


class _ScriptedKeys:
    """Keys as typed during a countdown: one entry per wait (None: nothing typed)."""

    live = True

    def __init__(self, typed: list[str | None]) -> None:
        self.typed, self.waits = iter(typed), 0

    def wait(self, seconds: float | None, sleep: Any) -> str | None:
        self.waits += 1
        return next(self.typed, None)


def _countdown_with(catalog: Catalog, typed: list[str | None]) -> tuple[str, _ScriptedKeys]:
    from contextlib import nullcontext

    from backpoints.cli.terminal import countdown

    keys = _ScriptedKeys(typed)
    guide = Guide(catalog, body_from_stature(165, "female"))
    state = start([PainEntry("lower_back_left", 6)], [], Profile(), guide, now=NOW)
    assert state.current is not None
    out = io.StringIO()
    console = Console(file=out, width=80, height=24, force_terminal=False)
    term = Terminal(console, lambda _prompt: "", hold_keys=lambda: nullcontext(keys))
    countdown(term, state.current)
    return out.getvalue(), keys


def test_space_pauses_the_countdown_and_s_ends_the_point_early(catalog: Catalog) -> None:
    text, keys = _countdown_with(catalog, [None, " ", None, None, "p", None, "s"])
    assert "Space pauses" in text and text.count("Paused.") == 1
    assert "Stopped early." in text
    assert "How is the pain now?" not in text  # the point ended before its last cue
    assert keys.waits == 7  # paused waits (None) go on until space or p is typed again
    whole, keys = _countdown_with(catalog, [])
    assert "Stopped early." not in whole and "How is the pain now?" in whole
    assert "Paused." not in whole


def test_the_held_keys_return_only_pause_and_stop_keys() -> None:
    """On a pty: space, p and s come back from `wait`; other keys are dropped."""
    import pty

    from backpoints.cli.prompt import keys_held

    master, slave = pty.openpty()
    with os.fdopen(slave, "r") as stream, keys_held(stream) as keys:
        assert keys.live
        assert keys.wait(0.01, time.sleep) is None  # nothing typed: the tick just passes
        os.write(master, b"xq7 ")
        assert keys.wait(1.0, time.sleep) == " "
        os.write(master, b"\nP")
        assert keys.wait(1.0, time.sleep) == "p"
        os.write(master, b"s")
        assert keys.wait(None, time.sleep) == "s"
    os.close(master)


def test_the_start_prompt_says_the_points_place(run_cli: CliRun) -> None:
    """A tall step card can scroll its title away at 80x24: the prompt says the place too."""
    result = run_cli("session", input="9\n6\n\n" + "n\n" * 17 + "q\n")
    assert "(point 1 of up to " in result.stdout
    assert "of up to" in result.stdout.split("Enter to start")[0].splitlines()[-1]
