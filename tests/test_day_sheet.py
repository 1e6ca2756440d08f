"""The day sheet's facts: sections per chair and nurse, "n of N", drivers, cautions, letters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from benchmarks.query_plans import statements_sent
from scheduler.domain.access import Actor
from scheduler.domain.day_sheet import Caution, DaySheet, SheetLine, course_text
from scheduler.domain.enums import (
    ChairKind,
    FindingStatus,
    LetterKind,
    Phase,
    Place,
    SessionStatus,
    StaffRole,
)
from scheduler.domain.screening import FINDING_KINDS
from scheduler.errors import NotAllowed
from scheduler.services.day_sheet import day_sheet
from scheduler.services.demo import build_demo_clinic
from scheduler.store import Database
from scheduler.store.models import (
    Letter,
    Patient,
    ScreeningFinding,
    Series,
    Therapy,
    TreatmentSession,
)
from tests.conftest import ACTOR, NOW
from tests.factories import IV_MAINTENANCE, add_chairs, add_closure, add_staff, protocol_id
from tests.letter_fixtures import (
    PatientSpec,
    add_patient,
    add_series,
    add_session,
    local_time,
    therapy,
)

DAY = dt.date(2026, 11, 23)  # a Monday


@dataclass(frozen=True)
class Day:
    """The hand-built day's sessions by who they are for."""

    zoe: int
    liam: int
    maintenance: int
    nad: int
    cancelled: int
    home_maria_late: int
    home_maria_early: int
    home_james: int


def _finding(
    s: Session, patient: Patient, kind: str, status: FindingStatus, detail: str = ""
) -> None:
    s.add(
        ScreeningFinding(
            patient_id=patient.id, kind=kind, severity=FINDING_KINDS[kind].severity.value,
            status=status.value, detail=detail, recorded_at=NOW,
        )
    )  # fmt: skip


def _printed(s: Session, session: TreatmentSession, kind: LetterKind) -> None:
    s.add(
        Letter(
            kind=kind.value, patient_id=session.patient_id, session_id=session.id,
            generated_at=NOW, generated_by="maria",
        )
    )  # fmt: skip


def _on(s: Session, session: TreatmentSession, chair: int | None) -> TreatmentSession:
    session.chair_id = chair
    s.flush()
    return session


def _home(s: Session, patient: Patient, hour: int, nurse: int) -> TreatmentSession:
    visit = add_session(
        s, patient, therapy(s, "iv_ketamine"), local_time(DAY, hour), place=Place.HOME
    )
    visit.nurse_id = nurse
    s.flush()
    return visit


def build_day(s: Session) -> Day:
    """Two chairs with sessions, one without, a room, and three home visits by two nurses."""
    chair_1, chair_2, _chair_3 = add_chairs(s, 3)
    (room,) = add_chairs(s, 1, kind=ChairKind.ROOM)
    maria = add_staff(s, "Maria Santos", StaffRole.NURSE)
    james = add_staff(s, "James Wu", StaffRole.NURSE)
    zoe = add_patient(
        s,
        PatientSpec("Zoë", "Łukasiewicz-Núñez", driver_name="Sam Lee",
                    driver_phone="(617) 555-0101"),
    )  # fmt: skip
    _finding(s, zoe, "benzodiazepines", FindingStatus.OPEN, "Lorazepam 0.5 mg at night")
    _finding(s, zoe, "heart_disease", FindingStatus.CLEARED, "Resolved")
    liam = add_patient(s, PatientSpec("Liam", "O'Brien"))
    _finding(s, liam, "uncontrolled_hypertension", FindingStatus.OVERRIDDEN, "BP 150/95")
    _finding(s, liam, "vascular_disease", FindingStatus.OPEN)  # esketamine only
    ann = add_patient(s, PatientSpec("Ann", "Lee", driver_name="Bo Lee"))
    ned = add_patient(s, PatientSpec("Ned", "Park"))
    home = add_patient(s, PatientSpec("Hal", "Home", street="4 Oak Road", city="Salem"))
    days = [DAY + dt.timedelta(days=d) for d in (-7, -5, 0, 2, 4, 7)]
    zoe_course = add_series(s, zoe, "iv_ketamine", [local_time(d, 9, 30) for d in days])
    zoe_today = _on(s, zoe_course[2], chair_2)
    _printed(s, zoe_today, LetterKind.PREP)
    _printed(s, zoe_course[1], LetterKind.AFTERCARE)  # another day's letter: not this one's
    (liam_today,) = add_series(s, liam, "iv_ketamine", [local_time(DAY, 8)], planned_count=6)
    _on(s, liam_today, chair_1)
    maintenance = Series(
        patient_id=ann.id, protocol_id=protocol_id(s, IV_MAINTENANCE), planned_count=3,
        created_at=NOW,
    )  # fmt: skip
    s.add(maintenance)
    s.flush()
    ann_today = add_session(
        s, ann, therapy(s, "iv_ketamine"), local_time(DAY, 13), series=maintenance, number=2
    )
    _on(s, ann_today, chair_1)
    _printed(s, ann_today, LetterKind.PREP)
    _printed(s, ann_today, LetterKind.AFTERCARE)
    nad = _on(s, add_session(s, ned, therapy(s, "nad"), local_time(DAY, 10)), room)
    cancelled = add_session(
        s, ned, therapy(s, "iv_ketamine"), local_time(DAY, 15), status=SessionStatus.CANCELLED
    )
    _on(s, cancelled, chair_2)
    return Day(
        zoe=zoe_today.id,
        liam=liam_today.id,
        maintenance=ann_today.id,
        nad=nad.id,
        cancelled=cancelled.id,
        home_maria_late=_home(s, home, 14, maria).id,
        home_maria_early=_home(s, zoe, 7, maria).id,
        home_james=_home(s, ann, 11, james).id,
    )


