"""Backup and restore: the whole database (a personal install) or one person's diary.

Owns the backup format::

    {"format": "backpoints-backup", "schema_version": "0003", "created_at": "...Z",
     "scope": "person",                       # only in a backup of one person's diary
     "tables": {"people": [{...}, ...], "sessions": [...], ...}}

A personal install backs up every table of `Base.metadata` generically (a new table needs no
code here) and merges a restore into the whole database: a row already there is skipped. In
server mode a backup holds only the caller's own diary (`backup_repo.DIARY`), never accounts,
log-ins, care links, assigned routines or the audit log, and a restore adds only to the
caller's diary: ids and person ids in the file are ignored, rows get the caller and fresh ids,
and a file holding anything else is refused. Both are written to the caller's audit log.

Every row is checked before the database is touched: its column types, then the model of its
table (`backpoints.core.records`, the same ranges as the API and routine files), so a pain of
42 is refused naming the table, the row and the field. Then the rows go in one transaction;
any failure rolls back, so a refused file changes nothing. SQL lives in `backup_repo`.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Column, Table
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import SQLAlchemyError

from backpoints.app.routine_run import RoutineRun
from backpoints.app.service import Services
from backpoints.core.errors import BackpointsError
from backpoints.core.guided import SessionState
from backpoints.core.records import RECORDS
from backpoints.core.routines import Routine, builtin_routines, check_points
from backpoints.core.screening import Profile
from backpoints.i18n import N_, ngettext
from backpoints.i18n import gettext as _
from backpoints.store import accounts_repo, backup_repo, repo
from backpoints.store.backup_repo import (
    DIARY,
    NOT_BACKED_UP,
    SESSION_CHILDREN,
    Rows,
    TableCount,
    match_columns,
    merge_rows,
)
from backpoints.store.engine import alembic_config, current_revision

__all__ = ["DIARY", "NOT_BACKED_UP", "TableCount", "match_columns", "merge_rows"]

FORMAT = "backpoints-backup"
PERSON_SCOPE = "person"
UNCHANGED = N_("Nothing was changed.")
#: The largest integer any database column here holds (64 bits).
BIGGEST_INT = 2**63 - 1
#: What a JSON column of a diary table must hold, beyond its table's record.
NESTED: dict[tuple[str, str], type[BaseModel]] = {
    ("people", "profile"): Profile,
    ("sessions", "state"): SessionState,
    ("routine_runs", "state"): RoutineRun,
    ("custom_routines", "routine"): Routine,
}


class BackupError(BackpointsError, ValueError):
    """A backup file that cannot be restored (or written); the message says why."""

    field = "file"


def _refused(reason: str) -> BackupError:
    return BackupError(f"{reason} {_(UNCHANGED)}")


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
        per_table = ", ".join(f"{t} {c.inserted}" for t, c in self.tables.items() if c.inserted)
        detail = f" ({per_table})" if per_table else ""
        added = ngettext("{n} new row", "{n} new rows", self.inserted).format(n=self.inserted)
        return _("Restored {added}{detail}; skipped {skipped} already present.").format(
            added=added, detail=detail, skipped=self.skipped
        )


# ---- backup -------------------------------------------------------------------------------


def backup_data(services: Services, person: str | None = None) -> dict[str, Any]:
    """The whole database (open log-ins excepted), or with `person` only that person's diary
    (and the download written to their audit log), as JSON-ready data."""
    services.open()
    assert services.engine is not None
    with services.db() as db:
        if person is None:
            rows = backup_repo.all_rows(db, backup_repo.backed_up_tables())
        else:
            rows = backup_repo.diary_rows(db, person)
            total = sum(len(r) for r in rows.values())
            action = f"downloaded a backup of your diary ({_rows(total)})"
            accounts_repo.audit(db, person, person, action, services.clock.now())
    tables = {name: [_dump_row(row) for row in found] for name, found in rows.items()}
    scope = {} if person is None else {"scope": PERSON_SCOPE}
    return {
        "format": FORMAT,
        "schema_version": current_revision(services.engine),
        "created_at": services.clock.now().isoformat(),
        **scope,
        "tables": tables,
    }


def _dump_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _dump(v) for k, v in row.items()}


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


# ---- restore ------------------------------------------------------------------------------


def restore(services: Services, path: Path) -> RestoreReport:
    """Merge a backup file into the database; BackupError (and no change) if it is unfit."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _refused(
            _("Cannot read {path}: {why}.").format(path=path, why=exc.strerror or exc)
        ) from exc
    return restore_bytes(services, raw)


