"""``python main.py screenshots --out DIR``: the desk's main screens rendered to PNG, offscreen.

Without ``--db`` a temporary demo clinic is built (the user's own database is never touched);
a new database given with ``--db`` gets the demo clinic first. The clock is fixed on the demo's
day, so the pictures come out the same on every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from scheduler.cli.common import date_argument, guarded
from scheduler.domain.access import Actor
from scheduler.domain.enums import LetterKind, Phase, SeriesStatus, StaffRole
from scheduler.errors import NotAllowed
from scheduler.store import Database, open_database

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget
    from sqlalchemy.orm import Session

    from scheduler.ui.calendar import CalendarScreen
    from scheduler.ui.desk import Desk
    from scheduler.ui.main_window import MainWindow

    ScreenT = TypeVar("ScreenT", bound=QWidget)

DEMO_DAY = dt.date(2026, 11, 16)  # a Monday
CLOCK_TIME = dt.time(9, 40)  # clinic time: the morning's sessions are under way
SIZE = (1366, 820)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screenshots",
        help="render the desk's main screens to PNG files (offscreen)",
        description="Render Today, the check-in question about the driver home, the day sheet, "
        "Calendar day and week, Patients, the series dialog, Letters, the Waitlist, Settings, "
        "Audit and Reports to PNG files on the demo clinic, with a fixed clock.",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for PNGs")
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        type=date_argument,
        default=DEMO_DAY,
        help=f"the day the desk shows (default {DEMO_DAY}; a new demo is built around it)",
    )
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args.out.mkdir(parents=True, exist_ok=True)
    given = getattr(args, "db", None)
    with tempfile.TemporaryDirectory(prefix="desk-screenshots-") as scratch:
        location = given or str(Path(scratch) / "demo.sqlite3")
        database = open_database(location)
        try:
            for path in render_all(database, args.out, args.today, Path(scratch)):
                print(path)
        finally:
            database.close()
    return 0


def render_all(database: Database, out: Path, today: dt.date, scratch: Path) -> list[Path]:
    """Build the demo if the database is new, then save one PNG per screen; returns the files."""
    from PySide6.QtCore import QSettings

    from scheduler.services.clinic import get_settings, is_set_up
    from scheduler.services.demo import CLINIC_TIMEZONE, build_demo_clinic
    from scheduler.services.patients import count_patients
    from scheduler.ui.app import create_application
    from scheduler.ui.audit_screen import AuditScreen
    from scheduler.ui.calendar import CalendarScreen
    from scheduler.ui.desk import Desk
    from scheduler.ui.letters_screen import LettersScreen
    from scheduler.ui.main_window import (
        AUDIT,
        CALENDAR,
        LETTERS,
        PATIENTS,
        REPORTS,
        SETTINGS,
        TODAY,
        WAITLIST,
        MainWindow,
    )
    from scheduler.ui.reports_screen import ReportsScreen
    from scheduler.ui.settings import SettingsScreen
    from scheduler.ui.sign_in import SignInDialog
    from scheduler.ui.waitlist_screen import WaitlistScreen

    app = create_application(["screenshots"])
    _quiet_offscreen_notices()
    with database.reading() as db:
        zone_name = get_settings(db).timezone if is_set_up(db) else CLINIC_TIMEZONE
        empty = not count_patients(db, include_archived=True)
    now = dt.datetime.combine(today, CLOCK_TIME, ZoneInfo(zone_name)).astimezone(dt.UTC)
    if empty:
        with database.transaction() as db:
            build_demo_clinic(db, today=today, now=now)
    desk = Desk(database, clock=lambda: now)
    sign_in_dialog = SignInDialog(desk)
    sign_in_dialog.show()
    # The screens as the demo clinician sees them; Settings as the demo administrator.
    desk.sign_in(_demo_actor(database, StaffRole.CLINICIAN, now))
    settings = QSettings(str(scratch / "screenshots.ini"), QSettings.Format.IniFormat)
    window = MainWindow(desk, settings=settings)
    window.resize(*SIZE)
    window.show()
    saved: list[Path] = []

    def shoot(name: str, widget: QWidget, prepare: Callable[[], object] | None = None) -> None:
        if prepare is not None:
            prepare()
        for _ in range(3):
            app.processEvents()
        path = out / f"screen-{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    shoot("sign-in", sign_in_dialog)
    sign_in_dialog.close()
    window.show_screen(TODAY)
    shoot("today", window)
    escort_dialog = _check_in_question(desk, window)
    if escort_dialog is not None:
        escort_dialog.show()
        shoot("check-in", escort_dialog)
        escort_dialog.close()
    saved.append(_day_sheet_png(desk, today, out / "screen-day-sheet.png"))
    calendar = _show(window, CALENDAR, CalendarScreen)
    shoot("calendar-day", window, lambda: calendar.show_day(today))
    shoot("calendar-week", window, lambda: calendar.show_week(today))
    shoot("calendar-drag", window, lambda: _drag_in_progress(calendar, today))
    calendar.grid.cancel_drag()
    window.show_screen(PATIENTS)
    patients = window.patients_screen()
    patients.search.setText(_busiest_patient_name(desk))
    patients.run_search()
    patients.results.selectRow(0)
    patients.tabs.setCurrentIndex(2)
    shoot("patients", window)
    patient_id = patients.current_patient_id()
    if patient_id is not None:
        from scheduler.ui.series_dialog import SeriesDialog

        dialog = SeriesDialog(desk, patient_id, phase=Phase.INDUCTION, parent=window)
        dialog.show()
        shoot("series-dialog", dialog, dialog.propose)
        dialog.close()
    letters = _show(window, LETTERS, LettersScreen)
    tomorrow = today + dt.timedelta(days=1)
    first_tomorrow = _first_session_on(desk, tomorrow)

    def preview() -> None:
        letters.show_date(tomorrow)
        if first_tomorrow is not None:
            letters.preview_session(first_tomorrow, LetterKind.PREP)

    shoot("letters", window, preview)
    _show(window, WAITLIST, WaitlistScreen)
    shoot("waitlist", window)
    desk.sign_in(_demo_actor(database, StaffRole.ADMINISTRATOR, now))
    settings_screen = _show(window, SETTINGS, SettingsScreen)
    # The catalogue of therapies shows best what the clinic can change.
    shoot(
        "settings", window, lambda: settings_screen.tabs.setCurrentWidget(settings_screen.therapies)
    )
    audit = _show(window, AUDIT, AuditScreen)
    shoot("audit", window, audit.check_trail)
    _show(window, REPORTS, ReportsScreen)
    shoot("reports", window)
    window.show_screen(TODAY)
    window.close()
    return saved


def _check_in_question(desk: Desk, parent: QWidget) -> QWidget | None:
    """The question check-in asks for the day's next patient who may not drive home."""
    from scheduler.domain.enums import SessionStatus
    from scheduler.services.schedule import sessions_on_day
    from scheduler.services.session_life import escort_on_file
    from scheduler.ui.escort_dialog import EscortDialog

    views = desk.read(lambda db: sessions_on_day(db, desk.today()))
    waiting = (SessionStatus.BOOKED, SessionStatus.CONFIRMED)  # not checked in yet
    arriving = [v for v in views if v.needs_escort and v.status in waiting]
    if not arriving:
        return None
    view = min(arriving, key=lambda v: v.starts_at)
    on_file = desk.read(lambda db: escort_on_file(db, view.session_id))
    return EscortDialog(view.patient_name, on_file, completing=False, parent=parent)


