"""Each action says what it changed, and only the screens that show it reload.

A change seen on another workstation reloads every screen: the database only says that
something was saved there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import LetterKind
from scheduler.services import settings
from scheduler.services.booking import book_single
from scheduler.services.changes import Change
from scheduler.store import Database, open_database
from scheduler.ui.audit_screen import AuditScreen
from scheduler.ui.calendar import CalendarScreen
from scheduler.ui.desk import Desk
from scheduler.ui.letters_screen import LettersScreen
from scheduler.ui.patients_screen import PatientsScreen
from scheduler.ui.pdf_preview import PdfPreview
from scheduler.ui.settings.screen import SettingsScreen
from scheduler.ui.today_screen import TodayScreen
from scheduler.ui.watch import ChangeWatch
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import IV_SINGLE, add_chairs, at, make_patient, protocol_id
from tests.ui.conftest import TestDesk

TOMORROW = NOW.astimezone(ZoneInfo(CLINIC_TZ)).date() + dt.timedelta(days=1)
SCREENS = (TodayScreen, CalendarScreen, PatientsScreen, LettersScreen, SettingsScreen, AuditScreen)


@pytest.fixture
def reloads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each screen was told to reload, by its class name."""
    counted: Counter[str] = Counter()
    follow = Desk.follow

    def counting(desk: Desk, shows: Change, reload: Callable[[], None], screen: QObject) -> None:
        def reloaded() -> None:
            counted[type(screen).__name__] += 1
            reload()

        follow(desk, shows, reloaded, screen)

    monkeypatch.setattr(Desk, "follow", counting)
    return counted


@pytest.fixture
def clinic(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        add_chairs(s, 2)
        return {"patient": make_patient(s), "protocol": protocol_id(s, IV_SINGLE)}


def open_screens(qtbot: QtBot, desk: Desk) -> dict[str, QWidget]:
    """Every screen that follows the desk's changes, each shown (a hidden one waits)."""
    screens: dict[str, QWidget] = {}
    for kind in SCREENS:
        screen = kind(desk)
        qtbot.addWidget(screen)
        screen.show()
        screens[kind.__name__] = screen
    return screens


def book(desk: Desk, clinic: dict[str, int], hour: int = 10) -> int | None:
    return desk.act(
        lambda s: (
            book_single(
                s,
                patient_id=clinic["patient"],
                protocol_id=clinic["protocol"],
                starts_at=at(TOMORROW, hour),
                chair_id=None,
                actor=ACTOR,
                now=NOW,
            ).id
        )
    )


def test_a_booking_says_it_changed_sessions(
    qtbot: QtBot, desk: TestDesk, clinic: dict[str, int]
) -> None:
    with qtbot.waitSignal(desk.changed) as changed:
        assert book(desk, clinic) is not None
    assert changed.args == [Change.SESSIONS | Change.AUDIT]


def test_an_action_that_writes_nothing_announces_nothing(qtbot: QtBot, desk: TestDesk) -> None:
    with qtbot.assertNotEmitted(desk.changed):
        assert desk.act(lambda s: 42) == 42


def test_a_booking_reloads_today_and_calendar_but_not_settings(
    qtbot: QtBot, desk: TestDesk, clinic: dict[str, int], reloads: Counter[str]
) -> None:
    open_screens(qtbot, desk)
    reloads.clear()
    assert book(desk, clinic) is not None
    assert reloads["TodayScreen"] == 1
    assert reloads["CalendarScreen"] == 1
    assert reloads["PatientsScreen"] == 1
    assert reloads["LettersScreen"] == 1
    assert reloads["SettingsScreen"] == 0


def test_printing_a_letter_does_not_reload_settings_or_the_calendar(
    qtbot: QtBot,
    desk: TestDesk,
    clinic: dict[str, int],
    reloads: Counter[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session_id = book(desk, clinic)
    assert session_id is not None
    screens = open_screens(qtbot, desk)
    letters = screens["LettersScreen"]
    assert isinstance(letters, LettersScreen)
    letters.show_date(TOMORROW)
    target = tmp_path / "prep"
    monkeypatch.setattr(
        PdfPreview, "ask_save_path", classmethod(lambda cls, parent, suggested: str(target))
    )
    assert letters.preview_session(session_id, LetterKind.PREP)
    reloads.clear()
    with qtbot.waitSignal(desk.changed) as changed:
        qtbot.mouseClick(letters.preview.save_button, Qt.MouseButton.LeftButton)
    assert changed.args == [Change.LETTERS | Change.AUDIT]
    assert target.with_suffix(".pdf").exists()
    assert reloads["LettersScreen"] == 1
    assert reloads["TodayScreen"] == 1  # it shows which letters went out
    assert reloads["SettingsScreen"] == 0
    assert reloads["CalendarScreen"] == 0
    assert reloads["PatientsScreen"] == 0


def test_a_new_chair_reloads_settings_and_the_day_but_not_patients(
    qtbot: QtBot, desk: TestDesk, reloads: Counter[str]
) -> None:
    open_screens(qtbot, desk)
    reloads.clear()
    edit = settings.ChairEdit("Recliner 9")
    assert desk.act(lambda s: settings.save_chair(s, None, edit, actor=ACTOR, now=NOW).chair_id)
    assert reloads["SettingsScreen"] == 1
    assert reloads["TodayScreen"] == 1
    assert reloads["CalendarScreen"] == 1
    assert reloads["PatientsScreen"] == 1  # its series name the therapies and chairs
    assert reloads["AuditScreen"] == 1


def test_a_change_from_another_workstation_reloads_every_screen(
    qtbot: QtBot,
    desk: TestDesk,
    db_path: Path | str,
    clinic: dict[str, int],
    reloads: Counter[str],
) -> None:
    watch = ChangeWatch(desk, interval_ms=60_000)
    other = TestDesk(open_database(str(db_path), now=NOW))
    try:
        open_screens(qtbot, desk)
        reloads.clear()
        assert book(other, clinic) is not None

        def seen() -> bool:
            watch.look()
            return sum(reloads.values()) > 0

        qtbot.waitUntil(seen)
        assert set(reloads) == {kind.__name__ for kind in SCREENS}
    finally:
        watch.stop()
        other.database.close()
