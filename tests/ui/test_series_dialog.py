"""The series dialog: propose a course, change a row, book all or nothing, show refusals."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from scheduler.domain.enums import Phase, StaffRole
from scheduler.services.booking import Override
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Series, TreatmentSession
from scheduler.ui import series_dialog
from scheduler.ui.desk import Desk
from scheduler.ui.series_dialog import SeriesDialog
from tests.conftest import CLINIC_TZ
from tests.factories import actor_for, add_chairs, add_staff, make_patient
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)


@pytest.fixture(autouse=True)
def chairs(db: Database) -> None:
    with db.transaction() as s:
        add_chairs(s, 2)


@pytest.fixture
def no_letter(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    offered: list[bool] = []

    def offer(cls: object, parent: object) -> bool:
        offered.append(True)
        return False

    monkeypatch.setattr(SeriesDialog, "offer_schedule_letter", classmethod(offer))
    return offered


def new_patient(db: Database, *, cleared: bool = True) -> int:
    with db.transaction() as s:
        return make_patient(s, first_name="Zoë", last_name="Nguyễn", cleared=cleared)


def open_dialog(
    qtbot: QtBot, desk: Desk, patient_id: int, phase: Phase = Phase.INDUCTION
) -> SeriesDialog:
    dialog = SeriesDialog(desk, patient_id, phase=phase)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def series_count(db: Database) -> tuple[int, int]:
    with db.reading() as s:
        return (
            s.scalar(select(func.count(Series.id))) or 0,
            s.scalar(select(func.count(TreatmentSession.id))) or 0,
        )


def test_the_form_starts_from_the_protocol(qtbot: QtBot, desk: TestDesk, db: Database) -> None:
    dialog = open_dialog(qtbot, desk, new_patient(db))
    assert dialog.protocol.currentText() == "IV ketamine induction"
    assert all("induction" in dialog.protocol.itemText(n) for n in range(dialog.protocol.count()))
    assert (dialog.count.minimum(), dialog.count.maximum(), dialog.count.value()) == (6, 8, 6)
    assert dialog.selected_weekdays() == [0, 2, 4]  # Mon, Wed, Fri
    # Monday afternoon: tomorrow is a Tuesday, so the first Mon/Wed/Fri the clinic is open.
    assert dialog.first_date() == dt.date(2026, 11, 18)
    assert dialog.time_wanted() == dt.time(8)  # the clinic is empty: from opening time
    assert not dialog.book_button.isEnabled()
    # Typing a ninth session is not possible: the spin box stops at eight.
    dialog.count.setFocus()
    dialog.count.lineEdit().selectAll()
    qtbot.keyClicks(dialog.count, "9")
    assert dialog.count.value() <= 8


def test_booking_a_series_through_the_dialog(
    qtbot: QtBot,
    desk: TestDesk,
    db: Database,
    no_letter: list[bool],
    qtmodeltester: object,
) -> None:
    patient = new_patient(db)
    dialog = open_dialog(qtbot, desk, patient)
    dialog.count.lineEdit().selectAll()
    qtbot.keyClicks(dialog.count, "7")
    qtbot.keyClick(dialog.count, Qt.Key.Key_Tab)
    assert dialog.count.value() == 7
    dialog.preferred_time.setTime(QTime(10, 0))  # the patient asks for 10:00
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    assert dialog.model.rowCount() == 7
    assert dialog.book_button.isEnabled()
    first_when = dialog.model.data(dialog.model.index(0, dialog.model.COL_WHEN))
    assert first_when == "Wed, Nov 18, 2026, 10:00 AM"
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert desk.refusals == []
    assert no_letter == [True]
    assert dialog.series_id is not None
    with db.reading() as s:
        series = s.get(Series, dialog.series_id)
        assert series is not None
        assert series.patient_id == patient
        assert series.planned_count == 7
        sessions = s.scalars(
            select(TreatmentSession).where(TreatmentSession.series_id == series.id)
        ).all()
        assert len(sessions) == 7
        local = sorted(x.starts_at.astimezone(ZONE) for x in sessions)
        assert local[0] == dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZONE)
        assert {t.weekday() for t in local} <= {0, 2, 4}


def test_a_refused_booking_shows_why_in_the_dialog(
    qtbot: QtBot, desk: TestDesk, db: Database, no_letter: list[bool]
) -> None:
    patient = new_patient(db, cleared=False)
    dialog = open_dialog(qtbot, desk, patient)
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 6
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.message.isVisible()
    assert "not been cleared" in dialog.message.text()
    assert desk.refusals == []  # shown in the dialog, not in a message box
    assert dialog.series_id is None
    assert no_letter == []
    assert series_count(db) == (0, 0)


def test_change_a_row_from_the_next_free_slots(
    qtbot: QtBot,
    desk: TestDesk,
    db: Database,
    no_letter: list[bool],
    qtmodeltester: object,
) -> None:
    dialog = open_dialog(qtbot, desk, new_patient(db))
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    dialog.table.selectRow(5)  # the last session
    qtbot.mouseClick(dialog.find_slots_button, Qt.MouseButton.LeftButton)
    qtmodeltester.check(dialog.slot_model)  # type: ignore[attr-defined]
    assert dialog.slot_model.rowCount() > 1
    dialog.slot_table.selectRow(1)
    chosen = dialog.slot_model.row_at(1)
    qtbot.mouseClick(dialog.use_slot_button, Qt.MouseButton.LeftButton)
    assert dialog.proposal is not None
    changed = next(r for r in dialog.proposal.rows if r.starts_at == chosen.starts_at)
    assert changed.chair_id == chosen.chair_id
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    with db.reading() as s:
        starts = set(s.scalars(select(TreatmentSession.starts_at)))
    assert chosen.starts_at in starts


def test_changing_the_form_asks_for_a_new_proposal(
    qtbot: QtBot, desk: TestDesk, db: Database
) -> None:
    dialog = open_dialog(qtbot, desk, new_patient(db))
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert dialog.book_button.isEnabled()
    qtbot.mouseClick(dialog.weekdays[1], Qt.MouseButton.LeftButton)  # add Tuesday
    assert dialog.model.rowCount() == 0
    assert not dialog.book_button.isEnabled()


def test_maintenance_every_four_weeks(
    qtbot: QtBot, desk: TestDesk, db: Database, no_letter: list[bool]
) -> None:
    dialog = open_dialog(qtbot, desk, new_patient(db), phase=Phase.MAINTENANCE)
    assert dialog.windowTitle() == "Plan maintenance — Zoë Nguyễn"
    assert dialog.heading.text().startswith("Plan maintenance for Zoë Nguyễn (chart ")
    assert dialog.protocol.currentText() == "IV ketamine maintenance"
    assert dialog.every_weeks.value() == 4
    dialog.count.setValue(3)
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 3
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert series_count(db) == (1, 3)


def test_a_clinician_may_override_a_refused_safety_check(
    qtbot: QtBot,
    desk: TestDesk,
    db: Database,
    no_letter: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with db.transaction() as s:
        signer = actor_for(s, add_staff(s, "Dr Ana Costa", StaffRole.CLINICIAN))
    patient = new_patient(db, cleared=False)
    dialog = open_dialog(qtbot, desk, patient)
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert not dialog.override_button.isVisible()
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.override_button.isVisible()
    asked: list[str] = []

    def answer(cls: object, desk: Desk, refusal: str, parent: object) -> Override:
        asked.append(refusal)
        reason = "Assessed in clinic today; cleared verbally, paperwork follows"
        return Override(reason, signer)

    monkeypatch.setattr(series_dialog.OverrideDialog, "ask", classmethod(answer))
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.override_button, Qt.MouseButton.LeftButton)
    assert "not been cleared" in asked[0]
    assert dialog.series_id is not None
    assert series_count(db) == (1, 6)
    with db.reading() as s:
        reasons = [e.reason for e in s.scalars(select(AuditEntry))]
    assert any("paperwork follows" in r for r in reasons)


def test_maintenance_until_a_date(qtbot: QtBot, desk: TestDesk, db: Database) -> None:
    dialog = open_dialog(qtbot, desk, new_patient(db), phase=Phase.MAINTENANCE)
    dialog.until.setDate(QDate(2027, 1, 31))  # choosing a date picks "until"
    assert dialog.by_until.isChecked()
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert dialog.proposal is not None
    starts = [r.starts_at for r in dialog.proposal.rows if r.starts_at is not None]
    assert len(starts) == dialog.model.rowCount() >= 2
    assert max(starts).astimezone(ZONE).date() <= dt.date(2027, 1, 31)


@pytest.mark.parametrize("phase", [Phase.INDUCTION, Phase.MAINTENANCE])
def test_a_closed_dialog_is_freed(qtbot: QtBot, desk: TestDesk, db: Database, phase: Phase) -> None:
    # The fields of the other phase used to stay unparented, their signals holding the dialog:
    # every dialog opened stayed in memory for good (about 140 kB each).
    dialog = SeriesDialog(desk, new_patient(db), phase=phase)
    dialog.show()
    dialog.reject()
    dialog.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    freed = weakref.ref(dialog)
    del dialog
    gc.collect()
    assert freed() is None