def restore_bytes(services: Services, raw: bytes, person: str | None = None) -> RestoreReport:
    """Merge the backup in `raw`, in one transaction: into the whole database, or with
    `person` into that person's diary only (audited, refused or not)."""
    try:
        report = _restore(services, raw, person)
    except BackupError as exc:
        if person is not None:
            _audit(services, person, f"tried to restore a backup, refused: {exc}")
        raise
    if person is not None:
        _audit(services, person, f"restored a backup ({_rows(report.inserted, 'new ')})")
    return report


def _rows(n: int, what: str = "") -> str:
    return f"{n} {what}row" + ("" if n == 1 else "s")


def _audit(services: Services, person: str, action: str) -> None:
    with services.db() as db:
        accounts_repo.audit(db, person, person, _printable(action), services.clock.now())


def _printable(text: str, limit: int = 200) -> str:
    """`text` without control characters (a file's keys end up in messages), cut short."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


def _restore(services: Services, raw: bytes, person: str | None) -> RestoreReport:
    doc = _parse(raw)
    services.open()
    assert services.engine is not None
    _check_schema(doc["schema_version"], current_revision(services.engine))
    one_diary = person is not None or doc.get("scope") == PERSON_SCOPE
    rows = _decode_tables(doc["tables"], one_diary)
    _check_records(rows, services)
    profile = None
    if one_diary:
        profile = _one_person(rows)
        _check_children(rows)
    with services.db() as db:
        try:
            if one_diary:
                me = person or _local(services)
                counts = backup_repo.add_to_diary(db, me, rows, _new_id, profile)
            else:
                counts = merge_rows(db, rows, backup_repo.backed_up_tables())
            repo.rebuild_tallies(db)  # derived from the ratings, never carried in a file
            db.commit()
        except SQLAlchemyError as exc:
            db.rollback()
            reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
            raise _refused(
                _("The backup does not fit this database ({reason}).").format(reason=reason)
            ) from exc
    return RestoreReport(counts)


def _local(services: Services) -> str:
    from backpoints.app.service import person_id

    return person_id(services)


def _new_id() -> str:
    return secrets.token_urlsafe(12)


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refused(
            _("This file is not a backpoints backup: it is not valid JSON (damaged or cut short?).")
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _refused(
            _('This file is not a backpoints backup (no "format": "{format}").').format(
                format=FORMAT
            )
        )
    if not isinstance(doc.get("schema_version"), str) or not isinstance(doc.get("tables"), dict):
        raise _refused(_("This backup is damaged: no schema_version or tables."))
    return doc


def _check_schema(version: str, current: str | None) -> None:
    """Refuse a backup made by a newer schema than this database's (or an unknown one)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {r.revision for r in script.iterate_revisions(current, "base")} if current else set()
    if version not in known:
        raise _refused(
            _(
                "This backup is from a newer backpoints (schema {version}; this database is at "
                "{current}). Update backpoints, then restore it."
            ).format(version=repr(version), current=repr(current))
        )


def _decode_tables(raw: dict[str, Any], one_diary: bool) -> Rows:
    """The rows, column types checked; for one diary, rows of other tables are refused."""
    tables = {t.name: t for t in backup_repo.backed_up_tables()}
    decoded: Rows = {}
    for name, rows in raw.items():
        table = tables.get(name)
        if table is None and not (one_diary and name in NOT_BACKED_UP):
            raise _refused(
                _("This backup has a table {name} this version does not know.").format(
                    name=repr(name)
                )
            )
        if not isinstance(rows, list):
            raise _refused(
                _("This backup is damaged: {name} is not a list.").format(name=repr(name))
            )
        if one_diary and name not in DIARY:
            if rows:
                raise _refused(
                    _(
                        "This backup holds {n} rows of {name}: a restore adds only to your own "
                        "diary, never to accounts, log-ins, care links or the audit log."
                    ).format(n=len(rows), name=repr(name))
                )
            continue
        assert table is not None
        decoded[name] = [_decode_row(table, n, row) for n, row in enumerate(rows, start=1)]
    return decoded


