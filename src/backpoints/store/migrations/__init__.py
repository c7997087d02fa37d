"""Alembic migrations of the diary database (applied on start, or by `backpoints db upgrade`)."""
