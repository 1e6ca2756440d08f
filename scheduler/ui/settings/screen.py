"""The Settings screen: its tabs, declared in order, reloaded after a change to what they show."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from scheduler.services.changes import Change
from scheduler.ui.desk import Desk
from scheduler.ui.settings.backups import BackupsTab
from scheduler.ui.settings.chairs import ChairsTab
from scheduler.ui.settings.clinic import ClinicTab
from scheduler.ui.settings.email import EmailTab
from scheduler.ui.settings.fields import SettingsTab
from scheduler.ui.settings.hours import HoursTab
from scheduler.ui.settings.protocols import ProtocolsTab
from scheduler.ui.settings.staff import StaffTab
from scheduler.ui.settings.therapies import TherapiesTab
from scheduler.ui.widgets import RefreshedWhenShown, title_label

# The clinic, its hours and closures, chairs, therapies, protocols, staff, backups, email.
SHOWS = Change.SETTINGS | Change.CLOSURES | Change.STAFF


class SettingsScreen(RefreshedWhenShown):
    """The clinic's settings in tabs; each tab reloads after a change to what they show.

    Every tab saves with one button and one transaction (``Desk.act``); problems are shown
    under the fields they are about. The numbers are the clinic's own: the seeded defaults
    are only a starting point.
    """

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("settings_screen")
        self.clinic = ClinicTab(desk)
        self.hours = HoursTab(desk)
        self.chairs = ChairsTab(desk)
        self.staff = StaffTab(desk)
        self.therapies = TherapiesTab(desk)
        self.protocols = ProtocolsTab(desk)
        self.backups = BackupsTab(desk)
        self.email = EmailTab(desk)
        titled: tuple[tuple[SettingsTab, str], ...] = (
            (self.clinic, "&Clinic"),
            (self.hours, "&Hours and closures"),
            (self.chairs, "Chairs and &rooms"),
            (self.staff, "S&taff"),
            (self.therapies, "T&herapies"),
            (self.protocols, "&Protocols"),
            (self.backups, "&Backups"),
            (self.email, "&Email"),
        )
        self.tab_list = [tab for tab, _title in titled]
        self.tabs = QTabWidget()
        for tab, title in titled:
            self.tabs.addTab(tab, title)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Settings"))
        layout.addWidget(self.tabs, 1)
        self._stale = True
        desk.follow(SHOWS, self.data_changed, self)
        self.refresh()

    def refresh(self) -> None:
        self._stale = False
        for tab in self.tab_list:
            tab.load()
