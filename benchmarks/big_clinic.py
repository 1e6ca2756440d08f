"""Build a big, valid clinic for the scale benchmark: years of history, 40 chairs and rooms.

    python benchmarks/big_clinic.py --sessions 1000000 --db /some/where/big.sqlite3
    python benchmarks/big_clinic.py --sessions 100000 --db postgresql+psycopg://user@host/db

The schema comes from the app's own migrations and the clinic's settings, catalogue and staff
from its services; the bulk (patients, courses with their sessions, each session's status
history, the letters printed) is written with Core bulk inserts, because the services would take
hours for a million sessions. The clinic is open every day 07:00-19:00 and books about 292
sessions a day into 40 places (chairs, rooms, procedure rooms and offices, plus video visits), so
a million sessions reach back about nine years; six weeks ahead are booked. Patients carry
accented and non-Latin names. Everything derives from a fixed seed and ``--today``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import itertools
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, insert, select, update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduler.domain.enums import (  # noqa: E402
    ChairKind,
    LetterKind,
    Phase,
    Place,
    SeriesStatus,
    SessionStatus,
    StaffRole,
)
from scheduler.domain.text import name_key, search_words  # noqa: E402
from scheduler.services.accounts import NewAccount, add_account, sign_in_taken  # noqa: E402
from scheduler.services.chart_numbers import FIRST_CHART_NUMBER  # noqa: E402
from scheduler.services.clinic import set_up_clinic  # noqa: E402
from scheduler.services.demo import DEMO_ACCOUNTS  # noqa: E402
from scheduler.store import open_database  # noqa: E402
from scheduler.store.models import (  # noqa: E402
    Base,
    Chair,
    Letter,
    OpeningHours,
    Patient,
    PatientSearchWord,
    Protocol,
    Series,
    SessionStatusChange,
    Staff,
    Therapy,
    TreatmentSession,
)

SEED = 13
ZONE = "America/New_York"
OPENS, CLOSES = dt.time(7, 0), dt.time(19, 0)
SESSIONS_PER_DAY = 292
DAYS_AHEAD = 42
SESSIONS_PER_PATIENT = 10
BATCH = 20_000
ACTOR = "big-clinic"

# The 40 places: (kind, how many, therapies booked there).
PLACES: tuple[tuple[ChairKind, int, tuple[str, ...]], ...] = (
    (ChairKind.CHAIR, 26, ("iv_ketamine", "iv_ketamine", "im_ketamine", "nad")),
    (ChairKind.ROOM, 6, ("esketamine",)),
    (ChairKind.PROCEDURE_ROOM, 3, ("sgb",)),
    (ChairKind.OFFICE, 5, ("consultation", "follow_up")),
)
VIDEO_PER_DAY = 12  # consultations and follow-ups by video: no chair

FIRST_NAMES = (
    "Ana", "José", "Zoë", "Łukasz", "Søren", "Chloé", "Björn", "Ngozi", "Siobhán", "Renée",
    "François", "Dagný", "Mía", "Nuño", "Ayşe", "Þóra", "Jürgen", "Małgorzata", "Oğuz", "Inés",
    "Ольга", "Дмитрий", "Νίκος", "Ελένη", "明", "美咲", "さくら", "민준", "محمد", "נועה",
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
)  # fmt: skip
LAST_NAMES = (
    "García", "Müller", "O'Brien", "Núñez-Ruiz", "Łukasiewicz", "Øvergaard", "Çelik", "Dvořák",
    "Nguyễn", "Ó Súilleabháin", "D'Angelo", "Van der Berg", "Şahin", "Kowalczyk", "Jóhannsdóttir",
    "Иванов", "Смирнова", "Παπαδόπουλος", "王", "李", "田中", "佐藤", "김", "حداد", "כהן",
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
)  # fmt: skip
CITIES = ("Portland", "South Portland", "Westbrook", "Falmouth", "Scarborough", "Gorham")


@dataclass(order=True)
class Course:
    """A series being booked: when its next session may be, and what it has so far."""

    next_day: dt.date
    series_id: int = field(compare=False)
    patient_id: int = field(compare=False)
    planned: int = field(compare=False)
    gap_days: int = field(compare=False)
    done: int = field(default=0, compare=False)


@dataclass
class Catalogue:
    """The clinic's therapies and protocols as the generator needs them."""

    therapy: dict[str, dict[str, int]]  # code -> the Therapy row's id and minutes
    protocols: dict[str, list[tuple[int, str, int, int]]]  # code -> (id, phase, count, gap)


