"""Reading another system's patient CSV: encodings, columns, birth dates (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.domain.patient_csv import (
    DateOrder,
    UnreadableFile,
    date_order,
    decode,
    guess_mapping,
    mapping_problem,
    read_birth_date,
    read_table,
)

TODAY = dt.date(2026, 11, 16)


def test_utf8_with_and_without_bom_and_windows_1252() -> None:
    text = "First Name,Last Name\nZoë,Łukasiewicz\n"
    assert decode(text.encode("utf-8")) == (text, "UTF-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "UTF-8")
    latin = "First Name,Last Name\nJosé,Müller\n"
    assert decode(latin.encode("cp1252")) == (latin, "Windows-1252")
    assert decode(text.encode("utf-16")) == (text, "UTF-16")


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"", "The file is empty"),
        (b"  \r\n", "The file is empty"),
        (b"PK\x03\x04\x00\x00binary", "damaged or is not a CSV text file"),
        (b"First,Last\n\x81\x8d\x8f", "damaged or is not a CSV text file"),
        (b"First,Last\n", "a header but no patients"),
        (b"First,Last\n\nAna,Lee,extra\n", "Row 3 has more columns than the header"),
    ],
)
def test_unreadable_files_get_one_sentence(data: bytes, sentence: str) -> None:
    with pytest.raises(UnreadableFile, match=sentence):
        read_table(data)


def test_a_quote_left_open_is_damage() -> None:
    with pytest.raises(UnreadableFile, match="damaged"):
        read_table(b'First,Last\n"Ana,Lee\n')


def test_rows_are_padded_and_blank_lines_dropped() -> None:
    table = read_table("MRN;First;Last\n7;Ana;Lee\n\n8;Бо\n".encode())
    assert table.headers == ("MRN", "First", "Last")
    assert table.rows == (("7", "Ana", "Lee"), ("8", "Бо", ""))
    assert table.numbers == (2, 4)  # as a spreadsheet numbers them, the blank row included


def test_a_single_column_file_reads_with_commas() -> None:
    assert read_table(b"Name\nAna\n").rows == (("Ana",),)


def test_guessing_from_common_headers() -> None:
    headers = ["MRN", "First Name", "Surname", "Date of Birth", "Cell", "Phone", "E-mail",
               "Date of Birth", "Favourite colour"]  # fmt: skip
    assert guess_mapping(headers) == {
        0: "chart_number", 1: "first_name", 2: "last_name", 3: "date_of_birth",
        4: "mobile_phone", 5: "home_phone", 6: "email",
    }  # fmt: skip
    assert guess_mapping(["DOB", "Mobile", "fname", "lname"]) == {
        0: "date_of_birth",
        1: "mobile_phone",
        2: "first_name",
        3: "last_name",
    }


def test_mapping_problems() -> None:
    whole = {0: "first_name", 1: "last_name", 2: "date_of_birth"}
    assert mapping_problem(whole) is None
    assert mapping_problem({**whole, 3: "shoe_size"}) == "“shoe_size” is not a patient field."
    assert "Email is chosen for more than one column" in str(
        mapping_problem({**whole, 3: "email", 4: "email"})
    )
    assert mapping_problem({2: "date_of_birth"}) == (
        "No column is chosen for First name or Last name; a patient needs a first name, "
        "a last name and a date of birth."
    )


def test_the_date_order_comes_from_dates_that_read_one_way() -> None:
    assert date_order(["02/13/1984", "03/04/1980", ""]) == DateOrder()
    assert DateOrder().note == ""
    day_first = date_order(["25/03/1980", "03/04/1980", "13/02/1984"])
    assert day_first == DateOrder(day_first=True, example="25/03/1980")
    assert day_first.note == "Dates are read day first, as 25/03/1980 shows."
    mixed = date_order(["25/03/1980", "02/13/1984", "1984-02-13"])
    assert mixed.mixed
    assert mixed.note == "Dates are written both month first and day first."


@pytest.mark.parametrize(
    ("text", "order", "born"),
    [
        ("1984-02-13", DateOrder(), dt.date(1984, 2, 13)),
        ("1984/2/3", DateOrder(), dt.date(1984, 2, 3)),
        ("1984-02-13T00:00:00", DateOrder(), dt.date(1984, 2, 13)),
        ("02/13/1984", DateOrder(), dt.date(1984, 2, 13)),
        ("2/3/1984 12:00 AM", DateOrder(), dt.date(1984, 2, 3)),
        ("03/04/1980", DateOrder(day_first=True), dt.date(1980, 4, 3)),
        ("04/04/1980", DateOrder(mixed=True), dt.date(1980, 4, 4)),
        ("2/3/84", DateOrder(), dt.date(1984, 2, 3)),
        ("12/31/26", DateOrder(), dt.date(1926, 12, 31)),
        ("1/1/06", DateOrder(), dt.date(2006, 1, 1)),
    ],
)
def test_birth_dates_read(text: str, order: DateOrder, born: dt.date) -> None:
    assert read_birth_date(text, order, TODAY) == (born, None)


@pytest.mark.parametrize(
    ("text", "order", "problem"),
    [
        ("1984-13-02", DateOrder(), "date of birth 1984-13-02 is not a date"),
        ("13/02/1984", DateOrder(), "date of birth 13/02/1984 is not a date"),
        ("Feb 13th", DateOrder(), "date of birth Feb 13th is not a date"),
        ("2/30/84", DateOrder(), "date of birth 2/30/84 is not a date"),
        (
            "03/04/1980",
            DateOrder(mixed=True),
            "date of birth 03/04/1980 could be month first or day first, and the file "
            "writes dates both ways; write it as year-month-day",
        ),
        (
            "1/1/15",
            DateOrder(),
            "date of birth 1/1/15 could be 1915 or 2015; write the year in full",
        ),
    ],
)
def test_birth_dates_refused(text: str, order: DateOrder, problem: str) -> None:
    assert read_birth_date(text, order, TODAY) == (None, problem)


def test_an_empty_birth_date_is_left_to_the_patient_rules() -> None:
    assert read_birth_date("  ", DateOrder(), TODAY) == (None, None)


def test_neither_century_possible_is_left_to_the_patient_rules() -> None:
    # 1900 is over 120 years back and 2000 would be in the future of this "today".
    assert read_birth_date("6/1/00", DateOrder(), dt.date(2000, 3, 1)) == (
        dt.date(1900, 6, 1),
        None,
    )
