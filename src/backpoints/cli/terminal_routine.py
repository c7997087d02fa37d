"""A routine in the terminal: screening if never done, stress before, each step with its
countdown and bell, stress after. Input and output through a `terminal.Terminal`."""

from __future__ import annotations

from backpoints.app import routine_service, service
from backpoints.app.routine_run import RoutineRun
from backpoints.app.service import Services
from backpoints.cli.terminal import Terminal, ask_flags, ask_number, countdown, step_panel
from backpoints.i18n import gettext as _


def run_routine(term: Terminal, services: Services, me: str, routine_id: str) -> RoutineRun:
    flags: list[str] = []
    if routine_service.needs_screening(services, me):
        flags = ask_flags(term)
        service.record_screening(services, me, flags, {})
    before = ask_number(term, _("How stressed or tense do you feel now (0-10)?"))
    run_id, run = routine_service.start(services, me, routine_id, flags, before)
    for line in (*run.skipped, *run.notes):
        term.console.print(f"[yellow]{line}[/]")
    while run.current is not None:
        step = run.current
        term.console.print(step_panel(step))
        choice = term.ask(_("Enter to start, s to skip, q to stop")).strip().lower()
        if choice == "q":
            run = routine_service.stop(services, run_id)
        elif choice == "s":
            run = routine_service.skip_step(services, run_id)
        else:
            countdown(term, step)
            run = routine_service.next_step(services, run_id)
    if run.status == "refer":
        term.console.print(f"[red]{run.message}[/]")
        return run
    after = ask_number(term, _("And now, how stressed or tense (0-10)?"))
    run = routine_service.record_stress(services, run_id, after)
    term.console.print(f"Routine {run.status}. Stress {before} → {after}.")
    return run