class Writer:
    """Buffers rows per table and writes them in bulk inserts."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.rows: dict[Table, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        pending = self.rows.setdefault(table, [])
        pending.append(row)
        if len(pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write every table's pending rows, parents first (the order their first rows came)."""
        for each in list(self.rows):
            pending = self.rows.get(each)
            if pending:
                self.connection.execute(insert(each), pending)
                self.counts[each.name] = self.counts.get(each.name, 0) + len(pending)
                pending.clear()


def set_up(url: str, now: dt.datetime) -> tuple[Any, Catalogue, list[tuple[int, ChairKind]]]:
    """Migrate, set up the clinic through its services, add 40 places, nurses and long hours."""
    database = open_database(url, now=now)
    with database.transaction() as db:
        set_up_clinic(db, name="Harbor Infusion Network", timezone=ZONE, actor=ACTOR, now=now)
        db.execute(update(OpeningHours).values(opens=OPENS, closes=CLOSES))
        have = set(db.scalars(select(OpeningHours.weekday)))
        for weekday in set(range(7)) - have:
            db.add(OpeningHours(weekday=weekday, opens=OPENS, closes=CLOSES))
        order = 0
        for kind, count, _ in PLACES:
            for number in range(1, count + 1):
                label = kind.value.replace("_", " ").capitalize()
                db.add(Chair(name=f"{label} {number}", kind=kind.value, sort_order=order))
                order += 1
        for number in range(8):
            db.add(Staff(name=f"Nurse {number + 1}, RN", roles=StaffRole.NURSE.value))
    add_bench_accounts(database, now)
    with database.transaction() as db:
        therapies = {t.code: t for t in db.scalars(select(Therapy))}
        catalogue = Catalogue(
            therapy={
                code: {
                    "id": t.id,
                    "treatment": t.treatment_minutes,
                    "observation": t.observation_minutes,
                    "buffer": t.buffer_minutes,
                }
                for code, t in therapies.items()
            },
            protocols={},
        )
        by_id = {t.id: code for code, t in therapies.items()}
        for p in db.scalars(select(Protocol)):
            catalogue.protocols.setdefault(by_id[p.therapy_id], []).append(
                (p.id, p.phase, p.session_count or 1, max(p.min_gap_days, 1))
            )
        places = [(c.id, ChairKind(c.kind)) for c in db.scalars(select(Chair).order_by(Chair.id))]
    return database, catalogue, places


def add_bench_accounts(database: Any, now: dt.datetime) -> None:
    """The demo clinic's four accounts (public passwords), so the desk can be opened on it."""
    with database.transaction() as db:
        for account in DEMO_ACCOUNTS:
            if not sign_in_taken(db, account.sign_in, None):
                new = NewAccount(
                    account.name, account.sign_in, account.password, frozenset({account.role})
                )
                add_account(db, new, actor_sign_in=ACTOR, now=now)


def patient_rows(count: int, rng: random.Random, now: dt.datetime) -> Iterator[dict[str, Any]]:
    for number in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        mobile = f"(207) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        home = f"207-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}" if number % 3 else ""
        yield {
            "id": number + 1,
            "chart_number": str(FIRST_CHART_NUMBER + number),
            "first_name": first,
            "last_name": last,
            "preferred_name": "",
            "date_of_birth": dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 25_000)),
            "mobile_phone": mobile,
            "home_phone": home,
            "email": f"patient{number}@example.org",
            "street": f"{rng.randint(1, 999)} Main Street",
            "city": rng.choice(CITIES),
            "region": "ME",
            "postal_code": f"04{rng.randint(100, 999)}",
            "driver_name": "",
            "driver_phone": "",
            "referring_provider": "",
            "indications": "",
            "rems_enrolled": True,
            "notes": "",
            "archived": False,
            "name_key": name_key(last, first),
            "screening_cleared_at": now,
            "created_at": now,
            "updated_at": now,
        }


