"""A patient's editable details and the rules they must follow before they are saved."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields, replace

from dateutil.relativedelta import relativedelta

from scheduler.domain.text import digits
from scheduler.domain.when import date_of_birth

MAX_AGE_YEARS = 120
NAME_MAX = 100
# The longest each text field may be. Every field has one: an unbounded field (a pasted
# megabyte of address) would slow every letter, search and screen that shows it.
FIELD_MAX = {
    "first_name": NAME_MAX,
    "last_name": NAME_MAX,
    "preferred_name": NAME_MAX,
    "driver_name": NAME_MAX,
    "mobile_phone": 30,
    "home_phone": 30,
    "driver_phone": 30,
    "email": 200,
    "street": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "referring_provider": 200,
    "indications": 2000,
    "notes": 4000,
}
# Control characters (NUL among them) have no place in a name or an address; line breaks and
# tabs only in the long texts.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\t\n\r]")
MULTI_LINE = ("indications", "notes")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE_CHARS = re.compile(r"^[0-9+\-(). ]+$")
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 7, 15


@dataclass
class PatientDetails:
    """Everything the front desk types about a patient (screening is recorded separately)."""

    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    preferred_name: str = ""
    mobile_phone: str = ""
    home_phone: str = ""
    email: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    driver_name: str = ""
    driver_phone: str = ""
    referring_provider: str = ""
    indications: str = ""
    notes: str = ""
    # The patient agreed to receive letters by email (the service records the day).
    email_consent: bool = False

    def cleaned(self) -> PatientDetails:
        """The same details with surrounding spaces removed from every text field."""
        return replace(
            self,
            **{f.name: getattr(self, f.name).strip() for f in fields(self) if f.type == "str"},
        )


FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "mobile_phone": "Mobile phone",
    "home_phone": "Home phone",
    "driver_phone": "Driver's phone",
    "driver_name": "Driver's name",
    "email": "Email",
    "street": "Street",
    "city": "City",
    "region": "State / region",
    "postal_code": "Postal code",
    "referring_provider": "Referred by",
    "indications": "Indications",
    "notes": "Notes",
}


def validate(details: PatientDetails, today: dt.date) -> list[tuple[str, str]]:
    """Every problem with the details, as (field, message) pairs; empty when they may be saved."""
    problems: list[tuple[str, str]] = []
    for name in ("first_name", "last_name"):
        if not getattr(details, name):
            problems.append((name, f"{FIELD_LABELS[name]} is required."))
    problems.extend(text_problems(details))
    problems.extend(_date_of_birth_problems(details.date_of_birth, today))
    for name in ("mobile_phone", "home_phone", "driver_phone"):
        message = phone_problem(getattr(details, name))
        if message:
            problems.append((name, f"{FIELD_LABELS[name]}: {message}"))
    if details.email and not is_email_address(details.email):
        problems.append(("email", f"Email “{details.email}” is not an email address."))
    if details.email_consent and not details.email:
        problems.append(("email", "Consent to email needs an email address."))
    return problems


def is_email_address(text: str) -> bool:
    """Whether ``text`` is shaped like an email address (name@host.domain)."""
    return _EMAIL.match(text) is not None


def text_problems(details: PatientDetails) -> list[tuple[str, str]]:
    """Fields longer than their limit, or holding characters that cannot be typed."""
    problems = []
    for name, limit in FIELD_MAX.items():
        value = getattr(details, name)
        if len(value) > limit:
            problems.append((name, f"{FIELD_LABELS[name]} is longer than {limit} characters."))
        elif _CONTROL.search(value) or (name not in MULTI_LINE and _LINE_BREAK.search(value)):
            problems.append((name, f"{FIELD_LABELS[name]} holds a control character; retype it."))
    return problems


def _date_of_birth_problems(born: dt.date | None, today: dt.date) -> list[tuple[str, str]]:
    if born is None:
        return [("date_of_birth", "Date of birth is required.")]
    if born > today:
        return [("date_of_birth", f"Date of birth {date_of_birth(born)} is in the future.")]
    if born < today - relativedelta(years=MAX_AGE_YEARS):
        return [
            (
                "date_of_birth",
                f"Date of birth {date_of_birth(born)} is more than {MAX_AGE_YEARS} years ago.",
            )
        ]
    return []


def phone_problem(phone: str) -> str | None:
    """Why a phone number is not well-formed, or None if it is (an empty number is allowed)."""
    if not phone:
        return None
    if not _PHONE_CHARS.match(phone):
        return f"“{phone}” may hold only digits, spaces, + - ( ) and dots."
    count = len(digits(phone))
    if not PHONE_MIN_DIGITS <= count <= PHONE_MAX_DIGITS:
        return (
            f"“{phone}” has {count} digits; a phone number has "
            f"{PHONE_MIN_DIGITS} to {PHONE_MAX_DIGITS}."
        )
    return None


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")


def parse_date(text: str) -> dt.date | None:
    """A date typed at the desk: 2024-03-09, 03/09/2024 (US order) or 09.03.2024; else None."""
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None
