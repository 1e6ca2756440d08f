"""Plain SQL on a test's database, the way any other program could change it: no app involved."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine

from scheduler.store.location import resolve_database_url


def engine_for(where: Path | str) -> Engine:
    """An engine on the test's database (a SQLite file path or a PostgreSQL URL), without the
    app's connection settings, locks or checks."""
    return create_engine(resolve_database_url(str(where)))


def raw(where: Path | str, sql: str, *params: object) -> None:
    """Run one statement with ``?`` placeholders and commit it."""
    engine = engine_for(where)
    try:
        if engine.dialect.name != "sqlite":
            sql = sql.replace("?", "%s")
        with engine.begin() as conn:
            conn.exec_driver_sql(sql, tuple(params))
    finally:
        engine.dispose()
