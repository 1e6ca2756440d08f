"""Patients: validation, chart numbers, duplicates, search and the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from benchmarks.query_plans import statements_sent
from scheduler.domain.patients import PatientDetails
from scheduler.errors import ValidationFailed
from scheduler.services import patients as patient_service
from scheduler.services.patients import (
    LikelyDuplicate,
    count_patients,
    create_patient,
    details_of,
    find_patients,
    search_patients,
    set_archived,
    update_patient,
)
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Patient
from tests.conftest import ACTOR, NOW

BORN = dt.date(1984, 5, 17)


def _details(**changes: object) -> PatientDetails:
    base = PatientDetails(
        first_name="Ada",
        last_name="Lovelace",
        date_of_birth=BORN,
        mobile_phone="(207) 555-0101",
        email="ada@example.org",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _create(database: Database, details: PatientDetails, **kwargs: object) -> Patient:
    with database.transaction() as db:
        return create_patient(db, details, actor=ACTOR, now=NOW, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": "  "}, "first_name", "First name is required."),
        ({"last_name": ""}, "last_name", "Last name is required."),
        ({"last_name": "x" * 101}, "last_name", "Last name is longer than 100 characters."),
        ({"date_of_birth": None}, "date_of_birth", "Date of birth is required."),
        (
            {"date_of_birth": dt.date(2026, 11, 17)},
            "date_of_birth",
            "Date of birth 11/17/2026 is in the future.",
        ),
        (
            {"date_of_birth": dt.date(1899, 12, 31)},
            "date_of_birth",
            "Date of birth 12/31/1899 is more than 120 years ago.",
        ),
        (
            {"mobile_phone": "555-CALL-NOW"},
            "mobile_phone",
            "Mobile phone: “555-CALL-NOW” may hold only digits, spaces, + - ( ) and dots.",
        ),
        (
            {"home_phone": "12345"},
            "home_phone",
            "Home phone: “12345” has 5 digits; a phone number has 7 to 15.",
        ),
        (
            {"driver_phone": "+1 207 555 0101 0101 99"},
            "driver_phone",
            "Driver's phone: “+1 207 555 0101 0101 99” has 17 digits; a phone number has 7 to 15.",
        ),
        ({"email": "ada@"}, "email", "Email “ada@” is not an email address."),
        (
            {"email": "ada at example.org"},
            "email",
            "Email “ada at example.org” is not an email address.",
        ),
    ],
)
def test_invalid_details_are_refused_naming_the_field(
    db: Database, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _create(db, _details(**changes))
    assert [(p.field, p.message) for p in refused.value.problems] == [(field, message)]
    with db.reading() as session:
        assert count_patients(session, include_archived=True) == 0
        assert (
            session.scalars(select(AuditEntry).where(AuditEntry.entity == "patients")).all() == []
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"mobile_phone": "+44 20 7946 0958"},
        {"home_phone": "207.555.0199", "mobile_phone": ""},
        {"email": "", "mobile_phone": ""},
        {"date_of_birth": NOW.date()},  # a newborn is unusual but possible
        {"first_name": "  Zoë  "},
    ],
)
def test_valid_details_are_saved(db: Database, changes: dict[str, object]) -> None:
    patient = _create(db, _details(**changes))
    assert patient.first_name == str(changes.get("first_name", "Ada")).strip()


def test_every_problem_is_reported_at_once(db: Database) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _create(db, _details(first_name="", last_name="", email="nope"))
    assert [p.field for p in refused.value.problems] == ["first_name", "last_name", "email"]


def test_chart_numbers_are_generated_unique_and_a_taken_one_is_refused(db: Database) -> None:
    first = _create(db, _details())
    second = _create(db, _details(first_name="Grace", last_name="Hopper"))
    assert (first.chart_number, second.chart_number) == ("100001", "100002")
    with pytest.raises(ValidationFailed, match="Chart number 100001 is already taken"):
        _create(db, _details(first_name="Alan", last_name="Turing"), chart_number="100001")
    own = _create(db, _details(first_name="Alan", last_name="Turing"), chart_number="A-77")
    assert own.chart_number == "A-77"
    third = _create(db, _details(first_name="Edsger", last_name="Dijkstra"))
    assert third.chart_number == "100004"


def test_a_likely_duplicate_needs_confirmation(db: Database) -> None:
    _create(db, _details(first_name="Zoë", last_name="O'Brien"))
    with pytest.raises(LikelyDuplicate, match="already on file") as refused:
        _create(db, _details(first_name="zoe", last_name="O’BRIEN"))
    assert refused.value.chart_numbers == ["100001"]
    confirmed = _create(db, _details(first_name="Zoe", last_name="OBrien"), confirm_duplicate=True)
    assert confirmed.chart_number == "100002"


def test_same_name_with_another_birthday_is_not_a_duplicate(db: Database) -> None:
    first = _create(db, _details())
    second = _create(db, _details(date_of_birth=dt.date(1990, 1, 1)))
    assert (first.chart_number, second.chart_number) == ("100001", "100002")
    assert second.date_of_birth == dt.date(1990, 1, 1)


def test_a_write_leaves_an_audit_record_with_before_and_after(db: Database) -> None:
    patient = _create(db, _details())
    later = NOW + dt.timedelta(hours=1)
    with db.transaction() as session:
        details = details_of(session.get(Patient, patient.id))  # type: ignore[arg-type]
        update_patient(
            session,
            patient.id,
            replace(details, driver_name="Sam Lovelace"),
            actor=replace(ACTOR, sign_in="nurse2"),
            now=later,
        )
    with db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "patients").order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("patient.create", ACTOR.sign_in),
        ("patient.update", "nurse2"),
    ]
    update = entries[1]
    assert update.entity_id == patient.id
    assert update.at == later
    assert update.before is not None
    assert update.after is not None
    assert (update.before["driver_name"], update.after["driver_name"]) == ("", "Sam Lovelace")
    assert update.after["date_of_birth"] == "1984-05-17"


def test_archived_patients_leave_search_but_keep_their_chart(db: Database) -> None:
    patient = _create(db, _details())
    with db.transaction() as session:
        set_archived(session, patient.id, True, actor=ACTOR, now=NOW)
    with db.reading() as session:
        assert search_patients(session, "ada") == []
        assert [p.patient_id for p in search_patients(session, "ada", include_archived=True)] == [
            patient.id
        ]
    with db.transaction() as session:
        set_archived(session, patient.id, False, actor=ACTOR, now=NOW)
    with db.reading() as session:
        assert [p.patient_id for p in search_patients(session, "ada")] == [patient.id]


@pytest.fixture
def people(db: Database) -> Database:
    return add_people(db)


def add_people(db: Database) -> Database:
    """Six patients whose names, phones and birth dates search must find however typed."""
    for first, last, preferred, born, phone in (
        ("Zoë", "Łukasiewicz-Núñez", "", dt.date(1980, 1, 2), "(207) 555-0142"),
        ("Seán", "O'Brien", "Sean", dt.date(1975, 3, 9), "207-555-9876"),
        ("An", "Nguyễn", "", dt.date(1990, 7, 4), ""),
        ("Zoe", "Adams", "", dt.date(2001, 12, 25), "+1 (617) 555 3344"),
        ("Marie", "Zoellner", "", dt.date(1966, 6, 6), ""),
        ("花子", "山田", "Hanako", dt.date(1988, 8, 8), ""),
    ):
        _create(db, _details(first_name=first, last_name=last, preferred_name=preferred,
                             date_of_birth=born, mobile_phone=phone))  # fmt: skip
    return db


SEARCHES = [
    ("Zoe", ["Zoe Adams", "Zoë Łukasiewicz-Núñez", "Marie Zoellner"]),
    ("zoë", ["Zoe Adams", "Zoë Łukasiewicz-Núñez", "Marie Zoellner"]),
    ("zoe luk", ["Zoë Łukasiewicz-Núñez"]),
    ("nunez", ["Zoë Łukasiewicz-Núñez"]),
    ("LUKASIEWICZ-NUNEZ", ["Zoë Łukasiewicz-Núñez"]),
    ("o'brien", ["Seán O'Brien"]),
    ("obrien", ["Seán O'Brien"]),
    ("O’Brien", ["Seán O'Brien"]),
    ("sean", ["Seán O'Brien"]),
    ("nguyen", ["An Nguyễn"]),
    ("hanako", ["花子 山田"]),
    ("山田", ["花子 山田"]),
    ("100002", ["Seán O'Brien"]),
    ("10000", None),  # chart number prefix: everyone
    ("555-0142", ["Zoë Łukasiewicz-Núñez"]),
    ("9876", ["Seán O'Brien"]),
    ("6175553344", ["Zoe Adams"]),
    ("1980-01-02", ["Zoë Łukasiewicz-Núñez"]),
    ("12/25/2001", ["Zoe Adams"]),
    ("o'brien 1975-03-09", ["Seán O'Brien"]),
    ("brien", []),  # names match from the start of a word
    ("nobody", []),
    ("50%_", []),
    ("zoe ad%", []),  # what is typed is matched as it is, never as a pattern
    ("zoe _dams", []),
    ("zoe a", ["Zoe Adams"]),
]


@pytest.mark.parametrize(("typed", "found"), SEARCHES)
def test_search_is_case_and_accent_insensitive(
    people: Database, typed: str, found: list[str] | None
) -> None:
    with people.reading() as session:
        names = [p.full_name for p in search_patients(session, typed)]
        total = count_patients(session, typed)
    if found is None:
        assert len(names) == 6
    else:
        assert names == found
    assert total == len(names)


@pytest.mark.parametrize(("typed", "found"), SEARCHES)
def test_finding_gives_the_page_and_count_the_search_and_count_give(
    people: Database, typed: str, found: list[str] | None
) -> None:
    with people.reading() as session:
        result = find_patients(session, typed)
        page = [p.full_name for p in search_patients(session, typed)]
        total = count_patients(session, typed)
    assert [p.full_name for p in result.page] == page
    assert (result.total, result.more_than_counted) == (total, False)


def test_a_keystroke_reads_its_matches_once(
    people: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk shows a page and a count on every keystroke: when the matches fit the
    count's limit, reading them answers both, so no statement finds them a second time."""
    monkeypatch.setattr(patient_service, "_CHOSEN", patient_service._Choices())
    with people.reading() as session:
        find_patients(session, "zoe a")  # how common "zoe" and "a" are: counted once
        with statements_sent(people) as sent:
            result = find_patients(session, "zoe ad")
    assert [p.full_name for p in result.page] == ["Zoe Adams"]
    assert result.total == 1
    assert len(sent) == 3, "\n".join(s for s, _ in sent)  # "ad" counted, ids, the patients
    assert not [s for s, _ in sent if "EXISTS" in s and "count(" in s]


