"""`backpoints screening`: the red-flag questions again (the terminal's "I answered by
mistake - ask me again"), and what stands now; `backpoints all-clear`: a clinician's all-clear
for flags that stand. Heavy imports happen inside the commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from backpoints.i18n import N_

if TYPE_CHECKING:
    from backpoints.app.service import Services
    from backpoints.cli.terminal import Terminal


def register(app: typer.Typer) -> None:
    app.command("screening")(screening)
    app.command("all-clear")(all_clear)


def screening() -> None:
    """Answer the safety questions again; a flag answered "no" no longer stands."""
    from backpoints.cli.terminal_safety import ask_again

    _in_terminal(ask_again, N_("Stopped; your earlier answers stand."))


def all_clear() -> None:
    """Record a clinician's all-clear: the flags you name no longer stand."""
    from backpoints.cli.terminal_safety import ask_all_clear

    _in_terminal(ask_all_clear, N_("Stopped; nothing was recorded."))


def _in_terminal(flow: Callable[[Terminal, Services, str], Any], stopped: str) -> None:
    """Run `flow` for the local person in the terminal; `stopped` (translated) when the
    input ends or Ctrl-C is pressed."""
    from backpoints.app import service
    from backpoints.cli import views
    from backpoints.cli.main import _ask, _services
    from backpoints.cli.terminal import EndOfInput, Terminal
    from backpoints.i18n import gettext as _

    services = _services()
    term = Terminal(views.console(), _ask, services.settings.countdown_speed)
    try:
        flow(term, services, service.person_id(services))
    except (EndOfInput, KeyboardInterrupt):
        typer.echo(_(stopped))
    finally:
        services.close()
