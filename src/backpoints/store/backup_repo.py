"""Reads and writes behind backup and restore: the whole database, or one person's diary.

Which table belongs to whom is declared here, once: `DIARY` (the tables of a person's diary
and how each row is tied to its person) and `NOT_DIARY` (accounts, log-ins, care links, the
audit log: never in a person's backup, never written by a restore into a diary). A table in
neither is a mistake a test catches.

`merge_rows` merges a whole-database backup (the personal install). `add_to_diary` adds
one person's rows to that person's diary only: every row gets this person and fresh ids
(ids and person ids in the file are ignored), and children follow their new parents. Neither
commits; the caller does, once, so a refused restore changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import Column, CursorResult, Table, UniqueConstraint, insert, select, update
from sqlalchemy import types as sqltypes
from sqlalchemy.orm import Session

from backpoints.store import account_models, routine_models  # noqa: F401  (tables in metadata)
from backpoints.store.models import Base

Rows = dict[str, list[dict[str, Any]]]
#: (table, id column) -> id in the backup -> id in the database, for renumbered rows.
NewIds = dict[tuple[str, str], dict[Any, Any]]

#: The tables of a person's diary, parents first, and the column that names the person
#: (None: the row hangs off a session of the person).
DIARY: Final[dict[str, str | None]] = {
    "people": "id",
    "screenings": "person_id",
    "sessions": "person_id",
    "ratings": "person_id",
    "pain_entries": None,
    "steps": None,
    "peg_checkins": "person_id",
    "routine_runs": "person_id",
    "custom_routines": "person_id",
    "found_spots": "person_id",
    "red_flag_answers": "person_id",
}
#: Tables that are not part of anybody's diary: accounts and log-ins, care links and the
#: routines therapists assign through them, and the audit log.
NOT_DIARY: Final = frozenset(
    {
        "accounts",
        "login_sessions",
        "login_throttle",
        "care_links",
        "routines",
        "audit_log",
        "point_tallies",  # derived from the ratings; recounted after a restore
    }
)
#: Secrets of the moment that never travel in a file, not even in a whole-database backup.
NOT_BACKED_UP: Final = frozenset(
    {"login_sessions", "login_failures", "login_throttle", "point_tallies"}
)

#: How rows of autoincrement-id tables are recognised as already present (whole database).
NATURAL_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "ratings": ("session_id", "n"),
    "steps": ("session_id", "n"),
    "pain_entries": ("session_id", "region"),
    "screenings": ("person_id", "at"),
}
#: How a row of a person's diary is recognised as already in it (besides the person).
DIARY_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "screenings": ("at",),
    "sessions": ("started_at",),
    "peg_checkins": ("at",),
    "routine_runs": ("routine_id", "started_at"),
    "custom_routines": ("routine_id",),
    "found_spots": ("found_at",),
    "red_flag_answers": ("flag",),  # the database's own answer wins: a flag is never lifted
}
#: Children of a session: they are added with their session, never on their own.
SESSION_CHILDREN: Final = ("ratings", "pain_entries", "steps")


@dataclass(frozen=True)
class TableCount:
    inserted: int
    skipped: int


def tables(names: Sequence[str] | None = None) -> list[Table]:
    """The schema's tables in dependency order (parents first), optionally only `names`."""
    return [t for t in Base.metadata.sorted_tables if names is None or t.name in names]


def backed_up_tables() -> list[Table]:
    """The tables a whole-database backup holds."""
    return [t for t in tables() if t.name not in NOT_BACKED_UP]


def diary_tables() -> list[Table]:
    """The tables of a person's diary, parents first."""
    return tables(list(DIARY))


def _ordered(table: Table, query: Any) -> Any:
    return query.order_by(*table.primary_key)


def all_rows(db: Session, among: Sequence[Table]) -> Rows:
    """Every row of these tables, by primary key."""
    return {t.name: [dict(r) for r in db.execute(_ordered(t, select(t))).mappings()] for t in among}


def diary_rows(db: Session, person: str) -> Rows:
    """Every row of the person's diary, and nothing of anybody else."""
    by_name = {t.name: t for t in diary_tables()}
    sessions = by_name["sessions"]
    of_person = select(sessions.c.id).where(sessions.c.person_id == person)
    found: Rows = {}
    for name, column in DIARY.items():
        table = by_name[name]
        if column is None:
            query = select(table).where(table.c.session_id.in_(of_person))
        else:
            query = select(table).where(table.c[column] == person)
        found[name] = [dict(r) for r in db.execute(_ordered(table, query)).mappings()]
    return found


# ---- one person's diary ---------------------------------------------------------------------


