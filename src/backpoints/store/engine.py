"""Database engines from settings, SQLite made durable, and migrations applied on open.

`make_engine(settings)` builds an engine (nothing connects at import); on SQLite every
connection uses WAL, `synchronous=FULL` (a committed rating survives a power cut) and
foreign keys. JSON columns (a session's state) are encoded and decoded with orjson.
`upgrade(engine)` brings the schema to the newest Alembic revision, after
checking that the database is this app's own (`ForeignDatabase`) and readable
(`DamagedDatabase`). Every statement's parameters pass `check_parameters` first: text a
database cannot store (NUL, lone surrogates) and integers beyond 64 bits are refused with an
`UnstorableInput` before the database sees them.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from importlib import resources
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backpoints.core.errors import BackpointsError, NotFoundError
from backpoints.settings import Settings

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class UnstorableInput(BackpointsError):
    """A value no database column can hold: refused (422) before any statement runs."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class OutOfRange(UnstorableInput, NotFoundError):
    """An integer beyond 64 bits: no row can have it, so "not found" (404)."""


class ForeignDatabase(BackpointsError):
    """The database holds another program's tables: never adopted or migrated."""

    field = "database"


class DamagedDatabase(BackpointsError):
    """The database file cannot be read (not a database, or damaged)."""

    field = "database"


def check_parameters(params: Any) -> None:
    """Raise `UnstorableInput` for NUL or unencodable text, `OutOfRange` for huge integers.

    `params` is anything a driver gets: one row (a dict, or a tuple of positional values),
    a list of rows, or one flat tuple for a batch of rows; every value in it is checked.
    """
    _check_value("value", params)


def _check_value(key: str, value: Any) -> None:
    kind = type(value)
    if kind is float or kind is bool or value is None:
        return
    if kind is int and INT64_MIN <= value <= INT64_MAX:
        return
    if kind is str and "\x00" not in value and value.isascii():
        return  # the usual case, checked without encoding
    if isinstance(value, dict):
        for name, inner in value.items():
            _check_value(str(name), inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            _check_value(key, inner)
    elif isinstance(value, str):
        field = key.rsplit("_", 1)[0] if key[-1:].isdigit() else key
        if "\x00" in value:
            raise UnstorableInput(field, f"{field}: remove the NUL character (\\x00).")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UnstorableInput(field, f"{field}: the text has an invalid character.") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        if not INT64_MIN <= value <= INT64_MAX:
            raise OutOfRange("id", "Not found: no item has a number that large.")


def _guard(
    _conn: Any, _cursor: Any, _statement: str, params: Any, _context: Any, _many: bool
) -> None:
    check_parameters(params)


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured database (SQLite file in the data dir by default)."""
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 10, "check_same_thread": False},
            json_serializer=json_text,
            json_deserializer=orjson.loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(
            url, pool_pre_ping=True, json_serializer=json_text, json_deserializer=orjson.loads
        )
    event.listen(engine, "before_cursor_execute", _guard)
    return engine


def json_text(value: Any) -> str:
    """A JSON column's text (orjson: several times faster than the standard library's)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Any:
    """The Alembic configuration of the packaged migrations (optionally bound to an engine)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("backpoints.store") / "migrations")
    )
    if engine is not None:
        config.attributes["engine"] = engine
    return config


#: PostgreSQL advisory lock key held while migrating (several workers may start at once).
MIGRATION_LOCK = 7_235_001
#: Alembic keeps its running context in module globals: one migration per process at a time.
_MIGRATING = threading.Lock()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` (the newest by default).

    App processes that start together migrate one after the other (the later ones find the
    schema current): a PostgreSQL advisory lock, or a lock file beside a SQLite database.
    """
    from alembic import command

    with _MIGRATING, _database_lock(engine):
        check_own(engine)
        command.upgrade(alembic_config(engine), revision)


def check_own(engine: Engine) -> None:
    """Refuse a database that is not this app's (tables but no revision of ours) or that
    cannot be read; each as one line that says which database and what to do."""
    where = engine.url.render_as_string(hide_password=True)
    database = engine.url.database
    try:
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            tables, revision = _sqlite_contents(database)  # read-only: a foreign file stays as is
        else:
            tables = set(inspect(engine).get_table_names())
            revision = current_revision(engine) if "alembic_version" in tables else None
    except (DatabaseError, OperationalError, sqlite3.DatabaseError) as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DamagedDatabase(
            f"The database {where} cannot be read ({reason}); restore it from a backup or "
            "point BACKPOINTS_DATABASE_URL elsewhere."
        ) from None
    if not tables:
        return
    known = _known_revisions()
    if revision is None or revision not in known:
        what = (
            "it holds another program's tables"
            if revision is None
            else f"its schema {revision!r} is from another program or a newer backpoints"
        )
        raise ForeignDatabase(
            f"The database {where} is not this backpoints' own ({what}); it was left "
            "untouched. Choose another BACKPOINTS_DATA_DIR or BACKPOINTS_DATABASE_URL."
        )


def _sqlite_contents(path: str) -> tuple[set[str], str | None]:
    """Table names and Alembic revision of a SQLite file, opened read-only (none if absent)."""
    from pathlib import Path

    if not Path(path).exists():
        return set(), None
    with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as conn:
        names = "SELECT name FROM sqlite_master WHERE type = 'table'"
        tables = {str(row[0]) for row in conn.execute(names)}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
    return tables, revision


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


@contextmanager
def _database_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
