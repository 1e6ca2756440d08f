"""The schedule letter's calendar file, read back as a phone would: local times across a
daylight-saving change, and a cancelled session removed by its UID."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services import letters, session_life
from scheduler.store import Database
from tests.conftest import ACTOR
from tests.letter_fixtures import PatientSpec, add_patient, add_series, local_time

NEW_YORK = ZoneInfo("America/New_York")
# Daylight-saving time ends on Sunday, November 1, 2026: the course spans the change.
DAYS = [dt.date(2026, 10, 27), dt.date(2026, 10, 29), dt.date(2026, 11, 3), dt.date(2026, 11, 5)]
BOOKED_AT = dt.datetime(2026, 10, 20, 14, 0, tzinfo=dt.UTC)


def _schedule(db: Database, chart: str, out: Path, now: dt.datetime) -> list[Component]:
    with db.transaction() as s:
        batch = letters.schedule_letter_for(
            s, chart, out_dir=out, templates=load_templates(None), renderer=PdfRenderer(),
            actor=ACTOR, now=now,
        )  # fmt: skip
    assert batch.calendar is not None
    assert batch.calendar == batch.files[0].with_suffix(".ics")
    assert batch.calendar in batch.written
    events: list[Component] = Calendar.from_ical(batch.calendar.read_bytes()).walk("VEVENT")
    return events


def _book(db: Database) -> tuple[str, list[int]]:
    with db.transaction() as s:
        patient = add_patient(s, PatientSpec("Dana", "Kowalski"))
        sessions = add_series(s, patient, "iv_ketamine", [local_time(d, 9) for d in DAYS],
                              planned_count=6)  # fmt: skip
        return patient.chart_number, [x.id for x in sessions]


def test_the_calendar_file_keeps_nine_o_clock_on_both_sides_of_the_change(
    db: Database, tmp_path: Path
) -> None:
    chart, _ids = _book(db)
    events = _schedule(db, chart, tmp_path, BOOKED_AT)
    starts = [e.decoded("dtstart") for e in events]
    assert [s.astimezone(NEW_YORK).time() for s in starts] == [dt.time(9)] * 4
    assert [s.astimezone(dt.UTC).hour for s in starts] == [13, 13, 14, 14]
    assert all(e["dtstart"].params["TZID"] == "America/New_York" for e in events)
    assert [str(e["summary"]) for e in events] == [
        f"IV ketamine infusion {n} of 6" for n in range(1, 5)
    ]
    assert str(events[2]["description"]).startswith("Please arrive at 8:45 AM")
    assert str(events[0]["location"])  # the clinic's name and address
    assert {str(e["status"]) for e in events} == {"CONFIRMED"}
    text = (tmp_path / events_file(tmp_path)).read_text()
    assert "BEGIN:VTIMEZONE" in text
    assert "TZID:America/New_York" in text


def events_file(folder: Path) -> str:
    (ics,) = folder.glob("*.ics")
    return ics.name


def test_a_cancelled_session_keeps_its_uid_and_is_written_cancelled_with_a_higher_sequence(
    db: Database, tmp_path: Path
) -> None:
    chart, ids = _book(db)
    before = {str(e["uid"]): e for e in _schedule(db, chart, tmp_path / "a", BOOKED_AT)}
    later = BOOKED_AT + dt.timedelta(days=2)
    with db.transaction() as s:
        session_life.cancel(s, ids[2], reason="Travelling", actor=ACTOR, now=later)
    after = {str(e["uid"]): e for e in _schedule(db, chart, tmp_path / "b", later)}
    assert after.keys() == before.keys()  # the same four events, one now cancelled
    cancelled = [uid for uid, e in after.items() if str(e["status"]) == "CANCELLED"]
    assert len(cancelled) == 1
    (uid,) = cancelled
    assert after[uid].decoded("dtstart") == before[uid].decoded("dtstart")
    assert str(before[uid]["status"]) == "CONFIRMED"
    assert after[uid].decoded("sequence") > before[uid].decoded("sequence")
    assert all(str(ids[2]) in uid for uid in cancelled)
