"""The desk's main window: the eight screens, menus with shortcuts, and the status bar.

The status bar names who is signed in; what their roles may not do is hidden or disabled
(the services refuse it anyway). The desk locks after the clinic's idle time or on Ctrl+L.

Screens are built the first time they are shown, so the window appears quickly on a large
clinic. Window geometry and the last screen are remembered between runs (``QSettings``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from scheduler import APP_NAME, __version__
from scheduler.domain.access import Permission
from scheduler.domain.enums import Phase
from scheduler.services import accounts
from scheduler.services.backup import backup_plan
from scheduler.services.changes import Change
from scheduler.services.clinic import clinic_view
from scheduler.ui.backups import last_backup_words
from scheduler.ui.boosters_dialog import BoostersDueDialog
from scheduler.ui.desk import Desk
from scheduler.ui.desk_warnings import WarningBanner
from scheduler.ui.lock import IdleWatch, LockDialog
from scheduler.ui.patients_screen import PatientsScreen
from scheduler.ui.widgets import icon

log = logging.getLogger(__name__)

TODAY, CALENDAR, PATIENTS, LETTERS, SETTINGS, AUDIT, WAITLIST, REPORTS = range(8)
# Screens only some roles see; the services behind them refuse everyone else anyway.
SCREEN_PERMISSIONS = {
    SETTINGS: Permission.EDIT_SETTINGS,
    AUDIT: Permission.READ_AUDIT,
    REPORTS: Permission.READ_REPORTS,
}
# The status bar: the clinic's name, its time zone and the last backup.
STATUS_SHOWS = Change.SETTINGS


@dataclass(frozen=True)
class ScreenSpec:
    key: str
    label: str
    build: Callable[[Desk], QWidget]


def _today(desk: Desk) -> QWidget:
    from scheduler.ui.today_screen import TodayScreen

    return TodayScreen(desk)


def _calendar(desk: Desk) -> QWidget:
    from scheduler.ui.calendar import CalendarScreen

    return CalendarScreen(desk)


def _patients(desk: Desk) -> QWidget:
    return PatientsScreen(desk)


def _letters(desk: Desk) -> QWidget:
    from scheduler.ui.letters_screen import LettersScreen

    return LettersScreen(desk)


def _settings(desk: Desk) -> QWidget:
    from scheduler.ui.settings import SettingsScreen

    return SettingsScreen(desk)


def _audit(desk: Desk) -> QWidget:
    from scheduler.ui.audit_screen import AuditScreen

    return AuditScreen(desk)


def _waitlist(desk: Desk) -> QWidget:
    from scheduler.ui.waitlist_screen import WaitlistScreen

    return WaitlistScreen(desk)


def _reports(desk: Desk) -> QWidget:
    # Imported on first use: the charts bring pyqtgraph and numpy, a second at start-up.
    from scheduler.ui.reports_screen import ReportsScreen

    return ReportsScreen(desk)


SCREENS = (
    ScreenSpec("today", "Today", _today),
    ScreenSpec("calendar", "Calendar", _calendar),
    ScreenSpec("patients", "Patients", _patients),
    ScreenSpec("letters", "Letters", _letters),
    ScreenSpec("settings", "Settings", _settings),
    ScreenSpec("audit", "Audit", _audit),
    ScreenSpec("waitlist", "Waitlist", _waitlist),
    ScreenSpec("reports", "Reports", _reports),
)


@runtime_checkable
class Printable(Protocol):
    """A screen with something to print on Ctrl+P.

    Today prints the selected session's aftercare letter; Letters prints the letter in its
    preview, through the print dialog. The other screens have nothing to print.
    """

    def print_current(self) -> None: ...


class MainWindow(QMainWindow):
    """The desk's window.

    Signals:
        screen_changed(int): the screen now shown (TODAY, CALENDAR, ... AUDIT).
    """

    screen_changed = Signal(int)

    def __init__(self, desk: Desk, *, settings: QSettings | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.settings = settings or QSettings()
        self.setObjectName("main_window")
        self.setMinimumSize(QSize(1000, 640))

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(168)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for number, spec in enumerate(SCREENS, start=1):
            item = QListWidgetItem(icon(spec.key), spec.label)
            item.setToolTip(f"{spec.label} (Ctrl+{number})")
            self.navigation.addItem(item)
        self.stack = QStackedWidget()
        self._screens: dict[int, QWidget] = {}
        for _ in SCREENS:
            self.stack.addWidget(QWidget())  # placeholders until each screen is first shown
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        self.banner = WarningBanner(desk)  # warnings from the start-up checks (desk_warnings)
        screens = QVBoxLayout()
        screens.setContentsMargins(0, 0, 0, 0)
        screens.setSpacing(0)
        screens.addWidget(self.banner)
        screens.addWidget(self.stack, 1)
        layout.addLayout(screens, 1)
        # While locked the window shows this page instead of the screens: no patient data.
        self.locked_page = QLabel("The desk is locked.")
        self.locked_page.setObjectName("locked_page")
        self.locked_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QStackedWidget()
        self.body.addWidget(central)
        self.body.addWidget(self.locked_page)
        self.setCentralWidget(self.body)
        self.lock_dialog: LockDialog | None = None
        self._hidden_windows: list[QWidget] = []

        self.user_label = QLabel()
        self.user_label.setObjectName("signed_in")
        self.user_label.setContentsMargins(8, 0, 8, 0)
        self.statusBar().addPermanentWidget(self.user_label)
        self.clinic_label = QLabel()
        self.database_label = QLabel(desk.database.description)
        self.database_label.setToolTip("The clinic database this desk works on")
        self.zone_label = QLabel()
        self.backup_label = QLabel()
        self.backup_label.setObjectName("last_backup_status")
        self.backup_label.setToolTip("The last good backup of the clinic (Settings → Backups)")
        for label in (self.clinic_label, self.database_label, self.zone_label, self.backup_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self._build_menus()
        self.update_status()

        self.navigation.currentRowChanged.connect(self.show_screen)
        desk.follow(STATUS_SHOWS, self.update_status, self)
        desk.signed_in.connect(self.update_permissions)
        desk.announced.connect(self.announce)
        desk.calendar_asked.connect(self.show_in_calendar)
        self.idle_watch = IdleWatch(desk, self)
        self.idle_watch.idle.connect(self.lock)
        self.update_permissions()
        self._restore()

    # -- screens ---------------------------------------------------------------------------

    def screen_at(self, index: int) -> QWidget:
        """The screen at ``index``, built on first use."""
        if index not in self._screens:
            built = SCREENS[index].build(self.desk)
            built.setObjectName(built.objectName() or f"{SCREENS[index].key}_screen")
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, built)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self._screens[index] = built
        return self._screens[index]

    def current_index(self) -> int:
        return self.stack.currentIndex()

    def current_screen(self) -> QWidget:
        return self.screen_at(self.current_index())

    def show_screen(self, index: int) -> None:
        if not 0 <= index < len(SCREENS) or not self.go_actions[index].isEnabled():
            return
        widget = self.screen_at(index)
        if self.stack.currentIndex() != index or self.stack.currentWidget() is not widget:
            self.stack.setCurrentWidget(widget)
        if self.navigation.currentRow() != index:
            self.navigation.setCurrentRow(index)
        self.setWindowTitle(f"{SCREENS[index].label} — {self._clinic_name()} — {APP_NAME}")
        self.screen_changed.emit(index)

    def show_in_calendar(self) -> None:
        """Switch to the calendar, which has gone to the session asked for (``Desk.highlight``)."""
        self.screen_at(CALENDAR)
        self.show_screen(CALENDAR)

    def patients_screen(self) -> PatientsScreen:
        screen = self.screen_at(PATIENTS)
        assert isinstance(screen, PatientsScreen)
        return screen

    # -- menus -----------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        desk_menu = bar.addMenu("&Desk")
        self.print_action = self._action("&Print…", QKeySequence.StandardKey.Print, self.print_)
        desk_menu.addAction(self.print_action)
        desk_menu.addSeparator()
        self.lock_action = self._action("&Lock the desk", "Ctrl+L", self.lock)
        self.switch_action = self._action("S&witch user…", None, self.switch_user)
        desk_menu.addAction(self.lock_action)
        desk_menu.addAction(self.switch_action)
        desk_menu.addSeparator()
        desk_menu.addAction(self._action("&Quit", QKeySequence.StandardKey.Quit, self.close))

        patient_menu = bar.addMenu("&Patient")
        self.find_action = self._action(
            "&Find patient", QKeySequence.StandardKey.Find, self.find_patient
        )
        self.new_action = self._action(
            "&New patient", QKeySequence.StandardKey.New, self.new_patient
        )
        self.book_action = self._action(
            "&Book induction series…", "Ctrl+B", lambda: self.book(Phase.INDUCTION)
        )
        self.maintenance_action = self._action(
            "Plan &maintenance…", "Ctrl+Shift+B", lambda: self.book(Phase.MAINTENANCE)
        )
        self.single_action = self._action(
            "Book a &single session…", "Ctrl+Shift+S", lambda: self.book(Phase.SINGLE)
        )
        self.boosters_action = self._action("Boosters &due…", None, self.show_boosters_due)
        for action in (
            self.find_action,
            self.new_action,
            None,
            self.book_action,
            self.maintenance_action,
            self.single_action,
            None,
            self.boosters_action,
        ):
            if action is None:
                patient_menu.addSeparator()
            else:
                patient_menu.addAction(action)

        go_menu = bar.addMenu("&Go")
        self.go_actions: list[QAction] = []
        for number, spec in enumerate(SCREENS, start=1):
            index = number - 1
            action = self._action(spec.label, f"Ctrl+{number}", partial(self.show_screen, index))
            action.setIcon(icon(spec.key))
            go_menu.addAction(action)
            self.go_actions.append(action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action(f"&About {APP_NAME}", None, self.about))

    # -- actions ---------------------------------------------------------------------------

    def find_patient(self) -> None:
        """Ctrl+F: the Patients screen with the cursor in its search box."""
        self.show_screen(PATIENTS)
        self.patients_screen().focus_search()

    def new_patient(self) -> None:
        self.show_screen(PATIENTS)
        self.patients_screen().new_patient()

    def book(self, phase: Phase) -> None:
        """Ctrl+B: book for the patient open on the Patients screen."""
        screen = self.patients_screen()
        patient_id = screen.current_patient_id()
        if patient_id is None:
            self.show_screen(PATIENTS)
            self.statusBar().showMessage("Find and open the patient first, then book.", 6000)
            screen.focus_search()
            return
        screen.book(phase)

    def announce(self, text: str) -> None:
        """What an action just did, in the status bar for a few seconds (``Desk.announce``)."""
        self.statusBar().showMessage(text, 8000)

    def show_boosters_due(self) -> None:
        """Patient › Boosters due…: the list; a patient chosen there opens on Patients."""
        BoostersDueDialog(self.desk, self.open_on_patients, self).exec()

    def open_on_patients(self, patient_id: int) -> None:
        self.show_screen(PATIENTS)
        self.patients_screen().open_patient(patient_id)

    def print_(self) -> None:
        """Ctrl+P: the current screen's own print action, if it has one."""
        index = self.current_index()
        screen = self.current_screen()
        if isinstance(screen, Printable):
            screen.print_current()
        else:
            self.statusBar().showMessage(
                f"Nothing to print on {SCREENS[index].label}. "
                "Letters are printed from the Letters screen.",
                6000,
            )

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Booking treatment courses and printing "
            "patient letters for infusion-therapy clinics.<br><br>"
            f"Database: {self.desk.database.description}",
        )

    # -- who is signed in --------------------------------------------------------------------

    def update_permissions(self) -> None:
        """Show who is signed in; hide or disable what their roles may not do."""
        actor = self.desk.actor
        self.user_label.setText(f"Signed in: {actor.name} ({actor.roles_text})")
        may = self.desk.may
        for index, needed in SCREEN_PERMISSIONS.items():
            allowed = may(needed)
            self.go_actions[index].setEnabled(allowed)
            item = self.navigation.item(index)
            if item is not None:
                item.setHidden(not allowed)
            if self.current_index() == index and not allowed:
                self.show_screen(TODAY)
        self.new_action.setEnabled(may(Permission.EDIT_PATIENTS))
        for action in (self.book_action, self.maintenance_action, self.single_action):
            action.setEnabled(may(Permission.BOOK))
        self.print_action.setEnabled(may(Permission.PRINT))

    def lock(self) -> None:
        """Hide patient data and ask for a password (Ctrl+L, or after the idle time)."""
        if self.lock_dialog is not None:
            return
        self.idle_watch.paused = True
        self.desk.act(
            lambda db: accounts.record_desk_event(db, self.desk.actor, "lock", now=self.desk.now())
        )
        # Open dialogs stay open (a half-filled form is kept) but show nothing while locked.
        self._hidden_windows = [
            w
            for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and w.windowOpacity() > 0
        ]
        for window in self._hidden_windows:
            window.setWindowOpacity(0.0)
        self.body.setCurrentWidget(self.locked_page)
        self.menuBar().setEnabled(False)
        self.statusBar().showMessage("Locked")
        self.lock_dialog = LockDialog(self.desk, self)
        self.lock_dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.lock_dialog.unlocked.connect(self._unlocked)
        self.lock_dialog.show()

    def switch_user(self) -> None:
        """Lock, and let another staff member sign in to the same desk."""
        self.lock()
        if self.lock_dialog is not None:
            self.lock_dialog.name.clear()
            self.lock_dialog.name.setFocus()

    def is_locked(self) -> bool:
        return self.lock_dialog is not None

    def _unlocked(self) -> None:
        dialog = self.lock_dialog
        assert dialog is not None
        assert dialog.actor is not None
        self.lock_dialog = None
        dialog.deleteLater()
        for window in self._hidden_windows:
            window.setWindowOpacity(1.0)
        self._hidden_windows = []
        self.body.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        self.statusBar().clearMessage()
        self.desk.sign_in(dialog.actor)
        self.idle_watch.paused = False
        self.idle_watch.touch()

    # -- status ----------------------------------------------------------------------------

    def _clinic_name(self) -> str:
        return self.desk.read(clinic_view).name

    def update_status(self) -> None:
        """Clinic name, database and time zone in the status bar (Settings may change them)."""
        self.desk.settings_changed()
        self.clinic_label.setText(self._clinic_name())
        self.zone_label.setText(f"Time zone: {self.desk.zone.key}")
        self.backup_label.setText(
            last_backup_words(backup_plan(self.desk.database), self.desk.zone)
        )
        index = max(self.stack.currentIndex(), 0)
        self.setWindowTitle(f"{SCREENS[index].label} — {self._clinic_name()} — {APP_NAME}")

    # -- remembered between runs -----------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        last = self.settings.value("main_window/screen", TODAY)
        try:
            index = int(last)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            index = TODAY
        ok = 0 <= index < len(SCREENS) and self.go_actions[index].isEnabled()
        self.show_screen(index if ok else TODAY)

    def save_state(self) -> None:
        self.settings.setValue("main_window/geometry", self.saveGeometry())
        self.settings.setValue("main_window/screen", self.current_index())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
