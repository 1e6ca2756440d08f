"""How each desk action holds up on a big clinic, beside raw SQL returning the same rows.

    python benchmarks/big_clinic.py --sessions 1000000 --db BIG.sqlite3   # once
    python benchmarks/scale_bench.py --db BIG.sqlite3 [--runs 15] [--only week,day] [--today D]
    python benchmarks/scale_bench.py --db postgresql+psycopg://user@host/big

Every action goes through the functions the desk itself calls: the calendar's ``load_days``
for a week and a day, the Today list's ``day_sessions``, ``patients.find_patients`` (a page
and its count) per keystroke, ``booking.propose_series`` for an 8-session induction,
``boosters.boosters_due`` (the desk's first page), ``letters.prep_letters`` for tomorrow
(rolled back, nothing recorded) and a launch of the desk to its window (``startup_bench``).
The raw baseline reads the same rows with one hand-written statement on the driver's own
cursor (for search: the statements the service sent, replayed). Medians of ``--runs`` warm
runs; the machine is shared, so read ratios and medians, not single figures. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.query_plans import statements_sent  # noqa: E402
from benchmarks.startup_bench import launch_once  # noqa: E402
from scheduler.domain.access import Actor  # noqa: E402
from scheduler.domain.enums import HOLDING, StaffRole  # noqa: E402
from scheduler.services import booking, boosters, letters, schedule  # noqa: E402
from scheduler.services import patients as patient_service  # noqa: E402
from scheduler.services.demo import DEMO_ACCOUNTS  # noqa: E402
from scheduler.store import Database, open_database  # noqa: E402
from scheduler.store.models import (  # noqa: E402
    Patient,
    Protocol,
    TreatmentSession,
)
from scheduler.ui.calendar.loading import load_days  # noqa: E402
from scheduler.ui.desk import Desk  # noqa: E402
from scheduler.ui.letters_screen import day_sessions, letter_kit  # noqa: E402
from scheduler.ui.patient_models import PatientSearchModel  # noqa: E402

# What the desk types into the patient search, a keystroke at a time.
TYPED = ("garcía", "łukas", "иванов", "o'brien", "1000457", "207 555 01", "jennifer smi")
# What the actions are timed by: this process's CPU time on SQLite, where all the work is ours
# and a shared machine's load would otherwise swell every figure; the wall clock on a server.
CLOCK: list[Callable[[], float]] = [time.perf_counter]
ACTOR = Actor(None, "bench", "Scale bench", frozenset(StaffRole))

RAW_SESSIONS = """
SELECT s.id, s.patient_id, p.preferred_name, p.first_name, p.last_name, p.chart_number,
       p.driver_name, s.therapy_id, t.name, t.colour, t.session_noun, t.aftercare_letter,
       s.place, s.chair_id, c.name, s.nurse_id, n.name, s.starts_at, s.ends_at,
       s.treatment_minutes, s.observation_minutes, s.buffer_minutes, s.status, s.status_reason,
       s.late_cancellation, s.number, s.series_id, r.planned_count, pr.name
FROM sessions s
JOIN patients p ON p.id = s.patient_id
JOIN therapies t ON t.id = s.therapy_id
LEFT JOIN chairs c ON c.id = s.chair_id
LEFT JOIN staff n ON n.id = s.nurse_id
LEFT JOIN series r ON r.id = s.series_id
LEFT JOIN protocols pr ON pr.id = r.protocol_id
WHERE s.starts_at >= ? AND s.starts_at < ? {holding}
ORDER BY s.starts_at, s.id
"""


@dataclass
class Result:
    action: str
    ours: float  # median ms
    raw: float | None
    goal: str
    note: str = ""

    def line(self) -> str:
        raw = f"{self.raw:9.1f}" if self.raw is not None else "        —"
        ratio = f"{self.ours / self.raw:5.1f}×" if self.raw else "     "
        return f"{self.action:<44} {self.ours:9.1f} {raw} {ratio}  {self.goal:<22} {self.note}"


def paired_ms(
    ours: Callable[[], object], raw: Callable[[], object], runs: int
) -> tuple[float, float]:
    """Medians of ours and raw, run turn about, so that the machine's load falls on both."""
    ours()
    raw()
    mine: list[float] = []
    bare: list[float] = []
    for _ in range(runs):
        for step, samples in ((ours, mine), (raw, bare)):
            started = CLOCK[0]()
            step()
            samples.append((CLOCK[0]() - started) * 1000)
    return statistics.median(mine), statistics.median(bare)


def median_ms(step: Callable[[], object], runs: int) -> float:
    """The median of ``runs`` runs after a warm-up (the page cache, compiled statements).

    A single run (``runs=1``) gets no warm-up: the slow actions (a minute, before their fix)
    are timed once.
    """
    if runs > 1:
        step()
    samples = []
    for _ in range(runs):
        started = CLOCK[0]()
        step()
        samples.append((CLOCK[0]() - started) * 1000)
    return statistics.median(samples)


