"""Persistence: SQLAlchemy 2 models, the engine factory with migrations, repository functions.

The rest of the package talks to the database only through the repository modules. Importing
this package registers every table on `models.Base.metadata` (backups and migrations see all).
"""

from backpoints.store import account_models, flag_models, models, routine_models

__all__ = ["account_models", "flag_models", "models", "routine_models"]
