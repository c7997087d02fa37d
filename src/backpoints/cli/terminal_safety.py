"""The safety questions and the referral in the terminal, shared by the session, routines,
the scan and `backpoints screening`: the same questions, groups and referral as the pages."""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from backpoints.app import begin
from backpoints.app.service import Services
from backpoints.cli.terminal import Terminal
from backpoints.core import all_clear
from backpoints.core.redflags import QUESTIONS_BY_ID, questions_in_groups
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

AGAIN_HINT = N_("If you answered by mistake, run `backpoints screening` to be asked again.")
CLEAR_HINT = N_(
    "If a clinician has examined you for this and said self-massage is fine, run "
    "`backpoints all-clear` to record it."
)


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
            answers[q.id] = _yes(term, _(q.text))
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
        lines.append(Text(_(CLEAR_HINT), style="dim"))
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


def _yes(term: Terminal, question: str) -> bool:
    """A yes or no, asked again until the answer is one."""
    while (reply := term.ask(f"{question} [y/n]").strip().lower()[:1]) not in ("y", "n"):
        term.console.print(_("Please answer y or n."))
    return reply == "y"


def _day(term: Terminal, today: date, said_yes: dict[str, date]) -> date:
    """The day of the check, typed out (asked again until it can clear `said_yes`)."""
    earliest = today - timedelta(days=all_clear.MAX_AGE_DAYS)
    while True:
        text = term.ask(_("The day of the check (YYYY-MM-DD)")).strip()
        try:
            day = date.fromisoformat(text)
            all_clear.check_day(day, today, said_yes)
            return day
        except ValueError as exc:
            wrong = str(exc) if isinstance(exc, all_clear.AllClearRefused) else ""
            term.console.print(
                wrong or _("Give a date from {earliest} to today.").format(earliest=earliest)
            )


def _who(term: Terminal) -> str:
    """Who checked (optional), asked again while the name is too long."""
    while True:
        try:
            return all_clear.check_clinician(
                term.ask(_("Who checked you (optional, Enter to skip)"))
            )
        except all_clear.AllClearRefused as refused:
            term.console.print(str(refused))


def ask_all_clear(term: Terminal, services: Services, person: str) -> begin.Referred | None:
    """`backpoints all-clear`: which standing flags a clinician checked, when and who; the
    referral if something still stands."""
    referred = begin.guard(services, person)
    if referred is None or not referred.standing:
        if referred is not None:
            show_referral(term, services, referred)
        else:
            term.console.print(_("No red flag stands now: there is nothing to clear."))
        return referred
    term.console.print(
        _(
            "If a doctor, nurse or physiotherapist has examined you since you noticed this, "
            "and said that self-massage is fine for you, you can record it here."
        )
    )
    flags = [
        f
        for f in referred.standing
        if _yes(
            term,
            _("Did the clinician check you for {label}?").format(label=_(QUESTIONS_BY_ID[f].label)),
        )
    ]
    if not flags:
        term.console.print(_("Nothing recorded: the flags still stand."))
        return referred
    since = begin.flags_since(services, person)
    day = _day(term, services.clock.now().date(), {f: since[f] for f in flags if f in since})
    who = _who(term)
    confirmed = _yes(term, _("A clinician examined you for this and said self-massage is fine?"))
    if not confirmed:
        term.console.print(_("Nothing recorded: the flags still stand."))
        return referred
    still = begin.record_all_clear(services, person, flags, day, who, confirmed=True)
    cleared = ", ".join(_(QUESTIONS_BY_ID[f].label) for f in flags)
    term.console.print(_("Recorded; no longer standing: {cleared}.").format(cleared=cleared))
    if still is not None:
        show_referral(term, services, still)
        return still
    term.console.print(_("No red flag stands now: `backpoints session` can start."))
    return None
