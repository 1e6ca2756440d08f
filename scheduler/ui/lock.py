"""Locking the desk: after the clinic's idle time, or at once with Ctrl+L.

A locked desk hides patient data (the screens and any open dialog) and asks for the same
person's password, or another staff member's sign-in to take over. Nothing open is lost: the
same screen and any half-filled form come back after the unlock.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor
from scheduler.services import accounts
from scheduler.services.accounts import SignInResult
from scheduler.services.clinic import clinic_view
from scheduler.ui.desk import Desk
from scheduler.ui.sign_in import Credentials
from scheduler.ui.widgets import note_label, title_label

CHECK_EVERY_MS = 15_000
# What counts as someone using the desk.
_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
}


class IdleWatch(QObject):
    """Notices when nobody has pressed a key or moved the mouse for the clinic's idle time.

    Time comes from the desk's clock, so tests advance it rather than wait.

    Signals:
        idle(): the idle time has passed since the last activity.
    """

    idle = Signal()

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.last_activity = desk.now()
        self.paused = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def idle_minutes(self) -> int:
        return self.desk.read(clinic_view).idle_lock_minutes

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.touch()
        return False

    def touch(self) -> None:
        self.last_activity = self.desk.now()

    def check(self) -> None:
        """Emit ``idle`` once the idle time has passed (tests call this after moving the clock)."""
        if self.paused:
            return
        if self.desk.now() - self.last_activity >= dt.timedelta(minutes=self.idle_minutes()):
            self.idle.emit()


class LockDialog(QDialog):
    """The locked desk's question: the same person's password, or someone else's sign-in.

    It cannot be closed without signing in; quitting the desk is done from the window's close.

    Signals:
        unlocked(): someone signed in; ``actor`` says who (the same person or another).
    """

    unlocked = Signal()

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor: Actor | None = None
        self.locked_for = desk.actor
        self.setWindowTitle("The desk is locked")
        self.setObjectName("lock_dialog")
        self.setMinimumWidth(440)
        form = QFormLayout()
        self.credentials = Credentials(
            desk, form, name=self.locked_for.sign_in, object_prefix="lock"
        )
        self.name, self.password = self.credentials.name, self.credentials.password
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Unlock")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("The desk is locked"))
        layout.addWidget(
            note_label(
                f"{self.locked_for.name} was signed in. Type your password to go on where "
                "you were, or another sign-in name and password to take over the desk."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.credentials.problem)
        layout.addWidget(buttons)
        self.password.setFocus()

    def accept(self) -> None:
        same = self.name.text().strip() == self.locked_for.sign_in
        action = "unlock" if same else "sign_in"

        def check(db: Session, name: str, password: str, now: dt.datetime) -> SignInResult:
            return accounts.sign_in(db, name, password, now=now, action=action)

        self.actor = self.credentials.check(self, check)
        if self.actor is None:
            return
        super().accept()
        self.unlocked.emit()

    def reject(self) -> None:
        """Escape does not unlock the desk."""
