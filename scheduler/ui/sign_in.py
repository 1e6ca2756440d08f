"""Signing in to the desk, and a clinician's signature on a decision made at someone's desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler import APP_NAME
from scheduler.domain.access import Actor
from scheduler.services import accounts
from scheduler.services.clinic import NOT_SET_UP, clinic_view
from scheduler.ui.desk import Desk
from scheduler.ui.widgets import note_label, problem_label, title_label


def demo_hint(desk: Desk) -> str:
    """The demo clinic's accounts, for its sign-in screen; "" on a real clinic."""
    from scheduler.services.demo import CLINIC_NAME, DEMO_ACCOUNTS

    def is_demo(db: Session) -> bool:
        clinic = clinic_view(db)
        return clinic is not NOT_SET_UP and clinic.name == CLINIC_NAME

    if not desk.read(is_demo):
        return ""
    rows = "".join(
        f"<tr><td>{a.role.value.replace('_', ' ').capitalize()}</td>"
        f"<td><b>{a.sign_in}</b></td><td>{a.password}</td></tr>"
        for a in DEMO_ACCOUNTS
    )
    return (
        "<p>This is the demo clinic. Sign in with one of its accounts:</p>"
        "<table cellspacing=0 cellpadding=3><tr><th align=left>role</th>"
        f"<th align=left>sign-in name</th><th align=left>password</th></tr>{rows}</table>"
    )


class Credentials:
    """A sign-in name and a password field, the problem under them, and the check they make."""

    def __init__(
        self,
        desk: Desk,
        form: QFormLayout,
        *,
        prefix: str = "",
        name: str = "",
        object_prefix: str = "sign_in",
    ) -> None:
        self.desk = desk
        self.name = QLineEdit(name)
        self.name.setObjectName(f"{object_prefix}_name")
        self.password = QLineEdit()
        self.password.setObjectName(f"{object_prefix}_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = problem_label()
        # "Sign-in name:" alone, "Clinician's sign-in name:" after a prefix.
        form.addRow(f"{prefix}&{'s' if prefix else 'S'}ign-in name:", self.name)
        form.addRow(f"{prefix}&{'p' if prefix else 'P'}assword:", self.password)

    def check(self, parent: QWidget, check: Check | None = None) -> Actor | None:
        """The staff member the fields name, if the password is right; else says why."""
        name, password, now = self.name.text().strip(), self.password.text(), self.desk.now()
        checking = check or _sign_in
        result = self.desk.act(lambda db: checking(db, name, password, now), parent)
        self.password.clear()
        if result is None:
            return None
        if result.actor is None:
            self.show_problem(result.problem)
        return result.actor

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.password.setFocus()


Check = Callable[[Session, str, str, dt.datetime], accounts.SignInResult]


def _sign_in(db: Session, name: str, password: str, now: dt.datetime) -> accounts.SignInResult:
    return accounts.sign_in(db, name, password, now=now)


def _signature(db: Session, name: str, password: str, now: dt.datetime) -> accounts.SignInResult:
    return accounts.verify_signature(db, name, password, now=now)


class SignInDialog(QDialog):
    """Asks a sign-in name and password until they are right, or the user gives up."""

    def __init__(self, desk: Desk, parent: QWidget | None = None, *, heading: str = "") -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor: Actor | None = None
        self.setWindowTitle(f"Sign in — {APP_NAME}")
        self.setMinimumWidth(440)
        form = QFormLayout()
        self.credentials = Credentials(desk, form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Sign in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(heading or "Who is at the desk?"))
        layout.addLayout(form)
        layout.addWidget(self.credentials.problem)
        hint = demo_hint(desk)
        if hint:
            self.hint = QLabel(hint)
            self.hint.setObjectName("note")
            layout.addWidget(self.hint)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.actor = self.credentials.check(self, _sign_in)
        if self.actor is not None:
            super().accept()

    @classmethod
    def ask(cls, desk: Desk, parent: QWidget | None = None) -> Actor | None:
        """The staff member who signed in, or None when the dialog was closed."""
        dialog = cls(desk, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.actor


@dataclass(frozen=True)
class Signature:
    """A clinician's decision: who signed (None: the signed-in clinician) and the reason."""

    signer: Actor | None
    reason: str


class SignatureDialog(QDialog):
    """A clinician's decision, with its written reason, signed by a clinician.

    When the signed-in user is a clinician they sign by pressing Sign. Otherwise a clinician
    types their own sign-in name and password here; nobody is chosen in advance.
    """

    def __init__(
        self,
        desk: Desk,
        title: str,
        prompt: str,
        *,
        needs_reason: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.signer: Actor | None = None
        self.needs_reason = needs_reason
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setObjectName("signature_reason")
        form = QFormLayout()
        self.credentials = Credentials(desk, form, prefix="Clinician's ", object_prefix="signature")
        self.problem = self.credentials.problem
        self.signs_self = desk.actor.is_clinician
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(prompt))
        layout.addWidget(self.reason)
        self.reason.setFixedHeight(110)
        if not needs_reason:
            self.reason.setPlaceholderText("A note for the audit trail (optional)")
            self.reason.setFixedHeight(60)
        if self.signs_self:
            layout.addWidget(note_label(f"Signed by you, {desk.actor.name}."))
        else:
            layout.addWidget(
                note_label(
                    f"{desk.actor.name} is not a clinician: a clinician signs here with their "
                    "own sign-in name and password."
                )
            )
            layout.addLayout(form)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Sign")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if self.needs_reason and len(self.reason.toPlainText().strip()) < 5:
            self.credentials.show_problem(
                "Write the reason (at least 5 letters); it is kept in the audit trail."
            )
            return
        if not self.signs_self:
            self.signer = self.credentials.check(self, _signature)
            if self.signer is None:
                return
        super().accept()

    def signature(self) -> Signature:
        return Signature(self.signer, self.reason.toPlainText().strip())

    @classmethod
    def ask(
        cls,
        desk: Desk,
        title: str,
        prompt: str,
        *,
        needs_reason: bool = True,
        parent: QWidget | None = None,
    ) -> Signature | None:
        """The signature, or None when cancelled. Tests replace this."""
        dialog = cls(desk, title, prompt, needs_reason=needs_reason, parent=parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.signature()
