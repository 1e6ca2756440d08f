"""Persistence: the ORM models, opening a database, migrations and queries. No Qt."""

from scheduler.store.database import Database, open_database
from scheduler.store.errors import DatabaseError

__all__ = ["Database", "DatabaseError", "open_database"]