def _check_records(rows: Rows, services: Services) -> None:
    """Each diary row against its table's record and its JSON columns against their models:
    the same ranges as every other way data comes in."""
    for name, found in rows.items():
        record = RECORDS.get(name)
        for n, row in enumerate(found, start=1):
            if record is not None:
                _validate(record, row, f"{name} row {n}")
            for (table, column), model in NESTED.items():
                if table == name and column in row:
                    _validate(model, row[column], f"{name} row {n}", f"{column}.")
            if name == "custom_routines":
                try:
                    routine = check_points(Routine.model_validate(row["routine"]), services.catalog)
                    if routine.id in {r.id for r in builtin_routines()}:
                        raise BackpointsError(f"{routine.id!r} is the id of a built-in routine.")
                except BackpointsError as exc:
                    where = f"{name} row {n}"
                    raise _refused(
                        _("This backup's {where} has a bad routine: {why}").format(
                            where=where, why=exc
                        )
                    ) from None


def _validate(model: type[BaseModel], value: Any, where: str, prefix: str = "") -> None:
    try:
        model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = prefix + ".".join(str(p) for p in first["loc"]) if first["loc"] else prefix[:-1]
        shown = _printable(field or "value", 80)
        raise _refused(
            _("This backup's {where} has a bad {field}: {why}.").format(
                where=where, field=shown, why=first["msg"]
            )
        ) from None


def _one_person(rows: Rows) -> dict[str, Any] | None:
    """The profile of the one person whose diary this is; refused if it holds several."""
    people = {row["id"] for row in rows.get("people", [])}
    for name, column in DIARY.items():
        if column is not None and name != "people":
            people |= {row[column] for row in rows.get(name, [])}
    if len(people) > 1:
        raise _refused(
            _(
                "This backup holds the diaries of {n} people; a restore here takes one "
                "person's diary."
            ).format(n=len(people))
        )
    found = rows.get("people", [])
    return dict(found[0].get("profile") or {}) if found else None


def _check_children(rows: Rows) -> None:
    """Ratings, pain entries and steps must belong to a session of the same file."""
    sessions = {row["id"] for row in rows.get("sessions", [])}
    for name in SESSION_CHILDREN:
        for n, row in enumerate(rows.get(name, []), start=1):
            if row["session_id"] not in sessions:
                session = str(row["session_id"])[:40]
                raise _refused(
                    _(
                        "This backup's {table} row {n} belongs to session {session}, which is "
                        "not in the backup."
                    ).format(table=name, n=n, session=repr(session))
                )


def _decode_row(table: Table, n: int, row: Any) -> dict[str, Any]:
    where = f"{table.name} row {n}"
    if not isinstance(row, dict):
        raise _refused(_("This backup is damaged: {where} is not an object.").format(where=where))
    unknown = sorted(set(row) - set(table.columns.keys()))
    if unknown:
        raise _refused(
            _("This backup's {where} has unknown columns {columns}.").format(
                where=where, columns=unknown
            )
        )
    decoded = {}
    for column in table.columns:
        if column.name in row:
            decoded[column.name] = _decode_value(column, row[column.name], where)
        elif _required(column):
            raise _refused(
                _("This backup's {where} has no {column}.").format(where=where, column=column.name)
            )
    return decoded


def _required(column: Column[Any]) -> bool:
    return not (
        column.nullable
        or column.default is not None
        or column.server_default is not None
        or column is backup_repo.surrogate(column.table)
    )


def _decode_value(column: Column[Any], value: Any, where: str) -> Any:
    """The value checked against the column's type (datetimes parsed); BackupError if wrong."""
    if value is None:
        if column.nullable or column is backup_repo.surrogate(column.table):
            return None
        raise _refused(
            _("This backup's {where} has an empty {column}.").format(
                where=where, column=column.name
            )
        )
    kind = column.type.impl if isinstance(column.type, sqltypes.TypeDecorator) else column.type
    try:
        return _convert(kind, value)
    except (TypeError, ValueError):
        shown = str(value)[:40]
        raise _refused(
            _("This backup's {where} has a bad {column}: {value}.").format(
                where=where, column=column.name, value=repr(shown)
            )
        ) from None


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
        ok = number and isinstance(value, int) and -BIGGEST_INT <= value <= BIGGEST_INT
    elif isinstance(kind, sqltypes.Float | sqltypes.Numeric):
        ok = number
    elif isinstance(kind, sqltypes.String):
        ok = isinstance(value, str) and (kind.length is None or len(value) <= kind.length)
    else:  # JSON and anything else: as it is
        ok = True
    if not ok:
        raise ValueError("wrong type")
    return value
