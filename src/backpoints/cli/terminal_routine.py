"""A routine in the terminal: the safety questions when due (a referral while a red flag
stands), stress before, each step with its countdown and bell, stress after. Input and
output through a `terminal.Terminal`."""

from __future__ import annotations

from backpoints.app import begin, routine_service
from backpoints.app.routine_run import RoutineRun
from backpoints.app.service import Services
from backpoints.cli.terminal import Terminal, ask_number, countdown, step_panel
from backpoints.cli.terminal_safety import ask_answers, show_referral


def run_routine(term: Terminal, services: Services, me: str, routine_id: str) -> RoutineRun | None:
    """Ask (when due), refer or run the routine through `backpoints.app.begin`."""
    referred = begin.guard(services, me)
    if referred is not None:
        show_referral(term, services, referred)
        return None
    answers = ask_answers(term) if begin.screening_status(services, me).due else {}
    before = ask_number(term, "How stressed or tense do you feel now (0-10)?")
    outcome = begin.begin(services, me, {}, answers, routine=routine_id, stress_before=before)
    if isinstance(outcome, begin.Referred):
        show_referral(term, services, outcome)
        return None
    if isinstance(outcome, begin.AskScreening) or outcome.run is None:  # not reached
        return None
    run_id, run = outcome.id, outcome.run
    for line in (*run.skipped, *run.notes):
        term.console.print(f"[yellow]{line}[/]")
    while run.current is not None:
        if (referred := begin.guard(services, me)) is not None:
            show_referral(term, services, referred)
            return run
        step = run.current
        term.console.print(step_panel(step))
        choice = term.ask("Enter to start, s to skip, q to stop").strip().lower()
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
    after = ask_number(term, "And now, how stressed or tense (0-10)?")
    run = routine_service.record_stress(services, run_id, after)
    term.console.print(f"Routine {run.status}. Stress {before} → {after}.")
    return run
