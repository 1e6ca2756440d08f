"""Moving a session dropped on the calendar, and undoing the last such move (Ctrl+Z).

A drop is a move like any other: ``session_life.reschedule`` checks it against every booking
rule, with the signed-in user's permission, in one audited transaction. So is an undo: the
session goes back to its old time and chair only if that is still allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from scheduler.domain.access import Permission
from scheduler.domain.when import clock_time, short_day
from scheduler.services import session_life
from scheduler.services.session_life import SessionState
from scheduler.ui.desk import Desk
from scheduler.ui.session_dialog import act_showing_refusal
from scheduler.ui.session_models import SessionLike


@dataclass(frozen=True)
class Move:
    """A session moved by dragging: whose, where it was and where it went."""

    session_id: int
    patient_name: str
    was_at: dt.datetime
    was_chair_id: int | None
    now_at: dt.datetime
    now_chair_id: int | None


def movable(desk: Desk, views: Iterable[SessionLike]) -> list[int]:
    """The sessions the calendar lets be dragged: those ``reschedule`` would not refuse
    whatever the place (the user's permission, the session's status and start)."""
    if not desk.may(Permission.MOVE):
        return []
    now = desk.now()
    return [
        v.session_id for v in views if not session_life.move_problem(v.status, v.starts_at, now)
    ]


class SessionMover(QObject):
    """Moves the sessions dropped on the calendar and keeps the last move for Undo.

    Refusals are shown by ``show_problem`` (a strip on the calendar), successes in the status
    bar, and the session moved is highlighted.

    Signals:
        undoable(bool): whether there is a move to undo now.
    """

    undoable = Signal(bool)

    def __init__(self, desk: Desk, show_problem: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.desk = desk
        self.show_problem = show_problem
        self._parent = parent
        self.last: Move | None = None

    def move(self, view: SessionLike, starts_at: dt.datetime, chair_id: int | None) -> bool:
        """Move a session where it was dropped; whether it moved."""
        moved = self._reschedule(view.session_id, starts_at, chair_id, "Not moved")
        if moved is None:
            return False
        self._remember(
            Move(view.session_id, view.patient_name, view.starts_at, view.chair_id,
                 moved.starts_at, moved.chair_id)
        )  # fmt: skip
        self._confirm(f"Moved {view.patient_name} to", moved)
        return True

    def undo(self) -> bool:
        """Put the session last moved back where it was, if the rules still allow; whether it
        went back."""
        last = self.last
        if last is None:
            self.desk.announce("No move to undo")
            return False
        now = self.desk.read(lambda db: session_life.session_state(db, last.session_id))
        if (now.starts_at, now.chair_id) != (last.now_at, last.now_chair_id):
            # Someone moved it again since: putting it back would undo their move, not ours.
            self.show_problem(
                f"Not undone: {last.patient_name}'s session has been moved again since. "
                "Open it to move it."
            )
            self._remember(None)
            return False
        back = self._reschedule(last.session_id, last.was_at, last.was_chair_id, "Not undone")
        if back is None:
            return False
        self._remember(None)
        self._confirm(f"Move undone: {last.patient_name} is back on", back)
        return True

    def forget(self) -> None:
        """Keep no move to undo (another staff member signed in: theirs is not to undo)."""
        self._remember(None)

    def _reschedule(
        self, session_id: int, starts_at: dt.datetime, chair_id: int | None, prefix: str
    ) -> SessionState | None:
        self.show_problem("")
        return act_showing_refusal(
            self.desk,
            lambda db: session_life.reschedule(
                db,
                session_id,
                starts_at=starts_at,
                chair_id=chair_id,
                actor=self.desk.actor,
                now=self.desk.now(),
            ),
            self.show_problem,
            self._parent,
            prefix=prefix,
        )

    def _remember(self, move: Move | None) -> None:
        self.last = move
        self.undoable.emit(move is not None)

    def _confirm(self, done: str, state: SessionState) -> None:
        """Say where the session is now, and show it there."""
        local = state.starts_at.astimezone(self.desk.zone)
        where = f", {state.chair_name}" if state.chair_name else ""
        self.desk.announce(f"{done} {short_day(local.date())} at {clock_time(local)}{where}")
        self.desk.highlight(state.session_id, state.starts_at)
