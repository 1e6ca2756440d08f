"""Reading another system's patient list (a CSV export): its text, columns and birth dates.

Pure: the bytes of a file in, rows of plain text and the desk's guesses out. The services
turn the rows into patients through the same rules as the patient form.

Rows are numbered as a spreadsheet numbers them (the header is row 1), so "Row 14" is the
line the clinic sees when it opens the file to correct it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields

from scheduler.domain.patients import FIELD_LABELS, MAX_AGE_YEARS, PatientDetails
from scheduler.domain.text import fold

CHART_NUMBER = "chart_number"
# What a column may become, in the order the mapping step lists them.
IMPORT_FIELDS: dict[str, str] = {
    **{
        f.name: FIELD_LABELS[f.name]
        for f in fields(PatientDetails)
        if f.type == "str" or f.name == "date_of_birth"
    },
    CHART_NUMBER: "Chart number (MRN)",
}
# Header names other systems use for each field, folded to lowercase letters and digits.
_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "first", "givenname", "forename", "fname", "patientfirstname"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname", "patientlastname"),
    "preferred_name": ("preferredname", "nickname", "goesby", "preferred"),
    "date_of_birth": ("dob", "dateofbirth", "birthdate", "birthday", "born", "datebirth"),
    "mobile_phone": ("mobile", "mobilephone", "cell", "cellphone", "cellular", "mobilenumber"),
    "home_phone": ("phone", "homephone", "telephone", "tel", "home", "phonenumber"),
    "email": ("email", "emailaddress", "mail"),
    "street": ("street", "address", "address1", "streetaddress", "addressline1"),
    "city": ("city", "town"),
    "region": ("state", "region", "province", "stateregion"),
    "postal_code": ("zip", "zipcode", "postalcode", "postcode"),
    "driver_name": ("driver", "drivername", "driversname", "escort", "escortname"),
    "driver_phone": ("driverphone", "driversphone", "escortphone"),
    "referring_provider": ("referringprovider", "referredby", "referrer", "referringphysician"),
    "indications": ("indications", "indication"),
    "notes": ("notes", "note", "comments", "comment"),
    CHART_NUMBER: (
        "mrn",
        "chartnumber",
        "chartnumbermrn",
        "chart",
        "chartno",
        "medicalrecordnumber",
    ),
}
NAME_FIELDS = ("first_name", "last_name")
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnreadableFile(ValueError):
    """The file cannot be read as a patient list; ``str()`` is the one sentence to show."""


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and rows of text, each row padded to the header's width."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    encoding: str  # "UTF-8" or "Windows-1252", as the desk tells the user
    numbers: tuple[int, ...]  # each row's number in a spreadsheet (the header is row 1)


Mapping = dict[int, str]  # column index -> field name; columns left out are skipped


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and encoding: UTF-8 with or without a BOM, else Windows-1252."""
    if data.startswith(_UTF16_BOMS):
        return _checked_text(data.decode("utf-16", errors="replace")), "UTF-16"
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return _checked_text(data.decode("utf-8")), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return _checked_text(data.decode("cp1252")), "Windows-1252"
    except UnicodeDecodeError:
        raise UnreadableFile(_DAMAGED) from None


_DAMAGED = "The file is damaged or is not a CSV text file; export the patient list again as CSV."


def _checked_text(text: str) -> str:
    if "\x00" in text:
        raise UnreadableFile(_DAMAGED)
    return text


def read_table(data: bytes) -> CsvTable:
    """The header and rows of a CSV export; one sentence when it has none to import."""
    text, encoding = decode(data)
    if not text.strip():
        raise UnreadableFile("The file is empty; there are no patients in it to import.")
    header_line = text.lstrip().partition("\n")[0]
    # The separator is the one the header uses most (spreadsheets abroad write ";").
    delimiter = max(",;\t|", key=header_line.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        # (spreadsheet row, cells) of the rows that hold anything; blank rows still count.
        lines = [(n, row) for n, row in enumerate(reader, 1) if any(c.strip() for c in row)]
    except csv.Error:
        raise UnreadableFile(_DAMAGED) from None
    headers = tuple(cell.strip() for cell in lines[0][1])
    width = len(headers)
    rows: list[tuple[str, ...]] = []
    for number, row in lines[1:]:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise UnreadableFile(
                f"Row {number} has more columns than the header; the file is damaged "
                "or its columns are not separated consistently."
            )
        rows.append(tuple(cell.strip() for cell in row[:width]) + ("",) * (width - len(row)))
    if not rows:
        raise UnreadableFile("The file has a header but no patients under it.")
    return CsvTable(headers, tuple(rows), encoding, tuple(n for n, _ in lines[1:]))


def _folded_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(header).lower())


