"""`backpoints screening`: the red-flag questions again (the terminal's "I answered by
mistake - ask me again"), and what stands now; `backpoints all-clear`: a clinician's all-clear
for flags that stand. Heavy imports happen inside the command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("screening")(screening)
    app.command("all-clear")(all_clear)


def screening() -> None:
    """Answer the safety questions again; a flag answered "no" no longer stands."""
    from backpoints.app import service
    from backpoints.cli import views
    from backpoints.cli.main import _ask, _services
    from backpoints.cli.terminal import EndOfInput, Terminal
    from backpoints.cli.terminal_safety import ask_again

    services = _services()
    term = Terminal(views.console(), _ask, services.settings.countdown_speed)
    try:
        ask_again(term, services, service.person_id(services))
    except (EndOfInput, KeyboardInterrupt):
        typer.echo("Stopped; your earlier answers stand.")
    finally:
        services.close()


def all_clear() -> None:
    """Record a clinician's all-clear: the flags you name no longer stand."""
    from backpoints.app import service
    from backpoints.cli import views
    from backpoints.cli.main import _ask, _services
    from backpoints.cli.terminal import EndOfInput, Terminal
    from backpoints.cli.terminal_safety import ask_all_clear
    from backpoints.i18n import gettext as _

    services = _services()
    term = Terminal(views.console(), _ask, services.settings.countdown_speed)
    try:
        ask_all_clear(term, services, service.person_id(services))
    except (EndOfInput, KeyboardInterrupt):
        typer.echo(_("Stopped; nothing was recorded."))
    finally:
        services.close()
