"""Booking one session: chair, home visit with a nurse, or video, as the desk would."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import Place
from scheduler.services.booking import book_single
from scheduler.services.schedule import sessions_on_day
from scheduler.store import Database
from scheduler.store.models import TreatmentSession
from scheduler.ui.session_models import DaySessionsModel, DeskSession
from scheduler.ui.single_session_dialog import SingleSessionDialog
from tests.conftest import ACTOR, NOW
from tests.factories import CONSULTATION, IV_SINGLE, Clinic, set_up_test_clinic
from tests.ui.conftest import TestDesk


@pytest.fixture
def clinic(db: Database) -> Clinic:
    return set_up_test_clinic(db)


@pytest.fixture
def dialog(qtbot: QtBot, desk: TestDesk, clinic: Clinic) -> SingleSessionDialog:
    widget = SingleSessionDialog(desk, clinic.patient)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def choose_protocol(dialog: SingleSessionDialog, name: str) -> None:
    index = dialog.protocol.findText(name)
    assert index >= 0, name
    dialog.protocol.setCurrentIndex(index)


def places(dialog: SingleSessionDialog) -> list[str]:
    return [dialog.place.itemText(i) for i in range(dialog.place.count())]


def stored(db: Database, session_id: int | None) -> TreatmentSession:
    assert session_id is not None
    with db.reading() as s:
        row = s.get(TreatmentSession, session_id)
        assert row is not None
        return row


def test_a_home_visit_takes_a_nurse_instead_of_a_chair(
    qtbot: QtBot,
    dialog: SingleSessionDialog,
    desk: TestDesk,
    db: Database,
    clinic: Clinic,
    qtmodeltester: object,
) -> None:
    choose_protocol(dialog, IV_SINGLE)
    assert places(dialog) == ["Clinic chair", "Home visit (visiting nurse)"]
    assert dialog.place.isEnabled()
    assert dialog.nurse.isHidden()  # a chair needs no nurse of its own
    assert dialog.slots.row_at(0).chair_id in clinic.chairs

    dialog.place.setFocus()
    qtbot.keyClick(dialog.place, Qt.Key.Key_Down)
    assert dialog.chosen_place() is Place.HOME
    assert not dialog.nurse.isHidden()
    assert dialog.nurse.currentText() == "Any free nurse"
    qtmodeltester.check(dialog.slots)  # type: ignore[attr-defined]
    first = dialog.slots.row_at(0)
    assert first.chair_id is None
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)

    assert desk.refusals == []
    assert not dialog.message.isVisible()
    row = stored(db, dialog.session_id)
    assert row.place == "home"
    assert row.chair_id is None
    assert row.nurse_id in clinic.nurses  # the booking picked a free nurse
    assert row.starts_at == first.starts_at
    assert row.patient_id == clinic.patient
    # Today's list says where the nurse goes instead of leaving the chair column blank.
    day = row.starts_at.astimezone(desk.zone).date()
    today_list = DaySessionsModel(desk.zone)
    today_list.set_rows([DeskSession(v) for v in desk.read(lambda s: sessions_on_day(s, day))])
    places_shown = [
        today_list.data(today_list.index(r, DaySessionsModel.COL_CHAIR))
        for r in range(today_list.rowCount())
    ]
    assert "Home visit" in places_shown


def test_a_home_visit_with_the_nurse_the_desk_chose(
    qtbot: QtBot, dialog: SingleSessionDialog, desk: TestDesk, db: Database, clinic: Clinic
) -> None:
    choose_protocol(dialog, IV_SINGLE)
    dialog.place.setCurrentIndex(dialog.place.findData(Place.HOME.value))
    # Nurses are listed by name: James, then Maria.
    assert [dialog.nurse.itemText(i) for i in range(dialog.nurse.count())] == [
        "Any free nurse",
        "James",
        "Maria",
    ]
    dialog.nurse.setFocus()
    qtbot.keyClick(dialog.nurse, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.nurse, Qt.Key.Key_Down)
    assert dialog.nurse.currentText() == "Maria"
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    row = stored(db, dialog.session_id)
    assert (row.place, row.chair_id, row.nurse_id) == ("home", None, clinic.nurses[0])


def test_a_consultation_by_video_needs_neither_chair_nor_nurse(
    qtbot: QtBot, dialog: SingleSessionDialog, desk: TestDesk, db: Database
) -> None:
    choose_protocol(dialog, CONSULTATION)
    assert places(dialog) == ["Office", "Video call"]
    # The test clinic has no office: nothing free there, and the desk is told so.
    assert dialog.slots.rowCount() == 0
    assert dialog.message.isVisible()
    assert "No office is set up" in dialog.message.text()
    assert not dialog.book_button.isEnabled()
    dialog.place.setCurrentIndex(1)
    assert dialog.nurse.isHidden()
    assert dialog.slots.rowCount() > 0
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    row = stored(db, dialog.session_id)
    assert (row.place, row.chair_id, row.nurse_id) == ("video", None, None)


def test_a_therapy_given_in_one_place_only_offers_no_choice(
    dialog: SingleSessionDialog,
) -> None:
    choose_protocol(dialog, "NAD+ infusion")
    assert places(dialog) == ["Clinic chair"]
    assert not dialog.place.isEnabled()
    assert dialog.nurse.isHidden()


def test_a_refused_booking_is_shown_in_the_dialog_not_in_a_pop_up(
    qtbot: QtBot, dialog: SingleSessionDialog, desk: TestDesk, db: Database, clinic: Clinic
) -> None:
    """The slot offered is taken by another desk meanwhile: the refusal shows under the slots."""
    choose_protocol(dialog, IV_SINGLE)
    chosen = dialog.slots.row_at(0)
    with db.transaction() as s:
        book_single(
            s, patient_id=clinic.other_patient, protocol_id=clinic.iv_single,
            starts_at=chosen.starts_at, chair_id=chosen.chair_id, actor=ACTOR, now=NOW,
        )  # fmt: skip
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert desk.refusals == []
    assert dialog.session_id is None
    assert dialog.isVisible()
    assert dialog.message.isVisible()
    assert dialog.message.text().startswith("Not booked: ")
    assert "is taken" in dialog.message.text()


def test_the_patient_search_shows_birthdays_us_style(
    qtbot: QtBot, desk: TestDesk, clinic: Clinic
) -> None:
    """Opened from a free place on the calendar: the matches read as the rest of the desk."""
    widget = SingleSessionDialog(desk, None)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.keyClicks(widget.patient_search, "Zo")
    assert widget.patient_choice.count() >= 1
    label = widget.patient_choice.itemText(0)
    assert re.search(r"· born \d\d/\d\d/\d{4}$", label), label
