"""Report, export, backup and restore commands, registered on the main `backpoints` app.

Kept apart from `backpoints.cli.main` so the quick commands stay small; every import of a heavy
module (SQLAlchemy, matplotlib, reportlab, fhir.resources) happens inside a command. Each
command calls one library function and prints one line; problems are `BackpointsError`s,
which `backpoints.cli.main` prints as one line with exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from backpoints.core.errors import BackpointsError

if TYPE_CHECKING:
    from backpoints.app.service import Services

FileArg = Annotated[Path, typer.Argument(help="The backup file (JSON).")]


class ExportUsage(BackpointsError, ValueError):
    """`export` needs exactly one of --csv FILE or --fhir FILE."""

    field = "format"


class FileProblem(BackpointsError, OSError):
    """A file could not be read or written (missing folder, no permission, ...)."""

    field = "file"


@contextmanager
def _services() -> Iterator[Services]:
    """The library's services for the configured data dir, closed afterwards; file errors
    become one-line `FileProblem`s."""
    from backpoints.app.service import Services
    from backpoints.settings import Settings

    services = Services(Settings())
    try:
        yield services
    except OSError as exc:
        raise FileProblem(f"{exc.filename or 'file'}: {exc.strerror or exc}.") from exc
    finally:
        services.close()


def register(app: typer.Typer) -> None:
    """Add the report and export commands to `app`."""

    @app.command()
    def export(
        csv_file: Annotated[
            Path | None, typer.Option("--csv", help="Write one row per rating (CSV).")
        ] = None,
        fhir_file: Annotated[
            Path | None, typer.Option("--fhir", help="Write a FHIR R4 Bundle (JSON).")
        ] = None,
    ) -> None:
        """Export your pain diary for a spreadsheet (--csv FILE) or a clinician (--fhir FILE)."""
        if (csv_file is None) == (fhir_file is None):
            raise ExportUsage("Give exactly one of --csv FILE or --fhir FILE.")
        with _services() as services:
            if csv_file is not None:
                from backpoints.report.csv_export import export_csv

                typer.echo(f"Wrote {export_csv(services, csv_file)} ratings to {csv_file}.")
            elif fhir_file is not None:
                from backpoints.report.fhir import export_fhir

                count = export_fhir(services, fhir_file)
                typer.echo(f"Wrote a FHIR R4 Bundle of {count} resources to {fhir_file}.")

    @app.command()
    def backup(file: FileArg) -> None:
        """Save the whole database (diary, profile, check-ins) to one JSON file."""
        from backpoints.report.backup import backup as write_backup

        with _services() as services:
            rows = write_backup(services, file)
        typer.echo(f"Backed up {sum(rows.values())} rows to {file}.")

    @app.command()
    def restore(file: FileArg) -> None:
        """Merge a backup into the database (rows already there are kept, never doubled)."""
        from backpoints.report.backup import restore as read_backup

        with _services() as services:
            typer.echo(str(read_backup(services, file)))
