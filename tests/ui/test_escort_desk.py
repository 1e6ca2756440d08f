"""The driver rule at the desk: the booking warning, Today's flag, the check-in question and
the Complete question, driven as the desk would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import ChairKind, SessionStatus
from scheduler.domain.escort import Escort
from scheduler.services import session_life as life
from scheduler.services.booking import book_single
from scheduler.store import Database
from scheduler.store.models import AuditEntry, TreatmentSession
from scheduler.ui.escort_dialog import EscortAnswer, EscortDialog
from scheduler.ui.series_dialog import SeriesDialog
from scheduler.ui.session_models import DaySessionsModel
from scheduler.ui.single_session_dialog import SingleSessionDialog
from scheduler.ui.today_screen import TodayScreen
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import (
    CONSULTATION,
    IV_SINGLE,
    add_chairs,
    make_patient,
    protocol_id,
)
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()
Driver = Callable[[EscortDialog], None]


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


@pytest.fixture
def booked(db: Database) -> dict[str, int]:
    """Today: Zoë (driver on file) at 11:00, Ben (none) at 13:00, both IV; Dana's consultation."""
    with db.transaction() as s:
        add_chairs(s, 2)
        add_chairs(s, 1, kind=ChairKind.OFFICE)
        zoe = make_patient(s, first_name="Zoë", last_name="Łukasiewicz", driver_name="Sam Lee")
        ben = make_patient(s, first_name="Ben", last_name="Okafor")
        dana = make_patient(s, first_name="Dana", last_name="Moreau")
        single, visit = protocol_id(s, IV_SINGLE), protocol_id(s, CONSULTATION)
        ids = {
            name: book_single(
                s, patient_id=patient, protocol_id=protocol, starts_at=at(hour), chair_id=None,
                actor=ACTOR, now=NOW,
            ).id
            for name, patient, protocol, hour in (
                ("zoe", zoe, single, 11), ("ben", ben, single, 13), ("dana", dana, visit, 10),
            )
        }  # fmt: skip
        ids["ben_patient"] = ben
        s.flush()
        return ids


W = TypeVar("W", bound=QWidget)


def shown(qtbot: QtBot, widget: W) -> W:
    qtbot.addWidget(widget)
    widget.show()
    return widget


@dataclass(frozen=True)
class Scene:
    """Today's screen on the booked day, with what the tests drive it by."""

    qtbot: QtBot
    screen: TodayScreen
    desk: TestDesk
    db: Database
    booked: dict[str, int]
    monkeypatch: pytest.MonkeyPatch

    def click(self, key: str) -> None:
        """Press one of Today's buttons and wait for the change it writes."""
        with self.qtbot.waitSignal(self.desk.changed):
            self.qtbot.mouseClick(self.screen.buttons[key], Qt.MouseButton.LeftButton)


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk, booked: dict[str, int]) -> TodayScreen:
    widget = TodayScreen(desk)
    widget.resize(1200, 420)
    return shown(qtbot, widget)