class Raw:
    """Statements on the driver's own connection, in its parameter style, values as stored."""

    def __init__(self, database: Database) -> None:
        self.connection = database.engine.raw_connection()
        self.sqlite = database.url.get_backend_name() == "sqlite"

    def rows(self, statement: str, parameters: tuple[Any, ...] | list[Any]) -> list[Any]:
        cursor = self.connection.cursor()
        if not self.sqlite:
            statement = statement.replace("?", "%s")
        cursor.execute(statement, parameters)
        found = list(cursor.fetchall())
        cursor.close()
        return found

    def instant(self, value: dt.datetime) -> Any:
        naive = value.astimezone(dt.UTC).replace(tzinfo=None)
        return naive.isoformat(" ", "microseconds") if self.sqlite else naive

    def sessions(self, start: dt.datetime, end: dt.datetime, *, holding: bool) -> list[Any]:
        statuses = ", ".join(f"'{s}'" for s in HOLDING)
        sql = RAW_SESSIONS.format(holding=f"AND s.status IN ({statuses})" if holding else "")
        return self.rows(sql, (self.instant(start), self.instant(end)))

    def close(self) -> None:
        self.connection.close()


def replay(raw: Raw, sent: list[tuple[str, Any]]) -> None:
    cursor = raw.connection.cursor()
    for statement, parameters in sent:
        cursor.execute(statement, parameters)
        cursor.fetchall()
    cursor.close()


def bench_views(desk: Desk, raw: Raw, today: dt.date, runs: int) -> list[Result]:
    """Calendar week, calendar day and the Today list."""
    zone = desk.zone
    monday = today - dt.timedelta(days=today.weekday())
    week = [monday + dt.timedelta(days=n) for n in range(7)]
    week_span = schedule.day_bounds(zone, week[0], week[-1])
    day_span = schedule.day_bounds(zone, today, today)

    def today_raw() -> None:
        ids = [row[0] for row in raw.sessions(*day_span, holding=False)]
        marks = ", ".join("?" for _ in ids) or "NULL"
        raw.rows(
            f"SELECT DISTINCT session_id, kind FROM letters WHERE session_id IN ({marks})", ids
        )

    shown = len(load_days(desk, [today])[1][0].sessions)
    return [
        Result(
            "calendar week load (7 days, all chairs)",
            *paired_ms(
                lambda: load_days(desk, week),
                lambda: raw.sessions(*week_span, holding=True),
                runs,
            ),
            "≤ 30 ms and ≤ 2× raw",
            f"{sum(len(d.sessions) for d in load_days(desk, week)[1])} sessions",
        ),
        Result(
            "calendar day load",
            *paired_ms(
                lambda: load_days(desk, [today]),
                lambda: raw.sessions(*day_span, holding=True),
                runs,
            ),
            "≤ 10 ms",
            f"{shown} sessions",
        ),
        Result(
            "Today list",
            *paired_ms(lambda: day_sessions(desk, today), today_raw, runs),
            "≤ 10 ms",
            f"{len(day_sessions(desk, today))} sessions",
        ),
    ]