def _when(value: Any) -> Any:
    """Datetimes compared in UTC (a file may carry another offset for the same moment)."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _present(db: Session, table: Table, person: str, key: tuple[str, ...]) -> set[tuple[Any, ...]]:
    query = select(*(table.c[k] for k in key)).where(table.c[DIARY[table.name] or ""] == person)
    return {tuple(_when(v) for v in row) for row in db.execute(query)}


def add_to_diary(
    db: Session, person: str, rows: Rows, new_id: Callable[[], str], profile: dict[str, Any] | None
) -> dict[str, TableCount]:
    """Add the rows to `person`'s diary (checked rows of `DIARY` tables only; no commit).

    A row already there (`DIARY_KEYS`) is skipped, a session with all of its rows. The
    person's profile is taken from the file only if theirs is still empty.
    """
    by_name = {t.name: t for t in diary_tables()}
    counts = {"people": _fill_profile(db, by_name["people"], person, profile, rows)}
    sessions: dict[Any, str | None] = {}
    for name in DIARY:
        if name == "people":
            continue
        table, given = by_name[name], rows.get(name, [])
        if name in SESSION_CHILDREN:
            counts[name] = _add_children(db, table, person, given, sessions)
            continue
        counts[name] = _add_own(db, table, person, given, new_id, sessions)
    return counts


def _fill_profile(
    db: Session, people: Table, person: str, profile: dict[str, Any] | None, rows: Rows
) -> TableCount:
    given = len(rows.get("people", []))
    current = db.execute(select(people.c.profile).where(people.c.id == person)).scalar_one()
    if not profile or current:
        return TableCount(0, given)
    db.execute(update(people).where(people.c.id == person).values(profile=profile))
    return TableCount(1, given - 1)


def _add_own(
    db: Session,
    table: Table,
    person: str,
    given: list[dict[str, Any]],
    new_id: Callable[[], str],
    sessions: dict[Any, str | None],
) -> TableCount:
    """Rows that name their person: re-owned by `person`, numbered afresh, deduplicated."""
    key = DIARY_KEYS[table.name]
    present = _present(db, table, person, key)
    numbered = surrogate(table)
    inserted = 0
    for row in given:
        mark = tuple(_when(row.get(k)) for k in key)
        old_id = row.get("id")
        if mark in present:
            if table.name == "sessions":
                sessions[old_id] = None
            continue
        values = {k: v for k, v in row.items() if k != "id"}
        values[DIARY[table.name] or ""] = person
        if numbered is None and "id" in table.c:  # a text id: ours, never the file's
            values["id"] = new_id()
        db.execute(insert(table).values(**values))
        if table.name == "sessions":
            sessions[old_id] = values["id"]
        present.add(mark)
        inserted += 1
    return TableCount(inserted, len(given) - inserted)


def _add_children(
    db: Session,
    table: Table,
    person: str,
    given: list[dict[str, Any]],
    sessions: dict[Any, str | None],
) -> TableCount:
    """Rows of a session added with it (its new id), or skipped with it."""
    inserted = 0
    for row in given:
        session = sessions.get(row["session_id"])
        if session is None:
            continue
        values = {k: v for k, v in row.items() if k != "id"}
        values["session_id"] = session
        if "person_id" in table.c:
            values["person_id"] = person
        db.execute(insert(table).values(**values))
        inserted += 1
    return TableCount(inserted, len(given) - inserted)


# ---- the whole database (a personal install) ------------------------------------------------


def surrogate(table: Table) -> Column[Any] | None:
    """The table's autoincrement integer id, if its primary key is one."""
    columns = list(table.primary_key.columns)
    if len(columns) == 1 and isinstance(columns[0].type, sqltypes.Integer):
        if columns[0].autoincrement in (True, "auto"):
            return columns[0]
    return None


def match_columns(table: Table) -> tuple[str, ...]:
    """The columns that say "this row is already there" for `table`."""
    numbered = surrogate(table)
    if numbered is None:
        return tuple(c.name for c in table.primary_key.columns)
    natural = NATURAL_KEYS.get(table.name, ())
    if natural and set(natural) <= set(table.columns.keys()):
        return natural
    for constraint in sorted(table.constraints, key=lambda c: str(c.name)):
        if isinstance(constraint, UniqueConstraint):
            return tuple(c.name for c in constraint.columns)
    return tuple(c.name for c in table.columns if c is not numbered)


def _key(row: dict[str, Any], columns: tuple[str, ...]) -> tuple[Any, ...]:
    def hashable(value: Any) -> Any:
        return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value

    return tuple(hashable(row.get(c)) for c in columns)


def merge_rows(db: Session, rows: Rows, among: Sequence[Table]) -> dict[str, TableCount]:
    """Insert the rows that are not there yet, `among` parents first (no commit)."""
    new_ids: NewIds = {}
    return {t.name: _merge_table(db, t, rows.get(t.name, []), new_ids) for t in among}


def _merge_table(
    db: Session, table: Table, rows: list[dict[str, Any]], new_ids: NewIds
) -> TableCount:
    numbered = surrogate(table)
    columns = match_columns(table)
    present = {
        _key(dict(row), columns): (row[numbered.name] if numbered is not None else None)
        for row in db.execute(select(table)).mappings()
    }
    ids = new_ids.setdefault((table.name, numbered.name), {}) if numbered is not None else {}
    inserted = 0
    for given in rows:
        row = _follow_new_ids(table, given, new_ids)
        key = _key(row, columns)
        if key not in present:
            present[key] = _insert(db, table, row, numbered)
            inserted += 1
        if numbered is not None and row.get(numbered.name) is not None:
            ids[row[numbered.name]] = present[key]
    return TableCount(inserted, len(rows) - inserted)


def _insert(db: Session, table: Table, row: dict[str, Any], numbered: Column[Any] | None) -> Any:
    """Insert the row (with a fresh id if the table numbers its rows); returns that id."""
    if numbered is None:
        db.execute(insert(table).values(**row))
        return None
    values = {k: v for k, v in row.items() if k != numbered.name}
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
