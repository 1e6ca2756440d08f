"""Waiting without freezing the window: for another workstation's save, or for slow work.

SQLite lets one workstation write at a time. Before the desk starts a write it asks whether
the write lock is free; when it is not, a small progress note with Cancel is shown and the
lock is asked for again every quarter of a second, while the window keeps painting and
answering. The write itself then starts only once the lock is free.

Slow work that needs neither the database nor Qt (the mail server talking) runs on a thread
of its own behind the same note (``work_aside``).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from scheduler.store import Database
from scheduler.store.location import sqlite_path
from scheduler.store.opening import write_lock_free

POLL_MS = 250
GIVE_UP_S = 60.0
WAITING_TEXT = "Waiting for another workstation to finish saving…"
T = TypeVar("T")


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
    return wait_with_note(
        WAITING_TEXT, lambda: lock_is_free(database), parent, title="Waiting", give_up_s=GIVE_UP_S
    )


def wait_with_note(
    text: str,
    finished: Callable[[], bool],
    parent: QWidget | None,
    *,
    title: str,
    give_up_s: float | None = None,
    stop: Callable[[], str] | None = None,
) -> bool:
    """Show a small note with Cancel until ``finished()``, the window answering; whether it did.

    ``finished`` is asked every quarter of a second. Cancel ends the wait at once, unless
    ``stop`` is given: then Cancel calls it (it asks the work to stop) and the note shows the
    sentence it returns and waits on until the work has stopped, since work under way (a
    letter handed to the mail server) cannot be walked away from and still be told truthfully.
    """
    note = QProgressDialog(text, "Cancel", 0, 0, parent)
    note.setWindowTitle(title)
    note.setWindowModality(Qt.WindowModality.WindowModal)
    note.setMinimumDuration(0)
    note.setAutoClose(False)
    note.setAutoReset(False)
    loop = QEventLoop()
    outcome = {"finished": False, "stopping": False}
    started = time.monotonic()

    def poll() -> None:
        if finished():
            outcome["finished"] = True
            loop.quit()
        elif give_up_s is not None and time.monotonic() - started > give_up_s:
            loop.quit()
        elif outcome["stopping"] and not note.isVisible():
            note.show()  # closed with Escape or its title bar: still waiting for the stop

    def cancelled() -> None:
        if stop is None:
            loop.quit()
        elif not outcome["stopping"]:
            outcome["stopping"] = True
            note.setLabelText(stop())
            for button in note.findChildren(QPushButton):
                button.setEnabled(False)  # pressed once; the work is stopping

    timer = QTimer(note)
    timer.setInterval(POLL_MS)
    timer.timeout.connect(poll)
    note.canceled.connect(cancelled)
    note.show()
    timer.start()
    loop.exec()
    timer.stop()
    note.close()
    note.deleteLater()
    return outcome["finished"]


def work_aside(
    work: Callable[[threading.Event], T],
    text: str,
    parent: QWidget | None,
    *,
    title: str,
    stopping: str,
) -> T:
    """Run ``work`` on a thread of its own while a note shows ``text``; its result (or error).

    For slow work that needs no database and no Qt (talking to a mail server): the window
    keeps painting and answering meanwhile, and nothing else can be started from it. ``work``
    gets an event set when the user pressed Cancel; it stops at its next safe point, and the
    note says ``stopping`` until it has.
    """
    stop = threading.Event()
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work(stop))
        except BaseException as exc:  # handed to the window's thread, raised there
            errors.append(exc)

    def asked_to_stop() -> str:
        stop.set()
        return stopping

    # Python's cycle collector runs on whichever thread happens to allocate; run on the worker
    # it could finalize the window's Qt objects there, off the window's thread. So it waits
    # until the work is done (a few seconds; only garbage in reference cycles waits with it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        worker = threading.Thread(target=run, name="desk-work-aside", daemon=True)
        worker.start()
        wait_with_note(text, lambda: not worker.is_alive(), parent, title=title, stop=asked_to_stop)
        worker.join()
    finally:
        if collecting:
            gc.enable()
    if errors:
        raise errors[0]
    return results[0]
