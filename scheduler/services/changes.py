"""What a user action changed, by kind, so each screen reloads only when something it shows did.

In the spirit of anki's ``OpChanges``: the kinds are read from the rows the action wrote (every
flush in its transaction), so no service has to remember to announce them and none can forget.
A change seen on another workstation is ``EVERYTHING``: the database says only that something
was saved there.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction


class Change(enum.Flag):
    """A kind of thing on the desk that an action may change and a screen may show."""

    NOTHING = 0
    SESSIONS = enum.auto()  # booked sessions, series, their status history
    PATIENTS = enum.auto()  # patients, their screening findings and clearance
    LETTERS = enum.auto()  # letters printed or emailed
    STAFF = enum.auto()  # staff, their roles and accounts
    CLOSURES = enum.auto()  # opening hours and days the clinic is closed
    SETTINGS = enum.auto()  # clinic details, chairs, therapies, protocols, backups
    AUDIT = enum.auto()  # the audit trail
    WAITLIST = enum.auto()  # patients waiting for a slot, and their terms


EVERYTHING = Change.SESSIONS | Change.PATIENTS | Change.LETTERS | Change.STAFF
EVERYTHING |= Change.CLOSURES | Change.SETTINGS | Change.AUDIT | Change.WAITLIST

# Each table's kind. A table missing here counts as everything: a new table reloads every
# screen until it is given its kind, rather than leaving one showing old data.
KIND_OF_TABLE = {
    "sessions": Change.SESSIONS,
    "series": Change.SESSIONS,
    "session_status_changes": Change.SESSIONS,
    "patient_last_sessions": Change.SESSIONS,  # kept by triggers on sessions
    "patients": Change.PATIENTS,
    "patient_search_words": Change.PATIENTS,
    "screening_findings": Change.PATIENTS,
    "letters": Change.LETTERS,
    "letter_emails": Change.LETTERS,
    "staff": Change.STAFF,
    "staff_passwords": Change.STAFF,
    "opening_hours": Change.CLOSURES,
    "closures": Change.CLOSURES,
    "clinic_settings": Change.SETTINGS,
    "chairs": Change.SETTINGS,
    "therapies": Change.SETTINGS,
    "protocols": Change.SETTINGS,
    "audit_trail": Change.AUDIT,
    "audit_checkpoint": Change.AUDIT,
    "waitlist_entries": Change.WAITLIST,
}

_NOTED = "scheduler.changes"


def kind_of_table(name: str) -> Change:
    return KIND_OF_TABLE.get(name, EVERYTHING)


def follow(db: Session) -> None:
    """Note, from now on, the kinds of every row ``db`` writes (read them with ``noted``)."""
    db.info[_NOTED] = Change.NOTHING
    if not event.contains(db, "after_flush", _note_flush):
        event.listen(db, "after_flush", _note_flush)


def noted(db: Session) -> Change:
    """The kinds written through ``db`` since ``follow``, pending writes flushed first."""
    db.flush()
    kinds: Change = db.info.get(_NOTED, Change.NOTHING)
    return kinds


def _note_flush(db: Session, _context: UOWTransaction) -> None:
    # Still the state before the flush here: new, changed and deleted rows are all listed.
    rows: list[Any] = [*db.new, *db.deleted, *(r for r in db.dirty if db.is_modified(r))]
    kinds = db.info.get(_NOTED, Change.NOTHING)
    for row in rows:
        kinds |= kind_of_table(getattr(row, "__tablename__", ""))
    db.info[_NOTED] = kinds