@pytest.fixture
def built(db: Database) -> Day:
    with db.transaction() as s:
        return build_day(s)


def sheet_of(db: Database, day: dt.date = DAY, actor: Actor = ACTOR) -> DaySheet:
    with db.reading() as s:
        return day_sheet(s, day, actor=actor, now=NOW)


def _line(sheet: DaySheet, session_id: int) -> SheetLine:
    return next(line for s in sheet.sections for line in s.lines if line.session_id == session_id)


def test_a_section_per_chair_in_the_desks_order_then_home_visits_per_nurse(
    db: Database, built: Day
) -> None:
    sheet = sheet_of(db)
    assert [s.heading for s in sheet.chairs] == ["Chair 1", "Chair 2", "Room 1"]
    assert [s.heading for s in sheet.home_visits] == [
        "Home visits: James Wu",
        "Home visits: Maria Santos",
    ]
    by_heading = {s.heading: [line.session_id for line in s.lines] for s in sheet.sections}
    assert by_heading["Chair 1"] == [built.liam, built.maintenance]  # by time
    assert by_heading["Chair 2"] == [built.zoe]  # the cancelled session is not on the sheet
    assert by_heading["Home visits: Maria Santos"] == [built.home_maria_early,
                                                       built.home_maria_late]  # fmt: skip
    assert sheet.title == "Day sheet: Monday, November 23, 2026"
    assert sheet.printed_at == "Printed Monday, November 16, 2026 at 9:00 AM"
    assert sheet.summary == "7 sessions; 1 with no driver on file"
    assert sheet.empty_note == ""


def test_each_line_says_time_course_driver_cautions_and_letters(db: Database, built: Day) -> None:
    sheet = sheet_of(db)
    assert _line(sheet, built.zoe) == SheetLine(
        session_id=built.zoe,
        time="9:30–11:00 AM",
        patient="Zoë Łukasiewicz-Núñez",
        chart_number=_line(sheet, built.zoe).chart_number,
        therapy="IV ketamine infusion",
        course="3 of 6",
        driver="Sam Lee, (617) 555-0101",
        driver_missing=False,
        address="12 Elm Street, Springfield MA 01103",
        # The cleared heart-disease finding no longer applies.
        cautions=(Caution("Takes benzodiazepines: Lorazepam 0.5 mg at night"),),
        prep="Printed",
        aftercare="Not yet",  # only another session of the course had its aftercare printed
    )
    liam = _line(sheet, built.liam)
    assert (liam.course, liam.driver, liam.driver_missing) == ("1 of 6", "None on file", True)
    # The override stays visible at the chair; vascular disease concerns esketamine only.
    assert liam.cautions == (
        Caution(
            "Contraindication (overridden): Uncontrolled high blood pressure: BP 150/95",
            contraindication=True,
        ),
    )
    maintenance = _line(sheet, built.maintenance)
    assert (maintenance.course, maintenance.driver) == (
        "Maintenance 2 of 3",
        "Bo Lee, no phone on file",
    )
    assert (maintenance.prep, maintenance.aftercare) == ("Printed", "Printed")
    nad = _line(sheet, built.nad)
    assert (nad.course, nad.driver, nad.driver_missing) == ("Single session", "Not needed", False)
    assert nad.cautions == ()


def test_the_driver_recorded_at_check_in_or_a_nurse_s_reason_comes_first(
    db: Database, built: Day
) -> None:
    with db.transaction() as s:
        liam = s.get(TreatmentSession, built.liam)
        zoe = s.get(TreatmentSession, built.zoe)
        assert liam is not None
        assert zoe is not None
        liam.escort_name, liam.escort_phone = "Ava O'Brien", "(617) 555-0199"
        zoe.no_escort_reason = "Stays for the clinic's ride service"
    sheet = sheet_of(db)
    liam_line, zoe_line = _line(sheet, built.liam), _line(sheet, built.zoe)
    assert (liam_line.driver, liam_line.driver_missing) == (
        "Ava O'Brien, (617) 555-0199 (recorded today)",
        False,
    )
    assert (zoe_line.driver, zoe_line.driver_missing) == (
        "No driver: Stays for the clinic's ride service",
        False,
    )


