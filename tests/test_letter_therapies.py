"""Every seeded therapy's letters say what is true for it, and nothing from another therapy.

One clinic database holds a session of every seeded therapy on one Monday; the real print runs
write the PDFs, and the checks read the text back out of them.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.domain.catalogue import THERAPIES
from scheduler.domain.enums import LetterKind, Place
from scheduler.errors import ServiceError
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services import letters
from scheduler.services.clinic import get_settings, set_up_clinic
from scheduler.store import Database, open_database
from scheduler.store.models import TreatmentSession
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.letter_fixtures import (
    LetterKit,
    PatientSpec,
    add_patient,
    add_series,
    local_time,
    pdf_text,
    squashed,
)

DAY = dt.date(2026, 11, 23)  # a Monday, a week after NOW
AFTER_HOURS = "(617) 555-0199"
TEMPLATES = load_templates(None)
RENDERER = PdfRenderer()
WORDING = {t.code: t.letter_wording for t in THERAPIES}
CODES = [t.code for t in THERAPIES]
NO_AFTERCARE = {"consultation", "follow_up"}


@dataclass(frozen=True)
class Printed:
    """What the print runs wrote for one therapy: letter text, or the refusal, per kind."""

    prep: str
    aftercare: str | None
    refusal: str | None
    schedule: str
    prep_pdf: Path
    aftercare_pdf: Path | None


def _text(path: Path) -> str:
    """The PDF's text as a reader gets it, on one line (no-break spaces read as spaces)."""
    return squashed(pdf_text(path.read_bytes()))


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    """Each seeded therapy's prep, aftercare (or refusal) and schedule letter, as printed."""
    folder = tmp_path_factory.mktemp("therapies")
    database = open_database(str(folder / "clinic.sqlite3"), now=NOW)
    with database.transaction() as s:
        set_up_clinic(s, name="Harbor Clinic", timezone=CLINIC_TZ, actor=ACTOR.sign_in, now=NOW)
        get_settings(s).phone = "(413) 555-0100"
        get_settings(s).after_hours_phone = AFTER_HOURS
    sessions: dict[str, int] = {}
    charts: dict[str, str] = {}
    with database.transaction() as s:
        for index, code in enumerate(CODES):
            patient = add_patient(
                s,
                PatientSpec(
                    f"Pat{chr(65 + index)}", "Doe",
                    driver_name="Sam Kowalski", driver_phone="(617) 555-0142",
                ),
            )  # fmt: skip
            # The first at 10:45 on the Monday (as in the complaint), a second on Thursday.
            start = local_time(DAY, 8 + index, 45 if code == "iv_ketamine" else 0)
            later = local_time(DAY + dt.timedelta(days=3), 8 + index)
            booked = add_series(s, patient, code, [start, later])
            if code == "iv_ketamine":
                booked[0].starts_at = local_time(DAY, 10, 45).astimezone(dt.UTC)
                booked[0].ends_at = local_time(DAY, 12, 15).astimezone(dt.UTC)
            sessions[code] = booked[0].id
            charts[code] = patient.chart_number
    kit = LetterKit(templates=TEMPLATES, renderer=RENDERER, actor=ACTOR, now=NOW)
    result = {}
    for code in CODES:
        out = folder / code
        with database.transaction() as s:
            prep = letters.session_letter(s, sessions[code], LetterKind.PREP, out_dir=out, **kit)
            schedule = letters.schedule_letter_for(s, charts[code], out_dir=out, **kit)
        aftercare_pdf, refusal = None, None
        try:
            with database.transaction() as s:
                after = letters.session_letter(
                    s, sessions[code], LetterKind.AFTERCARE, out_dir=out, **kit
                )
            aftercare_pdf = after.files[0]
        except ServiceError as exc:
            refusal = str(exc)
        result[code] = Printed(
            prep=_text(prep.files[0]),
            aftercare=_text(aftercare_pdf) if aftercare_pdf else None,
            refusal=refusal,
            schedule=_text(schedule.files[0]),
            prep_pdf=prep.files[0],
            aftercare_pdf=aftercare_pdf,
        )
    database.close()
    return result


