"""The Audit screen and the desk's start-up warnings, on real widgets and a real trail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from pytestqt.qtbot import QtBot

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.services.audit_view import PAGE_SIZE
from scheduler.services.patients import details_of, get_patient, update_patient
from scheduler.store import Database, open_database
from scheduler.ui.audit_screen import AuditScreen
from scheduler.ui.desk_warnings import check_on_start
from scheduler.ui.main_window import AUDIT, MainWindow
from tests.conftest import ACTOR, NOW
from tests.factories import NURSE_AMY, make_patient
from tests.raw_sql import raw
from tests.ui.conftest import TestDesk

FRONT_DESK = Actor(None, "tom", "Tom Becker", frozenset({StaffRole.FRONT_DESK}))
LATER = NOW + dt.timedelta(days=2)


@pytest.fixture
def patient(db: Database) -> int:
    """Zoë, registered by the factory and given a new phone number by a nurse two days later."""
    with db.transaction() as s:
        zoe = make_patient(s, first_name="Zoë", last_name="Núñez")
    with db.transaction() as s:
        details = dataclasses.replace(details_of(get_patient(s, zoe)), mobile_phone="555 0123")
        update_patient(s, zoe, details, actor=NURSE_AMY, now=LATER)
    return zoe


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk, patient: int) -> AuditScreen:
    widget = AuditScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


def shown_actions(screen: AuditScreen) -> list[str]:
    return [screen.model.row_at(r).action for r in range(screen.model.rowCount())]


def test_entries_are_listed_newest_first(screen: AuditScreen, qtmodeltester: object) -> None:
    qtmodeltester.check(screen.model)  # type: ignore[attr-defined]
    newest = screen.model.row_at(0)
    assert (newest.action, newest.actor, newest.patient_name) == (
        "patient.update",
        "nurse amy",
        "Zoë Núñez",
    )
    when = screen.model.index(0, screen.model.COL_WHEN).data()
    assert when == "11/18/2026 9:00:00 AM"  # the clinic's clock
    assert "entries shown." in screen.count_label.text()


def test_filters_by_who_action_patient_and_days(qtbot: QtBot, screen: AuditScreen) -> None:
    screen.actor.setCurrentIndex(screen.actor.findData("nurse amy"))
    assert shown_actions(screen) == ["patient.update"]
    screen.clear_filters()
    screen.action.setCurrentIndex(screen.action.findData("patient.create"))
    assert shown_actions(screen) == ["patient.create"]
    screen.clear_filters()
    qtbot.keyClicks(screen.patient, "nunez")
    qtbot.waitUntil(lambda: shown_actions(screen) == ["patient.update", "patient.create"])
    screen.clear_filters()
    screen.show_day(LATER.date())
    assert shown_actions(screen) == ["patient.update"]
    screen.clear_filters()
    screen.last_day.setDate(QDate(2026, 11, 17))
    assert "patient.update" not in shown_actions(screen)
    screen.patient.setText("nobody-like-this")
    screen.reload()
    assert screen.count_label.text() == "No entries match."


def test_older_entries_are_fetched_as_the_user_scrolls(
    qtbot: QtBot, desk: TestDesk, db: Database, patient: int
) -> None:
    with db.transaction() as s:
        for number in range(PAGE_SIZE + 20):
            make_patient(s, first_name=f"Many{number}")
    screen = AuditScreen(desk)
    qtbot.addWidget(screen)
    assert screen.model.rowCount() == PAGE_SIZE
    assert screen.model.canFetchMore()
    assert "scroll down for older ones" in screen.count_label.text()
    screen.table.scrollToBottom()
    screen.model.fetchMore()
    assert screen.model.rowCount() > PAGE_SIZE
    ids = [screen.model.row_at(r).entry_id for r in range(screen.model.rowCount())]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids)


def test_the_view_is_exported_as_a_private_csv(
    screen: AuditScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "audit view"
    monkeypatch.setattr(AuditScreen, "ask_save_path", classmethod(lambda cls, p, s: str(target)))
    screen.actor.setCurrentIndex(screen.actor.findData("nurse amy"))
    previous = os.umask(0o022)
    try:
        path = screen.export()
    finally:
        os.umask(previous)
    assert path == tmp_path / "audit view.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2
    assert "nurse amy,,patient.update,Zoë Núñez" in lines[1]
    assert screen.count_label.text() == f"Exported 1 entry to {path}."


def test_checking_the_trail_names_a_changed_entry(screen: AuditScreen, db_path: Path) -> None:
    assert screen.check_trail()
    assert screen.check_label.text().startswith("The audit trail is intact")
    raw(db_path, "UPDATE audit_trail SET actor = 'nobody' WHERE id = 3")
    assert not screen.check_trail()
    assert screen.check_label.text() == "Audit entry #3 was changed after it was written."
    assert screen.check_label.objectName() == "banner_warning"


# -- the desk's start ---------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, desk: TestDesk, qsettings: QSettings, patient: int) -> MainWindow:
    widget = MainWindow(desk, settings=qsettings)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_ctrl_6_opens_the_audit_screen(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_index() == AUDIT
    assert isinstance(window.current_screen(), AuditScreen)


def test_an_intact_trail_starts_without_a_warning(window: MainWindow, desk: TestDesk) -> None:
    report = check_on_start(desk, window.banner)
    assert report.intact
    assert window.banner.isHidden()
    assert check_on_start(desk, window.banner).checked == 0  # nothing new since


def test_a_tampered_trail_is_shown_at_the_top_of_the_desk(
    window: MainWindow, desk: TestDesk, db_path: Path
) -> None:
    raw(db_path, "DELETE FROM audit_trail WHERE id = 4")
    desk.sign_in(FRONT_DESK)
    check_on_start(desk, window.banner)
    # Only those who may read the trail are told; the front desk can do nothing about it.
    assert window.banner.isHidden()
    desk.sign_in(ACTOR)
    assert window.banner.isVisible()
    assert window.banner.warnings() == [
        "The audit trail has been altered outside the desk: Audit entry #4 was removed. "
        "Look on the Audit screen; `python main.py audit verify` checks it again."
    ]


@pytest.mark.sqlite_only
def test_a_database_open_to_others_is_warned_about_on_start(
    qtbot: QtBot, db: Database, db_path: Path, qsettings: QSettings
) -> None:
    db_path.chmod(0o644)
    reopened = open_database(str(db_path), now=NOW)
    try:
        desk = TestDesk(reopened)
        window = MainWindow(desk, settings=qsettings)
        qtbot.addWidget(window)
        check_on_start(desk, window.banner)
        assert window.banner.warnings() == [reopened.exposure_warning]
        assert "chmod 600" in window.banner.label.text()
    finally:
        reopened.close()
