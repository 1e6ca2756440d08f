"""The demo clinic's treatment courses, booked through the booking services.

Until booking lands this books nothing; the demo then has patients but an empty calendar.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session as DbSession

from scheduler.store.models import Patient


def book_demo_courses(
    db: DbSession,
    *,
    patients: list[Patient],
    today: dt.date,
    actor: str,
    rng: random.Random,
) -> None:
    """Book believable series for the demo patients, from two months ago to six weeks ahead."""
