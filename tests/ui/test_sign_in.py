"""Who is at the desk: signing in, locking, switching user, and a clinician's signature."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.domain.patients import PatientDetails
from scheduler.services import accounts
from scheduler.services.demo import build_demo_clinic
from scheduler.services.patients import create_patient, get_patient
from scheduler.store.models import AuditEntry
from scheduler.ui import patients_screen as screen_module
from scheduler.ui.main_window import PATIENTS, SETTINGS, TODAY, MainWindow
from scheduler.ui.patients_screen import PatientsScreen
from scheduler.ui.sign_in import SignatureDialog, SignInDialog
from tests.conftest import ACTOR, NOW
from tests.factories import add_account
from tests.ui.conftest import TestDesk

PASSWORD = "correct horse"


@pytest.fixture
def staff(desk: TestDesk) -> dict[str, Actor]:
    with desk.database.transaction() as s:
        return {
            "tom": add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK),
            "maria": add_account(s, "Maria Santos", "maria", StaffRole.NURSE),
            "helen": add_account(s, "Dr. Helen Park", "helen", StaffRole.CLINICIAN),
            "alex": add_account(s, "Alex Morgan", "alex", StaffRole.ADMINISTRATOR),
        }


@pytest.fixture
def window(qtbot: QtBot, desk: TestDesk, qsettings: QSettings) -> Callable[[Actor], MainWindow]:
    def opened(actor: Actor) -> MainWindow:
        desk.sign_in(actor)
        widget = MainWindow(desk, settings=qsettings)
        qtbot.addWidget(widget)
        with qtbot.waitActive(widget):
            widget.show()
            widget.activateWindow()
        return widget

    return opened


def when_a_dialog_opens(act: Callable[[QWidget], None]) -> None:
    """Act on the modal dialog about to open (the desk waits in it, as a person would)."""

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        act(dialog)

    QTimer.singleShot(0, run)


def _audit(desk: TestDesk, action: str) -> list[tuple[str, str | None]]:
    with desk.database.reading() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        return [(e.actor, e.signed_by) for e in entries]


def test_front_desk_cannot_clear_screening_without_a_clinicians_password(
    qtbot: QtBot, desk: TestDesk, staff: dict[str, Actor]
) -> None:
    with desk.database.transaction() as s:
        details = PatientDetails("Ada", "Berg", dt.date(1960, 2, 2))
        patient_id = create_patient(s, details, actor=ACTOR, now=NOW).id
    desk.sign_in(staff["tom"])
    screen = PatientsScreen(desk)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    screen.open_patient(patient_id)
    screen.tabs.setCurrentIndex(screen_module.TAB_SCREENING)
    panel = screen.screening
    # A front desk records no findings; clearing asks a clinician to sign.
    assert not panel.add_button.isVisible()
    assert "need a clinician to sign" in panel.who.text()
    seen: list[str] = []

    def press_sign_unsigned(dialog: QWidget) -> None:
        assert isinstance(dialog, SignatureDialog)
        # Nobody is chosen in advance: the clinician types their own name and password.
        seen.append(dialog.credentials.name.text())
        dialog.accept()
        seen.append(dialog.credentials.problem.text())
        dialog.reject()

    when_a_dialog_opens(press_sign_unsigned)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert seen == ["", "The sign-in name or the password is wrong."]

    def tom_signs_for_himself(dialog: QWidget) -> None:
        assert isinstance(dialog, SignatureDialog)
        dialog.credentials.name.setText("tom")
        dialog.credentials.password.setText(PASSWORD)
        dialog.accept()
        seen.append(dialog.credentials.problem.text())
        dialog.reject()

    when_a_dialog_opens(tom_signs_for_himself)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert seen[-1] == "Tom Becker is not a clinician and cannot sign this."
    with desk.database.reading() as s:
        assert get_patient(s, patient_id).screening_cleared_at is None

    def helen_signs(dialog: QWidget) -> None:
        assert isinstance(dialog, SignatureDialog)
        dialog.credentials.name.setText("helen")
        dialog.credentials.password.setText(PASSWORD)
        dialog.accept()

    when_a_dialog_opens(helen_signs)
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        patient = get_patient(s, patient_id)
        assert patient.screening_cleared_at == NOW
        assert patient.screening_cleared_by_id == staff["helen"].staff_id
    assert _audit(desk, "screening.clear") == [("tom", "helen")]
    assert "Dr. Helen Park" in panel.status.text()


def test_a_signed_in_clinician_signs_without_typing_a_password(
    qtbot: QtBot, desk: TestDesk, staff: dict[str, Actor]
) -> None:
    desk.sign_in(staff["helen"])
    dialog = SignatureDialog(desk, "Clear screening", "Cleared.", needs_reason=False)
    qtbot.addWidget(dialog)
    assert dialog.signs_self
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signature().signer is None


def test_the_desk_shows_who_is_signed_in_and_hides_what_they_may_not_do(
    qtbot: QtBot, window: Callable[[Actor], MainWindow], staff: dict[str, Actor]
) -> None:
    main = window(staff["tom"])
    assert main.user_label.text() == "Signed in: Tom Becker (Front desk)"
    settings_item = main.navigation.item(SETTINGS)
    assert settings_item is not None
    assert settings_item.isHidden()
    qtbot.keyClick(main, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert main.current_index() == TODAY
    assert main.book_action.isEnabled()
    admin = window(staff["alex"])
    assert not admin.book_action.isEnabled()
    admin.show_screen(SETTINGS)
    assert admin.current_index() == SETTINGS


def test_the_desk_locks_after_the_idle_time_and_comes_back_to_the_same_screen(
    qtbot: QtBot,
    desk: TestDesk,
    window: Callable[[Actor], MainWindow],
    staff: dict[str, Actor],
) -> None:
    main = window(staff["maria"])
    main.show_screen(PATIENTS)
    form = QDialog(main)  # a half-filled form left open
    form.show()
    desk.clock_now = NOW + dt.timedelta(minutes=9)
    main.idle_watch.check()
    assert not main.is_locked()
    desk.clock_now = NOW + dt.timedelta(minutes=10)
    main.idle_watch.check()
    assert main.is_locked()
    assert main.body.currentWidget() is main.locked_page  # no patient data on show
    assert form.windowOpacity() == 0.0
    assert form.isVisible()  # kept, not closed
    assert not main.menuBar().isEnabled()
    lock = main.lock_dialog
    assert lock is not None
    assert lock.isModal()
    assert lock.name.text() == "maria"
    lock.password.setText("wrong password")
    lock.accept()
    assert main.is_locked()
    assert "wrong" in lock.credentials.problem.text()
    lock.reject()  # Escape does not unlock
    assert main.is_locked()
    lock.password.setText(PASSWORD)
    lock.accept()
    assert not main.is_locked()
    assert main.body.currentIndex() == 0
    assert main.current_index() == PATIENTS
    assert form.windowOpacity() == 1.0
    assert desk.actor == staff["maria"]
    assert _audit(desk, "desk.lock") == [("maria", None)]
    assert _audit(desk, "desk.unlock") == [("maria", None)]
    assert _audit(desk, "desk.unlock_failed") == [("maria", None)]


def test_the_idle_time_comes_from_settings(
    desk: TestDesk, window: Callable[[Actor], MainWindow], staff: dict[str, Actor]
) -> None:
    from scheduler.services.clinic import get_settings

    with desk.database.transaction() as s:
        get_settings(s).idle_lock_minutes = 2
    main = window(staff["maria"])
    desk.clock_now = NOW + dt.timedelta(minutes=2)
    main.idle_watch.check()
    assert main.is_locked()


def test_ctrl_l_locks_at_once_and_another_user_takes_over(
    qtbot: QtBot,
    desk: TestDesk,
    window: Callable[[Actor], MainWindow],
    staff: dict[str, Actor],
) -> None:
    main = window(staff["tom"])
    qtbot.keyClick(main, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert main.is_locked()
    lock = main.lock_dialog
    assert lock is not None
    lock.name.setText("alex")
    lock.password.setText(PASSWORD)
    lock.accept()
    assert not main.is_locked()
    assert desk.actor == staff["alex"]
    assert main.user_label.text() == "Signed in: Alex Morgan (Administrator)"
    settings_item = main.navigation.item(SETTINGS)
    assert settings_item is not None
    assert not settings_item.isHidden()
    assert _audit(desk, "desk.sign_in") == [("alex", None)]


def test_switch_user_from_the_menu_asks_for_a_new_name(
    desk: TestDesk, window: Callable[[Actor], MainWindow], staff: dict[str, Actor]
) -> None:
    main = window(staff["tom"])
    main.switch_action.trigger()
    assert main.lock_dialog is not None
    assert main.lock_dialog.name.text() == ""


def test_sign_in_dialog_counts_wrong_passwords(
    qtbot: QtBot, desk: TestDesk, staff: dict[str, Actor]
) -> None:
    dialog = SignInDialog(desk)
    qtbot.addWidget(dialog)
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        dialog.credentials.name.setText("tom")
        dialog.credentials.password.setText("guess")
        dialog.accept()
    assert "locked for 5 more minutes" in dialog.credentials.problem.text()
    assert dialog.actor is None
    desk.clock_now = NOW + dt.timedelta(minutes=6)
    dialog.credentials.password.setText(PASSWORD)
    dialog.accept()
    assert dialog.actor == staff["tom"]
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_demo_clinics_sign_in_screen_lists_its_accounts(
    qtbot: QtBot, empty_desk: TestDesk
) -> None:
    with empty_desk.database.transaction() as s:
        build_demo_clinic(s, today=NOW.date(), now=NOW)
    dialog = SignInDialog(empty_desk)
    qtbot.addWidget(dialog)
    hint = dialog.hint.text()
    for name, password in (("tom", "demo-frontdesk"), ("maria", "demo-nurse"),
                           ("helen", "demo-clinician"), ("alex", "demo-admin")):  # fmt: skip
        assert f"<b>{name}</b>" in hint
        assert password in hint
    dialog.credentials.name.setText("helen")
    dialog.credentials.password.setText("demo-clinician")
    dialog.accept()
    assert dialog.actor is not None
    assert dialog.actor.name == "Dr. Helen Park"


def test_today_greys_out_completing_for_the_front_desk(
    qtbot: QtBot, desk: TestDesk, staff: dict[str, Actor]
) -> None:
    from scheduler.services import session_life
    from scheduler.services.booking import book_single
    from scheduler.ui.today_screen import TodayScreen
    from tests.factories import at, set_up_test_clinic

    clinic = set_up_test_clinic(desk.database)
    with desk.database.transaction() as s:
        session = book_single(
            s, patient_id=clinic.patient, protocol_id=clinic.iv_single,
            starts_at=at(NOW.date(), 10), chair_id=None, actor=staff["tom"], now=NOW,
        )  # fmt: skip
        session_life.check_in(s, session.id, actor=staff["tom"], now=NOW)
    desk.sign_in(staff["tom"])
    screen = TodayScreen(desk)
    qtbot.addWidget(screen)
    screen.select_session(session.id)
    assert not screen.buttons["complete"].isEnabled()
    assert screen.buttons["aftercare"].isEnabled()
    desk.sign_in(staff["maria"])
    assert screen.buttons["complete"].isEnabled()


def test_an_administrator_alone_may_not_book_or_print_at_the_desk(
    qtbot: QtBot, desk: TestDesk, staff: dict[str, Actor]
) -> None:
    from scheduler.ui.letters_screen import LettersScreen

    with desk.database.transaction() as s:
        details = PatientDetails("Ada", "Berg", dt.date(1960, 2, 2))
        patient_id = create_patient(s, details, actor=ACTOR, now=NOW).id
    desk.sign_in(staff["alex"])
    screen = PatientsScreen(desk)
    qtbot.addWidget(screen)
    screen.refresh()
    screen.open_patient(patient_id)
    assert not screen.induction_button.isEnabled()
    assert not screen.new_button.isEnabled()
    letters = LettersScreen(desk)
    qtbot.addWidget(letters)
    assert not letters.aftercare_button.isEnabled()
    desk.sign_in(staff["tom"])
    screen.open_patient(patient_id)
    assert screen.induction_button.isEnabled()
    assert letters.aftercare_button.isEnabled()
