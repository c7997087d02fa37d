"""Backup and restore of the whole database as one JSON file.

Owns the backup format::

    {"format": "backpoints-backup", "schema_version": "0003", "created_at": "...Z",
     "tables": {"people": [{...}, ...], "sessions": [...], ...}}

Every table of `Base.metadata` is carried generically (a new table needs no code here):
datetimes become ISO 8601 strings, JSON columns stay as they are. Restoring checks the whole
file before it touches the database, then merges it in one transaction: a row whose key is
already there is skipped (the database's copy wins); tables with an autoincrement id are
matched on a natural key instead (`NATURAL_KEYS`, else a unique constraint, else every other
column) and new rows get fresh ids. Any failure rolls back, so a refused file changes nothing.
Imports SQLAlchemy and Alembic; no web framework.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Table, UniqueConstraint, insert, select
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backpoints.app.service import Services
from backpoints.core.errors import BackpointsError
from backpoints.store import repo
from backpoints.store.engine import alembic_config, current_revision
from backpoints.store.models import Base

FORMAT = "backpoints-backup"
UNCHANGED = "Nothing was changed."

#: How rows of autoincrement-id tables are recognised as already present.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "ratings": ("session_id", "n"),
    "steps": ("session_id", "n"),
    "pain_entries": ("session_id", "region"),
    "screenings": ("person_id", "at"),
}

Rows = dict[str, list[dict[str, Any]]]
#: (table, id column) -> id in the backup -> id in the database, for renumbered rows.
NewIds = dict[tuple[str, str], dict[Any, Any]]


class BackupError(BackpointsError, ValueError):
    """A backup file that cannot be restored (or written); the message says why."""

    field = "file"


def _refused(reason: str) -> BackupError:
    return BackupError(f"{reason} {UNCHANGED}")


@dataclass(frozen=True)
class TableCount:
    inserted: int
    skipped: int


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did, per table."""

    tables: dict[str, TableCount]

    @property
    def inserted(self) -> int:
        return sum(c.inserted for c in self.tables.values())

    @property
    def skipped(self) -> int:
        return sum(c.skipped for c in self.tables.values())

    def __str__(self) -> str:
        added = ", ".join(f"{t} {c.inserted}" for t, c in self.tables.items() if c.inserted)
        detail = f" ({added})" if added else ""
        return f"Restored {self.inserted} new rows{detail}; skipped {self.skipped} already present."


# ---- backup -------------------------------------------------------------------------------


#: Secrets of the moment that must not travel in a file: open log-ins and failed attempts;
#: and what is derived from other tables (the tallies, recounted from the ratings on restore).
NOT_BACKED_UP = frozenset({"login_sessions", "login_failures", "login_throttle", "point_tallies"})


def _backed_up_tables() -> list[Any]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_BACKED_UP]


def backup_data(services: Services) -> dict[str, Any]:
    """Every row of every table (open log-ins excepted), as JSON-ready data."""
    services.open()
    assert services.engine is not None
    with services.db() as db:
        tables = {
            table.name: [
                {k: _dump(v) for k, v in row.items()}
                for row in db.execute(select(table).order_by(*table.primary_key)).mappings()
            ]
            for table in _backed_up_tables()
        }
    return {
        "format": FORMAT,
        "schema_version": current_revision(services.engine),
        "created_at": services.clock.now().isoformat(),
        "tables": tables,
    }


