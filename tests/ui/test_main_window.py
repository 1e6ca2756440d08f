"""The main window: navigation, shortcuts, status bar, memory, first start and the safety net."""

from __future__ import annotations

import datetime as dt
import logging
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import Phase, StaffRole
from scheduler.domain.patients import PatientDetails
from scheduler.services.accounts import NewAccount, has_accounts
from scheduler.services.changes import EVERYTHING
from scheduler.services.clinic import get_settings, is_set_up
from scheduler.services.patients import create_patient
from scheduler.ui import app as app_module
from scheduler.ui.first_start import FirstStartChoice, FirstStartDialog, ensure_clinic
from scheduler.ui.main_window import CALENDAR, LETTERS, PATIENTS, SETTINGS, TODAY, MainWindow
from scheduler.ui.patients_screen import PatientsScreen
from tests.conftest import ACTOR, NOW
from tests.ui.conftest import TestDesk


def test_ctrl_numbers_switch_screens(qtbot: QtBot, window: MainWindow) -> None:
    for number, index in ((2, CALENDAR), (3, PATIENTS), (4, LETTERS), (5, SETTINGS), (1, TODAY)):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.current_index() == index
        assert window.navigation.currentRow() == index


def test_status_bar_names_clinic_database_and_zone(window: MainWindow, desk: TestDesk) -> None:
    assert window.clinic_label.text() == "Test Clinic"
    assert window.database_label.text() == desk.database.description
    assert window.zone_label.text() == "Time zone: America/New_York"


