"""The PDF and PEG commands: `report --pdf FILE`, `chart --pdf FILE` and `peg`.

`register(app)` adds them to the main `backpoints` app. Each parses its input, calls one
library function (`backpoints.report.pdf`, `backpoints.report.peg`) and prints one line.
matplotlib, reportlab and SQLAlchemy are imported inside the commands, so the quick commands
stay quick. Problems are `BackpointsError`s: one line and exit code 2 from `cli.main`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from backpoints.app.service import Services
    from backpoints.report.peg import StoredPeg

PdfOpt = Annotated[Path, typer.Option("--pdf", help="The PDF file to write.", dir_okay=False)]
FromOpt = Annotated[
    str | None,
    typer.Option("--from", metavar="YYYY-MM-DD", help="First day (default: the first entry)."),
]
ToOpt = Annotated[
    str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="Last day (default: today).")
]


def _item_opt(what: str) -> Any:
    return typer.Option(metavar="0-10", help=f"{what}, 0-10 (asked when not given).")


@contextmanager
def _services() -> Iterator[Services]:
    from backpoints.app.service import Services
    from backpoints.settings import Settings

    services = Services(Settings())
    try:
        yield services
    finally:
        services.close()


def register(app: typer.Typer) -> None:
    """Add `report`, `chart` and `peg` to `app`."""

    @app.command()
    def report(
        pdf_file: PdfOpt,
        start: FromOpt = None,
        end: ToOpt = None,
    ) -> None:
        """Write a PDF of your diary for a doctor or therapist (a period of it, or all)."""
        from backpoints.report import diary, pdf

        first, last = diary.parse_day(start, "from"), diary.parse_day(end, "to")
        with _services() as services:
            period = pdf.write_report(services, pdf_file, first, last)
        typer.echo(f"Wrote {pdf_file} ({period.start} to {period.end}).")

    @app.command()
    def chart(pdf_file: PdfOpt) -> None:
        """Write a printable PDF of your points, numbered on your back, for a partner or carer."""
        from backpoints.app import begin, service
        from backpoints.cli import views
        from backpoints.cli.terminal_safety import refer_panel
        from backpoints.report import pdf

        with _services() as services:
            referred = begin.guard(services, service.person_id(services))
            if referred is not None:  # no points chart while a red flag stands
                views.console().print(refer_panel(referred, services.settings.emergency_number))
                raise typer.Exit(1)
            drawn = pdf.write_point_chart(services, pdf_file)
        typer.echo(f"Wrote {pdf_file} ({len(drawn)} points: {', '.join(drawn)}).")

    @app.command()
    def peg(
        pain: Annotated[str | None, _item_opt("Average pain in the past week")] = None,
        enjoyment: Annotated[
            str | None, _item_opt("How pain got in the way of enjoying life")
        ] = None,
        activity: Annotated[
            str | None, _item_opt("How pain got in the way of general activity")
        ] = None,
    ) -> None:
        """The weekly PEG check-in: three questions, 0-10 each (asked when not given)."""
        from backpoints.app import service
        from backpoints.report import peg as peg_lib

        given = {"pain": pain, "enjoyment": enjoyment, "activity": activity}
        answers = peg_lib.answers(*(_item(field, value) for field, value in given.items()))
        with _services() as services:
            person = service.person_id(services)
            before = peg_lib.history(services, person)
            saved = peg_lib.record(services, person, answers)
        typer.echo(_peg_line(saved, before[-1] if before else None))


def _item(field: str, value: str | None) -> int:
    """The option's value checked, or the question asked until the answer is 0-10."""
    from backpoints.report import peg

    if value is not None:
        return peg.parse_item(field, value)
    from backpoints.i18n import gettext as tr

    _label, question, low, high = peg.ITEMS[field]
    while True:
        text = typer.prompt(f"{tr(question)} (0 = {tr(low)}, 10 = {tr(high)})")
        try:
            return peg.parse_item(field, text)
        except peg.InvalidPegAnswer as exc:
            typer.echo(str(exc), err=True)


def _peg_line(saved: StoredPeg, before: StoredPeg | None) -> str:
    a = saved.answers
    line = (
        f"PEG score {saved.score:.1f} (average pain {a.pain}, enjoyment of life {a.enjoyment}, "
        f"general activity {a.activity}); saved."
    )
    if before is not None:
        line += f" Last time ({before.at.astimezone():%Y-%m-%d}): {before.score:.1f}."
    return line
