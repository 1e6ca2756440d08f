"""How long the audit chain takes to write and to check, on a trail of many entries.

    python benchmarks/audit_bench.py [--entries 100000] [--new 200]

Builds a clinic whose trail holds ``--entries`` entries (each sealed as the services seal
them), then times: the whole walk ``audit verify`` does, the desk's start-up check when
nothing is new, and when ``--new`` entries were written since the last check. Not a test:
timings depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.services import audit  # noqa: E402
from scheduler.services.audit_chain import verify_chain, verify_new_entries  # noqa: E402
from scheduler.services.clinic import get_settings, set_up_clinic  # noqa: E402
from scheduler.store import Database, open_database  # noqa: E402

NOW = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)
BATCH = 500


def write_entries(database: Database, count: int) -> float:
    """Write ``count`` audit entries as the services do; milliseconds per entry.

    Each records a change to the clinic's settings row, so the time is the audit trail's own
    (snapshot, seal, insert), not that of registering patients.
    """
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        with database.transaction() as db:
            settings = get_settings(db)
            for number in range(first, min(first + BATCH, count)):
                before = audit.snapshot(settings)
                settings.phone = f"555 {number:04d}"
                audit.record(
                    db, actor="bench", now=NOW, action="clinic.update", row=settings, before=before
                )
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        database = open_database(str(Path(scratch) / "bench.sqlite3"), now=NOW)
        with database.transaction() as db:
            set_up_clinic(db, name="Bench Clinic", timezone="UTC", actor="bench", now=NOW)
        per_entry = write_entries(database, args.entries)
        print(f"writing: {per_entry:.2f} ms per entry")

        started = time.perf_counter()
        with database.reading() as db:
            report = verify_chain(db)
        print(f"audit verify, whole trail: {report.checked} entries in "
              f"{time.perf_counter() - started:.2f} s, intact={report.intact}")  # fmt: skip

        with database.transaction() as db:
            verify_new_entries(db, NOW)
        started = time.perf_counter()
        with database.transaction() as db:
            verify_new_entries(db, NOW)
        print(f"desk start, nothing new: {(time.perf_counter() - started) * 1000:.1f} ms")

        write_entries(database, args.new)
        started = time.perf_counter()
        with database.transaction() as db:
            report = verify_new_entries(db, NOW)
        print(f"desk start, {report.checked} new entries: "
              f"{(time.perf_counter() - started) * 1000:.1f} ms")  # fmt: skip
        database.close()


if __name__ == "__main__":
    main()
