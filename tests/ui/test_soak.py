"""A working day and more at the desk: 10,000 scripted actions across every screen, no crash.

The script is a seeded random walk over what staff do all day on the demo clinic: switch
screens, move the calendar by days and weeks in both views, resize the window, search and
open patients, open and cancel the booking and session dialogs, preview letters, confirm
sessions on Today. It must finish without the process dying (a leaking toolkit aborts it,
see test_paint_keeps_none.py) and without its memory growing by more than 50 MB once warm.
It found two leaks: every closed induction dialog stayed in memory, and the calendar kept
every day it had ever shown.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import LetterKind, Phase
from scheduler.store import Database
from scheduler.ui.calendar import CalendarScreen
from scheduler.ui.letters_screen import LettersScreen, day_sessions
from scheduler.ui.main_window import CALENDAR, LETTERS, PATIENTS, SETTINGS, TODAY, MainWindow
from scheduler.ui.patients_screen import PatientsScreen
from scheduler.ui.series_dialog import SeriesDialog
from scheduler.ui.session_dialog import SessionDialog
from scheduler.ui.single_session_dialog import SingleSessionDialog
from scheduler.ui.today_screen import TodayScreen
from tests.ui.conftest import TestDesk
from tests.ui.paint_clinics import TODAY as MONDAY

ACTIONS = 10_000
WARM_UP = 500
MAX_GROWTH_MB = 50.0
SEARCHES = ("zoe", "o'brien", "nguyen", "kow", "MRN", "555", "1980", "anna", "x", "")
CALENDAR_KEYS = (
    Qt.Key.Key_Right,
    Qt.Key.Key_Left,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_W,
    Qt.Key.Key_D,
    Qt.Key.Key_T,
)
SIZES = ((1280, 800), (1000, 640), (1600, 1000))

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process's memory from /proc"
)


def resident_mb() -> float:
    """The process's resident memory now (not the peak), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1_000_000


def settle() -> None:
    """Let Qt do what a running desk would between two clicks, deletions included."""
    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class ScriptedDay:
    """The actions of the soak, each a method, drawn at random with the given weights."""

    def __init__(self, window: MainWindow, desk: TestDesk, qtbot: QtBot) -> None:
        self.window = window
        self.desk = desk
        self.qtbot = qtbot
        self.rng = random.Random(20261116)
        self.done: Counter[str] = Counter()
        self.patient_ids = [row.patient_id for row in self.patients.model.rows()]
        self.weights: dict[Callable[[], None], int] = {
            self.switch_screen: 10,
            self.move_calendar: 30,
            self.resize_window: 3,
            self.search_patients: 15,
            self.open_patient: 12,
            self.open_and_cancel_dialog: 8,
            self.preview_letter: 3,
            self.confirm_on_today: 4,
        }

    @property
    def calendar(self) -> CalendarScreen:
        screen = self.window.screen_at(CALENDAR)
        assert isinstance(screen, CalendarScreen)
        return screen

    @property
    def patients(self) -> PatientsScreen:
        return self.window.patients_screen()

    @property
    def letters(self) -> LettersScreen:
        screen = self.window.screen_at(LETTERS)
        assert isinstance(screen, LettersScreen)
        return screen

    @property
    def today(self) -> TodayScreen:
        screen = self.window.screen_at(TODAY)
        assert isinstance(screen, TodayScreen)
        return screen

    def run(self, count: int) -> None:
        actions = list(self.weights)
        weights = list(self.weights.values())
        for action in self.rng.choices(actions, weights, k=count):
            action()
            settle()
            self.done[action.__name__] += 1

    # -- the actions -----------------------------------------------------------------------

    def switch_screen(self) -> None:
        self.window.show_screen(self.rng.choice((TODAY, CALENDAR, PATIENTS, LETTERS, SETTINGS)))

    def move_calendar(self) -> None:
        self.window.show_screen(CALENDAR)
        self.qtbot.keyClick(self.calendar, self.rng.choice(CALENDAR_KEYS))
        self.calendar.grid.repaint()

    def resize_window(self) -> None:
        self.window.resize(*self.rng.choice(SIZES))

    def search_patients(self) -> None:
        self.window.show_screen(PATIENTS)
        self.patients.search.setText(self.rng.choice(SEARCHES))
        self.patients.run_search()

    def open_patient(self) -> None:
        self.window.show_screen(PATIENTS)
        self.patients.open_patient(self.rng.choice(self.patient_ids))

    def open_and_cancel_dialog(self) -> None:
        patient_id = self.rng.choice(self.patient_ids)
        sessions = day_sessions(self.desk, MONDAY)
        kinds: list[Callable[[], QDialog]] = [
            lambda: SeriesDialog(self.desk, patient_id, parent=self.window),
            lambda: SeriesDialog(
                self.desk, patient_id, phase=Phase.MAINTENANCE, parent=self.window
            ),
            lambda: SingleSessionDialog(self.desk, patient_id, parent=self.window),
        ]
        if sessions:
            view = self.rng.choice(sessions).view
            kinds.append(lambda: SessionDialog(self.desk, view, self.window))
        dialog = self.rng.choice(kinds)()
        dialog.show()
        settle()
        dialog.reject()
        dialog.deleteLater()

    def preview_letter(self) -> None:
        self.window.show_screen(LETTERS)
        self.letters.show_date(MONDAY)
        sessions = day_sessions(self.desk, MONDAY)
        if sessions:
            session = self.rng.choice(sessions).view.session_id
            assert self.letters.preview_session(session, LetterKind.PREP)

    def confirm_on_today(self) -> None:
        self.window.show_screen(TODAY)
        rows = self.today.model.rowCount()
        if rows:
            self.today.table.selectRow(self.rng.randrange(rows))
            button = self.today.buttons["confirm"]
            if button.isEnabled():
                button.click()


@pytest.mark.slow
@pytest.mark.soak
def test_ten_thousand_actions_across_every_screen(
    qtbot: QtBot, demo: Database, qsettings: QSettings
) -> None:
    desk = TestDesk(demo)
    window = MainWindow(desk, settings=qsettings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    for index in (TODAY, CALENDAR, PATIENTS, LETTERS, SETTINGS):
        window.show_screen(index)
        settle()
    day = ScriptedDay(window, desk, qtbot)
    assert day.patient_ids, "the demo clinic lists its patients"
    opened = resident_mb()
    # The first few hundred actions fill what a desk keeps once (fonts and glyphs, the
    # database's page cache, loaded calendar days, a letter's page images): about 55 MB, after
    # which the figure wanders by ±15 MB with no trend. A leak is growth after that.
    day.run(WARM_UP)
    gc.collect()
    before = resident_mb()
    day.done.clear()
    started = time.perf_counter()
    day.run(ACTIONS)
    seconds = time.perf_counter() - started
    gc.collect()
    growth = resident_mb() - before

    assert sum(day.done.values()) == ACTIONS
    assert set(day.done) == {action.__name__ for action in day.weights}
    assert desk.refusals == []
    # The figures the README's Speed section quotes (run with -s to see them).
    print(
        f"\nsoak: {ACTIONS} actions in {seconds:.0f} s "
        f"({seconds / ACTIONS * 1000:.1f} ms each); resident memory {opened:.0f} MB opened, "
        f"{before:.0f} MB after {WARM_UP} warm-up actions, {before + growth:.0f} MB at the end "
        f"({growth:+.1f} MB); {dict(day.done)}"
    )
    assert growth <= MAX_GROWTH_MB, f"memory grew by {growth:.1f} MB"
