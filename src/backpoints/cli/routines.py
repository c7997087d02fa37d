"""`backpoints routine` and `backpoints tools`: built-in and custom routines in the terminal,
and the tools library. Heavy imports happen inside the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("routine")(routine)
    app.command("tools")(tools)
    app.command("scan")(scan)


def routine(
    name: Annotated[str | None, typer.Argument(help="Routine id; none lists them.")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="Write it as JSON.")] = None,
    import_file: Annotated[
        Path | None, typer.Option("--import", help="Add your own routine from a JSON file.")
    ] = None,
    build: Annotated[
        list[str] | None,
        typer.Option("--point", help="Build routine NAME from these points, in order (repeat)."),
    ] = None,
    seconds: Annotated[int, typer.Option(help="Seconds per point when building.")] = 90,
) -> None:
    """Run a routine: each point in order with a countdown, cues and a bell."""
    from backpoints.app import routine_service, service
    from backpoints.cli import views
    from backpoints.cli.main import _ask, _services
    from backpoints.cli.tables import routine_listing
    from backpoints.cli.terminal import EndOfInput, Terminal
    from backpoints.cli.terminal_routine import run_routine
    from backpoints.core import routines

    if export is not None and name is None:
        raise routines.RoutineError("--export needs the id of the routine to write, e.g. "
                                    "backpoints routine foam-roller --export r.json.")  # fmt: skip
    services = _services()
    try:
        me = service.person_id(services)
        if build:
            mine = routines.build_routine(name or "", build, seconds, services.catalog)
            routine_service.save_custom(services, me, mine)
            typer.echo(f"Saved routine {mine.id!r} ({routines.describe(mine)}).")
            return
        if import_file is not None:
            mine = routines.from_json(_read(import_file), services.catalog)
            routine_service.save_custom(services, me, mine)
            typer.echo(f"Saved routine {mine.id!r} ({routines.describe(mine)}).")
            return
        found = routine_service.routines_for(services, me)
        if name is None:
            views.console().print(routine_listing(found))
            return
        chosen = routines.find(name, found)
        if export is not None:
            export.write_text(routines.to_json(chosen), "utf-8")
            typer.echo(f"Wrote {export}.")
            return
        term = Terminal(views.console(), _ask, services.settings.countdown_speed)
        try:
            run_routine(term, services, me, chosen.id)
        except EndOfInput:
            typer.echo("Stopped.")
    finally:
        services.close()


def _read(path: Path) -> str:
    from backpoints.core.routines import RoutineError

    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise RoutineError(f"Cannot read {path}: {exc.strerror}.") from None


def tools(
    tool: Annotated[str | None, typer.Argument(help="Tool id, e.g. tennis_ball.")] = None,
) -> None:
    """How to use each tool on the back, how firm, common mistakes, who should not."""
    from backpoints.cli import views
    from backpoints.core.tools import firmness, guide_for, tool_guides

    console = views.console()
    chosen = [guide_for(tool)] if tool else list(tool_guides().values())
    for guide in chosen:
        console.print(f"[bold]{guide.name}[/] ({guide.id})")
        for line in guide.how:
            console.print(f"  • {line}")
        for line in guide.mistakes:
            console.print(f"  [yellow]Avoid:[/] {line}")
        for line in guide.who_should_not:
            console.print(f"  [red]Not for:[/] {line}")
    console.print(firmness())


def scan() -> None:
    """Walk down the back region by region and mark the tender spots you find."""
    from backpoints.app import begin, scan_service, service
    from backpoints.cli import tables, views
    from backpoints.cli.main import _ask, _services
    from backpoints.cli.terminal import EndOfInput, Terminal, ask_number
    from backpoints.cli.terminal_safety import show_referral
    from backpoints.core.scan import HOW_TO_SCAN, SCAN_ORDER, BadSpot, levels_in, spot_from_words
    from backpoints.core.vocab import region_label

    services = _services()
    console = views.console()
    term = Terminal(console, _ask, services.settings.countdown_speed)
    try:
        me = service.person_id(services)
        referred = begin.guard(services, me)
        if referred is not None:  # no suggested points while a red flag stands
            show_referral(term, services, referred)
            return
        body = service.body_of(service.profile(services, me))
        for way, text in HOW_TO_SCAN.items():
            console.print(f"[bold]{way.replace('_', ' ').capitalize()}:[/] {text}")
        for region in SCAN_ORDER:
            levels = levels_in(body, region)
            span = levels[0] if len(levels) == 1 else f"{levels[0]} to {levels[-1]}"
            while True:
                prompt = (
                    f"{region_label(region)}: a tender spot at which level ({span})? Enter for none"
                )
                level = term.ask(prompt).strip().upper()
                if not level:
                    break
                try:
                    spot_from_words(body, region, level, 1)
                except BadSpot as exc:
                    console.print(str(exc))
                    continue
                tenderness = ask_number(term, "How tender (1-10)?", low=1)
                found = scan_service.record(
                    services, me, spot_from_words(body, region, level, tenderness)
                )
                names = [tables.point_name(services.catalog, p) for p in found.points]
                near = ", ".join(names) or "no catalogue point within 4 cm"
                console.print(f"Saved: {region_label(region)} at {level}, near {near}.")
        total = len(scan_service.spots(services, me))
        console.print(
            f"{total} tender spot{'s' if total != 1 else ''} on file; when a session treats "
            "their region, the points nearest them are offered first."
        )
    except EndOfInput:
        console.print("Scan stopped; the spots marked so far are saved.")
    finally:
        services.close()
