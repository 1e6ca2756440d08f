"""The series dialog starts where the clinic has room: an open day, a time with no moves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QTimeEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import Phase
from scheduler.services.booking import book_single
from scheduler.services.course_defaults import best_start_time
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


def block_both_chairs(db: Database, chairs: list[int], day: dt.date, hour: int) -> None:
    """Both chairs taken at ``hour`` on ``day`` by other patients' single infusions."""
    with db.transaction() as s:
        single = protocol_id(s, IV_SINGLE)
        for chair in chairs:
            book_single(
                s, patient_id=make_patient(s, first_name="Busy"), protocol_id=single,
                starts_at=at(day, hour), chair_id=chair, actor=ACTOR, now=NOW,
            )  # fmt: skip


def dana_on_two_chairs(db: Database) -> tuple[int, list[int]]:
    with db.transaction() as s:
        chairs = add_chairs(s, 2)
        return make_patient(s, first_name="Dana"), chairs


def picked_by_the_service(db: Database, dialog: SeriesDialog) -> dt.time | None:
    """The time the course fits best at, for what the dialog's form says now."""
    choice = dialog.current_protocol()
    assert choice is not None
    with db.reading() as s:
        return best_start_time(
            s, dialog.patient_id, choice.protocol_id, dialog.count.value(), dialog.first_date(),
            weekdays=dialog.selected_weekdays(), now=NOW,
        )  # fmt: skip


MON_DEC_7 = dt.date(2026, 12, 7)


def test_a_new_first_date_picks_the_time_again(qtbot: QtBot, desk: TestDesk, db: Database) -> None:
    patient, chairs = dana_on_two_chairs(db)
    block_both_chairs(db, chairs, MON_DEC_7, 8)
    dialog = open_dialog(qtbot, desk, patient)
    assert (dialog.first_date(), dialog.time_wanted()) == (WED, dt.time(8))
    dialog.first_day.setDate(QDate(2026, 12, 7))
    assert dialog.time_wanted() != dt.time(8)
    assert dialog.time_wanted() == picked_by_the_service(db, dialog)


def test_more_sessions_pick_the_time_again(qtbot: QtBot, desk: TestDesk, db: Database) -> None:
    patient, chairs = dana_on_two_chairs(db)
    dialog = open_dialog(qtbot, desk, patient)
    assert (dialog.count.value(), dialog.time_wanted()) == (6, dt.time(8))
    # The eighth session of a course from Wednesday: after the sixth, on the same weekdays.
    dialog.count.setValue(8)
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert dialog.proposal is not None
    eighth = dialog.proposal.rows[-1].starts_at
    assert eighth is not None
    dialog.count.setValue(6)
    block_both_chairs(db, chairs, eighth.astimezone(desk.zone).date(), 8)
    dialog.count.setValue(8)
    assert dialog.time_wanted() != dt.time(8)
    assert dialog.time_wanted() == picked_by_the_service(db, dialog)


def test_other_weekdays_pick_the_time_again(qtbot: QtBot, desk: TestDesk, db: Database) -> None:
    patient, chairs = dana_on_two_chairs(db)
    block_both_chairs(db, chairs, dt.date(2026, 11, 19), 8)  # a Thursday
    dialog = open_dialog(qtbot, desk, patient)
    assert dialog.selected_weekdays() == [0, 2, 4]
    assert dialog.time_wanted() == dt.time(8)
    dialog.weekdays[3].setChecked(True)  # Thursdays too: the second session is on the 19th
    assert dialog.time_wanted() != dt.time(8)
    assert dialog.time_wanted() == picked_by_the_service(db, dialog)


def test_a_time_the_user_chose_is_kept(qtbot: QtBot, desk: TestDesk, db: Database) -> None:
    patient, chairs = dana_on_two_chairs(db)
    block_both_chairs(db, chairs, MON_DEC_7, 14)
    dialog = open_dialog(qtbot, desk, patient)
    dialog.preferred_time.setFocus()
    dialog.preferred_time.setCurrentSection(QTimeEdit.Section.HourSection)
    for _ in range(6):  # the arrow key, six hours on from 8:00 AM
        qtbot.keyClick(dialog.preferred_time, Qt.Key.Key_Up)
    chosen = dialog.time_wanted()
    assert chosen == dt.time(14)
    dialog.first_day.setDate(QDate(2026, 12, 7))
    dialog.count.setValue(7)
    dialog.weekdays[3].setChecked(True)
    assert dialog.time_wanted() == chosen
