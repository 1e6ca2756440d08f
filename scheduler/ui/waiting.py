"""Waiting for another workstation's save without freezing the window.

SQLite lets one workstation write at a time. Before the desk starts a write it asks whether
the write lock is free; when it is not, a small progress note with Cancel is shown and the
lock is asked for again every quarter of a second, while the window keeps painting and
answering. The write itself then starts only once the lock is free.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from scheduler.store import Database
from scheduler.store.location import sqlite_path
from scheduler.store.opening import write_lock_free

POLL_MS = 250
GIVE_UP_S = 60.0
WAITING_TEXT = "Waiting for another workstation to finish saving…"


def lock_is_free(database: Database) -> bool:
    """True for a free SQLite write lock, and always for a server database (it queues)."""
    path = sqlite_path(database.url)
    return path is None or write_lock_free(path)


def wait_for_write_lock(database: Database, parent: QWidget | None) -> bool:
    """Wait, with the window responsive, until a write may start; False when the user gave up.

    Returns at once when the lock is free. Otherwise shows a note with Cancel; gives up by
    itself after a minute.
    """
    if lock_is_free(database):
        return True
    note = QProgressDialog(WAITING_TEXT, "Cancel", 0, 0, parent)
    note.setWindowTitle("Waiting")
    note.setWindowModality(Qt.WindowModality.WindowModal)
    note.setMinimumDuration(0)
    note.setAutoClose(False)
    note.setAutoReset(False)
    loop = QEventLoop()
    outcome = {"free": False}
    started = time.monotonic()

    def poll() -> None:
        if lock_is_free(database):
            outcome["free"] = True
            loop.quit()
        elif time.monotonic() - started > GIVE_UP_S:
            loop.quit()

    timer = QTimer(note)
    timer.setInterval(POLL_MS)
    timer.timeout.connect(poll)
    note.canceled.connect(loop.quit)
    note.show()
    timer.start()
    loop.exec()
    timer.stop()
    note.close()
    note.deleteLater()
    return outcome["free"]
