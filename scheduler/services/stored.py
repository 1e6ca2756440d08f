"""Values as the database stores them, turned into the app's own quickly, for reads of many rows.

The calendar's week and a plan's books read thousands of sessions. Read through their column
types, each instant costs two conversions and each enum a class call; read as stored
(``as_stored``) and converted here, each costs a dictionary look-up, since a week's sessions
start and end at a few hundred distinct times.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, type_coerce
from sqlalchemy.sql.elements import ColumnElement


def as_stored(column: Any) -> ColumnElement[Any]:
    """The column read as the driver hands it over: text on SQLite, naive UTC on PostgreSQL."""
    return type_coerce(column, String())


def stored_instant(stored: str | dt.datetime) -> dt.datetime:
    """The aware UTC instant of a stored one (``as_stored``); callers keep those made already."""
    if isinstance(stored, str):
        return dt.datetime.fromisoformat(stored + "+00:00")
    return stored.replace(tzinfo=dt.UTC)
