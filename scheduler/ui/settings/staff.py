"""Settings → Staff: who works here, their roles, and their accounts (sign-in and password)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import ROLE_LABELS
from scheduler.domain.enums import StaffRole
from scheduler.services import accounts
from scheduler.services import settings as svc
from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import Row, add_rows, check_grid
from scheduler.ui.settings.list_editor import ListEditor
from scheduler.ui.tables import ID_ROLE, RowsModel
from scheduler.ui.widgets import note_label, problem_label

ROLES_NOTE = (
    "Clinicians record and clear screening and sign overrides; nurses are assigned to "
    "sessions; administrators change settings and staff. Setting a password also lifts a lock "
    "after wrong passwords."
)
NEW_STAFF = svc.StaffEdit("")  # a nurse, active, no sign-in name yet


class StaffModel(RowsModel[svc.StaffEntry]):
    COL_NAME, COL_ROLE, COL_SIGN_IN, COL_ACTIVE = range(4)
    HEADERS = ("Name", "Roles", "Sign-in", "Active")

    def value(self, row: svc.StaffEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.edit.name,
                ", ".join(ROLE_LABELS[r] for r in StaffRole if r in row.edit.roles),
                f"{row.edit.sign_in} ({row.account})" if row.edit.sign_in else "—",
                "Yes" if row.edit.active else "No",
            )[column]
        return row.staff_id if role == ID_ROLE else None


class StaffTab(ListEditor[svc.StaffEntry]):
    """Staff and their accounts: roles, sign-in name, password reset, deactivation."""

    noun = "staff member"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, StaffModel(), parent)
        self.sign_in = QLineEdit()
        self.sign_in.setPlaceholderText("empty: listed, cannot sign in")
        self.role_boxes = {r: QCheckBox(ROLE_LABELS[r]) for r in StaffRole}
        roles = check_grid(self.role_boxes.values(), columns=2)
        self.active = QCheckBox("Works here now (unticked: cannot sign in)")
        self.password_button = QPushButton("Set &password…")
        self.password_button.clicked.connect(self.set_password)
        add_rows(
            self.form,
            self.problems,
            (
                Row("Name:", self.name, "name"),
                Row("Roles:", roles, "roles"),
                Row("Sign-in name:", self.sign_in, "sign_in"),
            ),
        )
        self.form.addRow("", self.active)
        self.form.addRow("", self.password_button)
        self.form.addRow("", note_label(ROLES_NOTE))

    def rows(self, db: Session) -> list[svc.StaffEntry]:
        return svc.list_staff(db, now=self.desk.now())

    def row_id(self, row: svc.StaffEntry) -> int:
        return row.staff_id

    def row_title(self, row: svc.StaffEntry) -> str:
        return row.edit.name

    def fill(self, row: svc.StaffEntry) -> None:
        self.name.setText(row.edit.name)
        self.sign_in.setText(row.edit.sign_in)
        for role, box in self.role_boxes.items():
            box.setChecked(role in row.edit.roles)
        self.active.setChecked(row.edit.active)
        self.password_button.setEnabled(bool(row.edit.sign_in))

    def fill_new(self) -> None:
        self.fill(svc.StaffEntry(0, NEW_STAFF))

    def write(self, db: Session) -> int:
        roles = frozenset(r for r, box in self.role_boxes.items() if box.isChecked())
        edit = svc.StaffEdit(self.name.text(), roles, self.active.isChecked(), self.sign_in.text())
        return svc.save_staff(db, self.editing_id, edit, **self._kw()).staff_id

    def set_password(self) -> bool:
        """Set (or reset) the selected staff member's password, typed twice."""
        staff_id = self.editing_id
        if staff_id is None:
            return False
        password = PasswordDialog.ask(self.name.text(), self)
        if password is None:
            return False
        return self._save(lambda db: accounts.set_password(db, staff_id, password, **self._kw()))


class PasswordDialog(QDialog):
    """A new password for a staff member, typed twice."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Password for {name}")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"at least {accounts.PASSWORD_MIN} characters")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = problem_label()
        form = QFormLayout(self)
        form.addRow("&New password:", self.password)
        form.addRow("&Again:", self.again)
        form.addRow("", self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(420)

    def accept(self) -> None:
        if self.password.text() != self.again.text():
            self.problem.setText("The two passwords differ.")
            self.problem.show()
            return
        if problem := accounts.password_problem(self.password.text()):
            self.problem.setText(problem)
            self.problem.show()
            return
        super().accept()

    @classmethod
    def ask(cls, name: str, parent: QWidget | None = None) -> str | None:
        """The new password, or None when cancelled. Tests replace this."""
        dialog = cls(name, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.password.text()