def bench_search(database: Database, desk: Desk, raw: Raw, runs: int) -> list[Result]:
    """Each keystroke's first page and count, as the Patients screen asks them."""

    def keystroke(text: str) -> Callable[[], object]:
        return lambda: desk.read(
            lambda db: patient_service.find_patients(db, text, limit=PatientSearchModel.PAGE)
        )

    ours, bare, typed = [], [], []
    for word in TYPED:
        for end in range(1, len(word) + 1):
            typed.append(word[:end])
            step = keystroke(word[:end])
            with statements_sent(database) as sent:
                step()
            mine, plain = paired_ms(step, lambda s=sent: replay(raw, s), max(runs // 5, 2))  # type: ignore[misc]
            ours.append(mine)
            bare.append(plain)
    return [
        Result(
            "patient search per keystroke, median",
            statistics.median(ours),
            statistics.median(bare),
            "",
            f"{len(ours)} keystrokes",
        ),
        Result(
            "patient search per keystroke, worst",
            max(ours),
            max(bare),
            "≤ 20 ms worst",
            f"{typed[ours.index(max(ours))]!r}",
        ),
    ]


def bench_planning(desk: Desk, today: dt.date, runs: int) -> list[Result]:
    """Proposing an 8-session IV induction, and the booster-due list."""
    now = desk.now()

    def propose() -> object:
        def run(db: Any) -> object:
            protocol = db.scalar(
                select(Protocol.id).where(Protocol.name == "IV ketamine induction")
            )
            patient = db.scalar(select(func.max(Patient.id)))
            return booking.propose_series(
                db,
                patient_id=patient,
                protocol_id=protocol,
                count=8,
                first_day=today + dt.timedelta(days=1),
                preferred_time=dt.time(10),
                now=now,
            )

        return desk.read(run)

    due: list[object] = []

    def first_page() -> None:
        due[:] = desk.read(lambda db: boosters.boosters_due(db, today=today))

    return [
        Result("propose an 8-session induction", median_ms(propose, runs), None, "≤ 50 ms"),
        Result(
            "booster-due list, first page",
            median_ms(first_page, runs),
            None,
            "≤ 200 ms",
            f"{len(due)} shown",
        ),
    ]


def bench_letters(database: Database, desk: Desk, today: dt.date) -> Result:
    """Tomorrow's prep letters, written to a scratch folder and rolled back; per 100 letters."""
    tomorrow = today + dt.timedelta(days=1)

    def run() -> int:
        with tempfile.TemporaryDirectory() as folder, database.reading() as db:
            templates, renderer = letter_kit(db)
            batch = letters.prep_letters(
                db, first_day=tomorrow, last_day=tomorrow, out_dir=Path(folder),
                templates=templates, renderer=renderer, actor=ACTOR, now=desk.now(),
            )  # fmt: skip
            db.rollback()
            return len(batch.files)

    with database.reading() as db:
        start, end = schedule.day_bounds(desk.zone, tomorrow, tomorrow)
        count = db.scalar(
            select(func.count(TreatmentSession.id)).where(schedule.overlapping(start, end))
        )
    took = median_ms(run, 1)
    per_100 = took * 100 / max(count or 1, 1)
    return Result("100 prep letters", per_100, None, "keep", f"{count} letters, {took:.0f} ms")


def bench_cold_start(db_given: str, runs: int) -> Result:
    """Launch to the main window, signed in as the nurse (``startup_bench``)."""
    account = next(a for a in DEMO_ACCOUNTS if a.role is StaffRole.NURSE)
    with tempfile.TemporaryDirectory() as folder:
        secret = Path(folder) / "password"
        secret.write_text(account.password, encoding="utf-8")
        secret.chmod(0o600)
        runs_seen = [launch_once(db_given, secret) for _ in range(runs)]
    walls = [seen[0] for seen in runs_seen]
    cpus = [seen[2] for seen in runs_seen]
    return Result(
        "cold start to the window",
        statistics.median(walls),
        None,
        "≤ 1.5 s",
        f"wall clock; CPU time to the window {statistics.median(cpus):.0f} ms",
    )


ACTIONS = ("views", "search", "planning", "letters", "start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a big clinic (big_clinic.py): file or URL")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--wall", action="store_true", help="time by the wall clock on SQLite too")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time by this process's CPU time on a server too: the desk's own share, without "
        "the server's work or the waits a loaded machine adds to each round trip",
    )
    parser.add_argument(
        "--slow-runs", type=int, default=3, help="runs of propose and booster-due (1: no warm-up)"
    )
    parser.add_argument("--only", default=",".join(ACTIONS), help=f"some of {ACTIONS}")
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        help="the clinic's today, 9 AM (default: now); the day big_clinic.py built it for "
        "keeps figures comparable from one day to the next",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    database = open_database(args.db, create=False)
    sqlite = database.url.get_backend_name() == "sqlite"
    by_cpu = args.cpu or (sqlite and not args.wall)
    CLOCK[0] = time.process_time if by_cpu else time.perf_counter
    desk = Desk(database)
    if args.today is not None:
        morning = dt.datetime.combine(args.today, dt.time(9), desk.zone).astimezone(dt.UTC)
        desk = Desk(database, clock=lambda: morning)
    today = desk.today()
    raw = Raw(database)
    results: list[Result] = []
    try:
        with database.reading() as db:
            total = db.scalar(select(func.count(TreatmentSession.id)))
        clock = "CPU time" if CLOCK[0] is time.process_time else "wall clock"
        print(f"{database.url.get_backend_name()}, {total:,} sessions, today {today}, {clock}")
        if "views" in only:
            results += bench_views(desk, raw, today, args.runs)
        if "search" in only:
            results += bench_search(database, desk, raw, args.runs)
        if "planning" in only:
            results += bench_planning(desk, today, args.slow_runs)
        if "letters" in only:
            results.append(bench_letters(database, desk, today))
    finally:
        raw.close()
        database.close()
    if "start" in only:
        results.append(bench_cold_start(args.db, max(args.runs // 3, 3)))
    print(f"{'action':<44} {'ours ms':>9} {'raw ms':>9} {'ratio':>6}  goal")
    for result in results:
        print(result.line())


if __name__ == "__main__":
    main()
