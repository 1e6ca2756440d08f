"""How long importing a CSV file of patients takes, beside plain INSERTs of the same rows.

    python benchmarks/import_bench.py [--sizes 1000 10000] [--runs 3] [--db URL]

Each run builds a file of generated patients (accented names, phones, e-mail, birth dates in
US style, every tenth row with its own chart number) and imports it the way the desk does:
``import_patients`` in one transaction, with its preview, chart numbers, search words and an
audit entry per patient. Without ``--db`` every run starts from a fresh SQLite file; with a
PostgreSQL URL (a database made for the benchmark: the runs add patients to it) the runs
follow one another in it. The baseline is one INSERT of the same patients' rows through
SQLAlchemy Core, without search words or audit entries: what the rows alone cost. Medians are
reported. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from scheduler.domain.access import Actor  # noqa: E402
from scheduler.domain.enums import StaffRole  # noqa: E402
from scheduler.domain.patient_csv import CsvTable, guess_mapping  # noqa: E402
from scheduler.domain.text import name_key  # noqa: E402
from scheduler.services.clinic import set_up_clinic  # noqa: E402
from scheduler.services.patient_import import import_patients  # noqa: E402
from scheduler.store import Database, open_database  # noqa: E402
from scheduler.store.models import Patient  # noqa: E402

NOW = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)
ACTOR = Actor(None, "bench", "Bench", frozenset(StaffRole))
HEADERS = ("MRN", "First Name", "Last Name", "Date of Birth", "Cell", "E-mail")
FIRST = ("Zoë", "Dana", "José", "Siobhán", "Wei", "Amara", "Noah", "Ingrid", "Kenji", "Léa")
LAST = ("Łukasiewicz", "Kowalski", "García", "O'Brien", "Nguyen", "Okafor", "Smith", "Müller")


def generated(count: int, run: int) -> CsvTable:
    """``count`` different patients; ``run`` keeps each run's people (and charts) apart."""
    rows = []
    for number in range(count):
        first = f"{FIRST[number % len(FIRST)]}{run}x{number}"
        last = LAST[number % len(LAST)]
        born = dt.date(1940, 1, 1) + dt.timedelta(days=(number * 37) % 25_000)
        chart = f"R{run}-{number}" if number % 10 == 0 else ""
        rows.append(
            (
                chart,
                first,
                last,
                f"{born.month}/{born.day}/{born.year}",
                f"(555) {number % 1000:03d}-{number % 10_000:04d}",
                f"p{run}x{number}@example.org",
            )
        )
    numbers = tuple(range(2, count + 2))
    return CsvTable(HEADERS, tuple(rows), "UTF-8", numbers)


def fresh(scratch: Path, url: str | None, run: int) -> Database:
    database = open_database(url or str(scratch / f"import-{run}.sqlite3"), now=NOW)
    if url is None or run == 0:
        with database.transaction() as db:
            set_up_clinic(db, name="Bench Clinic", timezone="UTC", actor="bench", now=NOW)
    return database


def time_import(database: Database, table: CsvTable) -> float:
    started = time.perf_counter()
    with database.transaction() as db:
        result = import_patients(db, table, guess_mapping(table.headers), actor=ACTOR, now=NOW)
    elapsed = time.perf_counter() - started
    assert len(result.imported) == len(table.rows), result.summary
    return elapsed


def time_plain_inserts(database: Database, table: CsvTable, run: int) -> float:
    """One INSERT of the patients' rows (a chart number each), nothing else."""
    started = time.perf_counter()
    rows = [
        {
            "chart_number": f"P{run}-{number}",
            "first_name": first,
            "last_name": last,
            "date_of_birth": dt.datetime.strptime(born, "%m/%d/%Y").date(),
            "mobile_phone": phone,
            "email": email,
            "name_key": name_key(last, first, ""),
            "archived": False,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for number, (_chart, first, last, born, phone, email) in enumerate(table.rows)
    ]
    with database.transaction() as db:
        db.execute(insert(Patient), rows)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", help="a PostgreSQL URL (default: fresh SQLite files)")
    args = parser.parse_args()
    run = 0
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            imports, plain = [], []
            for _ in range(args.runs):
                database = fresh(Path(scratch), args.db, run)
                imports.append(time_import(database, generated(size, run)))
                plain.append(time_plain_inserts(database, generated(size, run), run))
                database.close()
                run += 1
            took, base = statistics.median(imports), statistics.median(plain)
            print(
                f"import {size:>6} patients: median {took:7.2f} s "
                f"({took / size * 1000:5.2f} ms a patient); "
                f"plain INSERTs {base:5.2f} s; {took / base:5.1f}x the INSERTs"
            )


if __name__ == "__main__":
    main()