# Each therapy's facts that its letters must state (DOMAIN.md, "What each therapy's letters say").
PREP_FACTS = {
    "iv_ketamine": [
        "Stop eating: 4:45 AM, Monday", "Clear liquids until: 8:45 AM", "Arrive: 10:30 AM",
        "Driver: Sam Kowalski, (617) 555-0142", "You may drink clear liquids",
        "You may not drive yourself home", "Keep the rest of the day free",
    ],
    "im_ketamine": [
        "Stop eating:", "Clear liquids until:", "You may not drive yourself home",
        "Keep the rest of the day free", "dreamy or detached",
    ],
    "esketamine": [
        "Stop eating:", "Stop drinking:", "Do not drink after",
        "You may not drive until the next day, after a night of restful sleep.",
        "REMS is a safety program: you take Spravato only here, and we watch over you.",
        "You stay at least 2 hours after the dose.", "blood pressure",
        "nasal steroid or decongestant spray", "Keep the rest of the day free",
    ],
    "nad": [
        "Eat a light meal before you come, and drink water.", "2 to 4 hours",
        "flushing, warmth, nausea, stomach cramps, chest tightness or a headache",
        "Tell the nurse at once",
    ],
    "sgb": [
        "blood thinner", "If you will have sedation", "You may not drive yourself home",
        "Driver: Sam Kowalski, (617) 555-0142", "Ultrasound or X-ray",
    ],
    "consultation": [
        "Your consultation with us", "medicines you take", "recent medical records and a photo ID",
        "You do not need to fast",
    ],
    "follow_up": [
        "Your visit with us", "medicines you take", "recent medical records and a photo ID",
        "You do not need to fast",
    ],
}  # fmt: skip
AFTERCARE_FACTS = {
    "iv_ketamine": [
        "No driving until: 6:15 PM today", "before 6:15 PM on Monday, November 23",
        "double vision", "Do not drink alcohol", "blue lips or skin",
    ],
    "im_ketamine": ["No driving until:", "double vision", "Do not drink alcohol"],
    "esketamine": [
        "No driving until: Tuesday, November 24, after a night of sleep",
        "until the next day, after a night of restful sleep",
        "feeling detached", "very bad headache",
    ],
    "nad": [
        "NAD+ does not make you sleepy, so you may drive home.", "Mild tiredness or a headache",
        "chest pain or trouble breathing that does not pass",
        "signs of an allergic reaction: a rash, or swelling of your face or throat",
    ],
    "sgb": [
        "No driving until:", "droopy eyelid", "small pupil", "hoarse voice",
        "Do not eat until you can swallow normally",
        "trouble breathing", "trouble swallowing that does not go away",
        "swelling in your neck", "a fever, or a hot, red injection site",
    ],
}  # fmt: skip
SCHEDULE_FACTS = {
    "iv_ketamine": ["keep the rest of the day free after each session", "You may not drive"],
    "im_ketamine": ["keep the rest of the day free after each session", "You may not drive"],
    "esketamine": ["at least 2 hours after each dose", "until the next day"],
    "nad": ["eat a light meal first", "2 to 4 hours"],
    "sgb": ["blood thinner", "You may not drive"],
    "consultation": ["no fasting and no driver needed"],
    "follow_up": ["no fasting and no driver needed"],
}
# Sentences only one wording may say: another therapy's letter printing one is a clinical error.
SPECIFIC = {
    "ketamine": [
        "clear liquids", "dreamy or detached", "double vision", "blue lips",
        "keep the rest of the day free after each session",
    ],
    "esketamine": [
        "REMS", "nasal steroid", "Spravato only here", "very bad headache", "feeling detached",
        "at least 2 hours after each dose", "until the next day",
    ],
    "nad": [
        "light meal before", "light meal first", "drip", "2 to 4 hours",
        "does not make you sleepy", "Tell the nurse",
    ],
    "sgb": [
        "blood thinner", "droopy eyelid", "swelling in your neck", "open neck", "sedation",
        "swallow normally", "injection site",
    ],
    "visit": ["medical records", "do not need to fast", "no fasting and no driver"],
}  # fmt: skip
# Only dissociative treatments keep the day free; only a therapy needing a driver says so.
DISSOCIATIVE = {"iv_ketamine", "im_ketamine", "esketamine"}
NEEDS_DRIVER = {t.code for t in THERAPIES if t.needs_driver}
FASTING = {t.code for t in THERAPIES if t.fasting_solids_minutes}
PSYCHIATRIC = {"iv_ketamine", "im_ketamine", "esketamine", "sgb"}

CASES = [pytest.param(code, kind, id=f"{code}-{kind}") for code in CODES
         for kind in ("prep", "aftercare", "schedule")]  # fmt: skip


def _letter(printed: dict[str, Printed], code: str, kind: str) -> str | None:
    return getattr(printed[code], kind)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("code", "kind"), CASES)
def test_each_letter_has_its_therapys_facts_and_no_other_therapys_sentences(
    printed: dict[str, Printed], code: str, kind: str
) -> None:
    text = _letter(printed, code, kind)
    if kind == "aftercare" and code in NO_AFTERCARE:
        assert text is None
        return
    assert text is not None
    facts = {"prep": PREP_FACTS, "aftercare": AFTERCARE_FACTS, "schedule": SCHEDULE_FACTS}[kind]
    missing = [fact for fact in facts[code] if fact not in text]
    assert missing == []
    foreign = [
        sentence
        for wording, sentences in SPECIFIC.items()
        if wording != WORDING[code]
        for sentence in sentences
        if sentence.lower() in text.lower()
    ]
    assert foreign == []
    assert not re.search(
        r"\) \(|\((consultation|visit|treatment|infusion)", text
    )  # no doubled labels
    if kind == "prep":
        assert ("Keep the rest of the day free" in text) == (code in DISSOCIATIVE)
        assert ("Getting home" in text) == (code in NEEDS_DRIVER)
        assert ("Eating and drinking" in text) == (code in FASTING)
        assert ("Stop eating:" in text) == (code in FASTING)


