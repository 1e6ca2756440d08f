"""Print runs on a real clinic database: files written, letters recorded, refusals clean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from scheduler.domain.enums import LetterKind, PaperSize, Place, SessionStatus
from scheduler.errors import ServiceError
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services import letters
from scheduler.services.clinic import get_settings
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Letter
from tests.conftest import ACTOR, NOW
from tests.letter_fixtures import (
    LetterKit,
    PatientSpec,
    add_patient,
    add_series,
    local_time,
    pdf_text,
    squashed,
)

DAY = dt.date(2026, 11, 18)  # a Wednesday, two days after NOW
TEMPLATES = load_templates(None)
RENDERER = PdfRenderer()

NAMES = [
    PatientSpec("Zoë", "Łukasiewicz-Núñez", driver_name="Marek Łukasiewicz"),
    PatientSpec("Văn An", "Nguyễn", cautions=("benzodiazepines",)),
    PatientSpec("Liam", "O'Brien", preferred_name="Li", street="", city="", region="",
                postal_code=""),
]  # fmt: skip


class Kit(LetterKit):
    out_dir: Path


def _kit(out: Path) -> Kit:
    return Kit(out_dir=out, templates=TEMPLATES, renderer=RENDERER, actor=ACTOR, now=NOW)


def _book_day(db: Database) -> dict[str, list[int]]:
    """Three patients on DAY: two mid-series, one whose session that day is the last."""
    ids: dict[str, list[int]] = {}
    with db.transaction() as s:
        zoe, nguyen, liam = (add_patient(s, spec) for spec in NAMES)
        days = [DAY - dt.timedelta(days=2), DAY, DAY + dt.timedelta(days=2)]
        ids["zoe"] = [x.id for x in add_series(s, zoe, "iv_ketamine",
                                               [local_time(d, 7, 30) for d in days],
                                               planned_count=6)]  # fmt: skip
        ids["nguyen"] = [
            x.id for x in add_series(s, nguyen, "esketamine", [local_time(DAY, 10, 0)])
        ]
        ids["liam"] = [
            x.id
            for x in add_series(
                s,
                liam,
                "iv_ketamine",
                [local_time(DAY, 13, 0), local_time(DAY + dt.timedelta(days=1), 9, 0)],
                statuses={2: SessionStatus.CANCELLED},
            )
        ]
    return ids


def test_prep_batch_writes_combined_and_one_file_per_patient_and_records_them(
    db: Database, tmp_path: Path
) -> None:
    ids = _book_day(db)
    out = tmp_path / "letters"
    with db.transaction() as s:
        batch = letters.prep_letters(s, first_day=DAY, **_kit(out))
    assert batch.combined == out / "prep-2026-11-18-all.pdf"
    assert [p.name for p in batch.files] == [
        "prep-2026-11-18-0730-200001-lukasiewicz-nunez-zoe.pdf",
        "prep-2026-11-18-1000-200002-nguyen-van-an.pdf",
        "prep-2026-11-18-1300-200003-obrien-liam.pdf",
    ]
    assert sorted(out.iterdir()) == sorted(batch.written)
    assert batch.notes == ("Liam O'Brien (chart 200003) has no address on file.",)
    combined = PdfReader(batch.combined)
    assert combined.metadata is not None
    assert combined.metadata.title == "Prep letters, Wednesday, November 18, 2026"
    assert combined.metadata.author == "Test Clinic"
    assert len(combined.pages) == 3
    # Each patient's file names them and carries the times the content computed, exactly.
    for content, path in zip(batch.letters, batch.files, strict=True):
        text = squashed(pdf_text(path.read_bytes()))
        assert content.recipient[0] in text
        for cutoff in content.fasting:
            assert squashed(cutoff.sentence) in text
        assert content.driver_line is not None
        assert squashed(content.driver_line) in text
    zoe_text = squashed(pdf_text(batch.files[0].read_bytes()))
    assert "Do not eat after 1:30 AM in the night from Tuesday to Wednesday, November 18" in (
        zoe_text
    )
    assert "Your driver on file is Marek Łukasiewicz" in zoe_text
    assert "Dear Zoë Łukasiewicz-Núñez," in zoe_text
    nguyen_text = squashed(pdf_text(batch.files[1].read_bytes()))
    assert "Do not drink after 9:30 AM on Wednesday, November 18" in nguyen_text
    assert "You take a benzodiazepine" in nguyen_text
    assert "Dear Văn An Nguyễn," in nguyen_text
    assert "Dear Li O'Brien," in squashed(pdf_text(batch.files[2].read_bytes()))
    with db.reading() as s:
        rows = s.scalars(select(Letter).order_by(Letter.id)).all()
        assert [
            (r.kind, r.session_id, r.generated_by, r.generated_at, r.reprint) for r in rows
        ] == [
            ("prep", ids["zoe"][1], ACTOR.sign_in, NOW, False),
            ("prep", ids["nguyen"][0], ACTOR.sign_in, NOW, False),
            ("prep", ids["liam"][0], ACTOR.sign_in, NOW, False),
        ]
        assert [r.file_name for r in rows] == [p.name for p in batch.files]
        audited = s.scalar(select(func.count()).where(AuditEntry.action == "letter.generate"))
        assert audited == 3


def test_printing_again_marks_reprints(db: Database, tmp_path: Path) -> None:
    _book_day(db)
    for _ in range(2):
        with db.transaction() as s:
            batch = letters.prep_letters(s, first_day=DAY, **_kit(tmp_path))
    assert batch.reprints == 3
    with db.reading() as s:
        assert [r.reprint for r in s.scalars(select(Letter).order_by(Letter.id))] == [False] * 3 + [
            True
        ] * 3


def test_only_unprinted_leaves_out_the_sessions_printed_before(
    db: Database, tmp_path: Path
) -> None:
    ids = _book_day(db)
    with db.transaction() as s:  # one letter printed on its own, from the session
        letters.session_letter(s, ids["nguyen"][0], LetterKind.PREP, **_kit(tmp_path / "one"))
    with db.transaction() as s:
        new = letters.prep_letters(s, first_day=DAY, only_unprinted=True, **_kit(tmp_path / "new"))
    assert (len(new.letters), new.left_out, new.reprints) == (2, 1, 0)
    assert new.combined is not None
    assert new.combined.name.endswith("-new.pdf")
    with db.transaction() as s:
        again = letters.prep_letters(
            s, first_day=DAY, only_unprinted=True, **_kit(tmp_path / "again")
        )
    assert (again.letters, again.combined, again.left_out) == ((), None, 3)
    assert letters.nothing_new(again, "that day") == (
        "All 3 prep letters for that day have been printed already; nothing new to print."
    )


def test_the_desk_sees_which_letters_were_printed(db: Database, tmp_path: Path) -> None:
    ids = _book_day(db)
    zoe_today = ids["zoe"][1]
    asked = [zoe_today, ids["nguyen"][0], ids["zoe"][2]]
    with db.reading() as s:
        assert letters.printed_kinds(s, asked) == {}
    with db.transaction() as s:
        letters.prep_letters(s, first_day=DAY, **_kit(tmp_path))
        letters.session_letter(s, zoe_today, LetterKind.AFTERCARE, **_kit(tmp_path))
    with db.reading() as s:
        assert letters.printed_kinds(s, asked) == {
            (zoe_today, "prep"): True,
            (zoe_today, "aftercare"): True,
            (ids["nguyen"][0], "prep"): True,
        }
        assert letters.printed_kinds(s, []) == {}


def test_prep_range_and_empty_day(db: Database, tmp_path: Path) -> None:
    _book_day(db)
    with db.transaction() as s:
        ranged = letters.prep_letters(
            s, first_day=DAY - dt.timedelta(days=2), last_day=DAY + dt.timedelta(days=2),
            **_kit(tmp_path),
        )  # fmt: skip
        empty = letters.prep_letters(s, first_day=dt.date(2026, 12, 25), **_kit(tmp_path / "x"))
    # Five sessions hold a slot in the range; Liam's cancelled one has no letter.
    assert len(ranged.letters) == 5
    assert ranged.combined is not None
    assert ranged.combined.name == "prep-2026-11-16_to_2026-11-20-all.pdf"
    assert empty.letters == ()
    assert empty.written == ()
    assert not (tmp_path / "x").exists()


def test_aftercare_batch_lists_next_sessions_and_not_for_the_last(
    db: Database, tmp_path: Path
) -> None:
    _book_day(db)
    with db.transaction() as s:
        batch = letters.aftercare_letters(s, day=DAY, **_kit(tmp_path))
    zoe, nguyen, liam = batch.letters
    assert zoe.next_sessions == ("Infusion 3 of 6: Friday, November 20, 2026 at 7:30 AM",)
    assert nguyen.next_sessions == ()
    assert nguyen.driving is not None
    assert nguyen.driving.sentence == (
        "Do not drive or use machines until the next day, after a night of restful sleep. "
        "The earliest is the morning of Thursday, November 19."
    )
    assert liam.next_sessions == ()  # the only later session was cancelled
    text = squashed(pdf_text(batch.files[0].read_bytes()))
    assert "before 3:00 PM on Wednesday, November 18" in text
    assert "Infusion 3 of 6: Friday, November 20, 2026 at 7:30 AM" in text
    assert "Your next sessions" not in squashed(pdf_text(batch.files[1].read_bytes()))


def test_cancelled_session_is_refused_by_name(db: Database, tmp_path: Path) -> None:
    ids = _book_day(db)
    with db.transaction() as s, pytest.raises(ServiceError) as refused:
        letters.session_letter(s, ids["liam"][1], LetterKind.PREP, **_kit(tmp_path))
    assert str(refused.value) == (
        "The session of Liam O'Brien on Thursday, November 19, 2026 is cancelled; "
        "no letter is printed for it."
    )
    assert not (tmp_path / "out").exists()


def test_one_session_letter_without_combined_file(db: Database, tmp_path: Path) -> None:
    ids = _book_day(db)
    with db.transaction() as s:
        batch = letters.session_letter(s, ids["zoe"][0], LetterKind.AFTERCARE, **_kit(tmp_path))
    assert batch.combined is None
    assert [p.name for p in batch.written] == [
        "aftercare-2026-11-16-0730-200001-lukasiewicz-nunez-zoe.pdf"
    ]
    assert batch.letters[0].next_sessions == (
        "Infusion 2 of 6: Wednesday, November 18, 2026 at 7:30 AM",
        "Infusion 3 of 6: Friday, November 20, 2026 at 7:30 AM",
    )


@pytest.mark.parametrize("paper", [PaperSize.A4, PaperSize.LETTER])
def test_paper_size_and_logo_follow_settings(
    db: Database, tmp_path: Path, paper: PaperSize
) -> None:
    _book_day(db)
    with db.transaction() as s:
        settings = get_settings(s)
        settings.paper_size = paper
        settings.logo_path = str(tmp_path / "no-such-logo.png")
    with db.transaction() as s:
        batch = letters.prep_letters(s, first_day=DAY, **_kit(tmp_path / "out"))
    assert batch.notes[0] == (
        f"The logo file {tmp_path / 'no-such-logo.png'} was not found; letters were printed "
        "without a logo. Correct the logo in Settings."
    )
    assert batch.combined is not None
    box = PdfReader(batch.combined).pages[0].mediabox
    expected = {PaperSize.A4: (595, 841), PaperSize.LETTER: (612, 792)}[paper]
    assert (int(box.width), int(box.height)) == expected


def test_unwritable_folder_leaves_nothing_and_records_nothing(db: Database, tmp_path: Path) -> None:
    _book_day(db)
    desk = tmp_path / "desk"
    desk.mkdir()
    blocker = desk / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "letters"
    with pytest.raises(ServiceError) as refused, db.transaction() as s:
        letters.prep_letters(s, first_day=DAY, **_kit(out))
    assert str(refused.value).startswith(f"Cannot use {out} for letters: ")
    assert str(refused.value).endswith("Nothing was printed.")
    assert sorted(p.name for p in desk.iterdir()) == ["a-file"]
    with db.reading() as s:
        assert s.scalar(select(func.count(Letter.id))) == 0


def test_write_failure_midway_removes_temporary_files(tmp_path: Path) -> None:
    # A name that is already a folder cannot be replaced by a file: the second rename fails.
    (tmp_path / "b.pdf").mkdir()
    with pytest.raises(ServiceError, match="Nothing was printed or recorded"):
        letters.write_files(tmp_path, {"c.pdf": b"%PDF-1", "b.pdf": b"%PDF-2"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.pdf", "c.pdf"]
    assert (tmp_path / "b.pdf").is_dir()


def test_schedule_letter_for_a_patient(db: Database, tmp_path: Path) -> None:
    with db.transaction() as s:
        patient = add_patient(s, PatientSpec("Zoë", "Łukasiewicz-Núñez"))
        starts = [local_time(DAY + dt.timedelta(days=2 * i), 8, 0) for i in range(6)]
        add_series(s, patient, "iv_ketamine", starts, place=Place.CHAIR)
        chart = patient.chart_number
    with db.transaction() as s:
        batch = letters.schedule_letter_for(s, chart, **_kit(tmp_path))
    (content,) = batch.letters
    assert content.table is not None
    assert len(content.table.rows) == 6
    assert content.table.rows[0] == (
        "Infusion 1 of 6", "Wed, Nov 18, 2026", "8:00 AM", "7:45 AM", "At the clinic",
    )  # fmt: skip
    text = squashed(pdf_text(batch.files[0].read_bytes()))
    assert "Zoë Łukasiewicz-Núñez" in text
    assert "Infusion 6 of 6" in text
    with db.reading() as s:
        (row,) = s.scalars(select(Letter)).all()
        assert (row.kind, row.session_id, row.series_id is not None) == ("schedule", None, True)
