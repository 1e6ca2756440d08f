"""The patient form shows every field's length limit where the user types."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from scheduler.domain.patients import FIELD_MAX
from scheduler.ui.patient_form import PatientForm
from tests.ui.conftest import TestDesk


def test_the_patient_form_shows_every_limit(qtbot: QtBot, desk: TestDesk) -> None:
    form = PatientForm(desk)
    qtbot.addWidget(form)
    for name, limit in FIELD_MAX.items():
        edit = form.inputs[name]
        if isinstance(edit, QLineEdit):
            assert edit.maxLength() == limit
            assert edit.toolTip() == f"Up to {limit:,} characters"
        else:
            assert isinstance(edit, QPlainTextEdit)
            assert edit.placeholderText() == f"up to {limit:,} characters"


def test_a_long_note_pasted_in_is_refused_beside_the_field(qtbot: QtBot, desk: TestDesk) -> None:
    form = PatientForm(desk)
    qtbot.addWidget(form)
    form.inputs["first_name"].setText("Zoë")  # type: ignore[union-attr]
    form.inputs["last_name"].setText("Nowak")  # type: ignore[union-attr]
    form.inputs["date_of_birth"].setText("1980-02-03")  # type: ignore[union-attr]
    form.inputs["notes"].setPlainText("x" * 4001)  # type: ignore[union-attr]
    assert form.save() is None
    assert form.problems.fields["notes"][1].text() == "Notes is longer than 4000 characters."


def test_tab_walks_the_fields_in_the_order_they_are_on_screen(qtbot: QtBot, desk: TestDesk) -> None:
    """The person, then how to reach them (Mobile first), then the driver, then the notes."""
    form = PatientForm(desk)
    qtbot.addWidget(form)
    with qtbot.waitActive(form):
        form.show()
        form.activateWindow()
    form.inputs["first_name"].setFocus()
    walked = []
    for _ in range(len(form.inputs) + 1):  # and the consent box under the email address
        focused = form.focusWidget()
        assert focused is not None
        walked.append(focused.objectName())
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert walked == [
        "first_name", "last_name", "preferred_name", "date_of_birth",
        "mobile_phone", "home_phone", "email", "email_consent",
        "street", "city", "region", "postal_code",
        "driver_name", "driver_phone", "referring_provider",
        "indications", "notes",
    ]  # fmt: skip
