"""What every screen shares: the database, who is signed in, the clock, one "changed" signal.

Screens never open transactions themselves: they hand a service call to ``Desk.act`` (a write:
one transaction, retried while another workstation holds the database, refusals shown where
the user is looking) or ``Desk.read``. After every successful write ``changed`` is emitted with
the kinds of things the write changed (``services.changes.Change``), and each screen that shows
one of them reloads (``Desk.follow``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.errors import ServiceError
from scheduler.services import changes
from scheduler.services.changes import Change
from scheduler.services.clinic import clinic_view
from scheduler.store import Database
from scheduler.store.errors import DatabaseBusy, retry_while_busy
from scheduler.ui.waiting import wait_for_write_lock

T = TypeVar("T")
log = logging.getLogger(__name__)

BUSY_RETRIES = 3
BUSY_MESSAGE = (
    "The database is busy on another workstation. Nothing was saved; try again in a moment."
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Desk(QObject):
    """The desk's shared state.

    Signals:
        changed(Change): emitted after a write succeeded, with the kinds of things it changed
            (``EVERYTHING`` for a change seen on another workstation); see ``follow``.
        signed_in(): another staff member signed in (or the first one did); screens show or
            hide what their roles allow.
        announced(str): an action did what it said (one sentence, e.g. "Session cancelled for
            Leah Thomas"); the main window shows it in its status bar.
        highlighted(int, datetime): a session was just booked or moved, or asked for; the
            calendar goes to its day and outlines it. Its id and start (aware).
        calendar_asked(): "Show in calendar": the window switches to the calendar.
    """

    changed = Signal(object)
    signed_in = Signal()
    announced = Signal(str)
    highlighted = Signal(int, object)
    calendar_asked = Signal()

    def __init__(
        self,
        database: Database,
        actor: Actor | None = None,
        clock: Callable[[], dt.datetime] = _utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self._actor = actor
        self._clock = clock
        self._zone: ZoneInfo | None = None
        self._writes_stopped: str | None = None
        self._followers: set[_Follower] = set()
        # The session last highlighted, for a calendar built after it was booked.
        self.highlight_wanted: tuple[int, dt.datetime] | None = None

    @property
    def actor(self) -> Actor:
        """The staff member signed in at this desk, on whose behalf every action runs."""
        if self._actor is None:
            raise RuntimeError("nobody is signed in at this desk")
        return self._actor

    @property
    def is_signed_in(self) -> bool:
        return self._actor is not None

    def sign_in(self, actor: Actor) -> None:
        """Act as ``actor`` from now on (after their password was checked)."""
        changed = self._actor != actor
        self._actor = actor
        if changed:
            self.signed_in.emit()

    def may(self, permission: Permission) -> bool:
        """Whether the signed-in staff member's roles allow it (the desk hides what not)."""
        return self._actor is not None and self._actor.may(permission)

    def now(self) -> dt.datetime:
        """The current instant (aware, UTC). Tests pass a fixed clock."""
        return self._clock()

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone: every time shown on the desk is in it."""
        if self._zone is None:
            name = self.read(clinic_view).timezone
            self._zone = ZoneInfo(name)
        return self._zone

    def today(self) -> dt.date:
        return self.now().astimezone(self.zone).date()

    def settings_changed(self) -> None:
        """Forget cached settings (time zone) after Settings saved them."""
        self._zone = None

    def stop_writing(self, reason: str) -> None:
        """Refuse every further write with ``reason`` (the file was found damaged).

        Reading goes on, so staff can still see the day while they restore a backup; writing
        more into a damaged file could only lose more.
        """
        self._writes_stopped = reason

    def read(self, query: Callable[[Session], T]) -> T:
        with self.database.reading() as db:
            return query(db)

    def act(
        self,
        action: Callable[[Session], T],
        parent: QWidget | None = None,
        *,
        on_refusal: Callable[[ServiceError], bool] | None = None,
        on_busy: Callable[[], bool] | None = None,
    ) -> T | None:
        """Run one user action in one transaction; on refusal show why and return None.

        ``on_refusal`` lets a form show the refusal where the user is looking (next to a
        field, in the dialog); it returns True when it has shown it, else the desk's message
        box does. A database busy on another workstation is waited for with a progress note
        and a Cancel, never by freezing the window; when it stays busy, ``on_busy`` (True
        when it has told the user) lets a caller whose action did something outside the
        database say so instead of "Nothing was saved". An unexpected error is logged and shown
        politely; nothing half-written is kept.
        """

        what = Change.NOTHING

        def write() -> T:
            nonlocal what
            if self._writes_stopped is not None:
                raise ServiceError(self._writes_stopped)
            with self.database.transaction() as db:
                changes.follow(db)
                result = action(db)
                what = changes.noted(db)
                return result

        def lock_free(_attempt: int) -> bool:
            # Never sit in SQLite's busy timeout on the window's thread: wait for the lock
            # with the window answering (and a Cancel), then write. A lock taken between the
            # look and the write, or the server's queue for it running out, is waited for again.
            return wait_for_write_lock(self.database, parent)

        try:
            result = retry_while_busy(write, attempts=BUSY_RETRIES + 1, before=lock_free)
        except ServiceError as exc:
            if on_refusal is None or not on_refusal(exc):
                self.refuse(str(exc), parent)
            return None
        except DatabaseBusy:
            if on_busy is None or not on_busy():
                self.refuse(BUSY_MESSAGE, parent)
            return None
        except Exception as exc:  # the desk must keep running: log, tell, roll back
            self._unexpected(exc, parent)
            return None
        if what:
            self.changed.emit(what)
        return result

    def announce(self, text: str) -> None:
        """Confirm a finished action in one sentence, said by the code that did it."""
        self.announced.emit(text)

    def highlight(self, session_id: int, starts_at: dt.datetime) -> None:
        """Point the calendar at a session just booked or moved: its day, the block outlined."""
        self.highlight_wanted = (session_id, starts_at)
        self.highlighted.emit(session_id, starts_at)

    def show_in_calendar(self, session_id: int, starts_at: dt.datetime) -> None:
        """Switch to the calendar on a session's day, with the session outlined."""
        self.highlight(session_id, starts_at)
        self.calendar_asked.emit()

    def follow(self, shows: Change, reload: Callable[[], None], screen: QObject) -> None:
        """Call ``reload`` after each change to something in ``shows`` (what ``screen`` shows).

        The connection lives as long as ``screen``.
        """
        follower = _Follower(self, shows, reload, screen)
        # Held here until the screen goes: a parented object's Python side may otherwise be
        # collected, and its connection with it.
        self._followers.add(follower)
        screen.destroyed.connect(lambda: self._followers.discard(follower))

    def refuse(self, message: str, parent: QWidget | None) -> None:
        """Tell the user why an action was refused. Tests replace this to capture messages."""
        QMessageBox.warning(parent, "Not done", message)

    def _unexpected(self, exc: Exception, parent: QWidget | None) -> None:
        log.exception("unexpected error in a desk action")
        QMessageBox.critical(
            parent,
            "Something went wrong",
            "That action could not be completed and nothing was saved.\n\n"
            f"Details for your IT contact: {type(exc).__name__}: {exc}",
        )


class _Follower(QObject):
    """Passes on the desk's changes that touch what one screen shows."""

    def __init__(
        self, desk: Desk, shows: Change, reload: Callable[[], None], screen: QObject
    ) -> None:
        super().__init__(screen)
        self._shows = shows
        self._reload = reload
        desk.changed.connect(self._changed)

    def _changed(self, what: Change) -> None:
        if what & self._shows:
            self._reload()
