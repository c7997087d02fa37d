"""Persistence: SQLAlchemy 2 models, the engine factory with migrations, repository functions.

The rest of the package talks to the database only through `backpoints.store.repo`.
"""
