"""``python main.py export ...`` and ``import patients``: the clinic's lists as CSV, and back.

    export patients --out FILE
    export sessions --date 2026-11-18 --out FILE
    export boosters [--date TODAY] --out FILE
    import patients FILE [--map COLUMN=FIELD ...] [--include-duplicates] [--dry-run]

Both need ``--user``: the files hold patient data. An export is written owner-only. An import
is all or nothing: a row in error stores nothing and every row's problems are listed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scheduler.cli import add_db_option
from scheduler.cli.common import (
    add_day_option,
    add_user_options,
    date_argument,
    fail,
    guarded,
    opened,
    signed_in,
    utc_now,
)
from scheduler.domain.patient_csv import (
    IMPORT_FIELDS,
    CsvTable,
    Mapping,
    UnreadableFile,
    guess_mapping,
    read_table,
)
from scheduler.services import csv_export
from scheduler.services.clinic import clinic_day
from scheduler.services.patient_import import ImportRefused, import_patients, refusal_headline

# Why an export needs a signed-in user.
HOLDS_PATIENTS = "The file holds patient data"
SKIP = "skip"


def add_parser(subparsers: Any) -> None:
    _add_export(subparsers)
    _add_import(subparsers)


def _add_export(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write patients, a day's sessions or the boosters due as a CSV file",
        description="Write one of the clinic's lists as a CSV file (UTF-8, readable by you "
        "alone) for a spreadsheet or another system. Prints the path of the file written.",
    )
    lists = parser.add_subparsers(dest="list", metavar="LIST", required=True)
    patients = lists.add_parser("patients", help="every patient with their details")
    sessions = lists.add_parser(
        "sessions", help="a day's sessions: time, chair, patient, chart, therapy, n of N, status"
    )
    add_day_option(sessions)
    boosters = lists.add_parser("boosters", help="the patients due a booster, most overdue first")
    boosters.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        type=date_argument,
        help="the day to count from (default: today in the clinic)",
    )
    for command in (patients, sessions, boosters):
        command.add_argument(
            "--out", metavar="FILE", type=Path, required=True, help="the CSV file to write"
        )
        add_db_option(command)
        add_user_options(command)
        command.set_defaults(handler=guarded(run_export))


def _add_import(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import patients from another system's CSV export",
        description="Import patients from a CSV file (UTF-8 or Windows-1252). Columns are "
        "matched to patient fields by their headers; --map changes a match. Every row goes "
        "through the patient form's rules; if any row has a problem nothing is imported and "
        "each problem is listed with its row (the header is row 1).",
    )
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    patients = kinds.add_parser("patients", help="patients, one a row")
    patients.add_argument("file", metavar="FILE", type=Path, help="the CSV file to read")
    patients.add_argument(
        "--map",
        metavar="COLUMN=FIELD",
        action="append",
        default=[],
        help=f"read the column headed COLUMN as FIELD ({', '.join(IMPORT_FIELDS)}), or "
        f"{SKIP} it; repeat for more columns",
    )
    patients.add_argument(
        "--include-duplicates",
        action="store_true",
        help="also import rows that look like a patient on file (same name and date of birth): "
        "they are different people",
    )
    patients.add_argument(
        "--dry-run", action="store_true", help="check the file and say what would be imported"
    )
    add_db_option(patients)
    add_user_options(patients)
    patients.set_defaults(handler=guarded(run_import))


def run_export(args: argparse.Namespace) -> int:
    with opened(args) as database:
        who = signed_in(database, args, because=HOLDS_PATIENTS)
        with database.reading() as db:
            if args.list == "patients":
                data = csv_export.patients_csv(db, actor=who)
            elif args.list == "sessions":
                data = csv_export.sessions_csv(db, args.date, actor=who)
            else:
                today = args.date or clinic_day(db, utc_now())
                data = csv_export.boosters_csv(db, today=today, actor=who)
    print(csv_export.write_export(args.out, data))
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        table = read_table(args.file.read_bytes())
        mapping = mapped(table, args.map)
    except (UnreadableFile, ValueError) as exc:
        return fail(f"{args.file}: {exc}")
    with opened(args) as database:
        who = signed_in(database, args)
        try:
            with database.transaction() as db:
                result = import_patients(
                    db,
                    table,
                    mapping,
                    actor=who,
                    now=utc_now(),
                    include_duplicates=args.include_duplicates,
                    dry_run=args.dry_run,
                )
        except ImportRefused as refused:
            return _refused(refused)
    print(result.summary)
    for row in result.skipped:
        print(f"Row {row.row}: likely the same person as {', '.join(row.duplicate_of)}")
    return 0


def _refused(refused: ImportRefused) -> int:
    if not refused.errors:
        return fail(str(refused))
    print(f"error: {refusal_headline(len(refused.errors))}", file=sys.stderr)
    for error in refused.errors:
        print(error, file=sys.stderr)
    return 2


def mapped(table: CsvTable, changes: list[str]) -> Mapping:
    """The guessed mapping with each ``COLUMN=FIELD`` of ``--map`` applied."""
    mapping = guess_mapping(table.headers)
    folded = {header.casefold(): index for index, header in enumerate(table.headers)}
    for change in changes:
        column, _, field = change.partition("=")
        index = folded.get(column.strip().casefold())
        if index is None:
            raise ValueError(f"no column is headed “{column}” (--map {change})")
        field = field.strip()
        if field in ("", SKIP):
            mapping.pop(index, None)
        elif field in IMPORT_FIELDS:
            mapping = {i: f for i, f in mapping.items() if f != field}
            mapping[index] = field
        else:
            raise ValueError(f"“{field}” is not a patient field (--map {change})")
    return mapping
