"""The terminal's guided steps: ask for pain, the one step loop that sessions and routines
share (map beside the step, a countdown with cues and a bell), and the one summary panel.

An imperative shell: input comes through an `ask` function and output through a Rich console,
so tests drive it with real text. The countdown sleeps `duration / speed` seconds (speed > 1
in tests) and rings the terminal bell at the end. The session and routine flows that use the
loop live in `backpoints.cli.terminal_routine`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from backpoints.cli.prompt import PAUSE_KEYS, STOP_KEY, EndOfInput, Keys, keys_held
from backpoints.cli.termmap import MapMarker, back_map, beside, fit_width, look_for
from backpoints.core.anatomy import Body, Position
from backpoints.core.errors import BackpointsError, check_region
from backpoints.core.records import parse_level
from backpoints.core.steps import HOW_NOW, TOOL_WORDS, Step
from backpoints.core.vocab import REGION_IDS, region_label
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

Ask = Callable[[str], str]
__all__ = ["EndOfInput", "Terminal", "StepFlow", "step_loop", "summary_panel"]


class BadAnswer(BackpointsError, ValueError):
    """An answer at a prompt that cannot be understood."""


@dataclass
class Terminal:
    """Where the session talks to the person."""

    console: Console
    ask: Ask
    speed: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    #: The keys during a countdown: not echoed, space pauses, s ends it early, the rest is
    #: dropped at its end (`keys_held`).
    hold_keys: Callable[[], AbstractContextManager[Keys]] = keys_held


def pain_from_pairs(regions: list[str], intensities: list[int]) -> dict[str, int]:
    """`--region A --intensity 6 --region B --intensity 3` -> {A: 6, B: 3}."""
    if len(regions) != len(intensities):
        raise BadAnswer(_("Give one --intensity (0-10) for each --region."))
    return parse_pain([f"{r}={i}" for r, i in zip(regions, intensities, strict=True)])


def parse_pain(items: list[str]) -> dict[str, int]:
    """`["lower_back_left=6", "neck=3"]` -> {"lower_back_left": 6, "neck": 3}."""
    pain: dict[str, int] = {}
    for item in items:
        region, _sep, value = item.partition("=")
        check_region(region.strip())
        pain[region.strip()] = _intensity(value)
    if pain and not any(pain.values()):
        raise BadAnswer(_("Every region given has pain 0; give at least one that hurts (1-10)."))
    return pain


def _intensity(value: str) -> int:
    level = parse_level(value)
    if level is None:
        raise BadAnswer(
            _("Pain must be a whole number from 0 to 10, not {text!r}.").format(text=value.strip())
        )
    return level


def ask_pain(term: Terminal) -> dict[str, int]:
    """Ask where it hurts (region numbers) and how much, until an empty answer; a region
    rated 0 does not hurt and is left out, so at least one region above 0 is asked for."""
    table = Table("no.", "region", box=None)
    for i, region in enumerate(REGION_IDS, start=1):
        table.add_row(str(i), region_label(region))
    term.console.print(table)
    pain: dict[str, int] = {}
    while True:
        answer = term.ask(_("Where does it hurt? Region number (Enter when done)")).strip()
        if not answer:
            if pain:
                return pain
            term.console.print(_("Mark at least one region that hurts."))
            continue
        if not answer.isdigit() or not 1 <= int(answer) <= len(REGION_IDS):
            term.console.print(_("Please type a number from 1 to {n}.").format(n=len(REGION_IDS)))
            continue
        region = REGION_IDS[int(answer) - 1]
        level = ask_number(
            term, _("How much does it hurt: {region} (0-10)?").format(region=region_label(region))
        )
        if level == 0:
            pain.pop(region, None)
            term.console.print(
                _("Pain 0: {region} is left out.").format(region=region_label(region))
            )
        else:
            pain[region] = level


def ask_number(term: Terminal, prompt: str, low: int = 0) -> int:
    """A whole number from `low` to 10, asked again until the answer is one."""
    while True:
        text = term.ask(prompt).strip()
        level = parse_level(text, low)
        if level is not None:
            return level
        wrong = (
            _("Pain must be a whole number from 0 to 10, not {text!r}.")
            if low == 0
            else _("It must be a whole number from {low} to 10, not {text!r}.")
        )
        term.console.print(wrong.format(low=low, text=text))


@dataclass
class StepFlow:
    """What the step loop needs from a session or a routine: the current step, and what
    to do after its countdown (`done`: rate the pain, or move on), on skip and on stop."""

    current: Callable[[], Step | None]
    done: Callable[[Step], None]
    skip: Callable[[], None]
    stop: Callable[[], None]
    body: Body
    pain: Callable[[], Mapping[str, int]]
    rates: bool
    #: The step's place among its region's points, and at most how many (None: not said).
    place: Callable[[], tuple[int, int] | None] = lambda: None


def step_loop(term: Terminal, flow: StepFlow) -> None:
    """Show each step (the map beside it), count down, then rate or move on; s skips, q
    stops. The one loop for guided sessions and routines."""
    while (step := flow.current()) is not None:
        place = flow.place()
        term.console.print(step_view(step, flow.body, flow.pain(), term.console, place))
        prompt = _("Enter to start, s to skip this point, q to stop")
        if said := place_words(place):  # said again by the prompt: a tall card scrolls
            prompt = f"{said} {prompt}"
        choice = term.ask(prompt).strip().lower()
        if choice == "q":
            flow.stop()
        elif choice == "s":
            flow.skip()
        else:
            countdown(term, step, flow.rates)
            flow.done(step)


def step_view(
    step: Step,
    body: Body,
    pain: Mapping[str, int],
    console: Console,
    place: tuple[int, int] | None = None,
) -> RenderableType:
    """The map with the point marked, beside the step's panel; stacked when too narrow."""
    markers = [
        MapMarker(1, Position(step.point.id, s.side, s.x_cm, s.y_cm, s.level, s.uncertainty_cm),
                  step.point.name, highlight=True)
        for s in step.point.spots
    ]  # fmt: skip
    panel = step_panel(step, place)
    cols, rows = console.size.width, console.size.height
    width = fit_width(body, rows - 3, max(15, cols // 3))
    drawn = back_map(body, markers=markers, pain=pain, width=width, look=look_for(console))
    caption = Text(_("Seen from behind:\nyour left on the left,\nthe point marked 1."), style="dim")
    if cols < 70:
        return Group(caption, drawn, panel)
    return beside(Group(caption, drawn), panel)


#: The keys of a countdown, said once as it starts, and again while it is paused.
KEYS_HINT = N_("Space pauses, s ends this point early, Ctrl-C stops the session.")
PAUSED = N_("Paused. Press space to go on, or s to end this point.")
#: Where a step's point is, in words.
SIDE_WORDS = {None: N_("the midline"), "left": N_("your left side"), "right": N_("your right side")}


def place_words(place: tuple[int, int] | None) -> str:
    """ "(point 2 of up to 14)", or "" when there is no place or only one point can come."""
    if place is None or place[1] <= 1:
        return ""
    return _("(point {n} of up to {total})").format(n=place[0], total=place[1])


def step_panel(step: Step, place: tuple[int, int] | None = None) -> Panel:
    """Everything the person needs for one step; `place`: its place among the region's
    points, and at most how many there can be."""
    where = _(SIDE_WORDS[step.point.side])
    if step.point.side is None and len(step.point.spots) == 2:
        where = _("both sides")
    body = Text()
    region = _("Region: {region}").format(region=step.region_label)
    if said := place_words(place):
        region += " " + said
    body.append(region + "\n", style="bold")
    body.append(_("Why: {why}").format(why=step.why) + "\n", style="italic")
    if step.also_known_as:
        body.append(_("Also known as: {names}").format(names=step.also_known_as) + "\n")
    body.append(_("Where: {where}, at {level}").format(where=where, level=step.point.level) + "\n")
    for i, line in enumerate(step.point.how_to_find, start=1):
        body.append(f"  {i}. {line}\n")
    t = step.technique
    body.append(_("How: {how} {n} s.").format(how=t.summary, n=t.duration_s) + "\n")
    if t.alternatives:
        others = ", ".join(_(TOOL_WORDS[a]) for a in t.alternatives)
        body.append(_("Or use: {tools}.").format(tools=others) + "\n")
    for caution in step.cautions:
        body.append(_("Caution: {text}").format(text=caution) + "\n", style="yellow")
    if t.not_for:
        who = " ".join(t.not_for)
        body.append(_("Who should not use it: {who}").format(who=who) + "\n", style="yellow")
    # the full titles take room a step does not have: `show` lists them
    body.append(_("Sources in full: backpoints show {point}").format(point=step.point.id), "dim")
    title = _("Step {n}: {point}").format(n=step.n, point=step.point.name)
    return Panel(body, title=title, title_align="left")


def _tick(term: Terminal, keys: Keys, progress: Progress, task: TaskID, label: str) -> bool:
    """One second of the countdown, paused for as long as asked; False: end it now."""
    key = keys.wait(1 / term.speed, term.sleep)
    if key in PAUSE_KEYS:
        progress.update(task, description=_("Paused"))
        progress.console.print(f"[bold]{_(PAUSED)}[/]")
        while (key := keys.wait(None, term.sleep)) not in PAUSE_KEYS and key != STOP_KEY:
            pass
        progress.update(task, description=label)
    return key != STOP_KEY


def countdown(term: Terminal, step: Step, rates: bool = True) -> None:
    """A live countdown; each cue is printed at its time; the bell rings at the end. A
    routine (`rates=False`) asks nothing after a step, so its last cue asks nothing either."""
    t = step.technique
    total = t.lead_in_s + t.duration_s
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(_("{task.fields[left]:>3} s left")),
        console=term.console,
        transient=True,
    )
    with term.hold_keys() as keys, progress:
        if keys.live:
            progress.console.print(f"[dim]{_(KEYS_HINT)}[/]")
        task = progress.add_task(_("Get ready"), total=total, left=t.duration_s)
        cues = iter(step.cues)
        cue = next(cues, None)
        for second in range(total + 1):
            while cue is not None and cue.t_s <= second:
                say = cue.say if rates else cue.say.removesuffix(" " + _(HOW_NOW))
                progress.console.print(f"[bold cyan]{say}[/]")
                cue = next(cues, None)
            left = min(t.duration_s, total - second)
            label = _("Get ready") if second < t.lead_in_s else _("Massage")
            progress.update(task, completed=second, description=label, left=left)
            if second < total and not _tick(term, keys, progress, task, label):
                progress.console.print(_("Stopped early."))
                break
    term.console.file.write("\a")  # the end bell (Rich drops control codes off a terminal)
    term.console.file.flush()


def summary_panel(
    title: str, lines: Sequence[str | None], notes: Sequence[str] = (), *, alarm: bool = False
) -> Panel:
    """How a session or a routine ended: the one summary panel of the terminal."""
    parts = [Text(line) for line in lines if line]
    parts += [Text(n, style="yellow") for n in notes]
    return Panel(Group(*parts), title=title, border_style="red" if alarm else "green")
