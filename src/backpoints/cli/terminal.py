"""The guided session in a terminal: ask, screen, show a step, count down with cues, rate.

An imperative shell over `backpoints.app.service`: input comes through an `ask` function and
output through a Rich console, so tests drive it with real text. The countdown sleeps
`duration / speed` seconds (speed > 1 in tests) and rings the terminal bell at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from backpoints.app import service
from backpoints.cli.termmap import MapMarker, back_map
from backpoints.core.anatomy import Position
from backpoints.core.errors import BackpointsError, check_region
from backpoints.core.guided import SessionState
from backpoints.core.screening import QUESTIONS
from backpoints.core.steps import TOOL_WORDS, Step
from backpoints.core.vocab import REGION_IDS, region_label
from backpoints.i18n import gettext as _
from backpoints.store.repo import PointInsight, SessionSummary

Ask = Callable[[str], str]


class BadAnswer(BackpointsError, ValueError):
    """An answer at a prompt that cannot be understood."""


class EndOfInput(Exception):
    """The person pressed Ctrl-C or closed the input: stop cleanly, keep what was rated."""


@dataclass
class Terminal:
    """Where the session talks to the person."""

    console: Console
    ask: Ask
    speed: float = 1.0
    sleep: Callable[[float], None] = time.sleep


def pain_from_pairs(regions: list[str], intensities: list[int]) -> dict[str, int]:
    """`--region A --intensity 6 --region B --intensity 3` -> {A: 6, B: 3}."""
    if len(regions) != len(intensities):
        raise BadAnswer(_("Give one --intensity (0-10) for each --region."))
    return parse_pain([f"{r}={i}" for r, i in zip(regions, intensities, strict=True)])


def parse_pain(items: list[str]) -> dict[str, int]:
    """`["lower_back_left=6", "neck=3"]` -> {"lower_back_left": 6, "neck": 3}."""
    pain: dict[str, int] = {}
    for item in items:
        region, _, value = item.partition("=")
        check_region(region.strip())
        pain[region.strip()] = _intensity(value)
    return pain


def _intensity(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or not 0 <= int(text) <= 10:
        raise BadAnswer(
            _("Pain must be a whole number from 0 to 10, not {text!r}.").format(text=text)
        )
    return int(text)


def ask_pain(term: Terminal) -> dict[str, int]:
    """Ask where it hurts (region numbers) and how much, until an empty answer."""
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
            term.console.print(_("Mark at least one region."))
            continue
        if not answer.isdigit() or not 1 <= int(answer) <= len(REGION_IDS):
            term.console.print(_("Please type a number from 1 to {n}.").format(n=len(REGION_IDS)))
            continue
        region = REGION_IDS[int(answer) - 1]
        pain[region] = ask_number(
            term, _("How much does it hurt: {region} (0-10)?").format(region=region_label(region))
        )


def ask_number(term: Terminal, prompt: str) -> int:
    while True:
        try:
            return _intensity(term.ask(prompt))
        except BadAnswer as exc:
            term.console.print(str(exc))


def ask_flags(term: Terminal) -> list[str]:
    """The red-flag questions, yes/no each; returns the flags answered yes."""
    term.console.print(
        "[bold]"
        + _("Safety first.")
        + "[/] "
        + _("A few questions about signs that need a doctor, not massage.")
    )
    flags = []
    for flag, question in QUESTIONS.items():
        while (answer := term.ask(f"{_(question)} [y/n]").strip().lower()[:1]) not in ("y", "n"):
            term.console.print(_("Please answer y or n."))
        if answer == "y":
            flags.append(flag)
    return flags


def run(term: Terminal, services: service.Services, pain: dict[str, int]) -> SessionState | None:
    """Screen if needed, then guide step by step until relief, exhaustion or stop.

    Ctrl-C or the end of input stops the session cleanly; every rating given stays saved.
    """
    me = service.person_id(services)
    session_id = None
    try:
        flags: list[str] = []
        if service.screening_needed(services, me, pain):
            flags = ask_flags(term)
            service.record_screening(services, me, flags, pain)
        session_id, state = service.start_session(services, me, pain, flags)
        state = _guide(term, services, session_id, state)
    except (EndOfInput, KeyboardInterrupt):
        if session_id is None:
            term.console.print(_("Stopped before a session started; nothing was saved."))
            return None
        _stored, state = service.load(services, session_id)
        if state.status == "active":
            state = service.stop(services, session_id)
    term.console.print(outcome_panel(state))
    return state


def _guide(
    term: Terminal, services: service.Services, session_id: str, state: SessionState
) -> SessionState:
    while state.status == "active" and state.current is not None:
        step = state.current
        term.console.print(step_map(step, state))
        term.console.print(step_panel(step))
        choice = term.ask(_("Enter to start, s to skip this point, q to stop")).strip().lower()
        if choice == "q":
            state = service.stop(services, session_id)
        elif choice == "s":
            state = service.skip(services, session_id)
        else:
            countdown(term, step)
            after = ask_number(
                term, _("How is the pain now: {region} (0-10)?").format(region=step.region_label)
            )
            state = service.rate(services, session_id, step.point.id, step.point.side, after)
    return state


def step_map(step: Step, state: SessionState) -> Group:
    """The back in the terminal with this step's point highlighted and the pain shaded."""
    body = service.body_of(state.profile)
    markers = [
        MapMarker(
            1,
            Position(step.point.id, s.side, s.x_cm, s.y_cm, s.level, s.uncertainty_cm),
            step.point.name,
            highlight=True,
        )
        for s in step.point.spots
    ]
    pain = {r.region: r.pain_now for r in state.regions}
    return Group(
        Text(_("Seen from behind: your left is on the left. The point is marked 1.")),
        back_map(body, markers=markers, pain=pain),
    )


