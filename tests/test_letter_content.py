"""Letter content, exactly: the times and sentences a patient acts on."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scheduler.domain.enums import DrivingRule, LetterKind, Place
from scheduler.domain.letters import (
    ClinicFacts,
    PatientFacts,
    SessionFacts,
    TherapyFacts,
    aftercare_letter,
    prep_letter,
    schedule_letter,
)
from scheduler.domain.screening import FINDING_KINDS
from scheduler.domain.when import clock_time, duration
from scheduler.letters.templates import load_templates

NY = ZoneInfo("America/New_York")
TEMPLATES = load_templates(None)
TODAY = dt.date(2026, 11, 14)

CLINIC = ClinicFacts(
    name="Harbor Ketamine Clinic",
    address_lines=("40 Water Street", "Springfield, MA 01103"),
    phone="(413) 555-0100",
    email="desk@harbor.example",
    timezone="America/New_York",
    arrival_minutes_before=15,
    signature="The nursing team at Harbor",
)
IV = TherapyFacts(
    "iv_ketamine", "IV ketamine infusion", "infusion", 360, 120, DrivingRule.HOURS, 6, True,
    letter_wording="ketamine",
)  # fmt: skip
ESKETAMINE = TherapyFacts(
    "esketamine", "Esketamine nasal spray (Spravato)", "treatment", 120, 30,
    DrivingRule.NEXT_MORNING, None, True, letter_wording="esketamine",
)  # fmt: skip
# A clinic that asks for ten hours without food, to reach the previous evening.
LONG_FAST = TherapyFacts(
    "iv_long", "IV ketamine infusion", "infusion", 600, 120, DrivingRule.HOURS, 6, True,
    letter_wording="ketamine",
)  # fmt: skip
# Eight hours, so that the cut-off of a 7:00 AM session on the fall-back day is midnight EDT.
EIGHT_HOURS = TherapyFacts(
    "iv_eight", "IV ketamine infusion", "infusion", 480, 120, DrivingRule.HOURS, 6, True,
    letter_wording="ketamine",
)  # fmt: skip
PATIENT = PatientFacts(
    name="Zoë Łukasiewicz-Núñez",
    full_name="Zoë Łukasiewicz-Núñez",
    chart_number="100001",
    address_lines=("7 Maple Road", "Boston MA 02110"),
)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


def session(
    therapy: TherapyFacts,
    starts: dt.datetime,
    minutes: int = 90,
    number: int | None = 3,
    count: int | None = 6,
    place: Place = Place.CHAIR,
) -> SessionFacts:
    return SessionFacts(
        starts.astimezone(dt.UTC),
        (starts + dt.timedelta(minutes=minutes)).astimezone(dt.UTC),
        place,
        therapy,
        number,
        count,
    )


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.time(4, 0), "4:00 AM"),
        (dt.time(0, 0), "12:00 midnight"),
        (dt.time(0, 30), "12:30 AM"),
        (dt.time(12, 0), "12:00 noon"),
        (dt.time(12, 45), "12:45 PM"),
        (dt.time(23, 5), "11:05 PM"),
    ],
)
def test_clock_times_are_us_style_and_never_an_ambiguous_twelve(moment: dt.time, text: str) -> None:
    assert clock_time(moment) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(360, "6 hours"), (60, "1 hour"), (30, "30 minutes"), (90, "1 hour 30 minutes")],
)
def test_durations_read_as_words(minutes: int, text: str) -> None:
    assert duration(minutes) == text


FASTING_CASES = [
    pytest.param(
        IV, at(2026, 11, 16, 7, 30),
        [
            ("solids", at(2026, 11, 16, 1, 30),
             "Do not eat after 1:30 AM in the night from Sunday to Monday, November 16. "
             "That is 6 hours before."),
            ("liquids", at(2026, 11, 16, 5, 30),
             "You may drink clear liquids (water, clear juice, black coffee or tea) "
             "until 5:30 AM on "
             "Monday, November 16. After that, drink nothing."),
        ],
        id="crosses-midnight-into-the-night-before",
    ),
    pytest.param(
        LONG_FAST, at(2026, 11, 16, 8, 0),
        [
            ("solids", at(2026, 11, 15, 22, 0),
             "Do not eat after 10:00 PM on Sunday, November 15, the evening before your infusion. "
             "That is 10 hours before."),
            ("liquids", at(2026, 11, 16, 6, 0),
             "You may drink clear liquids (water, clear juice, black coffee or tea) "
             "until 6:00 AM on "
             "Monday, November 16. After that, drink nothing."),
        ],
        id="previous-evening",
    ),
    pytest.param(
        # Spring forward: 2:00 AM EST jumps to 3:00 AM EDT. Six real hours before 8:00 AM EDT
        # is 1:00 AM EST; wall-clock arithmetic would print 2:00 AM, a time that never was.
        IV, at(2027, 3, 14, 8, 0),
        [
            ("solids", dt.datetime(2027, 3, 14, 6, 0, tzinfo=dt.UTC),
             "Do not eat after 1:00 AM in the night from Saturday to Sunday, March 14. "
             "That is 6 hours before."),
            ("liquids", dt.datetime(2027, 3, 14, 10, 0, tzinfo=dt.UTC),
             "You may drink clear liquids (water, clear juice, black coffee or tea) "
             "until 6:00 AM on "
             "Sunday, March 14. After that, drink nothing."),
        ],
        id="dst-spring-forward",
    ),
    pytest.param(
        # Fall back: 2:00 AM EDT repeats 1:00 AM as EST. Eight real hours before 7:00 AM EST
        # is midnight EDT, where wall-clock arithmetic would say 11:00 PM the day before.
        EIGHT_HOURS, at(2026, 11, 1, 7, 0),
        [
            ("solids", dt.datetime(2026, 11, 1, 4, 0, tzinfo=dt.UTC),
             "Do not eat after 12:00 midnight in the night from Saturday to Sunday, November 1. "
             "That is 8 hours before."),
            ("liquids", dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC),
             "You may drink clear liquids (water, clear juice, black coffee or tea) "
             "until 5:00 AM on "
             "Sunday, November 1. After that, drink nothing."),
        ],
        id="dst-fall-back",
    ),
    pytest.param(
        ESKETAMINE, at(2026, 11, 16, 10, 0),
        [
            ("solids", at(2026, 11, 16, 8, 0),
             "Do not eat after 8:00 AM on Monday, November 16. That is 2 hours before."),
            ("liquids", at(2026, 11, 16, 9, 30),
             "Do not drink after 9:30 AM on Monday, November 16. That is 30 minutes before."),
        ],
        id="esketamine-same-morning",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("therapy", "starts", "expected"), FASTING_CASES)
def test_fasting_cutoffs_are_clock_times_in_real_elapsed_hours(
    therapy: TherapyFacts, starts: dt.datetime, expected: list[tuple[str, dt.datetime, str]]
) -> None:
    letter = prep_letter(CLINIC, PATIENT, session(therapy, starts), TEMPLATES, today=TODAY)
    got = [(f.what, f.at, f.sentence) for f in letter.fasting]
    assert got == expected
    assert all(f.at.tzinfo == NY for f in letter.fasting)
    for cutoff in letter.fasting:
        assert cutoff.sentence in letter.text


def test_prep_letter_says_when_where_and_arrival() -> None:
    letter = prep_letter(
        CLINIC, PATIENT, session(IV, at(2026, 11, 16, 7, 30)), TEMPLATES, today=TODAY
    )
    assert letter.kind is LetterKind.PREP
    assert letter.title == "Preparing for your infusion 3 of 6"
    assert letter.greeting == "Dear Zoë Łukasiewicz-Núñez,"
    assert letter.recipient == ("Zoë Łukasiewicz-Núñez", "7 Maple Road", "Boston MA 02110")
    assert letter.date_line == "Saturday, November 14, 2026"
    assert letter.intro == (
        "This letter is about your IV ketamine infusion on Monday, "
        "November 16, 2026 at 7:30 AM. Please keep it until the day."
    )
    assert letter.arrival_at == at(2026, 11, 16, 7, 15)
    assert letter.sections[0].paragraphs == (
        "Please arrive at 7:15 AM. That is 15 minutes before your infusion starts at 7:30 AM. "
        "Your infusion is at Harbor Ketamine Clinic, 40 Water Street, Springfield, MA 01103.",
    )
    assert letter.notes == ()
    fasting = next(s for s in letter.sections if s.heading == "Eating and drinking")
    assert fasting.key_facts
    assert fasting.paragraphs == tuple(f.sentence for f in letter.fasting)


def test_home_visit_is_at_home() -> None:
    visit = session(IV, at(2026, 11, 16, 9, 0), place=Place.HOME)
    letter = prep_letter(CLINIC, PATIENT, visit, TEMPLATES, today=TODAY)
    assert letter.sections[0].paragraphs[0].endswith("Your infusion is at your home.")
    # The nurse comes to the patient: nobody needs to pick them up.
    assert letter.driver_line is None
    assert "pick you up" not in letter.text


@pytest.mark.parametrize(
    ("driver", "phone", "line"),
    [
        ("Sam O'Neil", "(413) 555-0199",
         "You may not drive yourself home. Your driver on file is Sam O'Neil, phone "
         "(413) 555-0199. Please make sure they can pick you up when your infusion ends."),
        ("Sam O'Neil", "",
         "You may not drive yourself home. Your driver on file is Sam O'Neil, phone no phone "
         "number on file. Please make sure they can pick you up when your infusion ends."),
        ("", "",
         "You may not drive yourself home. Please ask an adult to pick you up. Call us on "
         "(413) 555-0100 with their name and phone number before the day."),
    ],
)  # fmt: skip
def test_driver_on_file_is_named_or_requested(driver: str, phone: str, line: str) -> None:
    patient = PatientFacts("Ada Moreau", "Ada Moreau", "1", ("1 Elm St",), driver, phone)
    letter = prep_letter(CLINIC, patient, session(IV, at(2026, 11, 16, 8)), TEMPLATES, today=TODAY)
    assert letter.driver_line == line
    assert line in letter.text


def test_esketamine_prep_has_its_own_items() -> None:
    letter = prep_letter(
        CLINIC, PATIENT, session(ESKETAMINE, at(2026, 11, 16, 10), 135), TEMPLATES, today=TODAY
    )
    on_the_day = next(s for s in letter.sections if s.heading == "On the day")
    assert on_the_day.bullets[1:4] == (
        "Use any nasal steroid or decongestant spray before 9:00 AM (1 hour before).",
        "REMS is a safety program: you take Spravato only here, and we watch over you.",
        "A nurse checks your blood pressure. You stay at least 2 hours after the dose.",
    )


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (("benzodiazepines",), (FINDING_KINDS["benzodiazepines"].letter_note,)),
        (
            ("heart_disease", "benzodiazepines"),
            (
                FINDING_KINDS["heart_disease"].letter_note,
                FINDING_KINDS["benzodiazepines"].letter_note,
            ),
        ),
        ((), ()),
    ],
)
def test_cautions_from_screening_print(kinds: tuple[str, ...], expected: tuple[str, ...]) -> None:
    patient = PatientFacts("Ada Moreau", "Ada Moreau", "1", ("1 Elm St",), caution_kinds=kinds)
    letter = prep_letter(CLINIC, patient, session(IV, at(2026, 11, 16, 8)), TEMPLATES, today=TODAY)
    assert letter.cautions == expected
    headings = [s.heading for s in letter.sections]
    assert ("Notes from your screening" in headings) == bool(expected)
    assert (
        "You take a benzodiazepine: ask your clinician before the session whether to skip or "
        "reduce your dose, as it can blunt the treatment's effect." in letter.text
    ) == ("benzodiazepines" in kinds)


def test_no_address_still_prints_with_a_worklist_note() -> None:
    patient = PatientFacts("Nguyễn Văn An", "Nguyễn Văn An", "100077", ())
    letter = prep_letter(CLINIC, patient, session(IV, at(2026, 11, 16, 8)), TEMPLATES, today=TODAY)
    assert letter.recipient == ("Nguyễn Văn An",)
    assert letter.notes == ("Nguyễn Văn An (chart 100077) has no address on file.",)


DRIVING_CASES = [
    pytest.param(
        IV, at(2026, 11, 16, 7, 30), 90, at(2026, 11, 16, 15, 0), dt.date(2026, 11, 16),
        "Do not drive, ride a bike or use machines before 3:00 PM on Monday, "
        "November 16. That is 6 hours after your care with us ended.",
        id="iv-hours-after-observation",
    ),
    pytest.param(
        # Ends 10:00 PM EDT the evening before fall-back; six real hours later is 3:00 AM EST.
        IV, at(2026, 10, 31, 20, 30), 90, dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC),
        dt.date(2026, 11, 1),
        "Do not drive, ride a bike or use machines before 3:00 AM on Sunday, "
        "November 1. That is 6 hours after your care with us ended.",
        id="iv-across-fall-back",
    ),
    pytest.param(
        ESKETAMINE, at(2026, 11, 16, 10, 0), 135, None, dt.date(2026, 11, 17),
        "Do not drive or use machines until the next day, after a night of restful sleep. "
        "The earliest is the morning of Tuesday, November 17.",
        id="esketamine-next-morning",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("therapy", "starts", "minutes", "until", "day", "line"), DRIVING_CASES)
def test_aftercare_driving_not_before(
    therapy: TherapyFacts,
    starts: dt.datetime,
    minutes: int,
    until: dt.datetime | None,
    day: dt.date,
    line: str,
) -> None:
    letter = aftercare_letter(
        CLINIC, PATIENT, session(therapy, starts, minutes), [], TEMPLATES, today=TODAY
    )
    assert letter.driving is not None
    assert (letter.driving.not_before, letter.driving.not_before_day) == (until, day)
    assert letter.driving.sentence == line
    assert letter.sections[0].paragraphs == (line,)


def test_no_driving_rule_means_no_driving_section() -> None:
    # A therapy the clinic added itself: the general wording, and no driving limit.
    nad = TherapyFacts(
        "vitamin_drip", "Vitamin infusion", "infusion", None, None, DrivingRule.NONE, None, False
    )
    letter = aftercare_letter(
        CLINIC,
        PATIENT,
        session(nad, at(2026, 11, 16, 9), 180, None, None),
        [],
        TEMPLATES,
        today=TODAY,
    )
    assert letter.driving is None
    assert "Driving" not in [s.heading for s in letter.sections]
    assert letter.title == "After your infusion"


def test_aftercare_lists_the_next_sessions_in_order() -> None:
    this = session(IV, at(2026, 11, 16, 7, 30), number=3)
    later = [
        session(IV, at(2026, 11, 20, 13, 0), number=5),
        session(IV, at(2026, 11, 18, 7, 30), number=4),
    ]
    letter = aftercare_letter(CLINIC, PATIENT, this, later, TEMPLATES, today=TODAY)
    assert letter.next_sessions == (
        "Infusion 4 of 6: Wednesday, November 18, 2026 at 7:30 AM",
        "Infusion 5 of 6: Friday, November 20, 2026 at 1:00 PM",
    )
    assert letter.sections[-1].heading == "Your next sessions"
    assert "Call 911 or go to the nearest emergency room if you have:" in letter.text


def test_last_session_of_a_series_has_no_next_session() -> None:
    last = session(IV, at(2026, 11, 27, 7, 30), number=6)
    letter = aftercare_letter(CLINIC, PATIENT, last, [], TEMPLATES, today=TODAY)
    assert letter.next_sessions == ()
    assert "Your next sessions" not in letter.text
    assert letter.sections[-1].paragraphs == (
        "This was the last infusion of this series. We will call you about follow-up. You can "
        "reach us on (413) 555-0100.",
    )


def test_schedule_letter_tabulates_every_session_with_the_essentials_once() -> None:
    sessions = [
        session(IV, at(2026, 11, 16 + 2 * i, 7, 30), number=i + 1, count=3) for i in range(3)
    ]
    sessions[2] = session(IV, at(2026, 11, 20, 9, 0), number=3, count=3, place=Place.HOME)
    patient = PatientFacts(
        "Liam O'Brien", "Liam O'Brien", "100002", ("1 Elm St",), "Kate O'Brien", "413-555-0123"
    )
    letter = schedule_letter(CLINIC, patient, sessions, TEMPLATES, today=TODAY)
    assert letter.table is not None
    assert letter.table.header == ("Session", "Date", "Starts", "Arrive by", "Where")
    assert letter.table.rows == (
        ("Infusion 1 of 3", "Mon, Nov 16, 2026", "7:30 AM", "7:15 AM", "At the clinic"),
        ("Infusion 2 of 3", "Wed, Nov 18, 2026", "7:30 AM", "7:15 AM", "At the clinic"),
        ("Infusion 3 of 3", "Fri, Nov 20, 2026", "9:00 AM", "8:45 AM", "At your home"),
    )
    assert letter.sections[0].bullets == (
        "Arrive 15 minutes before the start time.",
        "IV ketamine infusion: nothing to eat for 6 hours before.",
        "IV ketamine infusion: nothing to drink in the last 2 hours.",
        "IV ketamine infusion: keep the rest of the day free after each session.",
        "You may not drive yourself home. Your driver on file is Kate O'Brien, phone 413-555-0123.",
        "To cancel or change a session, call us on (413) 555-0100 as early as you can.",
    )
    assert letter.intro.startswith("Here are your 3 upcoming sessions with Harbor Ketamine Clinic.")