@pytest.mark.parametrize(("limit", "most"), [(2, 3), (4, 3), (2, 10)])
def test_finding_counts_past_the_page_up_to_the_limit(
    people: Database, monkeypatch: pytest.MonkeyPatch, limit: int, most: int
) -> None:
    monkeypatch.setattr(patient_service, "COUNT_LIMIT", most)
    with people.reading() as session:
        everyone = find_patients(session, "10000", limit=limit)  # six patients
        zoes = find_patients(session, "zoe", limit=limit)  # three
        on_file = find_patients(session, "", limit=limit)  # counted further
    assert [len(everyone.page), len(zoes.page), len(on_file.page)] == [
        min(limit, 6),
        min(limit, 3),
        min(limit, 6),
    ]
    assert everyone.total == min(6, most + 1)
    assert everyone.more_than_counted is (most < 6)
    assert (zoes.total, zoes.more_than_counted) == (3, False)
    assert (on_file.total, on_file.more_than_counted) == (6, False)


def test_search_pages_through_results(people: Database) -> None:
    with people.reading() as session:
        first = search_patients(session, "", limit=4)
        rest = search_patients(session, "", limit=4, offset=4)
    assert (len(first), len(rest)) == (4, 2)
    assert not {p.patient_id for p in first} & {p.patient_id for p in rest}


