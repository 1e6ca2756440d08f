"""Where the clinic's database is: a path or SQLAlchemy URL given by the user, or the default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url

from scheduler import APP_SLUG

ENV_VAR = "SCHEDULER_DB"
DEFAULT_FILE_NAME = "clinic.sqlite3"


def default_database_path() -> Path:
    """The SQLite file in the user's data folder (e.g. ~/.local/share/infusion-desk on Linux)."""
    return platformdirs.user_data_path(APP_SLUG, appauthor=False) / DEFAULT_FILE_NAME


def resolve_database_url(given: str | None = None) -> URL:
    """Turn ``--db``, else ``$SCHEDULER_DB``, else the default path, into a SQLAlchemy URL.

    A value containing ``://`` is taken as a URL (``postgresql+psycopg://...``); anything else
    is a file path for SQLite.
    """
    value = given or os.environ.get(ENV_VAR) or str(default_database_path())
    if "://" in value:
        return make_url(value)
    path = Path(value).expanduser().resolve()
    return URL.create("sqlite+pysqlite", database=str(path))


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for another backend or an in-memory database."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)