@pytest.fixture
def scene(
    qtbot: QtBot,
    screen: TodayScreen,
    desk: TestDesk,
    db: Database,
    booked: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> Scene:
    return Scene(qtbot, screen, desk, db, booked, monkeypatch)


def drive_escort(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, driver: Driver
) -> list[EscortDialog]:
    """Replace ``EscortDialog.ask``: build the real dialog, let ``driver`` fill it, press OK."""
    opened: list[EscortDialog] = []

    def ask(
        cls: type[EscortDialog],
        patient_name: str,
        on_file: Escort,
        *,
        completing: bool,
        parent: object = None,
    ) -> EscortAnswer | None:
        dialog = shown(qtbot, cls(patient_name, on_file, completing=completing))
        opened.append(dialog)
        driver(dialog)
        if not dialog.ok_button.isEnabled():
            return None
        return dialog.answer()

    monkeypatch.setattr(EscortDialog, "ask", classmethod(ask))
    return opened


def stored(db: Database, session_id: int) -> TreatmentSession:
    with db.reading() as s:
        return life.get_session(s, session_id)


def driver_cell(screen: TodayScreen, session_id: int) -> tuple[str, str | None]:
    row = screen.model.index_of_session(session_id)
    assert row is not None
    index = screen.model.index(row, DaySessionsModel.COL_DRIVER)
    brush = index.data(Qt.ItemDataRole.ForegroundRole)
    return index.data(), brush.color().name() if brush is not None else None


def test_today_flags_who_has_no_driver_home(
    screen: TodayScreen, booked: dict[str, int], qtmodeltester: object
) -> None:
    qtmodeltester.check(screen.model)  # type: ignore[attr-defined]
    assert driver_cell(screen, booked["ben"]) == ("None on file", "#b03a2e")
    assert driver_cell(screen, booked["zoe"]) == ("Sam Lee", None)
    # A consultation sends no one home sedated: nothing to chase.
    assert driver_cell(screen, booked["dana"]) == ("Not needed", "#9a9a9a")
    assert screen.summary.text() == "3 sessions · 0 checked in or done · 1 with no driver home"


def test_check_in_asks_who_drives_home_and_records_it(scene: Scene) -> None:
    qtbot, screen, desk, db, booked = scene.qtbot, scene.screen, scene.desk, scene.db, scene.booked

    def answer(dialog: EscortDialog) -> None:
        assert "Who is taking Zoë Łukasiewicz home today?" in dialog.prompt.text()
        assert dialog.name.text() == "Sam Lee"  # the driver on file, offered
        assert dialog.none_box.isHidden()  # a reason for no one is the nurse's, at Complete
        dialog.phone.clear()
        qtbot.keyClicks(dialog.phone, "(207) 555-0144")

    opened = drive_escort(qtbot, scene.monkeypatch, answer)
    screen.select_session(booked["zoe"])
    scene.click("check_in")
    assert len(opened) == 1
    row = stored(db, booked["zoe"])
    assert (row.status, row.escort_name, row.escort_phone) == (
        SessionStatus.CHECKED_IN.value, "Sam Lee", "(207) 555-0144",
    )  # fmt: skip
    assert driver_cell(screen, booked["zoe"]) == ("Sam Lee", "#2e7d32")  # green: recorded
    line = screen.model.index_of_session(booked["zoe"])
    assert line is not None
    tip = screen.model.index(line, DaySessionsModel.COL_DRIVER).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "Sam Lee (recorded for today)"
    # Complete asks nothing more: someone is recorded.
    scene.monkeypatch.setattr(desk, "now", lambda: at(12, 40))
    scene.click("complete")
    assert len(opened) == 1
    assert stored(db, booked["zoe"]).status == SessionStatus.COMPLETED.value


def test_a_visit_is_checked_in_without_the_question(scene: Scene) -> None:
    opened = drive_escort(scene.qtbot, scene.monkeypatch, lambda dialog: None)
    scene.screen.select_session(scene.booked["dana"])
    scene.click("check_in")
    assert opened == []
    assert stored(scene.db, scene.booked["dana"]).status == SessionStatus.CHECKED_IN.value


def test_complete_waits_for_a_driver_or_a_nurses_reason(scene: Scene) -> None:
    qtbot, screen, desk, db, booked = scene.qtbot, scene.screen, scene.desk, scene.db, scene.booked
    monkeypatch = scene.monkeypatch
    # Checked in with the name left empty: not known yet.
    drive_escort(qtbot, monkeypatch, lambda dialog: None)
    screen.select_session(booked["ben"])
    scene.click("check_in")
    assert stored(db, booked["ben"]).escort_name == ""
    monkeypatch.setattr(desk, "now", lambda: at(14, 40))

    # Backing out completes nothing; the OK button waits for a name or a reason.
    def back_out(dialog: EscortDialog) -> None:
        assert dialog.ok_button.text() == "Co&mplete"
        assert not dialog.ok_button.isEnabled()
        dialog.none_box.setChecked(True)
        assert not dialog.ok_button.isEnabled()

    drive_escort(qtbot, monkeypatch, back_out)
    qtbot.mouseClick(screen.buttons["complete"], Qt.MouseButton.LeftButton)
    assert stored(db, booked["ben"]).status == SessionStatus.CHECKED_IN.value

    def ride_service(dialog: EscortDialog) -> None:
        dialog.none_box.setChecked(True)
        qtbot.keyClicks(dialog.reason, "Stays until the ride service collects him")

    drive_escort(qtbot, monkeypatch, ride_service)
    scene.click("complete")
    row = stored(db, booked["ben"])
    assert (row.status, row.no_escort_reason) == (
        SessionStatus.COMPLETED.value, "Stays until the ride service collects him",
    )  # fmt: skip
    with db.reading() as s:
        reason = s.scalar(
            select(AuditEntry.reason).where(
                AuditEntry.action == "session.completed", AuditEntry.entity_id == booked["ben"]
            )
        )
    assert reason == "Goes home without a driver: Stays until the ride service collects him"
    # The column keeps to a width beside the patient's name; the tooltip has all of it.
    line = screen.model.index_of_session(booked["ben"])
    assert line is not None
    cell = screen.model.index(line, DaySessionsModel.COL_DRIVER)
    assert cell.data() == "No driver: Stays until…"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == (
        "No driver: Stays until the ride service collects him"
    )
    assert desk.refusals == []


def test_booking_a_single_session_warns_about_no_driver(
    qtbot: QtBot, desk: TestDesk, booked: dict[str, int]
) -> None:
    dialog = shown(qtbot, SingleSessionDialog(desk, booked["ben_patient"]))
    dialog.protocol.setCurrentIndex(dialog.protocol.findText(IV_SINGLE))
    assert dialog.escort_warning.isVisible()
    assert dialog.escort_warning.text().startswith(
        "Ben Okafor has no driver on file, and IV ketamine infusion means someone must take"
    )
    # A warning, not a refusal: the slots are there to book.
    assert dialog.book_button.isEnabled()
    dialog.protocol.setCurrentIndex(dialog.protocol.findText(CONSULTATION))
    assert not dialog.escort_warning.isVisible()


def test_booking_a_series_warns_about_no_driver(
    qtbot: QtBot, desk: TestDesk, booked: dict[str, int]
) -> None:
    dialog = shown(qtbot, SeriesDialog(desk, booked["ben_patient"]))
    assert dialog.escort_warning.isVisible()
    assert "Ben Okafor has no driver on file" in dialog.escort_warning.text()
