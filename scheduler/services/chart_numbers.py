"""Chart numbers of new patients: the one given, checked, or the next free one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.errors import FieldProblem, ValidationFailed
from scheduler.store.models import Patient

FIRST_CHART_NUMBER = 100001
# Values looked up in one IN (...) at a time: well within every database's limit on parameters.
LOOKUP_CHUNK = 500
# Free numbers looked for at least this many at a time: a number taken by an earlier import
# costs no query of its own.
_LOOKAHEAD = 64


def charts_taken(db: Session, chart_numbers: Sequence[str]) -> set[str]:
    """Which of these chart numbers a patient (archived or not) has already."""
    wanted = sorted(set(chart_numbers))
    taken: set[str] = set()
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        taken.update(
            db.scalars(select(Patient.chart_number).where(Patient.chart_number.in_(chunk)))
        )
    return taken


def given_charts(db: Session, given: Sequence[str | None]) -> list[str | None]:
    """The chart numbers asked for (None: take the next free one), refused if any is taken.

    A number is taken when a patient on file has it, or when it is asked for twice.
    """
    charts = [None if chart is None else chart.strip() for chart in given]
    if "" in charts:
        raise _refused("Chart number is empty.")
    asked = Counter(chart for chart in charts if chart is not None)
    taken = charts_taken(db, list(asked))
    for chart, times in asked.items():
        if chart in taken or times > 1:
            raise _refused(f"Chart number {chart} is already taken.")
    return charts


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem("chart_number", message)])


class ChartNumbers:
    """The next free chart numbers for patients registered one after another.

    The n-th new patient (counting those on file) takes ``FIRST_CHART_NUMBER + n - 1``, or the
    first number after it no patient has and no chart asked for in the same registration
    holds. What is on file is read once for as many numbers as are likely needed, not once
    for each patient: ``expected`` is how many patients the registration holds, and
    ``reserved`` the chart numbers they bring.
    """

    def __init__(self, db: Session, *, reserved: Sequence[str] = (), expected: int = 1) -> None:
        self._db = db
        self._reserved = set(reserved)
        self._on_file = db.scalar(select(func.count(Patient.id))) or 0
        self._last = 0
        self._looked_up_to = FIRST_CHART_NUMBER + self._on_file
        self._taken: set[str] = set()
        self._lookahead = max(expected, _LOOKAHEAD)

    def registered(self) -> None:
        """Count a new patient who brought a chart number of their own."""
        self._on_file += 1

    def next(self) -> str:
        """The chart number of the next new patient without one."""
        candidate = max(self._last + 1, FIRST_CHART_NUMBER + self._on_file)
        while self._is_taken(candidate):
            candidate += 1
        self._last = candidate
        self._on_file += 1
        return str(candidate)

    def _is_taken(self, number: int) -> bool:
        while number >= self._looked_up_to:
            start, self._looked_up_to = self._looked_up_to, self._looked_up_to + self._lookahead
            window = [str(n) for n in range(start, self._looked_up_to)]
            self._taken |= charts_taken(self._db, window)
        return str(number) in self._taken or str(number) in self._reserved
