"""The late rule: a patient still not checked in 10 minutes after their start is late."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.domain.enums import SessionStatus
from scheduler.domain.lateness import late_text, minutes_late

START = dt.datetime(2026, 11, 16, 16, 0, tzinfo=dt.UTC)


def after(minutes: float) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("status", [SessionStatus.BOOKED, SessionStatus.CONFIRMED])
def test_waiting_patient_is_late_from_ten_minutes_after_the_start(status: SessionStatus) -> None:
    assert minutes_late(status, START, after(-30)) is None
    assert minutes_late(status, START, after(9.99)) is None
    assert minutes_late(status, START, after(10)) == 10
    assert minutes_late(status, START, after(47.5)) == 47


@pytest.mark.parametrize(
    "status",
    [
        SessionStatus.CHECKED_IN,
        SessionStatus.COMPLETED,
        SessionStatus.CANCELLED,
        SessionStatus.NO_SHOW,
    ],
)
def test_a_session_dealt_with_is_never_late(status: SessionStatus) -> None:
    assert minutes_late(status, START, after(60)) is None


def test_late_text_counts_minutes() -> None:
    assert late_text(1) == "Not checked in, 1 minute after the start"
    assert late_text(12) == "Not checked in, 12 minutes after the start"
