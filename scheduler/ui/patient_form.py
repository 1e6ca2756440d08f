"""The patient form: everything the front desk types about a patient, checked next to each field.

Signals:
    saved(int): the patient id after a successful save (new or edited).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.patients import FIELD_MAX, PatientDetails, parse_date
from scheduler.domain.when import date_of_birth, short_date
from scheduler.errors import FieldProblem, ValidationFailed
from scheduler.services.patients import LikelyDuplicate, save_patient
from scheduler.ui import widgets
from scheduler.ui.desk import Desk
from scheduler.ui.widgets import FieldProblems, act_on_form, title_label

# (field, label, placeholder) in the order the desk fills them in.
PERSON = (
    ("first_name", "&First name", ""),
    ("last_name", "&Last name", ""),
    ("preferred_name", "Pre&ferred name", "what they like to be called"),
    ("date_of_birth", "Date of &birth", "03/09/1980"),
)
CONTACT = (
    ("mobile_phone", "&Mobile phone", ""),
    ("home_phone", "&Home phone", ""),
    ("email", "&Email", ""),
    ("street", "Street", ""),
    ("city", "City", ""),
    ("region", "State / region", ""),
    ("postal_code", "Postal code", ""),
)
DRIVER = (
    ("driver_name", "&Driver / escort", "who takes them home"),
    ("driver_phone", "Driver's phone", ""),
    ("referring_provider", "Referred by", ""),
)
LONG_TEXT = (("indications", "Indications"), ("notes", "Notes"))
# Not a text field: a tick box under the email address.
CONSENT = "email_consent"
TYPED = tuple(f.name for f in fields(PatientDetails) if f.name != CONSENT)
# The answers to "this patient may already be on file".
OPEN_THAT_CHART = "Open that chart"
ADD_ANYWAY = "Add anyway"


class PatientForm(QWidget):
    """Add or edit one patient.

    Signals:
        saved(int): the patient id after a successful save.
    """

    saved = Signal(int)
    open_chart = Signal(int)

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.patient_id: int | None = None
        self.problems = FieldProblems()
        self.inputs: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.consent = QCheckBox("Agrees to letters by email")
        self.consent.setObjectName(CONSENT)
        self.consent.setToolTip(
            "Prep and schedule letters are emailed only to patients who agreed; "
            "the day they agreed is recorded when the patient is saved."
        )

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.addWidget(self._group("Person", PERSON), 0, 0)
        grid.addWidget(self._group("Driver and referral", DRIVER), 1, 0)
        grid.addWidget(self._group("Contact", CONTACT), 0, 1, 2, 1)
        text_form = QFormLayout()
        for name, label in LONG_TEXT:
            edit = QPlainTextEdit()
            edit.setObjectName(name)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(52)
            edit.setPlaceholderText(f"up to {FIELD_MAX[name]:,} characters")
            self.inputs[name] = edit
            text_form.addRow(f"{label}:", edit)
            text_form.addRow("", self.problems.add(name, edit))
        grid.addLayout(text_form, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self.save_button = QPushButton("&Save patient")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("&Undo changes")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problems.general, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addStretch(1)
        # Tab walks the person, how to reach them, then the driver: the contact column sits
        # beside the person, so the layout's own order would jump to the driver first.
        order = [name for name, *_ in (*PERSON, *CONTACT, *DRIVER, *LONG_TEXT)]
        chain: list[QWidget] = [
            *(self.inputs[n] for n in order),
            self.revert_button,
            self.save_button,
        ]
        chain.insert(order.index("email") + 1, self.consent)
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)
        self._loaded = PatientDetails("", "", None)
        self._consent_on: dt.date | None = None

    def _group(self, title: str, specs: tuple[tuple[str, str, str], ...]) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(title_label(title, section=True))
        for name, label, placeholder in specs:
            edit = QLineEdit()
            edit.setObjectName(name)
            edit.setPlaceholderText(placeholder)
            limit = FIELD_MAX.get(name)
            if limit is not None:
                # Typing stops at the limit; the tooltip says where it is.
                edit.setMaxLength(limit)
                edit.setToolTip(f"Up to {limit:,} characters")
            edit.returnPressed.connect(self.save)
            self.inputs[name] = edit
            caption = QLabel(f"{label}:")
            caption.setBuddy(edit)
            form.addRow(caption, edit)
            form.addRow("", self.problems.add(name, edit))
            if name == "email":
                form.addRow("", self.consent)
        return box

    # -- loading and reading ---------------------------------------------------------------

    def load(
        self, details: PatientDetails, patient_id: int | None, *, consent_on: dt.date | None = None
    ) -> None:
        self.patient_id = patient_id
        self._loaded = details
        self._consent_on = consent_on
        self.consent.setChecked(details.email_consent)
        since = f" (since {short_date(consent_on)})" if consent_on and details.email_consent else ""
        self.consent.setText(f"Agrees to letters by email{since}")
        for name in TYPED:
            value = getattr(details, name)
            text = date_of_birth(value) if isinstance(value, dt.date) else (value or "")
            edit = self.inputs[name]
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(text)
            else:
                edit.setText(text)
        self.problems.clear()
        self.save_button.setText("&Save patient" if patient_id else "&Add patient")

    def is_dirty(self) -> bool:
        """Whether the user typed something not yet saved."""
        details, problems = self.details()
        return bool(problems) or details.cleaned() != self._loaded.cleaned()

    def revert(self) -> None:
        self.load(self._loaded, self.patient_id, consent_on=self._consent_on)

    def text(self, name: str) -> str:
        edit = self.inputs[name]
        return edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()

    def details(self) -> tuple[PatientDetails, list[FieldProblem]]:
        """The typed details, and any problem found before asking the service (a bad date)."""
        values: dict[str, Any] = {name: self.text(name) for name in TYPED}
        born_text = values.pop("date_of_birth").strip()
        born = parse_date(born_text) if born_text else None
        problems = []
        if born_text and born is None:
            problems.append(
                FieldProblem(
                    "date_of_birth",
                    f"“{born_text}” is not a date; type it as 1980-03-09 or 03/09/1980.",
                )
            )
        consent = self.consent.isChecked()
        return PatientDetails(date_of_birth=born, email_consent=consent, **values), problems

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> int | None:
        """Save the form; problems are shown under their fields. Returns the patient id."""
        details, problems = self.details()
        if problems:
            self.problems.show(problems)
            return None
        patient_id = self._save(details, confirm_duplicate=False)
        if patient_id is not None:
            self.patient_id = patient_id
            self._loaded = details.cleaned()
            self.save_button.setText("&Save patient")
            self.saved.emit(patient_id)
        return patient_id

    def _save(self, details: PatientDetails, *, confirm_duplicate: bool) -> int | None:
        duplicate: list[LikelyDuplicate] = []
        patient_id = self.patient_id
        desk = self.desk

        def write(db: Session) -> int:
            try:
                saved = save_patient(
                    db,
                    patient_id,
                    details,
                    actor=desk.actor,
                    now=desk.now(),
                    confirm_duplicate=confirm_duplicate,
                )
            except LikelyDuplicate as exc:
                duplicate.append(exc)
                # Shown as a question below, not as a refusal.
                raise ValidationFailed([]) from exc
            return saved.patient_id

        saved = act_on_form(desk, write, self.problems, self)
        if not duplicate:
            return saved
        answer = widgets.choose(
            self, "Same name and birthday", str(duplicate[0]), (OPEN_THAT_CHART, ADD_ANYWAY)
        )
        if answer == ADD_ANYWAY:
            return self._save(details, confirm_duplicate=True)
        if answer == OPEN_THAT_CHART:
            self.open_chart.emit(duplicate[0].patient_ids[0])
        return None