def test_ctrl_f_focuses_search_and_ctrl_n_starts_a_patient(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    patients = window.patients_screen()
    assert window.current_index() == PATIENTS
    assert patients.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert patients.heading.text() == "New patient"
    assert patients.form.inputs["first_name"].hasFocus()


def test_ctrl_b_without_a_patient_asks_to_find_one(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.current_index() == PATIENTS
    assert "Find and open the patient first" in window.statusBar().currentMessage()


def test_ctrl_b_books_for_the_open_patient(
    qtbot: QtBot, window: MainWindow, desk: TestDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    with desk.database.transaction() as s:
        patient_id = create_patient(
            s, PatientDetails("Ada", "Berg", dt.date(1960, 2, 2)), actor=ACTOR, now=NOW
        ).id
    patients = window.patients_screen()
    patients.open_patient(patient_id)
    asked: list[Phase] = []
    monkeypatch.setattr(PatientsScreen, "book", lambda self, phase: asked.append(phase))
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert asked == [Phase.INDUCTION]
    assert asked[0] is Phase.INDUCTION


def test_ctrl_p_without_print_action_says_so(qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen(SETTINGS)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert "Nothing to print on Settings" in window.statusBar().currentMessage()


def test_ctrl_p_prints_the_aftercare_on_today(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.ui.today_screen import TodayScreen

    printed: list[bool] = []
    monkeypatch.setattr(TodayScreen, "print_aftercare", lambda self: printed.append(True))
    window.show_screen(TODAY)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed == [True]


def test_ctrl_p_prints_the_previewed_letter_on_letters(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.ui.pdf_preview import PdfPreview

    printed: list[bool] = []

    def print_document(self: PdfPreview) -> bool:
        printed.append(True)
        return True

    monkeypatch.setattr(PdfPreview, "print_document", print_document)
    window.show_screen(LETTERS)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed == [True]
    assert "Nothing to print" not in window.statusBar().currentMessage()


def test_last_screen_and_size_remembered(
    qtbot: QtBot, desk: TestDesk, qsettings: QSettings
) -> None:
    first = MainWindow(desk, settings=qsettings)
    qtbot.addWidget(first)
    first.show()
    first.resize(1000, 690)  # the offscreen screen is small: restored sizes must fit it
    first.show_screen(SETTINGS)
    first.close()
    second = MainWindow(desk, settings=qsettings)
    qtbot.addWidget(second)
    assert second.current_index() == SETTINGS
    assert second.size().height() == 690


def test_status_follows_a_renamed_clinic(window: MainWindow, desk: TestDesk) -> None:
    with desk.database.transaction() as s:
        get_settings(s).name = "Harbor Clinic"
    desk.changed.emit(EVERYTHING)
    assert window.clinic_label.text() == "Harbor Clinic"


ALEX = NewAccount("Alex Morgan", "alex", "long enough pw", frozenset({StaffRole.ADMINISTRATOR}))


def test_first_start_sets_up_an_empty_clinic(qtbot: QtBot, empty_desk: TestDesk) -> None:
    answers = iter([FirstStartChoice("empty", "", "America/Denver", ALEX, ALEX.password),
                    FirstStartChoice("empty", "Alpine Clinic", "America/Denver", ALEX,
                                     ALEX.password)])  # fmt: skip
    assert ensure_clinic(empty_desk, ask=lambda parent: next(answers))
    with empty_desk.database.reading() as s:
        settings = get_settings(s)
        assert (settings.name, settings.timezone) == ("Alpine Clinic", "America/Denver")
        assert has_accounts(s)
    assert empty_desk.zone.key == "America/Denver"
    # The new administrator is signed in at once.
    assert empty_desk.actor.sign_in == "alex"
    assert empty_desk.actor.roles == {StaffRole.ADMINISTRATOR}


def test_first_start_demo_and_cancel(qtbot: QtBot, empty_desk: TestDesk) -> None:
    assert not ensure_clinic(empty_desk, ask=lambda parent: None)
    assert ensure_clinic(empty_desk, ask=lambda parent: FirstStartChoice("demo"))
    with empty_desk.database.reading() as s:
        assert is_set_up(s)
    assert empty_desk.refusals == []


def test_first_start_dialog_checks_the_name(qtbot: QtBot) -> None:
    dialog = FirstStartDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # Click on the round indicator at the left of the choice.
    qtbot.mouseClick(
        dialog.empty, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.empty.height() // 2)
    )
    assert dialog.empty.isChecked()
    assert dialog.details.isEnabled()
    dialog.accept()
    assert dialog.isVisible()
    assert "clinic's name" in dialog.problems.message("name")
    assert "administrator's name" in dialog.problems.message("admin_name")
    qtbot.keyClicks(dialog.name, "Alpine Clinic")
    qtbot.keyClicks(dialog.administrator.person, ALEX.name)
    qtbot.keyClicks(dialog.administrator.sign_in, ALEX.sign_in)
    qtbot.keyClicks(dialog.administrator.password, ALEX.password)
    qtbot.keyClicks(dialog.administrator.again, "another one")
    dialog.accept()
    assert dialog.problems.message("password_again") == "The two passwords differ."
    dialog.administrator.again.setText(ALEX.password)
    dialog.accept()
    assert not dialog.isVisible()
    assert dialog.choice() == FirstStartChoice(
        "empty", "Alpine Clinic", "America/New_York", ALEX, ALEX.password
    )


def test_uncaught_error_is_logged_and_shown_politely(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    hook = app_module.install_excepthook(tmp_path / "desk.log", show=shown.append)
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR):
            hook(type(exc), exc, exc.__traceback__)
    assert "still running" in shown[0]
    assert str(tmp_path / "desk.log") in shown[0]
    assert "disk on fire" in caplog.text


def test_logging_goes_to_a_file(tmp_path: Path) -> None:
    path = app_module.set_up_logging(tmp_path / "logs" / "desk.log")
    root = logging.getLogger()
    try:
        logging.getLogger("scheduler.test").info("hello from the desk")
        for handler in root.handlers:
            handler.flush()
        assert path is not None
        assert "hello from the desk" in path.read_text(encoding="utf-8")
    finally:
        for handler in list(root.handlers):
            if getattr(handler, "baseFilename", None) == str(path):
                root.removeHandler(handler)
                handler.close()


def test_a_native_crash_says_where_in_the_crash_log(tmp_path: Path) -> None:
    # A fault below Python (as a leaking toolkit causes) ends the process at once; the crash
    # log beside desk.log must then hold the stack, and only the user may read it.
    crash = textwrap.dedent(
        f"""
        import faulthandler
        from pathlib import Path
        from scheduler.ui.app import enable_crash_log
        enable_crash_log(Path({str(tmp_path / "logs")!r}))
        def repaint_the_week():
            faulthandler._sigsegv()
        repaint_the_week()
        """
    )
    finished = subprocess.run(
        [sys.executable, "-c", crash], capture_output=True, text=True, timeout=60, check=False
    )
    assert finished.returncode != 0
    log = tmp_path / "logs" / app_module.CRASH_LOG_NAME
    text = log.read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in text
    assert "repaint_the_week" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
