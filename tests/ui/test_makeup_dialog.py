"""A missed session of an induction: make it up, move the rest later, or not now.

The desk is driven as a user would: a session cancelled or marked no-show from Today (or the
session dialog), then a click in the make-up dialog that the desk opened; the database is
checked afterwards.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from scheduler.domain.enums import SessionStatus
from scheduler.services import session_life
from scheduler.services.booking import book_series, book_single
from scheduler.services.schedule import SessionView, clinic_calendar, sessions_on_day
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Patient, Protocol, Series, TreatmentSession
from scheduler.ui import session_dialog
from scheduler.ui.desk import Desk
from scheduler.ui.makeup_dialog import MakeupChoice, MakeupDialog, missed_session
from scheduler.ui.session_dialog import SessionDialog
from scheduler.ui.today_screen import TodayScreen
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import IV_SINGLE, at, propose, protocol_id, set_up_test_clinic
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
# The induction booked below: Mon/Wed/Fri at 10:00 from Wed 18 Nov, six infusions.
DAYS = [dt.date(2026, 11, d) for d in (18, 20, 23, 25, 27, 30)]

Driver = Callable[[MakeupDialog], None]


@pytest.fixture
def course(db: Database) -> tuple[int, list[int]]:
    """An IV ketamine induction of six for the clinic's first patient; its id and sessions."""
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        series = book_series(s, propose(s, clinic), actor=ACTOR, now=NOW)
        s.flush()
        ids = [x.id for x in sorted(series.sessions, key=lambda x: x.starts_at)]
        return series.id, ids


def answer_reason(monkeypatch: pytest.MonkeyPatch, reason: str = "Patient has the flu") -> None:
    monkeypatch.setattr(
        session_dialog.ReasonDialog,
        "ask",
        classmethod(lambda cls, title, prompt, parent=None: reason),
    )


def drive_makeup(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, driver: Driver
) -> list[MakeupDialog]:
    """Replace ``MakeupDialog.ask``: build the real dialog, let ``driver`` click, return."""
    opened: list[MakeupDialog] = []

    def ask(
        cls: type[MakeupDialog], desk: Desk, session_id: int, parent: object = None
    ) -> MakeupChoice:
        dialog = cls(desk, session_id, None)
        qtbot.addWidget(dialog)
        dialog.show()
        opened.append(dialog)
        driver(dialog)
        return dialog.choice

    monkeypatch.setattr(MakeupDialog, "ask", classmethod(ask))
    return opened


def today_screen(
    qtbot: QtBot, desk: TestDesk, monkeypatch: pytest.MonkeyPatch, when: dt.datetime
) -> TodayScreen:
    monkeypatch.setattr(desk, "now", lambda: when.astimezone(dt.UTC))
    screen = TodayScreen(desk)
    qtbot.addWidget(screen)
    screen.resize(1100, 500)
    screen.show()
    return screen


def course_sessions(db: Database, series_id: int) -> list[TreatmentSession]:
    with db.reading() as s:
        query = (
            select(TreatmentSession)
            .where(TreatmentSession.series_id == series_id)
            .order_by(TreatmentSession.starts_at, TreatmentSession.id)
        )
        return list(s.scalars(query))


def holding(db: Database, series_id: int) -> list[TreatmentSession]:
    return [x for x in course_sessions(db, series_id) if SessionStatus(x.status).holds_slot]


def snapshot(db: Database) -> tuple[list[tuple[object, ...]], int]:
    """Every session's time, chair, status and number, and how many audit entries exist."""
    with db.reading() as s:
        rows = s.scalars(select(TreatmentSession).order_by(TreatmentSession.id)).all()
        audits = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
        return [(x.id, x.starts_at, x.chair_id, x.status, x.number) for x in rows], audits


def day_views(desk: TestDesk, day: dt.date) -> list[SessionView]:
    return desk.read(lambda s: sessions_on_day(s, day))


def local(when: dt.datetime) -> str:
    return when.astimezone(ZONE).strftime("%a %d %b %H:%M")


