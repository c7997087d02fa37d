"""The two flows the terminal guides through the one step loop: a session (screen, plan,
rate each point) and a routine (stress before, each step in order, stress after).

Both begin through `backpoints.app.begin` (ask the safety questions when due, refer, or
start); while a red flag stands no step is shown, also in a flow already under way.

Both end with `terminal.summary_panel`. Ctrl-C (`Interrupted`) or the end of input stops
the flow cleanly: what was rated stays saved, the summary is printed, and Ctrl-C is passed on
so the command exits 130.
"""

from __future__ import annotations

from backpoints.app import begin, routine_service, service
from backpoints.app.routine_run import RoutineRun
from backpoints.app.service import Services
from backpoints.cli.prompt import EndOfInput, Interrupted
from backpoints.cli.terminal import (
    StepFlow,
    Terminal,
    ask_number,
    step_loop,
    summary_panel,
)
from backpoints.cli.terminal_safety import ask_answers, show_referral
from backpoints.core import guided
from backpoints.core.guided import SessionState
from backpoints.core.routines import run_status, shown_name
from backpoints.core.steps import Step
from backpoints.i18n import N_, ngettext
from backpoints.i18n import gettext as _

SESSION_TITLES = {
    "refer": N_("Please get medical advice first"),
    "relieved": N_("Relief"),
    "exhausted": N_("No relief this time"),
    "stopped": N_("Stopped"),
    "active": N_("In progress"),
}


def run(term: Terminal, services: Services, pain: dict[str, int]) -> SessionState | None:
    """Screen if needed, then guide step by step until relief, exhaustion or stop."""
    me = service.person_id(services)
    session_id = None
    try:
        outcome = begin.begin(services, me, pain)
        if isinstance(outcome, begin.AskScreening):
            outcome = begin.begin(services, me, pain, ask_answers(term))
        if isinstance(outcome, begin.Referred):
            show_referral(term, services, outcome)
            return outcome.session
        if isinstance(outcome, begin.AskScreening) or outcome.session is None:  # not reached
            return None
        session_id, state = outcome.id, outcome.session
        holder = [state]
        stood: list[begin.Referred] = []

        def rate(step: Step) -> None:
            prompt = _("How is the pain now: {region} (0-10)?").format(region=step.region_label)
            after = ask_number(term, prompt)
            holder[0] = service.rate(services, sid, step.point.id, step.point.side, after)

        sid = session_id
        flow = StepFlow(
            current=lambda: _unless_flagged(
                term,
                services,
                me,
                holder[0].current if holder[0].status == "active" else None,
                stood,
            ),
            done=rate,
            place=lambda: guided.region_progress(holder[0], services.catalog),
            skip=lambda: holder.__setitem__(0, service.skip(services, sid)),
            stop=lambda: holder.__setitem__(0, service.stop(services, sid)),
            body=service.body_of(state.profile),
            pain=lambda: {r.region: r.pain_now for r in holder[0].regions},
            rates=True,
        )
        step_loop(term, flow)
        state = holder[0]
        if stood:  # a flag was raised elsewhere meanwhile: the referral is shown, no summary
            return begin.as_referral(state, stood[0])
    except (EndOfInput, Interrupted) as exc:
        if session_id is None:
            term.console.print(_("Stopped before a session started; nothing was saved."))
            if isinstance(exc, Interrupted):
                raise
            return None
        state = _stopped(services, session_id)
        term.console.print(session_summary(state))
        if isinstance(exc, Interrupted):
            raise
        return state
    term.console.print(session_summary(state))
    return state


def _active(state: SessionState) -> Step | None:
    return state.current if state.status == "active" else None


def _unless_flagged(
    term: Terminal, services: Services, me: str, step: Step | None, stood: list[begin.Referred]
) -> Step | None:
    """The step, or None (after showing the referral) when a red flag stands now."""
    if step is None:
        return None
    referred = begin.guard(services, me)
    if referred is None:
        return step
    show_referral(term, services, referred)
    stood.append(referred)
    return None


def _stopped(services: Services, session_id: str) -> SessionState:
    _stored, state = service.load(services, session_id)
    return service.stop(services, session_id) if state.status == "active" else state


def session_summary(state: SessionState) -> object:
    message = _(state.message) if state.status == "refer" and state.message else state.message
    return summary_panel(
        _(SESSION_TITLES[state.status]),
        [message, _(state.advice) if state.advice else None],
        state.notes,
        alarm=state.status == "refer",
    )


def run_routine(term: Terminal, services: Services, me: str, routine_id: str) -> RoutineRun | None:
    """The safety questions when due (a referral while a red flag stands), stress before,
    the steps, stress after, one summary."""
    referred = begin.guard(services, me)
    if referred is not None:
        show_referral(term, services, referred)
        return None
    answers = ask_answers(term) if begin.screening_status(services, me).due else {}
    before = ask_number(term, _("How stressed or tense do you feel now (0-10)?"))
    outcome = begin.begin(services, me, {}, answers, routine=routine_id, stress_before=before)
    if isinstance(outcome, begin.Referred):
        show_referral(term, services, outcome)
        return None
    if isinstance(outcome, begin.AskScreening) or outcome.run is None:  # not reached
        return None
    run_id, run = outcome.id, outcome.run
    stood: list[begin.Referred] = []
    holder = [run]
    for line in (*run.skipped, *run.notes):
        term.console.print(f"[yellow]{line}[/]")
    profile = service.profile(services, me)
    flow = StepFlow(
        current=lambda: _unless_flagged(term, services, me, holder[0].current, stood),
        done=lambda _step: holder.__setitem__(0, routine_service.next_step(services, run_id)),
        skip=lambda: holder.__setitem__(0, routine_service.skip_step(services, run_id)),
        stop=lambda: holder.__setitem__(0, routine_service.stop(services, run_id)),
        body=service.body_of(profile),
        pain=dict,
        rates=False,
    )
    try:
        step_loop(term, flow)
    except (EndOfInput, Interrupted):
        if holder[0].status == "active":
            holder[0] = routine_service.stop(services, run_id)
        term.console.print(summary_panel(_("Routine stopped"), [_steps_line(holder[0])]))
        raise
    run = holder[0]
    if stood:  # a flag was raised elsewhere meanwhile: the referral is shown
        return run
    if run.status == "refer":
        term.console.print(
            summary_panel(_("Please get medical advice first"), [_(run.message or "")], alarm=True)
        )
        return run
    after = ask_number(term, _("And now, how stressed or tense (0-10)?"))
    run = routine_service.record_stress(services, run_id, after)
    status = run_status(run.status)
    stress = _("Routine {status}. Stress {before} → {after}.").format(
        status=status, before=before, after=after
    )
    lines = [stress, _steps_line(run)]
    name = shown_name(run.routine_id, run.name)
    term.console.print(summary_panel(f"{name}: {status}", lines))
    return run


def _steps_line(run: RoutineRun) -> str:
    done = max(0, min(run.index, len(run.steps)) - len(run.skipped_steps))
    total = len(run.steps)
    return ngettext("{done} of {n} step done.", "{done} of {n} steps done.", total).format(
        done=done, n=total
    )