def guess_mapping(headers: Sequence[str]) -> Mapping:
    """Which field each column likely holds, by its header; each field taken once, first wins."""
    wanted = {name: field for field, names in _HEADER_NAMES.items() for name in names}
    mapping: Mapping = {}
    for index, header in enumerate(headers):
        field = wanted.get(_folded_header(header))
        if field is not None and field not in mapping.values():
            mapping[index] = field
    return mapping


def mapping_problem(mapping: Mapping) -> str | None:
    """One sentence when the mapping cannot make patients (no name column, a field twice)."""
    fields = list(mapping.values())
    for field in fields:
        if field not in IMPORT_FIELDS:
            return f"“{field}” is not a patient field."
    twice = sorted({IMPORT_FIELDS[f] for f in fields if fields.count(f) > 1})
    if twice:
        return f"{', '.join(twice)} is chosen for more than one column; choose it once."
    missing = [IMPORT_FIELDS[f] for f in (*NAME_FIELDS, "date_of_birth") if f not in fields]
    if missing:
        return (
            f"No column is chosen for {' or '.join(missing)}; a patient needs a first name, "
            "a last name and a date of birth."
        )
    return None


@dataclass(frozen=True)
class DateOrder:
    """How a column writes dates like 04/03/1980: month first (US) unless it shows otherwise."""

    day_first: bool = False
    mixed: bool = False  # both orders appear: dates that fit either are ambiguous
    example: str = ""  # a date that shows the order, for the preview's note

    @property
    def note(self) -> str:
        if self.mixed:
            return "Dates are written both month first and day first."
        if self.day_first:
            return f"Dates are read day first, as {self.example} shows."
        return ""


_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
_TIME_AFTER = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?$")


def date_order(values: Sequence[str]) -> DateOrder:
    """The order a column's dates are written in, from those that can only be read one way."""
    month_first = day_first = ""
    for value in values:
        match = _NUMERIC.match(_TIME_AFTER.sub("", value.strip()))
        if match is None:
            continue
        first, second = int(match[1]), int(match[2])
        if first > 12 >= second and not day_first:
            day_first = value.strip()
        elif second > 12 >= first and not month_first:
            month_first = value.strip()
    if day_first and month_first:
        return DateOrder(mixed=True)
    return DateOrder(day_first=bool(day_first), example=day_first)


def read_birth_date(
    text: str, order: DateOrder, today: dt.date
) -> tuple[dt.date | None, str | None]:
    """A date of birth as exports write it, or why it cannot be read (None, None when empty).

    ISO (1984-02-13), US (02/13/1984, 2/13/84) or, in a day-first column, 13/02/1984. A
    two-digit year takes the century that makes a possible age; both possible is ambiguous.
    """
    text = text.strip()
    if not text:
        return None, None
    if iso := _ISO.match(text):
        return _date(text, int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = _NUMERIC.match(_TIME_AFTER.sub("", text))
    if numeric is None:
        return None, f"date of birth {text} is not a date"
    first, second = int(numeric[1]), int(numeric[2])
    month, day = (second, first) if order.day_first else (first, second)
    if order.mixed and first <= 12 and second <= 12 and first != second:
        return None, (
            f"date of birth {text} could be month first or day first, and the file writes "
            "dates both ways; write it as year-month-day"
        )
    if len(numeric[3]) == 4:
        return _date(text, int(numeric[3]), month, day)
    return _two_digit_year(text, int(numeric[3]), month, day, today)


def _date(text: str, year: int, month: int, day: int) -> tuple[dt.date | None, str | None]:
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, f"date of birth {text} is not a date"


def _two_digit_year(
    text: str, year: int, month: int, day: int, today: dt.date
) -> tuple[dt.date | None, str | None]:
    possible = []
    for century in (1900, 2000):
        born, problem = _date(text, century + year, month, day)
        if born is None:
            return None, problem
        if today.year - MAX_AGE_YEARS < born.year and born <= today:
            possible.append(born)
    if len(possible) > 1:
        return None, (
            f"date of birth {text} could be {possible[0].year} or {possible[1].year}; "
            "write the year in full"
        )
    # Neither century gives a possible age: the patient rules say which way it is wrong.
    return (possible or [dt.date(1900 + year, month, day)])[0], None