def test_cancel_from_today_then_book_the_makeup(
    qtbot: QtBot,
    db: Database,
    desk: TestDesk,
    course: tuple[int, list[int]],
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: object,
) -> None:
    series_id, ids = course
    answer_reason(monkeypatch)

    def book_the_proposal(dialog: MakeupDialog) -> None:
        qtmodeltester.check(dialog.slots)  # type: ignore[attr-defined]
        assert dialog.heading.text() == "Infusion 1 of 6 cancelled"
        assert "now holds 5 of its 6 sessions" in dialog.summary.text()
        # After the last session (Mon 30 Nov) the protocol's next day is Wed 2 Dec, at 10:00.
        assert "Proposed: infusion 6 of 6 on Wed, Dec 2, 2026, 10:00 AM, Chair 1" in (
            dialog.proposed.text()
        )
        assert dialog.chosen_slot() is not None
        assert dialog.chosen_slot().starts_at == at(dt.date(2026, 12, 2), 10)  # type: ignore[union-attr]
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        assert dialog.choice is MakeupChoice.BOOKED
        assert "Booked the make-up: infusion 6 of 6 on Wed, Dec 2, 2026" in dialog.outcome.text()
        assert dialog.not_now_button.text() == "&Close"
        assert not dialog.book_button.isEnabled()

    opened = drive_makeup(qtbot, monkeypatch, book_the_proposal)
    screen = today_screen(qtbot, desk, monkeypatch, at(DAYS[0], 8))
    assert screen.select_session(ids[0])
    qtbot.mouseClick(screen.buttons["cancel"], Qt.MouseButton.LeftButton)

    assert len(opened) == 1
    assert desk.refusals == []
    sessions = course_sessions(db, series_id)
    (made,) = [x for x in sessions if x.makeup_for_id == ids[0]]
    assert made.status is SessionStatus.BOOKED
    assert made.starts_at == at(dt.date(2026, 12, 2), 10)
    kept = holding(db, series_id)
    assert len(kept) == 6 <= 8
    assert made.number == 6
    assert [x.number for x in kept] == [1, 2, 3, 4, 5, 6]
    with db.reading() as s:
        series = s.get(Series, series_id)
        assert series is not None
        assert series.planned_count == 6


def test_no_show_from_today_then_move_the_rest_later(
    qtbot: QtBot,
    db: Database,
    desk: TestDesk,
    course: tuple[int, list[int]],
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: object,
) -> None:
    series_id, ids = course
    before = {x.id: x.starts_at for x in course_sessions(db, series_id)}

    def move_the_rest(dialog: MakeupDialog) -> None:
        assert dialog.heading.text() == "Infusion 3 of 6 missed (no-show)"
        assert "sessions 4–6 later" in dialog.reflow_text.text()
        # By default the first later session (Wed 25) moves off its day.
        assert dialog.not_before.date() == QDate(2026, 11, 26)
        qtbot.mouseClick(dialog.reflow_button, Qt.MouseButton.LeftButton)
        assert dialog.choice is MakeupChoice.REFLOWED
        qtmodeltester.check(dialog.moved)  # type: ignore[attr-defined]
        assert dialog.moved_table.isVisible()
        assert dialog.moved.rowCount() == 3
        was = dialog.moved.index(0, dialog.moved.COL_WAS).data()
        now = dialog.moved.index(0, dialog.moved.COL_NOW).data()
        assert (was, now) == ("Wed, Nov 25, 2026, 10:00 AM", "Fri, Nov 27, 2026, 10:00 AM")

    opened = drive_makeup(qtbot, monkeypatch, move_the_rest)
    screen = today_screen(qtbot, desk, monkeypatch, at(DAYS[2], 10, 30))
    assert screen.select_session(ids[2])
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(screen.buttons["no_show"], Qt.MouseButton.LeftButton)

    assert len(opened) == 1
    assert desk.refusals == []
    sessions = {x.id: x for x in course_sessions(db, series_id)}
    assert sessions[ids[2]].status is SessionStatus.NO_SHOW
    # The first two stay; the later three each moved later, one slot on.
    assert [sessions[i].starts_at for i in ids[:2]] == [before[i] for i in ids[:2]]
    assert [local(sessions[i].starts_at) for i in ids[3:]] == [
        "Fri 27 Nov 10:00",
        "Mon 30 Nov 10:00",
        "Wed 02 Dec 10:00",
    ]
    assert all(sessions[i].starts_at > before[i] for i in ids[3:])
    # The protocol's spacing (1 to 4 days) holds between the moved sessions.
    with db.reading() as s:
        protocol = s.scalar(select(Protocol).join(Series).where(Series.id == series_id))
        assert protocol is not None
        low, high = protocol.min_gap_days, protocol.max_gap_days
        calendar = clinic_calendar(s)
    days = [calendar.local_day(sessions[i].starts_at) for i in ids[3:]]
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    assert all(low <= gap <= (high or gap) for gap in gaps), gaps
    assert [x.number for x in holding(db, series_id)] == [1, 2, 3, 4, 5]


