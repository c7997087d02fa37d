"""The `backpoints` command: thin Typer commands over the library.

Each command parses its input, calls one library function and presents the result. Heavy
modules are imported inside the commands so `--help` and `points` start fast. Domain errors
become one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from backpoints import __version__, i18n
from backpoints.core.errors import BackpointsError


def _language_from(argv: list[str]) -> str:
    """`--lang X` (or `--lang=X`) when given, else the terminal's LANG/LC_ALL."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else value
        if value is not None:
            return i18n.supported(value) or i18n.DEFAULT
    return i18n.from_environment()


app = typer.Typer(
    name="backpoints",
    help="Guided self-massage of back pressure points: screening first, the right points on "
    "your own back, a timed massage, and a private pain diary.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

RegionOpt = Annotated[
    str | None, typer.Option("--region", "-r", help="Region id, e.g. lower_back_left.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SexOpt = Annotated[str | None, typer.Option("--sex", help="female or male.")]
HeightOpt = Annotated[float | None, typer.Option("--height", help="Height (stature) in cm.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backpoints {__version__}")
        raise typer.Exit()


def _lang(value: str | None) -> str | None:
    if value is None:
        return None
    lang = i18n.supported(value)
    if lang is None:
        choices = ", ".join(i18n.LANGUAGES)
        raise typer.BadParameter(
            i18n.gettext("{value!r} is not a language backpoints speaks ({choices}).").format(
                value=value, choices=choices
            )
        )
    return lang  # `main` put it in force before the command ran (help texts included)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            callback=_lang,
            is_eager=True,
            help="Language: en, es, hi or zh (default: from LANG/LC_ALL).",
        ),
    ] = None,
) -> None:
    """Guided self-massage of back pressure points."""


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command()
def points(region: RegionOpt = None, json_out: JsonOpt = False) -> None:
    """List the pressure points, optionally those that help one region."""
    from backpoints.cli import views

    if json_out:
        from backpoints.catalog import load_catalog

        catalog = load_catalog()
        chosen = catalog.for_region(region) if region else catalog.points
        _print_json([p.model_dump(mode="json") for p in chosen])
    else:
        import shutil

        typer.echo(views.points_listing(region, shutil.get_terminal_size((80, 24)).columns))


def _points_fast(args: list[str]) -> bool:
    """`backpoints points [--region R]` without Typer parsing it: Typer builds a pydantic
    adapter per option when a command runs, which costs more than the listing itself (and
    the listing exists to start fast). Anything else (--json, --help, a typo) returns False
    and goes through Typer as usual."""
    if not args or args[0] != "points" or len(args) > 3:
        return False
    rest = args[1:]
    if len(rest) == 1 and rest[0].startswith("--region="):
        rest = ["--region", rest[0].removeprefix("--region=")]
    if rest and (len(rest) != 2 or rest[0] not in ("--region", "-r") or rest[1].startswith("-")):
        return False
    from backpoints.cli import views

    sys.stdout.write(views.points_listing(rest[1] if rest else None) + "\n")
    return True


@app.command()
def show(point_id: Annotated[str, typer.Argument(help="Point id, e.g. BL23.")]) -> None:
    """Show one point: its names, how to find it, how to press it, cautions and sources."""
    from backpoints.cli import views
    from backpoints.cli.paging import print_paged
    from backpoints.i18n.points import localized_catalog

    out = views.console()
    print_paged(out, views.point_panel(localized_catalog(i18n.current()).get(point_id), out))


@app.command("map")
def map_(region: RegionOpt = None, sex: SexOpt = None, height: HeightOpt = None) -> None:
    """Draw the back, its regions and points in the terminal."""
    from backpoints.cli import views

    out = views.console()
    out.print(views.back_map_view(views.body_for(sex, height), region, out))


@app.command()
def locate(sex: SexOpt = None, height: HeightOpt = None, json_out: JsonOpt = False) -> None:
    """Where every point lies on a body of this sex and height (body frame, cm)."""
    from backpoints.cli import views

    result = views.locate_all(views.body_for(sex, height))
    if json_out:
        _print_json(result)
    else:
        views.console().print(views.locate_table(result))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a tab.")] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each serves requests).")
    ] = 1,
) -> None:
    """Start the web app (default http://127.0.0.1:8000) and open it in a browser tab."""
    from backpoints.web.serve import serve as run_server

    run_server(host=host, port=port, open_browser=not no_browser, workers=workers)


def _services() -> Any:
    from backpoints.app.service import Services
    from backpoints.settings import Settings

    return Services(Settings())


