"""The waitlist on the desk: a cancelled chair offered to those who fit, booked in one click."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scheduler.services import session_life, waitlist
from scheduler.services.booking import book_single
from scheduler.services.waitlist import WaitlistEntryView, WaitlistTerms
from scheduler.store import Database
from scheduler.store.models import TreatmentSession
from scheduler.ui import session_dialog
from scheduler.ui.session_models import TodaySessionsModel
from scheduler.ui.today_screen import TodayScreen
from scheduler.ui.waitlist_entry_dialog import WaitlistEntryDialog
from scheduler.ui.waitlist_offer import WaitlistOfferDialog
from scheduler.ui.waitlist_screen import WaitlistModel, WaitlistScreen
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import IV_SINGLE, add_chairs, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()
ONE_PM = dt.datetime.combine(TODAY, dt.time(13), ZONE).astimezone(dt.UTC)


@pytest.fixture
def clinic(db: Database) -> dict[str, int]:
    """Ben's infusion at 1:00 PM today in Chair 1; Ana (cleared), Una (not cleared, waiting
    longest) and Carl (afternoons from 3:00 PM) on the waitlist for a single infusion."""
    with db.transaction() as s:
        chair = add_chairs(s, 2)[0]
        ben = make_patient(s, first_name="Ben", last_name="Okafor")
        ana = make_patient(s, first_name="Ana", last_name="Souza")
        una = make_patient(s, first_name="Una", last_name="Reyes", cleared=False)
        carl = make_patient(s, first_name="Carl", last_name="Moss")
        single = protocol_id(s, IV_SINGLE)
        session = book_single(
            s, patient_id=ben, protocol_id=single, starts_at=ONE_PM, chair_id=chair,
            actor=ACTOR, now=NOW,
        )  # fmt: skip
        ids = {"chair": chair, "session": session.id, "ana_patient": ana}
        for name, patient, days_ago, terms in (
            ("una", una, 30, {}),
            ("ana", ana, 10, {"note": "Can come within the hour"}),
            ("carl", carl, 40, {"earliest_start": dt.time(15)}),
        ):
            entry = waitlist.add_entry(
                s, WaitlistTerms(patient, single, **terms), actor=ACTOR,
                now=NOW - dt.timedelta(days=days_ago),
            )  # fmt: skip
            ids[name] = entry.entry_id
        return ids


@pytest.fixture
def today(qtbot: QtBot, desk: TestDesk, clinic: dict[str, int]) -> TodayScreen:
    widget = TodayScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1280, 420)
    widget.show()
    return widget


def session_at_one(db: Database) -> list[tuple[int, str]]:
    """Who holds a session at 1:00 PM today, and its status."""
    with db.reading() as s:
        rows = s.query(TreatmentSession).filter(TreatmentSession.starts_at == ONE_PM)
        return sorted((r.patient_id, r.status.value) for r in rows)


def noting_who_is_offered(opened: list[list[str]]) -> Callable[[WaitlistOfferDialog], int]:
    """An ``exec`` for the offer that notes who is listed and closes it untouched."""

    def note(dialog: WaitlistOfferDialog) -> int:
        opened.append([c.patient_name for c in dialog.candidates])
        return 0

    return note


def answer_cancel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        session_dialog.ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Has the flu")
    )


def test_a_cancelled_session_is_offered_to_the_fitting_patient_and_booked_in_one_click(
    qtbot: QtBot,
    today: TodayScreen,
    db: Database,
    desk: TestDesk,
    clinic: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: object,
) -> None:
    answer_cancel(monkeypatch)
    shown: list[list[tuple[str, bool, str]]] = []

    def click_book(dialog: WaitlistOfferDialog) -> int:
        qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
        shown.append([(c.patient_name, c.bookable, c.reason) for c in dialog.candidates])
        assert dialog.heading.text() == (
            "Ben Okafor's session is cancelled. "
            "Who on the waitlist could come Mon, Nov 16 at 1:00 PM, Chair 1?"
        )
        assert not dialog.book_buttons[clinic["una"]].isEnabled()
        qtbot.mouseClick(dialog.book_buttons[clinic["ana"]], Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(WaitlistOfferDialog, "exec", click_book)
    said: list[str] = []
    desk.announced.connect(said.append)
    today.select_session(clinic["session"])
    qtbot.mouseClick(today.buttons["cancel"], Qt.MouseButton.LeftButton)

    # Ana first (she could be booked), Una below with why not; Carl's window starts at 3:00 PM.
    ((ana, una),) = shown
    assert ana == ("Ana Souza", True, "")
    assert una[:2] == ("Una Reyes", False)
    assert "has not been cleared by a clinician after screening" in una[2]
    assert session_at_one(db) == sorted(
        [(clinic["ana_patient"], "booked"), (session_patient(db, clinic["session"]), "cancelled")]
    )
    assert said[-1] == "Booked Ana Souza from the waitlist for Mon, Nov 16 at 1:00 PM, Chair 1"
    with db.reading() as s:
        assert [e.patient_name for e in waitlist.waitlist(s)] == ["Carl Moss", "Una Reyes"]
    assert desk.refusals == []


def session_patient(db: Database, session_id: int) -> int:
    with db.reading() as s:
        row = s.get(TreatmentSession, session_id)
        assert row is not None
        return row.patient_id


def test_todays_waitlist_column_counts_who_fits_a_freed_slot_and_opens_the_offer(
    qtbot: QtBot,
    today: TodayScreen,
    db: Database,
    clinic: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with db.transaction() as s:
        session_life.cancel(s, clinic["session"], reason="Flu", actor=ACTOR, now=NOW)
    today.refresh()
    row = today.model.index_of_session(clinic["session"])
    assert row is not None
    index = today.model.index(row, TodaySessionsModel.COL_WAITLIST)
    assert (
        today.model.headerData(TodaySessionsModel.COL_WAITLIST, Qt.Orientation.Horizontal)
        == "Waitlist"
    )
    assert index.data() == "2 fit"  # Ana and Una; not Carl
    opened: list[list[str]] = []
    monkeypatch.setattr(WaitlistOfferDialog, "exec", noting_who_is_offered(opened))
    rect = today.table.visualRect(index)
    qtbot.mouseClick(today.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [["Ana Souza", "Una Reyes"]]


def test_a_refusal_at_booking_shows_in_the_offer_and_keeps_the_patient_waiting(
    qtbot: QtBot, desk: TestDesk, db: Database, clinic: dict[str, int]
) -> None:
    with db.transaction() as s:
        session_life.cancel(s, clinic["session"], reason="Flu", actor=ACTOR, now=NOW)
    dialog = WaitlistOfferDialog(desk, clinic["chair"], "Chair 1", ONE_PM)
    qtbot.addWidget(dialog)
    # Meanwhile another desk books the chair.
    with db.transaction() as s:
        other = make_patient(s, first_name="Oda", last_name="Quinn")
        book_single(
            s, patient_id=other, protocol_id=protocol_id(s, IV_SINGLE), starts_at=ONE_PM,
            chair_id=clinic["chair"], actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert not dialog.book(dialog.candidates[0])
    assert dialog.refusal.text().startswith("Ana Souza was not booked")
    assert not dialog.refusal.isHidden()
    with db.reading() as s:
        assert len(waitlist.waitlist(s)) == 3
    # The list read again: nobody can be booked into the taken chair now.
    assert not any(b.isEnabled() for b in dialog.book_buttons.values())


def test_the_waitlist_screen_adds_edits_and_removes_entries(
    qtbot: QtBot,
    desk: TestDesk,
    db: Database,
    clinic: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: object,
) -> None:
    screen = WaitlistScreen(desk)
    qtbot.addWidget(screen)
    qtmodeltester.check(screen.model)  # type: ignore[attr-defined]
    names = [screen.model.index(r, WaitlistModel.COL_PATIENT).data() for r in range(3)]
    assert names == ["Carl Moss", "Una Reyes", "Ana Souza"]  # longest waiting first
    assert screen.model.index(0, WaitlistModel.COL_TIMES).data() == "From 3:00 PM"

    def fill_in(
        cls: type[WaitlistEntryDialog],
        desk: TestDesk,
        entry: WaitlistEntryView | None,
        parent: object = None,
    ) -> WaitlistEntryView | None:
        dialog = cls(desk, entry, None)
        qtbot.addWidget(dialog)
        if entry is None:
            qtbot.keyClicks(dialog.patient_search, "Okafor")
        dialog.days[1].setChecked(True)  # Tuesdays
        dialog.note.setText("Prefers mornings")
        qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
        return dialog.saved

    monkeypatch.setattr(WaitlistEntryDialog, "ask", classmethod(fill_in))
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == 4
    added = screen.model.row_at(3)
    assert (added.patient_name, added.days, added.terms.note) == (
        "Ben Okafor",
        "Tue",
        "Prefers mornings",
    )
    screen.table.selectRow(0)
    qtbot.mouseClick(screen.edit_button, Qt.MouseButton.LeftButton)
    assert screen.model.row_at(0).days == "Tue"
    monkeypatch.setattr(
        session_dialog.ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Booked elsewhere")
    )
    qtbot.mouseClick(screen.remove_button, Qt.MouseButton.LeftButton)
    assert [r.patient_name for r in screen.model.rows()] == ["Una Reyes", "Ana Souza", "Ben Okafor"]
    assert desk.refusals == []


def test_who_fits_a_free_chair_from_the_waitlist_screen(
    qtbot: QtBot, desk: TestDesk, clinic: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = WaitlistScreen(desk)
    qtbot.addWidget(screen)
    opened: list[list[str]] = []
    monkeypatch.setattr(WaitlistOfferDialog, "exec", noting_who_is_offered(opened))
    screen.free_time.setTime(screen.free_time.time().fromString("16:00", "HH:mm"))
    qtbot.mouseClick(screen.who_fits_button, Qt.MouseButton.LeftButton)
    # 4:00 PM in Chair 1: Ben's 1:00 PM infusion is over and Carl's window is open; Carl has
    # waited longest, Una could not be booked yet.
    assert opened == [["Carl Moss", "Ana Souza", "Una Reyes"]]


def test_the_entry_form_says_what_is_wrong_in_red_and_saves_nothing(
    qtbot: QtBot, desk: TestDesk, db: Database, clinic: dict[str, int]
) -> None:
    dialog = WaitlistEntryDialog(desk)
    qtbot.addWidget(dialog)
    save = dialog.buttons.buttons()[0]
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert not dialog.refusal.isHidden()
    assert dialog.refusal.text().startswith("Find the patient first")
    qtbot.keyClicks(dialog.patient_search, "Okafor")
    assert dialog.patient_choice.count() == 1
    dialog.from_used.setChecked(True)
    dialog.until_used.setChecked(True)
    dialog.earliest.setTime(dialog.earliest.time().fromString("14:00", "HH:mm"))
    dialog.latest.setTime(dialog.latest.time().fromString("10:00", "HH:mm"))
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.refusal.text() == "Not saved: The latest start is before the earliest."
    assert dialog.saved is None
    with db.reading() as s:
        assert len(waitlist.waitlist(s)) == 3