def search_word_rows(patient: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The words a patient written here is found by, as the patient service would keep them."""
    words = search_words(
        last_name=patient["last_name"],
        first_name=patient["first_name"],
        preferred_name=patient["preferred_name"],
        chart_number=patient["chart_number"],
        phones=[patient["mobile_phone"], patient["home_phone"]],
    )
    for kind, word in sorted(words):
        yield {
            "patient_id": patient["id"],
            "kind": kind,
            "word": word,
            "name_key": patient["name_key"],
            "archived": patient["archived"],
        }


class Booker:
    """Fills each day's places with the next sessions of courses, starting courses as needed."""

    def __init__(
        self, writer: Writer, catalogue: Catalogue, patients: int, today: dt.date, seed: int
    ) -> None:
        self.writer = writer
        self.catalogue = catalogue
        self.today = today
        self.zone = ZoneInfo(ZONE)
        self.rng = random.Random(seed)
        self.patients = patients
        self.waiting: dict[str, list[Course]] = {code: [] for code in catalogue.therapy}
        self.series_ids = itertools.count(1)
        self.session_ids = itertools.count(1)
        self.busy: set[int] = set()
        self.series_status: dict[int, str] = {}
        self.tables: dict[str, Table] = {
            m.__tablename__: Base.metadata.tables[m.__tablename__]
            for m in (Series, TreatmentSession, SessionStatusChange, Letter)
        }

    def course_for(self, code: str, day: dt.date) -> Course:
        waiting = self.waiting[code]
        if waiting and waiting[0].next_day <= day:
            return heapq.heappop(waiting)
        patient = self.rng.randint(1, self.patients)
        while patient in self.busy:
            patient = self.rng.randint(1, self.patients)
        self.busy.add(patient)
        protocol, phase, planned, gap = self.rng.choice(self.catalogue.protocols[code])
        series_id = next(self.series_ids)
        self.series_status[series_id] = SeriesStatus.ACTIVE.value
        self.writer.add(
            self.tables["series"],
            {
                "id": series_id,
                "patient_id": patient,
                "protocol_id": protocol,
                "status": SeriesStatus.ACTIVE.value,
                "planned_count": planned,
                "created_at": self.instant(day, dt.time(7)) - dt.timedelta(days=7),
                "notes": "",
            },
        )
        return Course(day, series_id, patient, planned, gap if phase != Phase.SINGLE else 1)

    def instant(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, self.zone).astimezone(dt.UTC)

    def status_on(self, day: dt.date) -> str:
        if day > self.today:
            return self.rng.choice((SessionStatus.BOOKED.value, SessionStatus.CONFIRMED.value))
        roll = self.rng.random()
        if roll < 0.05:
            return SessionStatus.CANCELLED.value
        if roll < 0.08:
            return SessionStatus.NO_SHOW.value
        if day == self.today:
            return self.rng.choice(
                (SessionStatus.CONFIRMED.value, SessionStatus.CHECKED_IN.value, "completed")
            )
        return SessionStatus.COMPLETED.value

    def book(self, day: dt.date, code: str, place: Place, chair: int | None, minute: int) -> int:
        """One session of the next course of ``code``; the minutes its chair stays taken."""
        therapy = self.catalogue.therapy[code]
        course = self.course_for(code, day)
        course.done += 1
        starts = self.instant(day, dt.time(minute // 60, minute % 60))
        length = therapy["treatment"] + therapy["observation"]
        ends = starts + dt.timedelta(minutes=length)
        status = self.status_on(day)
        booked_at = starts - dt.timedelta(days=7 + course.done)
        session_id = next(self.session_ids)
        self.writer.add(
            self.tables["sessions"],
            {
                "id": session_id,
                "patient_id": course.patient_id,
                "series_id": course.series_id,
                "number": course.done,
                "therapy_id": therapy["id"],
                "place": place.value,
                "chair_id": chair,
                "nurse_id": None,
                "starts_at": starts,
                "ends_at": ends,
                "treatment_minutes": therapy["treatment"],
                "observation_minutes": therapy["observation"],
                "buffer_minutes": therapy["buffer"],
                "status": status,
                "status_changed_at": min(starts, booked_at + dt.timedelta(days=6)),
                "status_reason": "",
                "late_cancellation": False,
                "makeup_for_id": None,
                "notes": "",
                "created_at": booked_at,
            },
        )
        self.history(session_id, status, booked_at, starts, ends)
        self.letters(session_id, course, status, starts, ends)
        if course.done >= course.planned:
            self.series_status[course.series_id] = (
                SeriesStatus.COMPLETED.value if day <= self.today else SeriesStatus.ACTIVE.value
            )
            self.busy.discard(course.patient_id)
        else:
            course.next_day = day + dt.timedelta(days=course.gap_days)
            heapq.heappush(self.waiting[code], course)
        return length + therapy["buffer"]

    def history(
        self,
        session_id: int,
        status: str,
        booked: dt.datetime,
        starts: dt.datetime,
        ends: dt.datetime,
    ) -> None:
        steps: list[tuple[str | None, str, dt.datetime]] = [(None, "booked", booked)]
        if status in ("confirmed", "checked_in", "completed"):
            steps.append(("booked", "confirmed", starts - dt.timedelta(days=1)))
        if status in ("checked_in", "completed"):
            steps.append(("confirmed", "checked_in", starts - dt.timedelta(minutes=10)))
        if status == "completed":
            steps.append(("checked_in", "completed", ends))
        if status in ("cancelled", "no_show"):
            steps.append(("booked", status, starts - dt.timedelta(hours=2)))
        for before, after, at in steps:
            self.writer.add(
                self.tables["session_status_changes"],
                {
                    "session_id": session_id,
                    "from_status": before,
                    "to_status": after,
                    "at": at,
                    "reason": "",
                    "actor": ACTOR,
                },
            )

    def letters(
        self,
        session_id: int,
        course: Course,
        status: str,
        starts: dt.datetime,
        ends: dt.datetime,
    ) -> None:
        printed = []
        if status != "booked" or self.rng.random() < 0.5:
            printed.append((LetterKind.PREP.value, starts - dt.timedelta(days=1)))
        if status == "completed":
            printed.append((LetterKind.AFTERCARE.value, ends))
        for kind, at in printed:
            self.writer.add(
                self.tables["letters"],
                {
                    "kind": kind,
                    "patient_id": course.patient_id,
                    "session_id": session_id,
                    "series_id": course.series_id,
                    "generated_at": at,
                    "generated_by": ACTOR,
                    "reprint": False,
                    "file_name": "",
                },
            )

    def day(self, day: dt.date, places: list[tuple[int, ChairKind]], quota: int) -> int:
        """Book one day: each place filled from opening with a few gaps; sessions made."""
        made = 0
        close = CLOSES.hour * 60
        by_kind = {kind: therapies for kind, _, therapies in PLACES}
        for chair, kind in places:
            minute = OPENS.hour * 60 + 15 * self.rng.randint(0, 2)
            while made < quota:
                code = self.rng.choice(by_kind[kind])
                therapy = self.catalogue.therapy[code]
                if minute + therapy["treatment"] + therapy["observation"] > close:
                    break
                minute += self.book(day, code, Place(kind.value), chair, minute)
                made += 1
                minute += 15 * (self.rng.random() < 0.3)
        for number in range(VIDEO_PER_DAY):
            if made >= quota:
                break
            minute = OPENS.hour * 60 + 45 * number
            code = self.rng.choice(("consultation", "follow_up"))
            self.book(day, code, Place.VIDEO, None, minute)
            made += 1
        return made


def build(url: str, sessions: int, today: dt.date, *, analyze: bool = True) -> dict[str, int]:
    """Build the clinic; the number of rows written per table.

    ``analyze`` gathers the planner's statistics afterwards, as a server's autovacuum would;
    without, SQLite plans by its rules of thumb, as on a desk that never ran ``ANALYZE``.
    """
    now = dt.datetime.combine(today, dt.time(12), dt.UTC)
    database, catalogue, places = set_up(url, now)
    patients = max(sessions // SESSIONS_PER_PATIENT, 100)
    # Days are not filled quite to the quota; the last few may reach a little further ahead.
    days = -(-sessions // (SESSIONS_PER_DAY - 10))
    # Six weeks ahead are booked (fewer in a small clinic, so it has a past and a today too).
    first = today + dt.timedelta(days=min(DAYS_AHEAD, days // 4)) - dt.timedelta(days=days - 1)
    rng = random.Random(SEED)
    with database.engine.begin() as connection:
        writer = Writer(connection)
        for row in patient_rows(patients, rng, now):
            writer.add(Patient.__table__, row)  # type: ignore[arg-type]
            for search_row in search_word_rows(row):
                writer.add(PatientSearchWord.__table__, search_row)  # type: ignore[arg-type]
        writer.flush()
        booker = Booker(writer, catalogue, patients, today, SEED)
        made = 0
        day = first
        while made < sessions:
            made += booker.day(day, places, min(SESSIONS_PER_DAY, sessions - made))
            day += dt.timedelta(days=1)
        writer.flush()
        for status in (SeriesStatus.COMPLETED.value, SeriesStatus.CANCELLED.value):
            ids = [i for i, s in booker.series_status.items() if s == status]
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                connection.execute(update(Series).where(Series.id.in_(chunk)).values(status=status))
    if not analyze:
        pass
    elif database.url.get_backend_name() == "sqlite":
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
    database.engine.dispose()
    return writer.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--db", required=True, help="a new SQLite file or a PostgreSQL URL")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    if "://" not in args.db and Path(args.db).exists():
        raise SystemExit(f"{args.db} exists already; the generator builds a new clinic only.")
    started = time.perf_counter()
    counts = build(args.db, args.sessions, args.today)
    took = time.perf_counter() - started
    shown = ", ".join(f"{n:,} {name}" for name, n in sorted(counts.items()))
    print(f"built in {took:.1f} s: {shown}")


if __name__ == "__main__":
    main()