@pytest.mark.parametrize("code", sorted(NO_AFTERCARE))
def test_a_visit_has_no_aftercare_letter_and_is_refused_by_name(
    printed: dict[str, Printed], code: str
) -> None:
    name = next(t.name for t in THERAPIES if t.code == code)
    assert printed[code].refusal == (
        f"{name} has no aftercare letter (the session of PatF Doe on Monday, November 23, 2026)."
        if code == "consultation"
        else f"{name} has no aftercare letter (the session of PatG Doe on Monday, November 23, "
        "2026)."
    )


@pytest.mark.parametrize("code", sorted(PSYCHIATRIC))
def test_psychiatric_aftercare_gives_the_crisis_line_and_after_hours_number(
    printed: dict[str, Printed], code: str
) -> None:
    text = printed[code].aftercare
    assert text is not None
    assert "Crisis line: call or text 988" in text
    assert "call or text 988 (Suicide & Crisis Lifeline), day or night" in text
    assert "In an emergency, call 911." in text
    assert f"After hours: {AFTER_HOURS}" in text
    assert f"To reach us outside opening hours, call {AFTER_HOURS}." in text


def test_nad_aftercare_has_no_crisis_line(printed: dict[str, Printed]) -> None:
    text = printed["nad"].aftercare
    assert text is not None
    assert "988" not in text


def test_without_an_after_hours_number_no_empty_number_prints(db: Database, tmp_path: Path) -> None:
    with db.transaction() as s:
        get_settings(s).phone = "(413) 555-0100"
        patient = add_patient(s, PatientSpec("Ada", "Moreau"))
        (session,) = add_series(s, patient, "iv_ketamine", [local_time(DAY, 9)])
    with db.transaction() as s:
        batch = letters.session_letter(
            s, session.id, LetterKind.AFTERCARE, out_dir=tmp_path, templates=TEMPLATES,
            renderer=RENDERER, actor=ACTOR, now=NOW,
        )  # fmt: skip
    text = _text(batch.files[0])
    assert "After hours" not in text
    assert "To reach us during opening hours, call (413) 555-0100." in text
    assert not re.search(r"call\s*[.,]", text)  # never "call ." with the number missing
    assert batch.notes == (
        "Settings has no after-hours phone number; aftercare letters print the clinic's number "
        "for opening hours instead. Add it under Settings, Clinic.",
    )


def test_a_days_aftercare_run_skips_visits_and_says_how_many(db: Database, tmp_path: Path) -> None:
    with db.transaction() as s:
        for code in ("iv_ketamine", "consultation", "follow_up"):
            patient = add_patient(s, PatientSpec("Ada", code))
            add_series(s, patient, code, [local_time(DAY, 9 + len(code) % 5)])
        patient = add_patient(s, PatientSpec("Bo", "Video"))
        add_series(s, patient, "consultation", [local_time(DAY, 15)], place=Place.VIDEO)
    with db.transaction() as s:
        batch = letters.aftercare_letters(
            s, day=DAY, out_dir=tmp_path, templates=TEMPLATES, renderer=RENDERER, actor=ACTOR,
            now=NOW,
        )  # fmt: skip
    assert [c.recipient[0] for c in batch.letters] == ["Ada iv_ketamine"]
    assert batch.skipped == 3


def test_a_session_by_video_has_no_aftercare(db: Database, tmp_path: Path) -> None:
    with db.transaction() as s:
        patient = add_patient(s, PatientSpec("Bo", "Video"))
        (session,) = add_series(s, patient, "iv_ketamine", [local_time(DAY, 9)])
        session.place = Place.VIDEO
        session.chair_id = None
    with db.transaction() as s, pytest.raises(ServiceError) as refused:
        letters.session_letter(
            s, session.id, LetterKind.AFTERCARE, out_dir=tmp_path, templates=TEMPLATES,
            renderer=RENDERER, actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert str(refused.value) == (
        "A infusion by video call has no aftercare letter (the session of Bo Video on Monday, "
        "November 23, 2026)."
    )
    with db.reading() as s:
        assert (
            s.scalar(select(TreatmentSession.place).where(TreatmentSession.id == session.id))
            == "video"
        )


@pytest.mark.parametrize("code", CODES)
def test_every_font_in_every_letter_is_embedded(printed: dict[str, Printed], code: str) -> None:
    for pdf in (printed[code].prep_pdf, printed[code].aftercare_pdf):
        if pdf is None:
            continue
        fonts = _pdffonts(pdf)
        assert fonts, "pdffonts found no fonts"
        assert [name for name, embedded in fonts if not embedded] == []


_FONT_ROW = re.compile(r"^(\S+).*\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$")


def _pdffonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for each font ``pdffonts`` (poppler-utils) lists."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = [_FONT_ROW.match(row) for row in out.stdout.splitlines()[2:]]
    return [(m[1], m[2] == "yes") for m in rows if m is not None]