# The day sheet's page as wide as the desk's window: a landscape page, readable at that size.
DAY_SHEET_WIDTH = SIZE[0]


def _day_sheet_png(desk: Desk, day: dt.date, path: Path) -> Path:
    """The day's sheet for the nurses, its first page on white paper, as the preview shows it."""
    from scheduler.letters.day_sheet_pdf import DaySheetRenderer
    from scheduler.services.day_sheet import day_sheet_pdf
    from scheduler.ui.pdf_preview import render_pages

    printed = desk.read(
        lambda db: day_sheet_pdf(
            db, day, actor=desk.actor, now=desk.now(), renderer=DaySheetRenderer()
        )
    )
    render_pages(printed.pdf, DAY_SHEET_WIDTH)[0].save(str(path))
    return path


def _show(window: MainWindow, index: int, kind: type[ScreenT]) -> ScreenT:
    """Show one of the window's screens; the screen, as the class it is built as."""
    window.show_screen(index)
    screen = window.current_screen()
    assert isinstance(screen, kind)
    return screen


# What the offscreen platform says each time a window is shown: there is no window manager to
# pass size hints to, which is what rendering offscreen means, so it is no warning here.
OFFSCREEN_NOTICES = frozenset({"This plugin does not support propagateSizeHints()"})


def _quiet_offscreen_notices() -> None:
    """Drop the offscreen platform's notices; every other Qt message still reaches stderr."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message not in OFFSCREEN_NOTICES:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _demo_actor(database: Database, role: StaffRole, now: dt.datetime) -> Actor:
    """Sign in with the demo clinic's account for ``role``, as its staff would."""
    from scheduler.services.accounts import sign_in
    from scheduler.services.demo import DEMO_ACCOUNTS

    account = next(a for a in DEMO_ACCOUNTS if a.role is role)
    with database.transaction() as db:
        result = sign_in(db, account.sign_in, account.password, now=now)
    if result.actor is None:
        raise NotAllowed(
            f"The screenshots sign in with the demo clinic's accounts; {result.problem}"
        )
    return result.actor


