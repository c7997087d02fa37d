"""CSV export of the pain diary: one row per rating, ready for a spreadsheet.

Owns the column list, turning session summaries into rows, and the two helpers the other
exports share (`whole_diary`, `iso_utc`). Imports only the standard library and backpoints'
service layer; no web framework, no heavy library.

The file is UTF-8 with a byte-order mark (so Excel detects the encoding; read it in Python
with ``encoding="utf-8-sig"``), comma-separated, with one header row. Rows are in time order:
sessions oldest first, and within a session by step. Columns:

============== ================================================================================
session_id     the session's id (the same for every point tried in one session)
started_at     when the session started, ISO 8601 in UTC (``2026-01-05T09:00:00Z``)
rated_at       when this point was rated, ISO 8601 in UTC
region         region id being treated, e.g. ``lower_back_left`` (the person's left)
region_label   the region for people, e.g. ``Lower back, left``
point_id       point id, e.g. ``BL23``, ``TP-quadratus-lumborum-1``, ``sweet-spot``
point_name     the point for people, e.g. ``BL23 Shenshu`` (the id if no longer in the catalogue)
side           ``left``, ``right``, or empty for a midline point
step           the step number within the session (1 = first point shown)
pain_before    pain in the region before this point, 0-10
pain_after     pain in the region after this point, 0-10
change         ``pain_after - pain_before`` (negative = less pain)
relieved       ``yes`` if this point gave relief (a drop of at least 2 points or 30% from the
               pain at the start of the session), else ``no``
session_status how the session ended: active, relieved, exhausted, stopped (refer sessions
               have no ratings, so no rows)
============== ================================================================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.errors import UnknownPoint
from backpoints.core.vocab import REGION_LABELS
from backpoints.store.repo import SessionSummary

COLUMNS: tuple[str, ...] = (
    "session_id",
    "started_at",
    "rated_at",
    "region",
    "region_label",
    "point_id",
    "point_name",
    "side",
    "step",
    "pain_before",
    "pain_after",
    "change",
    "relieved",
    "session_status",
)


Row = dict[str, str | int]


def iso_utc(when: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC, to the second: ``2026-01-05T09:00:00Z``."""
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def whole_diary(services: service.Services, person: str) -> list[SessionSummary]:
    """Every session of the person, oldest first."""
    return list(reversed(service.history(services, person, limit=None)))


def point_name(catalog: Catalog, point_id: str) -> str:
    """The point's display name, or its id if the catalogue no longer has it."""
    try:
        return catalog.get(point_id).display_name
    except UnknownPoint:
        return point_id


def rating_rows(sessions: Iterable[SessionSummary], catalog: Catalog) -> list[Row]:
    """One row per rating, in the order of `sessions` and then by step."""
    return [
        {
            "session_id": s.id,
            "started_at": iso_utc(s.started_at),
            "rated_at": iso_utc(r.rated_at),
            "region": r.region,
            "region_label": REGION_LABELS.get(r.region, r.region),
            "point_id": r.point_id,
            "point_name": point_name(catalog, r.point_id),
            "side": r.side or "",
            "step": r.n,
            "pain_before": r.pain_before,
            "pain_after": r.pain_after,
            "change": r.pain_after - r.pain_before,
            "relieved": "yes" if r.relieved else "no",
            "session_status": s.status,
        }
        for s in sessions
        for r in sorted(s.ratings, key=lambda rating: rating.n)
    ]


def to_csv(rows: Sequence[Row]) -> str:
    """The rows as CSV text with a header (no byte-order mark; `export_csv` adds it)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def ratings_csv(services: service.Services, person: str | None = None) -> str:
    """The person's (default: the local person's) whole diary as CSV text."""
    who = person or service.person_id(services)
    return to_csv(rating_rows(whole_diary(services, who), services.catalog))


def export_csv(services: service.Services, path: Path, person: str | None = None) -> int:
    """Write the diary as a CSV file (UTF-8 with BOM); returns the number of rating rows."""
    who = person or service.person_id(services)
    rows = rating_rows(whole_diary(services, who), services.catalog)
    path.write_text(to_csv(rows), encoding="utf-8-sig", newline="")
    return len(rows)
