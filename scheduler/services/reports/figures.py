"""The clinic's numbers over a date range, computed in the database a period at a time.

Every figure is one grouped query (or two) that joins the rows to the report's periods by
their time index and counts or sums per period, so a clinic with years of sessions behind
it answers as quickly for a month as a new one: nothing is loaded row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import CTE, ColumnElement, SQLColumnExpression, case, func, select
from sqlalchemy.orm import Session, aliased

from scheduler.domain.access import Actor, Permission
from scheduler.domain.availability import ClinicCalendar
from scheduler.domain.enums import HOLDING, Phase, SeriesStatus, SessionStatus
from scheduler.services.access import require
from scheduler.services.boosters import booster_due_days
from scheduler.services.reports.charts import (
    Chart,
    ChartKind,
    ChartSeries,
    ChartSpec,
    counted,
)
from scheduler.services.reports.periods import Period, PeriodUnit, cut, period_table
from scheduler.services.schedule import clinic_calendar
from scheduler.store.models import Chair, Letter, LetterEmail, Protocol, Series, TreatmentSession

UTILISATION, NO_SHOWS, INDUCTIONS, BOOSTERS, LETTERS = (
    "utilisation", "no_shows", "inductions", "boosters", "letters",
)  # fmt: skip
CHAIR_USE = ChartSpec(
    UTILISATION,
    "Chair utilisation per week",
    "% of open time booked",
    "Booked minutes, turnover included, over the minutes the clinic is open; cancelled and "
    "missed sessions leave the chair free.",
)
MISSED_SESSIONS = ChartSpec(
    NO_SHOWS,
    "No-shows and late cancellations per month",
    "Sessions",
    "Late: cancelled closer to the session than the clinic's late-cancellation hours (Settings).",
)
INDUCTION_COURSES = ChartSpec(
    INDUCTIONS,
    "Induction courses started and completed per month",
    "Courses",
    "Started: its first session completed. Completed: the course finished.",
)
BOOSTERS_DUE = ChartSpec(
    BOOSTERS,
    "Boosters due and overdue, by the week they fall due",
    "Patients",
    "Patients past or coming up to their maintenance interval with nothing booked.",
)
LETTERS_PER_DAY = ChartSpec(
    LETTERS, "Letters printed and emailed per day", "Letters", kind=ChartKind.LINES
)
UTILISATION_HEADING = ("Week starting", "Chair", "Booked minutes", "Open minutes", "Utilisation %")


@dataclass(frozen=True)
class CountedSeries:
    """A series that counts rows per period: those whose instant ``at`` falls in the period
    and that meet ``where``. Adding a series to a chart is adding one of these."""

    name: str
    at: SQLColumnExpression[dt.datetime]
    where: tuple[ColumnElement[bool], ...] = ()


_SESSION = TreatmentSession
MISSED = (
    CountedSeries("No-shows", _SESSION.starts_at, (_SESSION.status == SessionStatus.NO_SHOW,)),
    # Late is what the desk recorded when the session was cancelled: closer to its start
    # than the clinic's late-cancellation hours (Settings; 24 hours unless changed).
    CountedSeries(
        "Late cancellations",
        _SESSION.starts_at,
        (_SESSION.status == SessionStatus.CANCELLED, _SESSION.late_cancellation.is_(True)),
    ),
)
# Letters per day: each print (reprints included, as the desk records them) and each letter
# that reached the mail server; an attempt that failed sent nothing, so it is not counted.
LETTER_SERIES = (
    CountedSeries("Printed", Letter.generated_at),
    CountedSeries("Emailed", LetterEmail.at, (LetterEmail.sent.is_(True),)),
)


@dataclass(frozen=True)
class ClinicReport:
    """Every chart of the Reports screen for one date range."""

    first: dt.date
    last: dt.date
    charts: tuple[Chart, ...]

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)


def clinic_report(
    db: Session, first: dt.date, last: dt.date, *, actor: Actor, today: dt.date
) -> ClinicReport:
    """The clinic's numbers from ``first`` to ``last``: utilisation, missed sessions,
    inductions, boosters and letters. ``today`` splits boosters into due and overdue."""
    require(actor, Permission.READ_REPORTS)
    calendar = clinic_calendar(db)
    months = cut(calendar.zone, first, last, PeriodUnit.MONTH)
    days = cut(calendar.zone, first, last, PeriodUnit.DAY)
    charts = (
        _utilisation(db, calendar, first, last),
        _counts(db, MISSED_SESSIONS, PeriodUnit.MONTH, months, MISSED),
        _inductions(db, months),
        _boosters(db, calendar, first, last, today),
        _counts(db, LETTERS_PER_DAY, PeriodUnit.DAY, days, LETTER_SERIES),
    )
    return ClinicReport(first, last, charts)


def chair_utilisation(db: Session, first: dt.date, last: dt.date, *, actor: Actor) -> Chart:
    """Chair utilisation per chair and week from ``first`` to ``last`` (``main.py report``)."""
    require(actor, Permission.READ_REPORTS)
    return _utilisation(db, clinic_calendar(db), first, last)


def _utilisation(db: Session, calendar: ClinicCalendar, first: dt.date, last: dt.date) -> Chart:
    """Booked minutes (treatment, observation and turnover) over open minutes, per chair/week.

    Sessions cancelled or missed do not hold their chair, so they do not count as booked;
    a chair is open whenever the clinic is (its hours, less closures).
    """
    weeks = cut(calendar.zone, first, last, PeriodUnit.WEEK)
    periods = period_table(weeks)
    held = _SESSION.treatment_minutes + _SESSION.observation_minutes + _SESSION.buffer_minutes
    booked = {
        (row.number, row.chair_id): int(row.minutes)
        for row in db.execute(
            select(periods.c.number, _SESSION.chair_id, func.sum(held).label("minutes"))
            .where(*_within(_SESSION.starts_at, periods))
            .where(_SESSION.status.in_(HOLDING), _SESSION.chair_id.is_not(None))
            .group_by(periods.c.number, _SESSION.chair_id)
        )
    }
    # Every chair in use, and any other that held a session in the range.
    shown = {chair_id for _, chair_id in booked}
    chairs = [
        (chair.id, chair.name)
        for chair in db.execute(
            select(Chair.id, Chair.name, Chair.active).order_by(
                Chair.sort_order, Chair.name, Chair.id
            )
        )
        if chair.active or chair.id in shown
    ]
    open_minutes = [_open_minutes(calendar, week) for week in weeks]

    def share(n: int, chair_id: int) -> float:
        return (
            round(100 * booked.get((n, chair_id), 0) / open_minutes[n], 1)
            if open_minutes[n]
            else 0.0
        )

    series = [
        ChartSeries(name, tuple(share(n, chair_id) for n in range(len(weeks))))
        for chair_id, name in chairs
    ]
    table = [UTILISATION_HEADING] + [
        (week.first.isoformat(), name, str(booked.get((n, chair_id), 0)), str(open_minutes[n]),
         f"{share(n, chair_id):.1f}")
        for n, week in enumerate(weeks)
        for chair_id, name in chairs
    ]  # fmt: skip
    return CHAIR_USE.over(PeriodUnit.WEEK, weeks, tuple(series), tuple(table))


def _open_minutes(calendar: ClinicCalendar, period: Period) -> int:
    """How long the clinic is open over a period's days, in minutes."""
    total = 0
    for day in period.days():
        hours = calendar.hours_on(day)
        if hours is not None:
            opens, closes = hours
            total += (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
    return total


def _within(at: SQLColumnExpression[dt.datetime], periods: CTE) -> tuple[ColumnElement[bool], ...]:
    """The conditions joining an instant to the period it falls in (a range its index serves)."""
    return (at >= periods.c.starts, at < periods.c.ends)


def _count(db: Session, periods: Sequence[Period], series: CountedSeries) -> dict[int, int]:
    """How many rows of ``series`` fall in each period, by period number (none: left out)."""
    table = period_table(periods)
    query = (
        select(table.c.number, func.count())
        .where(*_within(series.at, table), *series.where)
        .group_by(table.c.number)
    )
    return dict(db.execute(query).all())


def _counts(
    db: Session,
    spec: ChartSpec,
    unit: PeriodUnit,
    periods: Sequence[Period],
    series: Sequence[CountedSeries],
) -> Chart:
    """A chart of counted series over the periods."""
    counts = {
        (number, s.name): count for s in series for number, count in _count(db, periods, s).items()
    }
    return spec.over(unit, periods, counted(periods, counts, [s.name for s in series]))


def _inductions(db: Session, months: Sequence[Period]) -> Chart:
    """Induction courses started (first session completed) and completed, per month."""
    first, last = months[0].starts, months[-1].ends
    completed = _SESSION.status == SessionStatus.COMPLETED
    # Only courses with a session completed in the range can start or finish in it: found
    # by the sessions' time index, then each one's sessions by the course index.
    in_range = (
        select(_SESSION.series_id)
        .join(Series, Series.id == _SESSION.series_id)
        .join(Protocol, Protocol.id == Series.protocol_id)
        .where(completed, _SESSION.starts_at >= first, _SESSION.starts_at < last)
        .where(Protocol.phase == Phase.INDUCTION)
        .distinct()
        .subquery("in_range")
    )
    held = aliased(TreatmentSession)
    # The status is tested in the sums, not in the join: a join on the course alone is
    # served by the course index, where SQLite would rather walk every completed session.
    done = case((held.status == SessionStatus.COMPLETED, held.starts_at))
    courses = (
        select(
            Series.status,
            func.min(done).label("started_at"),
            func.max(done).label("finished_at"),
        )
        .select_from(in_range)
        .join(Series, Series.id == in_range.c.series_id)
        .join(held, held.series_id == in_range.c.series_id)
        .group_by(in_range.c.series_id, Series.status)
        .subquery("courses")
    )
    series = (
        CountedSeries("Started", courses.c.started_at),
        CountedSeries(
            "Completed", courses.c.finished_at, (courses.c.status == SeriesStatus.COMPLETED,)
        ),
    )
    return _counts(db, INDUCTION_COURSES, PeriodUnit.MONTH, months, series)


def _boosters(
    db: Session, calendar: ClinicCalendar, first: dt.date, last: dt.date, today: dt.date
) -> Chart:
    """Patients whose booster fell or falls due each week, with nothing booked yet."""
    weeks = cut(calendar.zone, first, last, PeriodUnit.WEEK)
    counts: dict[tuple[int, str], int] = {}
    for due in booster_due_days(db, today=today, first=first, last=last):
        number = next(n for n, w in enumerate(weeks) if w.first <= due <= w.last)
        key = (number, "Overdue" if due < today else "Due")
        counts[key] = counts.get(key, 0) + 1
    return BOOSTERS_DUE.over(PeriodUnit.WEEK, weeks, counted(weeks, counts, ["Overdue", "Due"]))