def _dump(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


def backup(services: Services, path: Path) -> dict[str, int]:
    """Write a backup file (replaced atomically); returns the number of rows per table."""
    data = backup_data(services)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(to_json(data), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:  # name the file the person asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    finally:
        partial.unlink(missing_ok=True)
    return {name: len(rows) for name, rows in data["tables"].items()}


# ---- restore: check the file --------------------------------------------------------------


def restore(services: Services, path: Path) -> RestoreReport:
    """Merge a backup file into the database; BackupError (and no change) if it is unfit."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _refused(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return restore_bytes(services, raw)


def restore_bytes(services: Services, raw: bytes) -> RestoreReport:
    """Merge the backup in `raw` into the database, in one transaction."""
    doc = _parse(raw)
    services.open()
    assert services.engine is not None
    _check_schema(doc["schema_version"], current_revision(services.engine))
    rows = _decode_tables(doc["tables"])
    with services.db() as db:
        try:
            report = merge_rows(db, rows, _backed_up_tables())
            repo.rebuild_tallies(db)
            db.commit()
        except SQLAlchemyError as exc:
            db.rollback()
            reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
            raise _refused(f"The backup does not fit this database ({reason}).") from exc
    return report


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refused(
            "This file is not a backpoints backup: it is not valid JSON (damaged or cut short?)."
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _refused(f'This file is not a backpoints backup (no "format": "{FORMAT}").')
    if not isinstance(doc.get("schema_version"), str) or not isinstance(doc.get("tables"), dict):
        raise _refused("This backup is damaged: no schema_version or tables.")
    return doc


def _check_schema(version: str, current: str | None) -> None:
    """Refuse a backup made by a newer schema than this database's (or an unknown one)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {r.revision for r in script.iterate_revisions(current, "base")} if current else set()
    if version not in known:
        raise _refused(
            f"This backup is from a newer backpoints (schema {version!r}; this database is at "
            f"{current!r}). Update backpoints, then restore it."
        )


def _decode_tables(raw: dict[str, Any]) -> Rows:
    tables = {t.name: t for t in _backed_up_tables()}
    decoded: Rows = {}
    for name, rows in raw.items():
        table = tables.get(name)
        if table is None:
            raise _refused(f"This backup has a table {name!r} this version does not know.")
        if not isinstance(rows, list):
            raise _refused(f"This backup is damaged: {name!r} is not a list.")
        decoded[name] = [_decode_row(table, n, row) for n, row in enumerate(rows, start=1)]
    return decoded


def _decode_row(table: Table, n: int, row: Any) -> dict[str, Any]:
    where = f"{table.name} row {n}"
    if not isinstance(row, dict):
        raise _refused(f"This backup is damaged: {where} is not an object.")
    unknown = sorted(set(row) - set(table.columns.keys()))
    if unknown:
        raise _refused(f"This backup's {where} has unknown columns {unknown}.")
    decoded = {}
    for column in table.columns:
        if column.name in row:
            decoded[column.name] = _decode_value(column, row[column.name], where)
        elif _required(column):
            raise _refused(f"This backup's {where} has no {column.name}.")
    return decoded


def _required(column: Column[Any]) -> bool:
    return not (
        column.nullable
        or column.default is not None
        or column.server_default is not None
        or column is _surrogate(column.table)
    )


def _decode_value(column: Column[Any], value: Any, where: str) -> Any:
    """The value checked against the column's type (datetimes parsed); BackupError if wrong."""
    if value is None:
        if column.nullable or column is _surrogate(column.table):
            return None
        raise _refused(f"This backup's {where} has an empty {column.name}.")
    kind = column.type.impl if isinstance(column.type, sqltypes.TypeDecorator) else column.type
    try:
        return _convert(kind, value)
    except (TypeError, ValueError):
        shown = str(value)[:40]
        raise _refused(f"This backup's {where} has a bad {column.name}: {shown!r}.") from None


def _convert(kind: Any, value: Any) -> Any:
    """`value` if it fits the column type `kind` (datetimes parsed from ISO), else ValueError."""
    if isinstance(kind, sqltypes.DateTime):
        parsed = datetime.fromisoformat(value)  # TypeError for a non-string
        if kind.timezone and parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if isinstance(kind, sqltypes.Date):
        return date.fromisoformat(value)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(kind, sqltypes.Boolean):
        ok = isinstance(value, bool)
    elif isinstance(kind, sqltypes.Integer):
        ok = number and isinstance(value, int)
    elif isinstance(kind, sqltypes.Float | sqltypes.Numeric):
        ok = number
    elif isinstance(kind, sqltypes.String):
        ok = isinstance(value, str) and (kind.length is None or len(value) <= kind.length)
    else:  # JSON and anything else: as it is
        ok = True
    if not ok:
        raise ValueError("wrong type")
    return value


# ---- restore: merge -----------------------------------------------------------------------


def _surrogate(table: Table) -> Column[Any] | None:
    """The table's autoincrement integer id, if its primary key is one."""
    columns = list(table.primary_key.columns)
    if len(columns) == 1 and isinstance(columns[0].type, sqltypes.Integer):
        if columns[0].autoincrement in (True, "auto"):
            return columns[0]
    return None


def match_columns(table: Table) -> tuple[str, ...]:
    """The columns that say "this row is already there" for `table`."""
    surrogate = _surrogate(table)
    if surrogate is None:
        return tuple(c.name for c in table.primary_key.columns)
    natural = NATURAL_KEYS.get(table.name, ())
    if natural and set(natural) <= set(table.columns.keys()):
        return natural
    for constraint in sorted(table.constraints, key=lambda c: str(c.name)):
        if isinstance(constraint, UniqueConstraint):
            return tuple(c.name for c in constraint.columns)
    return tuple(c.name for c in table.columns if c is not surrogate)


def _key(row: dict[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    def hashable(value: Any) -> Any:
        return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value

    return tuple(hashable(row.get(c)) for c in columns)


def merge_rows(db: Session, rows: Rows, tables: Sequence[Table]) -> RestoreReport:
    """Insert the decoded rows that are not there yet, `tables` parents first (no commit)."""
    new_ids: NewIds = {}
    counts = {t.name: _merge_table(db, t, rows.get(t.name, []), new_ids) for t in tables}
    return RestoreReport(counts)


def _merge_table(
    db: Session, table: Table, rows: list[dict[str, Any]], new_ids: NewIds
) -> TableCount:
    surrogate = _surrogate(table)
    columns = match_columns(table)
    present = {
        _key(dict(row), columns): (row[surrogate.name] if surrogate is not None else None)
        for row in db.execute(select(table)).mappings()
    }
    ids = new_ids.setdefault((table.name, surrogate.name), {}) if surrogate is not None else {}
    inserted = 0
    for given in rows:
        row = _follow_new_ids(table, given, new_ids)
        key = _key(row, columns)
        if key not in present:
            present[key] = _insert(db, table, row, surrogate)
            inserted += 1
        if surrogate is not None and row.get(surrogate.name) is not None:
            ids[row[surrogate.name]] = present[key]
    return TableCount(inserted, len(rows) - inserted)


def _insert(db: Session, table: Table, row: dict[str, Any], surrogate: Column[Any] | None) -> Any:
    """Insert the row (with a fresh id if the table numbers its rows); returns that id."""
    if surrogate is None:
        db.execute(insert(table).values(**row))
        return None
    values = {k: v for k, v in row.items() if k != surrogate.name}
    result = cast(CursorResult[Any], db.execute(insert(table).values(**values)))
    new_id = result.inserted_primary_key
    assert new_id is not None
    return new_id[0]


def _follow_new_ids(table: Table, row: dict[str, Any], new_ids: NewIds) -> dict[str, Any]:
    """The row with references to renumbered rows pointed at their new ids."""
    moved = dict(row)
    for column in table.columns:
        for fk in column.foreign_keys:
            mapping = new_ids.get((fk.column.table.name, fk.column.name), {})
            if column.name in moved and moved[column.name] in mapping:
                moved[column.name] = mapping[moved[column.name]]
    return moved