def step_panel(step: Step) -> Panel:
    """Everything the person needs for one step."""
    side = {"left": _("your left side"), "right": _("your right side"), None: _("the midline")}
    where = side[step.point.side]
    if step.point.side is None and len(step.point.spots) == 2:
        where = _("both sides")
    body = Text()
    body.append(_("Why: {why}").format(why=step.why) + "\n", style="italic")
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
    body.append(_("Sources: {keys}").format(keys=", ".join(step.sources)), style="dim")
    title = _("Step {n}: {point} for {region}").format(
        n=step.n, point=step.point.name, region=step.region_label
    )
    return Panel(body, title=title, title_align="left")


def countdown(term: Terminal, step: Step) -> None:
    """A live countdown; each cue is printed at its time; the bell rings at the end."""
    t = step.technique
    total = t.lead_in_s + t.duration_s
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(_("{task.fields[left]:>3} s left")),
        console=term.console,
        transient=True,
    )
    with progress:
        task = progress.add_task(_("Get ready"), total=total, left=t.duration_s)
        cues = iter(step.cues)
        cue = next(cues, None)
        for second in range(total + 1):
            while cue is not None and cue.t_s <= second:
                progress.console.print(f"[bold cyan]{cue.say}[/]")
                cue = next(cues, None)
            left = min(t.duration_s, total - second)
            label = _("Get ready") if second < t.lead_in_s else _("Massage")
            progress.update(task, completed=second, description=label, left=left)
            if second < total:
                term.sleep(1 / term.speed)
    term.console.file.write("\a")  # the end bell (Rich drops control codes off a terminal)
    term.console.file.flush()


def outcome_panel(state: SessionState) -> Panel:
    titles = {
        "refer": _("Please get medical advice first"),
        "relieved": _("Relief"),
        "exhausted": _("No relief this time"),
        "stopped": _("Stopped"),
        "active": _("In progress"),
    }
    message = _(state.message) if state.status == "refer" and state.message else state.message
    advice = _(state.advice) if state.advice else None
    parts = [Text(p) for p in (message, advice) if p]
    parts += [Text(n, style="yellow") for n in state.notes]
    style = "red" if state.status == "refer" else "green"
    return Panel(Group(*parts), title=titles[state.status], border_style=style)


def history_table(sessions: list[SessionSummary]) -> Table:
    table = Table("date", "pain at start", "points (before → after)", "outcome")
    for s in sessions:
        pain = ", ".join(f"{region_label(r)} {v}" for r, v in s.pain.items())
        tries = ", ".join(f"{r.point_id} {r.pain_before}→{r.pain_after}" for r in s.ratings)
        table.add_row(f"{s.started_at:%Y-%m-%d %H:%M}", pain, tries or "-", s.status)
    return table


def insights_table(found: list[PointInsight]) -> Table:
    table = Table("region", "point", "helped", "mean drop")
    for i in found:
        table.add_row(
            region_label(i.region),
            i.point_id,
            f"{i.helped} of {i.tried}",
            f"{i.mean_drop:.1f} points",
        )
    return table