def test_not_now_writes_nothing(
    qtbot: QtBot,
    db: Database,
    desk: TestDesk,
    course: tuple[int, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    series_id, ids = course
    answer_reason(monkeypatch)
    seen: list[tuple[list[tuple[object, ...]], int]] = []
    emitted: list[bool] = []

    def not_now(dialog: MakeupDialog) -> None:
        seen.append(snapshot(db))
        desk.changed.connect(lambda: emitted.append(True))
        # Escape is "Not now", as in any dialog.
        qtbot.keyClick(dialog.slot_table, Qt.Key.Key_Escape)
        assert not dialog.isVisible()

    opened = drive_makeup(qtbot, monkeypatch, not_now)
    screen = today_screen(qtbot, desk, monkeypatch, at(DAYS[0], 8))
    screen.select_session(ids[0])
    qtbot.mouseClick(screen.buttons["cancel"], Qt.MouseButton.LeftButton)

    assert opened[0].choice is MakeupChoice.NOT_NOW
    assert snapshot(db) == seen[0]
    assert emitted == []
    # The course simply stays short, and says so when asked again.
    assert len(holding(db, series_id)) == 5
    assert desk.read(lambda s: missed_session(s, ids[0], now=desk.now())) is not None


def test_a_refused_makeup_says_why_inside_the_dialog(
    qtbot: QtBot, db: Database, desk: TestDesk, course: tuple[int, list[int]]
) -> None:
    series_id, ids = course
    with db.transaction() as s:
        session_life.cancel(s, ids[0], reason="Ill", actor=ACTOR, now=NOW)
    before = snapshot(db)
    dialog = MakeupDialog(desk, ids[0])
    qtbot.addWidget(dialog)
    dialog.show()
    # The finder offers only slots the course allows (never Fri 20 Nov, session 2's day)...
    dialog.near.setDateTime(QDateTime(QDate(2026, 11, 20), QTime(14, 0)))
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    offered = dialog.chosen_slot()
    assert offered is not None
    assert offered.starts_at.astimezone(ZoneInfo(CLINIC_TZ)).date() > DAYS[-1]
    # ...but another workstation takes that chair before Book is pressed.
    with db.transaction() as s:
        series = s.get(Series, series_id)
        assert series is not None
        other = s.scalar(select(Patient.id).where(Patient.id != series.patient_id))
        assert other is not None
        book_single(s, patient_id=other, protocol_id=protocol_id(s, IV_SINGLE),
                    starts_at=offered.starts_at, chair_id=offered.chair_id, actor=ACTOR,
                    now=NOW)  # fmt: skip
    before = snapshot(db)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.message.isVisible()
    assert dialog.message.text().startswith("Not booked:")
    assert "is taken" in dialog.message.text()
    assert desk.refusals == []
    assert dialog.choice is MakeupChoice.NOT_NOW
    assert dialog.book_button.isEnabled()  # another slot can still be chosen
    assert snapshot(db) == before


def test_cancelled_from_the_session_dialog_then_made_up_later(
    qtbot: QtBot,
    db: Database,
    desk: TestDesk,
    course: tuple[int, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    series_id, ids = course
    answer_reason(monkeypatch)
    choices: list[str] = []

    def not_now_then_book(dialog: MakeupDialog) -> None:
        if not choices:
            qtbot.mouseClick(dialog.not_now_button, Qt.MouseButton.LeftButton)
        else:
            qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        choices.append(dialog.choice)

    drive_makeup(qtbot, monkeypatch, not_now_then_book)
    (view,) = [
        v for v in desk.read(lambda s: sessions_on_day(s, DAYS[1])) if v.session_id == ids[1]
    ]
    opened = SessionDialog(desk, view)
    qtbot.addWidget(opened)
    opened.show()
    assert opened.makeup_button.isHidden()
    assert not opened.no_show_button.isEnabled()  # not started yet
    qtbot.mouseClick(opened.cancel_button, Qt.MouseButton.LeftButton)
    assert choices == [MakeupChoice.NOT_NOW]

    (view,) = [
        v for v in desk.read(lambda s: sessions_on_day(s, DAYS[1])) if v.session_id == ids[1]
    ]
    again = SessionDialog(desk, view)
    qtbot.addWidget(again)
    again.show()
    assert not again.makeup_button.isHidden()
    qtbot.mouseClick(again.makeup_button, Qt.MouseButton.LeftButton)
    assert choices == [MakeupChoice.NOT_NOW, MakeupChoice.BOOKED]
    assert again.changed_anything
    (made,) = [x for x in course_sessions(db, series_id) if x.makeup_for_id == ids[1]]
    assert len(holding(db, series_id)) == 6
    assert made.number == 6


def test_no_show_from_the_session_dialog_offers_the_makeup(
    qtbot: QtBot,
    db: Database,
    desk: TestDesk,
    course: tuple[int, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, ids = course
    opened = drive_makeup(qtbot, monkeypatch, lambda dialog: None)
    monkeypatch.setattr(desk, "now", lambda: at(DAYS[0], 10, 20).astimezone(dt.UTC))
    (view,) = desk.read(lambda s: sessions_on_day(s, DAYS[0]))
    dialog = SessionDialog(desk, view)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.no_show_button, Qt.MouseButton.LeftButton)
    assert [d.session_id for d in opened] == [ids[0]]
    with db.reading() as s:
        assert session_life.get_session(s, ids[0]).status is SessionStatus.NO_SHOW