def test_home_visits_need_no_driver_and_give_the_address(db: Database, built: Day) -> None:
    visit = _line(sheet_of(db), built.home_maria_late)
    assert visit.time == "2:00–3:30 PM"
    assert (visit.driver, visit.driver_missing) == ("Not needed", False)
    assert visit.address == "4 Oak Road, Salem MA 01103"


def test_an_open_contraindication_for_the_therapy_stands_out(db: Database) -> None:
    with db.transaction() as s:
        (room,) = add_chairs(s, 1, kind=ChairKind.ROOM)
        patient = add_patient(s, PatientSpec("Vera", "Voss", driver_name="Kim Voss"))
        _finding(s, patient, "vascular_disease", FindingStatus.OPEN, "AVM on MRI")
        _finding(s, patient, "medication_review", FindingStatus.OPEN)
        (session,) = add_series(s, patient, "esketamine", [local_time(DAY, 9)], planned_count=8)
        _on(s, session, room)
    assert _line(sheet_of(db), session.id).cautions == (
        Caution(
            "Contraindication (NOT cleared): Aneurysmal vascular disease, arteriovenous "
            "malformation or brain haemorrhage: AVM on MRI",
            contraindication=True,
        ),
        Caution("Other medications to review"),
    )


@pytest.mark.parametrize(
    ("phase", "number", "count", "text"),
    [
        (Phase.INDUCTION, 3, 6, "3 of 6"),
        (Phase.MAINTENANCE, 2, 3, "Maintenance 2 of 3"),
        (Phase.MAINTENANCE, 1, 1, "Maintenance"),
        (Phase.SINGLE, 1, 1, "Single session"),
        (None, None, None, "Single session"),
    ],
)
def test_course_text(phase: Phase | None, number: int | None, count: int | None, text: str) -> None:
    assert course_text(phase, number, count) == text


def test_empty_days_say_why(db: Database) -> None:
    with db.transaction() as s:
        add_closure(s, dt.date(2026, 11, 26), "Thanksgiving")
    assert sheet_of(db, dt.date(2026, 11, 26)).empty_note == (
        "The clinic is closed on Thursday, November 26, 2026 (Thanksgiving): no sessions."
    )
    assert sheet_of(db, dt.date(2026, 11, 22)).empty_note == (
        "The clinic is not open on Sundays: no sessions on Sunday, November 22, 2026."
    )
    empty = sheet_of(db, DAY)
    assert empty.empty_note == "No sessions are booked on Monday, November 23, 2026."
    assert empty.sections == ()


def test_a_busy_day_takes_no_more_queries_than_a_quiet_one(db: Database, built: Day) -> None:
    with statements_sent(db) as quiet:
        sheet_of(db)
    with db.transaction() as s:
        chair = add_chairs(s, 1, prefix="Extra chair")[0]
        iv = s.get(Therapy, therapy(s, "iv_ketamine").id)
        assert iv is not None
        for hour in (8, 10, 12, 14, 16):
            patient = add_patient(
                s, PatientSpec("Busy", f"Patient {hour}", cautions=("heart_disease",))
            )
            _on(s, add_session(s, patient, iv, local_time(DAY, hour)), chair)
    with statements_sent(db) as busy:
        sheet = sheet_of(db)
    assert sheet.session_count == 12
    assert len(busy) == len(quiet) <= 8


def test_whoever_may_not_print_is_refused(db: Database, built: Day) -> None:
    admin = Actor(None, "alex", "Alex Morgan", frozenset({StaffRole.ADMINISTRATOR}))
    with pytest.raises(NotAllowed, match="may not print letters"):
        sheet_of(db, actor=admin)
    nurse = Actor(None, "maria", "Maria Santos", frozenset({StaffRole.NURSE}))
    front_desk = Actor(None, "tom", "Tom Becker", frozenset({StaffRole.FRONT_DESK}))
    assert sheet_of(db, actor=nurse).session_count == sheet_of(db, actor=front_desk).session_count


def test_the_demo_clinics_monday(empty_db: Database) -> None:
    monday = NOW.date()
    with empty_db.transaction() as s:
        build_demo_clinic(s, today=monday, now=NOW)
    sheet = sheet_of(empty_db, monday)
    assert sheet.clinic_name == "Riverside Ketamine & Infusion Center"
    assert [s.heading for s in sheet.chairs] == [
        "Chair 1", "Chair 2", "Chair 3", "Chair 4", "Spravato room", "Consult office",
    ]  # fmt: skip
    assert sheet.home_visits == ()
    assert sheet.session_count == 14
    first = sheet.chairs[0].lines[0]
    assert (first.time, first.patient, first.course) == ("10:00–11:30 AM", "Leah Thomas",
                                                         "3 of 6")  # fmt: skip
    assert first.cautions == (Caution("Takes benzodiazepines: Lorazepam 0.5 mg at night"),)
    missing = [line.patient for s in sheet.sections for line in s.lines if line.driver_missing]
    assert missing == ["William Thompson", "Robert Smith", "Masha Иванова"]
    consult = sheet.chairs[-1].lines[0]
    assert consult.aftercare == "None"
    assert consult.cautions[0].contraindication
