"""Alembic environment: runs on the engine passed in by `backpoints.store.engine.upgrade`,
or on the database of the current settings (`backpoints db upgrade`, `alembic upgrade`)."""

from __future__ import annotations

from alembic import context

from backpoints.settings import Settings
from backpoints.store import account_models, flag_models, routine_models  # noqa: F401  (registers tables)
from backpoints.store.engine import make_engine
from backpoints.store.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(Settings())

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
