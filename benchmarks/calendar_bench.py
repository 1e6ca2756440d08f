"""How long the calendar takes to move by a day (or a week) and redraw, on the demo clinic.

    python benchmarks/calendar_bench.py [--runs 30] [--db PATH]

The calendar is shown offscreen at 1280 x 800. Each step presses Right (as the desk would)
and then repaints the grid synchronously, so the time covers the query for a day not seen
before, laying out its blocks and painting them. Days already seen come from the calendar's
cache; both are reported, with the week view. Medians are compared with the 100 ms goal.
Without ``--db`` a demo clinic is built in a temporary folder first. Not a test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOAL_MS = 100.0


def timed(step: Callable[[], None], repaint: Callable[[], None]) -> float:
    started = time.perf_counter()
    step()
    repaint()
    return (time.perf_counter() - started) * 1000


def report(name: str, samples: list[float]) -> bool:
    median = statistics.median(samples)
    verdict = "meets" if median < GOAL_MS else "MISSES"
    print(
        f"{name:<38} median {median:6.1f} ms  (min {min(samples):5.1f}, max {max(samples):6.1f})"
        f"  {verdict} the {GOAL_MS:.0f} ms goal"
    )
    return median < GOAL_MS


def run(db_path: str, runs: int) -> bool:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from scheduler.domain.access import Actor
    from scheduler.domain.enums import StaffRole
    from scheduler.store import open_database
    from scheduler.ui.calendar import CalendarScreen
    from scheduler.ui.desk import Desk

    app = QApplication.instance() or QApplication(sys.argv)
    database = open_database(db_path)
    try:
        desk = Desk(database, Actor(None, "bench", "Calendar Bench", frozenset(StaffRole)))
        screen = CalendarScreen(desk)
        screen.resize(1280, 800)
        screen.show()
        app.processEvents()

        def press(key: Qt.Key) -> Callable[[], None]:
            def send() -> None:
                event = QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)
                screen.keyPressEvent(event)

            return send

        def repaint() -> None:
            screen.grid.repaint()

        start = desk.today() - dt.timedelta(days=runs // 2)
        screen.show_day(start)
        app.processEvents()
        fresh, busiest = [], 0
        for _ in range(runs):
            fresh.append(timed(press(Qt.Key.Key_Right), repaint))
            busiest = max(busiest, len(screen.grid.blocks))
        seen = [timed(press(Qt.Key.Key_Left), repaint) for _ in range(runs)]
        screen.show_week(start)
        app.processEvents()
        screen.refresh()
        weeks = [timed(press(Qt.Key.Key_Right), repaint) for _ in range(max(5, runs // 3))]
        print(f"database: {database.description}")
        print(f"grid: {screen.grid.width()} x {screen.grid.height()} px; runs: {runs}")
        print(f"most sessions on one day drawn: {busiest}")
        ok = report("day view, a day not seen yet", fresh)
        ok &= report("day view, a day already seen (cached)", seen)
        ok &= report("week view, a week not seen yet", weeks)
        screen.close()
        screen.deleteLater()
        desk.deleteLater()
        app.processEvents()
        return ok
    finally:
        database.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", help="a clinic database (default: a new demo clinic)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="calendar-bench-") as scratch:
        db = args.db
        if db is None:
            db = str(Path(scratch) / "demo.sqlite3")
            subprocess.run(
                [sys.executable, "main.py", "--db", db, "demo"],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        ok = run(db, args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
