"""Asking who takes a patient home: at check-in, at Complete, and a warning while booking.

The rule is the services' (``session_life.complete`` refuses a sedating session with no one
recorded; ``booking.escort_warning`` says when no driver is on file): the desk only asks and
shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.enums import Place
from scheduler.domain.escort import NAME_MAX, PHONE_MAX, REASON_MAX, Escort
from scheduler.services import booking
from scheduler.ui.desk import Desk

WARNING_STYLE = "color: #b05a00;"


@dataclass(frozen=True)
class EscortAnswer:
    """What the desk was told: who takes the patient home, or why no one does."""

    escort: Escort | None
    no_escort_reason: str = ""


class EscortDialog(QDialog):
    """Who is taking the patient home today (name and phone, the driver on file filled in).

    At check-in the name may stay empty (not known yet: Complete asks again). At Complete a
    nurse may instead tick "No driver or escort" and write why, which the audit trail keeps.
    """

    def __init__(
        self,
        patient_name: str,
        on_file: Escort,
        *,
        completing: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.completing = completing
        self.setWindowTitle("Driver home")
        self.prompt = QLabel(f"Who is taking {patient_name} home today?")
        self.prompt.setObjectName("section_title")
        self.prompt.setWordWrap(True)
        why = QLabel("They may not drive themselves after this session.")
        why.setWordWrap(True)
        self.name = QLineEdit(on_file.name)
        self.name.setObjectName("escort_name")
        self.name.setMaxLength(NAME_MAX)
        self.phone = QLineEdit(on_file.phone)
        self.phone.setObjectName("escort_phone")
        self.phone.setMaxLength(PHONE_MAX)
        self.none_box = QCheckBox("No driver or escort; the reason:")
        self.none_box.setObjectName("no_escort")
        self.reason = QLineEdit()
        self.reason.setObjectName("no_escort_reason")
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setPlaceholderText("e.g. stays until collected by a ride service")
        self.reason.setEnabled(False)
        form = QFormLayout()
        form.addRow("Driver / &escort", self.name)
        form.addRow("&Phone", self.phone)
        if completing:
            form.addRow(self.none_box)
            form.addRow(self.reason)
        else:
            for unused in (self.none_box, self.reason):
                unused.setParent(self)
                unused.hide()
        self.hint = QLabel(
            "Not known yet? Leave the name empty; Complete will ask again."
            if not completing
            else "The session can be completed once someone is named, or a nurse says why not."
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(
            "Co&mplete" if completing else "Check &in", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(why)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._update)
        self.none_box.toggled.connect(self._update)
        self.reason.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(440)

    def _update(self, *args: object) -> None:
        none = self.completing and self.none_box.isChecked()
        self.reason.setEnabled(none)
        self.name.setEnabled(not none)
        self.phone.setEnabled(not none)
        if self.completing:
            named = bool(self.name.text().strip())
            self.ok_button.setEnabled(bool(self.reason.text().strip()) if none else named)

    def answer(self) -> EscortAnswer:
        if self.completing and self.none_box.isChecked():
            return EscortAnswer(None, self.reason.text().strip())
        name = self.name.text().strip()
        return EscortAnswer(Escort(name, self.phone.text().strip()) if name else None)

    @classmethod
    def ask(
        cls,
        patient_name: str,
        on_file: Escort,
        *,
        completing: bool,
        parent: QWidget | None = None,
    ) -> EscortAnswer | None:
        """The answer, or None when the user backed out. Tests replace this."""
        dialog = cls(patient_name, on_file, completing=completing, parent=parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()


def escort_warning_label() -> QLabel:
    """The booking dialogs' line saying no driver is on file (hidden while there is none)."""
    label = QLabel()
    label.setObjectName("escort_warning")
    label.setWordWrap(True)
    label.setStyleSheet(WARNING_STYLE)
    label.hide()
    return label


def show_escort_warning(
    desk: Desk, label: QLabel, patient_id: int | None, protocol_id: int | None, place: Place | None
) -> None:
    """Ask the booking service whether to warn about the driver, and show what it says."""
    text = ""
    if patient_id is not None and protocol_id is not None:
        text = desk.read(
            lambda db: booking.escort_warning(
                db, patient_id=patient_id, protocol_id=protocol_id, place=place
            )
        )
    label.setText(text)
    label.setVisible(bool(text))
