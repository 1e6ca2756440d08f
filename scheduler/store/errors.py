"""The refusal every layer shares when a database cannot be used."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be opened or upgraded; the message says why, in plain words."""
