"""Report, export, backup and restore commands, registered on the main `backpoints` app.

Kept apart from `backpoints.cli` so the quick commands stay small; every import of a heavy
module (matplotlib, reportlab, fhir.resources) happens inside a command.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the report and export commands to `app`."""
