"""Who takes a patient home after a sedating session: when one is needed, and what is recorded.

A therapy that leaves the patient unfit to drive (its catalogue entry's "needs a driver") needs
someone to take them home from the clinic. A home visit or a video call sends no one anywhere,
so it needs no one. The person is asked for at check-in and recorded on the session; a nurse
may instead write why none is needed that day (the patient stays for a ride service).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.domain.enums import Place
from scheduler.domain.patients import FIELD_MAX, phone_problem

NAME_MAX = FIELD_MAX["driver_name"]
PHONE_MAX = FIELD_MAX["driver_phone"]
REASON_MAX = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def needs_escort(needs_driver: bool, place: Place) -> bool:
    """Whether a session of a therapy (``needs_driver``) at ``place`` sends someone home."""
    return needs_driver and place.needs_chair


@dataclass(frozen=True)
class Escort:
    """The driver or escort taking the patient home on the day: a name, and a phone to call."""

    name: str
    phone: str = ""

    def cleaned(self) -> Escort:
        return Escort(self.name.strip(), self.phone.strip())


def escort_problem(escort: Escort) -> str:
    """What is wrong with the escort as typed, in one sentence; "" when it may be recorded."""
    name, phone = escort.name, escort.phone
    if not name:
        return "Say who is taking the patient home (a name)."
    if len(name) > NAME_MAX or _CONTROL.search(name):
        return f"The driver's name must be plain text of at most {NAME_MAX} characters."
    if len(phone) > PHONE_MAX:
        return f"The driver's phone must be at most {PHONE_MAX} characters."
    found = phone_problem(phone)
    return f"The driver's phone: {found}" if found else ""


def reason_problem(reason: str) -> str:
    """What is wrong with a nurse's reason for going home without a driver; "" when none."""
    if not reason:
        return "Say why the patient goes home without a driver or escort."
    if len(reason) > REASON_MAX:
        return f"The reason must be at most {REASON_MAX} characters."
    return ""
