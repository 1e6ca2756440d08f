"""Persistence: the ORM models, opening a database, migrations and queries. No Qt."""

from scheduler.store.database import Database, DatabaseError, open_database

__all__ = ["Database", "DatabaseError", "open_database"]