@app.command()
def session(
    pain: Annotated[
        list[str] | None,
        typer.Option("--pain", "-p", help="Where and how much, e.g. lower_back_left=6 (repeat)."),
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="A painful region (repeat).")
    ] = None,
    intensity: Annotated[
        list[int] | None, typer.Option("--intensity", "-i", help="Its pain, 0-10 (repeat).")
    ] = None,
) -> None:
    """A guided massage in the terminal: screening, each point, a countdown, "did it help?"."""
    from backpoints.cli import terminal, terminal_routine, views

    wanted = terminal.parse_pain(pain or [])
    wanted |= terminal.pain_from_pairs(region or [], intensity or [])
    services = _services()
    term = terminal.Terminal(views.console(), _ask, services.settings.countdown_speed)
    try:
        terminal_routine.run(term, services, wanted or terminal.ask_pain(term))
    except terminal.EndOfInput:
        typer.echo("Stopped; what was rated is saved.")
    finally:
        services.close()


def _ask(prompt: str) -> str:
    from backpoints.cli.prompt import ask

    return ask(prompt)


@app.command()
def history(json_out: JsonOpt = False) -> None:
    """Your past sessions and routine runs: pain or stress before and after, local times."""
    from backpoints.app import routine_service, service
    from backpoints.cli import tables, views

    services = _services()
    try:
        me = service.person_id(services)
        found = service.history(services, me)
        runs = routine_service.runs(services, me)
    finally:
        services.close()
    if json_out:
        _print_json([_plain(r) for r in found])
    else:
        views.console().print(tables.history_table(service.shown_catalog(services), found, runs))


@app.command()
def insights(json_out: JsonOpt = False) -> None:
    """What helps you: for each region, the points that relieved it, ranked as the planner
    ranks them (expected chance of relief), with how many tries that rests on."""
    from backpoints.app import service
    from backpoints.cli import tables, views

    services = _services()
    try:
        found = service.insights(services, service.person_id(services))
    finally:
        services.close()
    if json_out:
        _print_json([_plain(r) for r in found])
    else:
        views.console().print(tables.insights_table(service.shown_catalog(services), found))


def _plain(record: Any) -> Any:
    import dataclasses

    return json.loads(json.dumps(dataclasses.asdict(record), default=str))


db_app = typer.Typer(help="Database administration (server deployments).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database (BACKPOINTS_DATABASE_URL) to the newest schema."""
    from backpoints.settings import Settings
    from backpoints.store.engine import current_revision, make_engine, upgrade

    engine = make_engine(Settings())
    upgrade(engine)
    typer.echo(f"database at revision {current_revision(engine)}")
    engine.dispose()


def _register_report_commands() -> None:
    from backpoints.cli import pdf as cli_pdf
    from backpoints.cli import profile as cli_profile
    from backpoints.cli import report as cli_report
    from backpoints.cli import routines as cli_routines
    from backpoints.cli import safety as cli_safety
    from backpoints.cli import vision as cli_vision

    cli_report.register(app)
    cli_pdf.register(app)
    cli_routines.register(app)
    cli_safety.register(app)
    cli_vision.register(app)
    cli_profile.register(app)


_register_report_commands()


def failure(exc: BaseException) -> tuple[str, int] | None:
    """The line and exit code for an exception that ends a command, None for others:
    domain errors -> 'error: ...' and 2; Ctrl-C -> one short line and 130."""
    from backpoints.cli.prompt import INTERRUPTED_EXIT, Interrupted

    if isinstance(exc, BackpointsError):
        return i18n.gettext("error: {message}").format(message=exc), 2
    if isinstance(exc, Interrupted):
        return i18n.gettext("Interrupted (Ctrl-C)."), INTERRUPTED_EXIT
    return None


def main() -> None:
    """Entry point: run the app; domain errors become one line and exit code 2; Ctrl-C
    becomes one line and exit code 130 in every command."""
    from backpoints.cli.prompt import Interrupted, install_interrupt

    install_interrupt()
    i18n.set_language(_language_from(sys.argv))
    try:
        if _points_fast(sys.argv[1:]):
            return
        if i18n.current() == i18n.DEFAULT:
            app()
        else:
            from backpoints.cli.help_i18n import translate

            command = typer.main.get_command(app)
            translate(command)
            command()
    except (BackpointsError, Interrupted) as exc:
        line, code = failure(exc) or (str(exc), 1)
        typer.echo(line, err=True)
        sys.exit(code)