@pytest.mark.parametrize(
    ("few", "counted"),
    [(0, 1000), (10**6, 10**6), (1, 1)],
    ids=["walk-patients", "lead-by-word", "lead-by-sample"],
)
def test_every_way_of_searching_finds_the_same_patients(
    people: Database, monkeypatch: pytest.MonkeyPatch, few: int, counted: int
) -> None:
    """A common number walks the patients in name order, a rare word leads from its words,
    and among common words the one whose first patients most often match the rest leads."""
    monkeypatch.setattr(patient_service, "FEW_MATCHES", few)
    monkeypatch.setattr(patient_service, "LEAD_COUNT_LIMIT", counted)
    monkeypatch.setattr(patient_service, "_CHOSEN", patient_service._Choices())
    with people.reading() as session:
        for typed, found in SEARCHES:
            names = [p.full_name for p in search_patients(session, typed)]
            assert names == found if found is not None else len(names) == 6, typed
            assert count_patients(session, typed) == len(names), typed


def test_search_follows_new_names_phones_and_archiving(db: Database) -> None:
    patient = _create(db, _details())
    with db.transaction() as session:
        update_patient(
            session,
            patient.id,
            _details(last_name="Byron", preferred_name="Ida", mobile_phone="617-555-7788"),
            actor=ACTOR,
            now=NOW,
        )

    def found(typed: str, *, include_archived: bool = False) -> list[int]:
        with db.reading() as session:
            return [
                p.patient_id
                for p in search_patients(session, typed, include_archived=include_archived)
            ]

    assert found("lovelace") == found("lov") == found("5550101") == []
    assert found("byron") == found("ida b") == found("7788") == found("a b") == [patient.id]
    with db.transaction() as session:
        set_archived(session, patient.id, True, actor=ACTOR, now=NOW)
    assert found("byron") == found("by") == found("7788") == []
    assert (
        found("by", include_archived=True) == found("7788", include_archived=True) == [patient.id]
    )


def test_counting_stops_past_the_limit(people: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patient_service, "COUNT_LIMIT", 2)
    with people.reading() as session:
        assert count_patients(session, "10000") == 3  # "more than 2"
        assert count_patients(session, "zoe") == 3
        assert count_patients(session, "zoe adams") == 1
        assert count_patients(session, "") == 6  # the patients on file count further
