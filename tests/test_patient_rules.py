"""What the desk accepts as a patient's details, and the keys search finds them by."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.domain.patients import PatientDetails, parse_date, phone_problem, validate
from scheduler.domain.text import NAME, NUMBER, fold, name_key, search_words

TODAY = dt.date(2026, 11, 16)


def test_well_formed_details_have_no_problem_once_cleaned() -> None:
    details = PatientDetails(
        "  Zoë ", "O'Brien ", dt.date(1980, 5, 1), mobile_phone="(617) 555-0142",
        email="zoe@example.org",
    )  # fmt: skip
    cleaned = details.cleaned()
    assert (cleaned.first_name, cleaned.last_name) == ("Zoë", "O'Brien")
    assert validate(cleaned, TODAY) == []


def test_every_problem_is_named_at_once() -> None:
    details = PatientDetails(
        "", "", None, mobile_phone="555-CALL", home_phone="12", email="not-an-address"
    )
    assert validate(details, TODAY) == [
        ("first_name", "First name is required."),
        ("last_name", "Last name is required."),
        ("date_of_birth", "Date of birth is required."),
        (
            "mobile_phone",
            "Mobile phone: “555-CALL” may hold only digits, spaces, + - ( ) and dots.",
        ),
        ("home_phone", "Home phone: “12” has 2 digits; a phone number has 7 to 15."),
        ("email", "Email “not-an-address” is not an email address."),
    ]


@pytest.mark.parametrize(
    ("born", "problem"),
    [
        (dt.date(2026, 11, 17), "Date of birth 11/17/2026 is in the future."),
        (dt.date(1900, 1, 1), "Date of birth 01/01/1900 is more than 120 years ago."),
    ],
)
def test_a_birthday_must_be_a_real_one(born: dt.date, problem: str) -> None:
    assert validate(PatientDetails("Ada", "Berg", born), TODAY) == [("date_of_birth", problem)]


def test_consent_to_email_needs_an_address() -> None:
    born = dt.date(1980, 5, 17)
    assert validate(PatientDetails("Ada", "Berg", born, email_consent=True), TODAY) == [
        ("email", "Consent to email needs an email address.")
    ]
    with_address = PatientDetails("Ada", "Berg", born, email="ada@example.org", email_consent=True)
    assert validate(with_address, TODAY) == []


def test_a_field_longer_than_its_column_is_refused() -> None:
    found = validate(PatientDetails("A" * 500, "Berg", dt.date(1960, 2, 2)), TODAY)
    assert found == [("first_name", "First name is longer than 100 characters.")]


def test_phone_numbers_may_be_empty_or_written_as_people_write_them() -> None:
    assert phone_problem("") is None
    assert phone_problem("+1 (617) 555.0142") is None


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2024-03-09", dt.date(2024, 3, 9)),
        (" 03/09/2024 ", dt.date(2024, 3, 9)),  # US order
        ("09.03.2024", dt.date(2024, 3, 9)),
        ("next Tuesday", None),
    ],
)
def test_dates_typed_at_the_desk(typed: str, day: dt.date | None) -> None:
    assert parse_date(typed) == day


def test_names_fold_however_they_are_typed() -> None:
    assert fold("Zoë O'Brien-Łukasz") == "zoe obrien-lukasz"
    assert name_key("Núñez-Ruiz", "nunez") == " nunez ruiz"


def test_a_patient_is_found_by_name_starts_chart_number_and_phone_tails() -> None:
    words = search_words(
        last_name="Berg", first_name="Ada", preferred_name="", chart_number="100001",
        phones=["(617) 555-0142"],
    )  # fmt: skip
    assert {(NAME, "berg"), (NAME, "b"), (NAME, "ad"), (NUMBER, "100001")} <= words
    assert (NUMBER, "0142") in words  # the last four digits of the phone
    assert (NUMBER, "6175550142") in words
    assert (NUMBER, "42") not in words  # too short to be read as a number