def _drag_in_progress(calendar: CalendarScreen, day: dt.date) -> None:
    """The day with its first session that may move held by the mouse and dragged half an hour
    later into the nearest chair free then, as a hand would, so the ghost shows where it lands."""
    from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from scheduler.ui.calendar.grid import GUTTER_W

    calendar.show_day(day)
    grid = calendar.grid
    blocks = grid.blocks
    movable = sorted((b for b in blocks if b.session_id in grid.movable), key=lambda b: b.start_min)
    for block in movable:
        start, end = block.start_min + 30, block.end_min + 30
        free = [
            number
            for number, column in enumerate(grid.columns)
            if number != block.column
            and column.chair_id is not None
            and not any(
                b.column == number and b.start_min < end and start < b.end_min for b in blocks
            )
        ]
        if free:
            break
    else:
        return
    column = min(free, key=lambda number: abs(number - block.column))
    rect = grid.block_rect(block)
    held = QPoint(int(rect.left()) + 10, int(rect.top()) + 6)
    to = QPoint(
        int(GUTTER_W + (column + 0.5) * (grid.width() - GUTTER_W) / len(grid.columns)),
        held.y() + int(grid.y_of(start) - grid.y_of(block.start_min)),
    )
    left = Qt.MouseButton.LeftButton
    for kind, point, button in (
        (QEvent.Type.MouseButtonPress, held, left),
        (QEvent.Type.MouseMove, (held + to) / 2, Qt.MouseButton.NoButton),
        (QEvent.Type.MouseMove, to, Qt.MouseButton.NoButton),
    ):
        global_point = QPointF(grid.mapToGlobal(point))
        event = QMouseEvent(
            kind, QPointF(point), global_point, button, left, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(grid, event)


def _busiest_patient_name(desk: Desk) -> str:
    """The demo patient furthest into an active induction series, found as the desk would."""
    from scheduler.services.patients import search_patients
    from scheduler.services.schedule import patient_courses

    def pick(db: Session) -> str:
        best, best_done = "", -1
        for patient in search_patients(db, "", limit=500):
            for course in patient_courses(db, patient.patient_id):
                active = course.status is SeriesStatus.ACTIVE and course.phase is Phase.INDUCTION
                if active and course.completed_count > best_done:
                    best, best_done = (
                        f"{patient.first_name} {patient.last_name}",
                        course.completed_count,
                    )
        return best

    return desk.read(pick)


def _first_session_on(desk: Desk, day: dt.date) -> int | None:
    from scheduler.services.schedule import sessions_on_day

    views = desk.read(lambda db: sessions_on_day(db, day))
    return views[0].session_id if views else None
