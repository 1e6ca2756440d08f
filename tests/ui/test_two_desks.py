"""Two desks on one database: what one books shows on the other within two seconds, without a
manual refresh, and the other keeps its selection and what its user is typing."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from scheduler.services.booking import book_series
from scheduler.store import Database, open_database
from scheduler.ui.letters_screen import LettersScreen
from scheduler.ui.patients_screen import PatientsScreen
from scheduler.ui.today_screen import TodayScreen
from scheduler.ui.watch import ChangeWatch
from tests.conftest import ACTOR, NOW
from tests.factories import propose, set_up_test_clinic
from tests.ui.conftest import TestDesk

TODAY = dt.date(2026, 11, 16)
WITHIN_MS = 2000


def test_a_booking_on_one_desk_appears_on_the_other_within_two_seconds(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    clinic = set_up_test_clinic(db)
    front_desk = TestDesk(db)
    other_database = open_database(str(db_path), now=NOW)
    nurses_station = TestDesk(other_database)
    watch = ChangeWatch(nurses_station)
    try:
        today = TodayScreen(nurses_station)
        letters = LettersScreen(nurses_station)
        patients = PatientsScreen(nurses_station)
        for widget in (today, letters, patients):
            qtbot.addWidget(widget)
        letters.show_date(TODAY)
        assert today.model.rowCount() == 0

        def book(patient: int, hour: int) -> None:
            front_desk.act(
                lambda s: book_series(
                    s,
                    propose(
                        s, clinic, patient_id=patient, first_day=TODAY, preferred_time=dt.time(hour)
                    ),
                    actor=ACTOR,
                    now=NOW,
                )
            )
            assert front_desk.refusals == []

        started = time.monotonic()
        book(clinic.patient, 10)
        qtbot.waitUntil(lambda: today.model.rowCount() == 1, timeout=WITHIN_MS)
        first_seen = time.monotonic() - started
        qtbot.waitUntil(lambda: letters.model.rowCount() == 1, timeout=WITHIN_MS)

        # The nurse has the first session selected and is typing a search when the next
        # booking arrives.
        today.table.selectRow(0)
        kept = today.selected_view()
        assert kept is not None
        patients.search.setText("Zo")
        patients.search.setCursorPosition(1)

        started = time.monotonic()
        book(clinic.other_patient, 12)
        qtbot.waitUntil(lambda: today.model.rowCount() == 2, timeout=WITHIN_MS)
        second_seen = time.monotonic() - started
        qtbot.waitUntil(lambda: letters.model.rowCount() == 2, timeout=WITHIN_MS)
        selected = today.selected_view()
        assert selected is not None
        assert selected.session_id == kept.session_id
        assert patients.search.text() == "Zo"
        assert patients.search.cursorPosition() == 1
        print(f"\nseen after {first_seen:.2f} s and {second_seen:.2f} s")
        assert max(first_seen, second_seen) < WITHIN_MS / 1000
    finally:
        watch.stop()
        other_database.close()


def test_the_desks_own_writes_are_not_reported_again(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    desk = TestDesk(db)
    watch = ChangeWatch(desk)
    elsewhere = open_database(str(db_path), now=NOW)
    try:
        clinic = set_up_test_clinic(elsewhere)  # another workstation's write: news
        with qtbot.waitSignal(watch.seen, timeout=WITHIN_MS):
            pass
        desk.act(lambda s: book_series(s, propose(s, clinic), actor=ACTOR, now=NOW))
        assert desk.refusals == []
        with qtbot.assertNotEmitted(watch.seen, wait=1200):
            pass
    finally:
        watch.stop()
        elsewhere.close()
