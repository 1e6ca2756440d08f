"""The audit chain's hash: one canonical text per entry, shared by the app and its migrations.

An entry's hash is SHA-256 over a canonical JSON text of every column of the entry except the
hash itself; ``prev_hash`` is one of those columns, so each entry seals the one before it.
Columns holding NULL are left out of the text, so a column added to the trail later (NULL in
older entries) does not change the hashes already written. This text must never change: a
different one would break every existing chain.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from typing import Any

# The hash column itself, the one column the hash does not cover.
HASH_COLUMN = "entry_hash"
# What the first entry of a trail links to: there is no entry before it.
GENESIS = "0" * 64


def canonical_value(value: Any) -> Any:
    """One JSON-ready form of a column's value, the same whichever database it was read from."""
    if isinstance(value, dt.datetime):
        # Instants are stored as naive UTC; the ORM hands them out aware. Both give one text.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def canonical_text(columns: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is taken over: its non-NULL columns, sorted, as compact JSON."""
    content = {
        name: canonical_value(value)
        for name, value in columns.items()
        if name != HASH_COLUMN and value is not None
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def entry_hash(columns: Mapping[str, Any]) -> str:
    """The hash an entry with these column values must carry (hex SHA-256)."""
    return hashlib.sha256(canonical_text(columns)).hexdigest()
