"""Moving a session dropped on the calendar, and undoing the last such move (Ctrl+Z).

A drop is a move like any other: ``session_life.reschedule`` checks it against every booking
rule, with the signed-in user's permission, in one audited transaction. So is an undo
(``session_life.undo_move``): the session goes back to its old time and chair only if it is
still where the drop put it and the rules still allow it there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from scheduler.domain.access import Permission
from scheduler.domain.when import clock_time, short_day
from scheduler.errors import ServiceError
from scheduler.services import session_life
from scheduler.services.session_life import MovedSince, SessionState, Spot
from scheduler.ui.desk import Desk
from scheduler.ui.session_dialog import refusal_text
from scheduler.ui.session_models import SessionLike


@dataclass(frozen=True)
class Move:
    """A session moved by dragging: whose, where it was and where it went."""

    session_id: int
    patient_name: str
    was: Spot
    went: Spot


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
        moved = self._act(
            lambda db: session_life.reschedule(
                db, view.session_id, starts_at=starts_at, chair_id=chair_id,
                actor=self.desk.actor, now=self.desk.now(),
            ),
            "Not moved",
        )  # fmt: skip
        if moved is None:
            return False
        self._remember(
            Move(view.session_id, view.patient_name, Spot(view.starts_at, view.chair_id),
                 Spot(moved.starts_at, moved.chair_id))
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
        back = self._act(
            lambda db: session_life.undo_move(
                db, last.session_id, moved_to=last.went, back_to=last.was,
                actor=self.desk.actor, now=self.desk.now(),
            ),
            "Not undone",
        )  # fmt: skip
        if back is None:
            return False
        self._remember(None)
        self._confirm(f"Move undone: {last.patient_name} is back on", back)
        return True

    def forget(self) -> None:
        """Keep no move to undo (another staff member signed in: theirs is not to undo)."""
        self._remember(None)

    def _act(self, action: Callable[[Session], SessionState], prefix: str) -> SessionState | None:
        """Run a move in one transaction; a refusal is shown in the strip, after ``prefix``."""
        self.show_problem("")

        def shown(refusal: ServiceError) -> bool:
            self.show_problem(refusal_text(refusal, prefix))
            if isinstance(refusal, MovedSince):
                # Someone moved it again since: the move left to undo is theirs, not ours.
                self._remember(None)
            return True

        return self.desk.act(action, self._parent, on_refusal=shown)

    def _remember(self, move: Move | None) -> None:
        self.last = move
        self.undoable.emit(move is not None)

    def _confirm(self, done: str, state: SessionState) -> None:
        """Say where the session is now, and show it there."""
        local = state.starts_at.astimezone(self.desk.zone)
        where = f", {state.chair_name}" if state.chair_name else ""
        self.desk.announce(f"{done} {short_day(local.date())} at {clock_time(local)}{where}")
        self.desk.highlight(state.session_id, state.starts_at)
