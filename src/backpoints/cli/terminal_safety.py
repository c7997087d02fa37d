"""The safety questions and the referral in the terminal, shared by the session, routines,
the scan and `backpoints screening`: the same questions, groups and referral as the pages."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from backpoints.app import begin
from backpoints.app.service import Services
from backpoints.cli.terminal import Terminal
from backpoints.core.redflags import QUESTIONS_BY_ID, questions_in_groups
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

AGAIN_HINT = N_("If you answered by mistake, run `backpoints screening` to be asked again.")


def ask_answers(term: Terminal) -> dict[str, bool]:
    """Every red-flag question, yes or no, under its group heading (emergency ones first)."""
    first = _("Safety first.")
    term.console.print(
        f"[bold]{first}[/] " + _("A few questions about signs that need a doctor, not massage.")
    )
    answers: dict[str, bool] = {}
    for title, questions in questions_in_groups():
        term.console.print(f"[bold]{_(title)}[/]")
        for q in questions:
            while (reply := term.ask(f"{_(q.text)} [y/n]").strip().lower()[:1]) not in ("y", "n"):
                term.console.print(_("Please answer y or n."))
            answers[q.id] = reply == "y"
    return answers


def refer_panel(referred: begin.Referred, emergency_number: str) -> Panel:
    """The referral in text: what to do now, the number to call, what was answered yes."""
    lines = [Text(_(referred.message) if referred.message else "")]
    if referred.urgency == "emergency":
        title = _("Get medical help now")
        lines += [
            Text("\n" + _("What to do now:"), style="bold"),
            Text(
                "  1. "
                + _("Call {number} now (or your local emergency number).").format(
                    number=emergency_number
                ),
                style="bold",
            ),
            Text("     " + _("Or go straight to the nearest emergency department.")),
            Text("  2. " + _("Do not massage your back and do not drive yourself.")),
        ]
    elif referred.age:
        title = _("backpoints is made for adults")
    else:
        title = _("Please see a doctor before self-massage")
        lines += [
            Text("\n" + _("What to do now:"), style="bold"),
            Text("  1. " + _("Make an appointment with your doctor in the next few days.")),
            Text("  2. " + _("If you feel very unwell, or it gets worse, get urgent care today.")),
        ]
    if referred.standing:
        said = ", ".join(_(QUESTIONS_BY_ID[f].label) for f in referred.standing)
        lines.append(Text("\n" + _("You said yes to: {said}.").format(said=said)))
    lines.append(Text(_("No points, routines or spots are suggested while this stands.")))
    if not referred.age:
        lines.append(Text(_(AGAIN_HINT), style="dim"))
    style = "red" if referred.urgency == "emergency" else "yellow"
    return Panel(Group(*lines), title=title, title_align="left", border_style=style)


def show_referral(term: Terminal, services: Services, referred: begin.Referred) -> None:
    term.console.print(refer_panel(referred, services.settings.emergency_number))


def ask_again(term: Terminal, services: Services, person: str) -> begin.Referred | None:
    """`backpoints screening`: every question again; the referral if a flag still stands."""
    outcome = begin.answer(services, person, ask_answers(term))
    if isinstance(outcome, begin.Referred):
        show_referral(term, services, outcome)
        return outcome
    term.console.print(_("Thank you: no red flag stands now. `backpoints session` can start."))
    return None
