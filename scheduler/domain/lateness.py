"""When a patient counts as late: not checked in some minutes after their session's start.

The desk flags a late patient so the front desk can call them while the chair is still held.
Only a session still waiting for its patient (booked or confirmed) can be late: one checked
in, completed, cancelled or marked a no-show has been dealt with.
"""

from __future__ import annotations

import datetime as dt

from scheduler.domain.enums import SessionStatus

# A few minutes' grace for parking and the lift before the desk flags anyone.
LATE_AFTER = dt.timedelta(minutes=10)
WAITING = (SessionStatus.BOOKED, SessionStatus.CONFIRMED)


def minutes_late(status: SessionStatus, starts_at: dt.datetime, now: dt.datetime) -> int | None:
    """How many whole minutes past its start a session's patient is, once that counts as late.

    None while the patient is not late: before ``LATE_AFTER`` has passed, or once the session
    is no longer waiting for them.
    """
    if status not in WAITING or now < starts_at + LATE_AFTER:
        return None
    return int((now - starts_at).total_seconds() // 60)


def late_text(minutes: int) -> str:
    """What the desk says of a late patient: "Not checked in, 12 minutes after the start"."""
    unit = "minute" if minutes == 1 else "minutes"
    return f"Not checked in, {minutes} {unit} after the start"
