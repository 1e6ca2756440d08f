"""Desks that see each other: notice what other workstations saved and let the screens reload.

On PostgreSQL every write transaction sends a notification (store/postgres.py) that the server
delivers on commit; the watch listens on a connection of its own. On SQLite (several desks on one
computer) the watch asks the file's ``PRAGMA data_version``, which changes whenever another
connection commits. Either way it looks twice a second, so another desk's booking shows within
one second; the screens reload keeping the selection, and dialogs and typing are untouched.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from scheduler.services.changes import EVERYTHING, Change
from scheduler.store import Database
from scheduler.store.location import sqlite_path
from scheduler.store.postgres import CHANGES_CHANNEL, signature_of
from scheduler.ui.backups import DailyBackup
from scheduler.ui.desk import Desk
from scheduler.ui.desk_warnings import WarningBanner

log = logging.getLogger(__name__)
POLL_MS = 500


class Probe(Protocol):
    """One way of asking the database whether someone else has saved something."""

    def changed(self) -> bool: ...
    def forget(self) -> None: ...
    def close(self) -> None: ...


class SqliteProbe:
    """``PRAGMA data_version`` on a connection of its own to the clinic's file."""

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._version = self._read()

    def _read(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        version = self._read()
        moved, self._version = version != self._version, version
        return moved

    def forget(self) -> None:
        self._version = self._read()

    def close(self) -> None:
        self._connection.close()


class PostgresProbe:
    """LISTEN on a connection of its own; a notification means another write committed."""

    def __init__(self, database: Database) -> None:
        import psycopg

        url = database.url.set(drivername="postgresql")
        self._connection = psycopg.connect(
            url.render_as_string(hide_password=False), autocommit=True
        )
        self._connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        self._own = signature_of(database.engine)

    def changed(self) -> bool:
        # Read every waiting notification; the desk's own writes are signed as its own.
        notes = list(self._connection.notifies(timeout=0))
        return any(note.payload != self._own for note in notes)

    def forget(self) -> None:
        """Nothing to do: the desk's own notifications are recognised by their signature."""

    def close(self) -> None:
        self._connection.close()


def probe_for(database: Database) -> Probe | None:
    path = sqlite_path(database.url)
    if path is not None:
        return SqliteProbe(str(path))
    if database.url.get_backend_name() == "postgresql":
        return PostgresProbe(database)
    return None


class ChangeWatch(QObject):
    """Emits the desk's ``changed`` (everything) when another workstation saved something.

    Signals:
        seen(): another workstation's change was noticed (the desk's ``changed`` follows).
    """

    seen = Signal()

    def __init__(self, desk: Desk, interval_ms: int = POLL_MS) -> None:
        super().__init__(desk)
        self.desk = desk
        self._probe = probe_for(desk.database)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.look)
        # The desk's own writes: screens reload anyway, so they are not news.
        desk.changed.connect(self._forget)
        if self._probe is not None:
            self._timer.start(interval_ms)

    def look(self) -> None:
        """Ask once; if another workstation saved something, tell every screen."""
        if self._probe is None:
            return
        try:
            news = self._probe.changed()
        except Exception:  # a dropped connection must not stop the desk; try again later
            log.warning("could not ask the database for other workstations' changes")
            return
        if news:
            self.seen.emit()
            self.desk.changed.emit(EVERYTHING)

    def _forget(self, _what: Change) -> None:
        if self._probe is not None:
            try:
                self._probe.forget()
            except Exception:
                log.warning("could not ask the database for other workstations' changes")

    def stop(self) -> None:
        self._timer.stop()
        if self._probe is not None:
            self._probe.close()
            self._probe = None


def start_watching(desk: Desk, banner: WarningBanner) -> ChangeWatch:
    """For a running desk: other workstations' changes, and the daily backup when it is due."""
    daily = DailyBackup(desk)
    daily.failed.connect(lambda sentence: banner.warn("backup", sentence))
    return ChangeWatch(desk)
