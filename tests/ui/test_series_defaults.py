"""The series dialog starts where the clinic has room: an open day, a time with no moves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import Phase
from scheduler.services.booking import book_single
from scheduler.store import Database
from scheduler.store.models import Patient
from scheduler.ui.series_dialog import SeriesDialog
from tests.conftest import ACTOR, NOW
from tests.factories import IV_SINGLE, add_chairs, at, make_patient, protocol_id
from tests.ui.conftest import TestDesk

SATURDAY_NOON = dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC)
WED = dt.date(2026, 11, 18)


def open_dialog(qtbot: QtBot, desk: TestDesk, patient_id: int) -> SeriesDialog:
    dialog = SeriesDialog(desk, patient_id, phase=Phase.INDUCTION)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def statuses(dialog: SeriesDialog) -> list[str]:
    model = dialog.model
    return [model.data(model.index(n, model.COL_STATUS)) for n in range(model.rowCount())]


def test_a_fresh_dialog_on_the_demo_clinic_moves_nothing(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    desk = TestDesk(demo)
    with demo.reading() as s:
        patient_ids = list(s.scalars(select(Patient.id).order_by(Patient.id).limit(4)))
    for patient_id in patient_ids:
        dialog = open_dialog(qtbot, desk, patient_id)
        assert dialog.first_date().weekday() in dialog.selected_weekdays()
        qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
        assert dialog.model.rowCount() == dialog.count.value()
        assert statuses(dialog) == ["As asked"] * dialog.count.value(), patient_id
        dialog.grab().save(str(tmp_path / f"series-{patient_id}.png"))
        dialog.close()


def test_on_a_saturday_the_dialog_starts_on_monday(
    qtbot: QtBot, desk: TestDesk, db: Database
) -> None:
    with db.transaction() as s:
        add_chairs(s, 2)
        patient = make_patient(s, first_name="Dana")
    desk.clock_now = SATURDAY_NOON
    dialog = open_dialog(qtbot, desk, patient)
    assert dialog.first_date() == dt.date(2026, 11, 23)
    assert dialog.time_wanted() == dt.time(8)


def test_a_moved_row_says_why_in_a_phrase_and_in_full_on_hover(
    qtbot: QtBot, desk: TestDesk, db: Database
) -> None:
    with db.transaction() as s:
        chairs = add_chairs(s, 2)
        single = protocol_id(s, IV_SINGLE)
        for chair in chairs:
            book_single(
                s, patient_id=make_patient(s, first_name="Busy"), protocol_id=single,
                starts_at=at(WED, 10), chair_id=chair, actor=ACTOR, now=NOW,
            )  # fmt: skip
        patient = make_patient(s, first_name="Dana")
    dialog = open_dialog(qtbot, desk, patient)
    assert dialog.first_date() == WED
    assert dialog.time_wanted() == dt.time(8)  # the whole course fits from opening time
    dialog.preferred_time.setTime(QTime(10, 0))  # but the patient asks for 10:00
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    model = dialog.model
    assert statuses(dialog)[0] == "Moved"
    first_why = model.index(0, model.COL_REASON)
    assert model.data(first_why) == "All chairs busy at 10:00 AM"
    tooltip = model.data(first_why, Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("Moved to Wed, Nov 18, 2026, ")
    assert "are all taken" in tooltip
    assert statuses(dialog)[1:] == ["As asked"] * 5
    assert model.data(model.index(1, model.COL_REASON), Qt.ItemDataRole.ToolTipRole) is None
