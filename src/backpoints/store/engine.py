"""Database engines from settings, SQLite made durable, and migrations applied on open.

`make_engine(settings)` builds an engine (nothing connects at import); on SQLite every
connection uses WAL, `synchronous=FULL` (a committed rating survives a power cut) and
foreign keys. JSON columns (a session's state) are encoded and decoded with orjson.
`upgrade(engine)` brings the schema to the newest Alembic revision.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from backpoints.settings import Settings


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
        return engine
    return create_engine(
        url, pool_pre_ping=True, json_serializer=json_text, json_deserializer=orjson.loads
    )


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
        command.upgrade(alembic_config(engine), revision)


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
