"""The day sheet on paper (its text read back with pypdf, fonts by pdffonts) and its command."""

from __future__ import annotations

import datetime as dt
import io
import re
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from scheduler.cli import main
from scheduler.domain.day_sheet import DaySheet
from scheduler.domain.enums import PaperSize, StaffRole
from scheduler.letters.day_sheet_pdf import DaySheetRenderer
from scheduler.services.day_sheet import day_sheet
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Letter
from tests.conftest import ACTOR, NOW
from tests.factories import add_account, add_chairs
from tests.letter_fixtures import (
    PatientSpec,
    add_patient,
    add_printing_nurse,
    add_session,
    local_time,
    pdf_text,
    squashed,
    therapy,
)
from tests.test_day_sheet import DAY, Day, build_day
from tests.test_letter_therapies import _pdffonts

RENDERER = DaySheetRenderer()


@pytest.fixture
def built(db: Database) -> Day:
    with db.transaction() as s:
        return build_day(s)


def _sheet(db: Database, day: dt.date = DAY) -> DaySheet:
    with db.reading() as s:
        return day_sheet(s, day, actor=ACTOR, now=NOW)


def _pages(pdf: bytes) -> list[str]:
    return [squashed(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_sheet_prints_every_fact(db: Database, built: Day) -> None:
    text = squashed(pdf_text(RENDERER.render(_sheet(db))))
    for expected in (
        "Day sheet: Monday, November 23, 2026",
        "Test Clinic",
        "7 sessions; 1 with no driver on file",
        "Printed Monday, November 16, 2026 at 9:00 AM",
        "Chair 1",
        "Time Patient Therapy Driver Cautions Prep Aftercare",
        "Zoë Łukasiewicz-Núñez",
        "IV ketamine infusion 3 of 6",
        "Sam Lee, (617) 555-0101",
        "None on file",
        "Contraindication (overridden): Uncontrolled high blood pressure: BP 150/95",
        "Takes benzodiazepines: Lorazepam 0.5 mg at night",
        "Maintenance 2 of 3",
        "Home visits: James Wu",
        "Home visits: Maria Santos",
        "Time Patient Therapy Address Cautions Prep Aftercare",
        "4 Oak Road, Salem MA 01103",
    ):
        assert expected in text
    assert re.search(r"Page 1 of \d", text)
    # Sections in the desk's chair order, then the nurses.
    order = [text.index(h) for h in ("Chair 1 ", "Chair 2 ", "Room 1 ", "Home visits: James")]
    assert order == sorted(order)
    assert "Chair 3" not in text  # no sessions there


def test_a_long_day_repeats_the_chair_and_the_column_headings_on_every_page(
    db: Database,
) -> None:
    with db.transaction() as s:
        (chair,) = add_chairs(s, 1)
        iv = therapy(s, "iv_ketamine")
        for n in range(45):
            patient = add_patient(s, PatientSpec("Pat", f"Number {n:02d}"))
            session = add_session(s, patient, iv, local_time(DAY, 7 + n % 12, 5 * (n // 12)))
            session.chair_id = chair
    pages = _pages(RENDERER.render(_sheet(db)))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Chair 1 Time Patient Therapy Driver Cautions Prep Aftercare" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "Test Clinic · Day sheet: Monday, November 23, 2026" in page
    assert sum(len(re.findall(r"Pat Number \d\d", page)) for page in pages) == 45


def test_an_empty_day_says_why_on_one_page(db: Database) -> None:
    pages = _pages(RENDERER.render(_sheet(db, dt.date(2026, 11, 22))))
    assert len(pages) == 1
    assert (
        "The clinic is not open on Sundays: no sessions on Sunday, November 22, 2026." in (pages[0])
    )


@pytest.mark.parametrize("paper", list(PaperSize))
def test_landscape_on_the_clinics_paper(db: Database, built: Day, paper: PaperSize) -> None:
    page = PdfReader(io.BytesIO(RENDERER.render(_sheet(db), paper_size=paper))).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width > height
    assert round(width) == {PaperSize.LETTER: 792, PaperSize.A4: 842}[paper]


def test_only_embedded_dejavu_fonts(db: Database, built: Day, tmp_path: Path) -> None:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(RENDERER.render(_sheet(db)))
    fonts = _pdffonts(path)
    assert fonts
    assert all(embedded for _, embedded in fonts)
    assert {name.split("+")[-1] for name, _ in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}


# --- python main.py day-sheet -------------------------------------------------------------


def _recorded(db: Database) -> tuple[int, list[str]]:
    """How many letters are recorded, and the audit trail's actions."""
    with db.reading() as s:
        letters = s.scalar(select(func.count(Letter.id))) or 0
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    return letters, actions


def _as_maria(db_path: Path, password: Path, out: Path) -> int:
    """``main.py day-sheet`` for the test day, signed in as Maria (``add_printing_nurse``)."""
    return main(
        ["day-sheet", "--date", DAY.isoformat(), "--out", str(out), "--db", str(db_path),
         "--user", "maria", "--password-file", str(password)]
    )  # fmt: skip


def test_the_command_writes_one_pdf_and_prints_its_path(
    db: Database, db_path: Path, built: Day, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = add_printing_nurse(db, db_path, tmp_path)
    letters, actions = _recorded(db)
    out = tmp_path / "out"
    assert _as_maria(db_path, password, out) == 0
    written = out / "day-sheet-2026-11-23.pdf"
    assert capsys.readouterr().out == f"{written}\n"
    assert [p.name for p in out.iterdir()] == [written.name]
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # patient data: owner only
    text = squashed(pdf_text(written.read_bytes()))
    assert "Day sheet: Monday, November 23, 2026" in text
    assert "Zoë Łukasiewicz-Núñez" in text
    # A read: no letter recorded, nothing in the audit trail but Maria's signing in.
    assert _recorded(db) == (letters, [*actions, "desk.sign_in"])


def test_a_bad_date_is_one_error_line(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["day-sheet", "--date", "2026-11-31", "--out", str(tmp_path), "--db", str(db_path)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: argument --date: “2026-11-31” is not a date like 2026-11-18")


def test_without_a_user_or_with_a_role_that_may_not_print_it_is_refused(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["day-sheet", "--date", DAY.isoformat(), "--out", str(out), "--db", str(db_path)]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "error: The day sheet shows patients' screening cautions: give your sign-in name "
        "with --user.\n"
    )
    with db.transaction() as s:
        add_account(s, "Alex Morgan", "alex", StaffRole.ADMINISTRATOR)
    password = tmp_path / "admin-password"
    password.write_text("correct horse\n", encoding="utf-8")
    assert main([*args, "--user", "alex", "--password-file", str(password)]) == 2
    assert capsys.readouterr().err == (
        "error: Alex Morgan (Administrator) may not print letters; ask a colleague whose "
        "role allows it.\n"
    )
    assert not out.exists()


def test_a_name_no_font_can_print_is_named_in_a_note(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = add_printing_nurse(db, db_path, tmp_path)
    with db.transaction() as s:
        (chair,) = add_chairs(s, 1)
        patient = add_patient(s, PatientSpec("Ra\U00013000", "Smith"))
        add_session(s, patient, therapy(s, "iv_ketamine"), local_time(DAY, 9)).chair_id = chair
    out = tmp_path / "out"
    assert _as_maria(db_path, password, out) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "note: No installed font can print every letter of Ra\U00013000 Smith: those letters "
        "show as blank boxes on the sheet."
    ]
