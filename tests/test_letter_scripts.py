"""Names in every script print: a fallback font where DejaVu has no glyph, Arabic joined and
right to left, and a character no font has is reported (CLI ``note:``), never a silent box."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services import letters
from scheduler.store import Database
from tests.conftest import ACTOR, NOW
from tests.letter_fixtures import (
    PatientSpec,
    add_patient,
    add_printing_nurse,
    add_series,
    local_time,
    pdf_text,
    run_letters,
)
from tests.test_letter_therapies import _pdffonts

DAY = dt.date(2026, 11, 23)
# (first name, last name, the font that prints it; "*" for any but DejaVu)
NAMES = [
    # The machine's CJK font (fonts-droid-fallback on Debian): its name varies by system.
    pytest.param("秀英", "王", "*", id="chinese"),
    pytest.param("太郎", "山田", "*", id="japanese"),
    pytest.param("नेहा", "शर्मा", "NotoSansDevanagari", id="devanagari"),
    pytest.param("สมชาย", "ใจดี", "NotoSansThai", id="thai"),
    pytest.param("فاطمة", "الزهراء", "DejaVuSans", id="arabic"),
    pytest.param("Thị Hồng", "Nguyễn", "DejaVuSans", id="vietnamese"),
]


def _prep(db: Database, tmp_path: Path, first: str, last: str) -> letters.LetterBatch:
    with db.transaction() as s:
        patient = add_patient(s, PatientSpec(first, last))
        add_series(s, patient, "iv_ketamine", [local_time(DAY, 9)])
    with db.transaction() as s:
        return letters.prep_letters(
            s, first_day=DAY, out_dir=tmp_path, templates=load_templates(None),
            renderer=PdfRenderer(), actor=ACTOR, now=NOW,
        )  # fmt: skip


@pytest.mark.parametrize(("first", "last", "font"), NAMES)
def test_a_name_in_any_script_prints_in_an_embedded_font_with_no_warning(
    db: Database, tmp_path: Path, first: str, last: str, font: str
) -> None:
    batch = _prep(db, tmp_path, first, last)
    assert batch.notes == ()  # nothing the fonts here cannot print
    (path,) = batch.files
    fonts = _pdffonts(path)
    assert all(embedded for _name, embedded in fonts)
    names = [name.split("+")[-1] for name, _embedded in fonts]
    if font == "*":
        assert [n for n in names if not n.startswith("DejaVuSans")] != []
    else:
        assert any(n == font or n.startswith(f"{font}-") for n in names)
    # Text extraction gives back the name (Arabic as its joined letter forms, so compared
    # after compatibility folding); shaped Devanagari and Thai clusters extract imperfectly,
    # so only the first name is compared for those.
    text = unicodedata.normalize("NFKC", pdf_text(path.read_bytes()))
    assert first in text


def test_arabic_is_joined_and_laid_out_right_to_left(db: Database, tmp_path: Path) -> None:
    batch = _prep(db, tmp_path, "فاطمة", "الزهراء")
    text = pdf_text(batch.files[0].read_bytes())
    # The letters take their connected forms (Arabic Presentation Forms-B), not the isolated
    # base letters DejaVu would draw unjoined.
    assert "\ufed3\ufe8e\ufec3\ufee4\ufe94" in text  # فاطمة, joined


def test_a_character_no_font_has_is_reported_by_name(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = dt.date(2035, 3, 14)  # the command reads the real clock
    with db.transaction() as s:
        patient = add_patient(s, PatientSpec("Ra\U00013000", "Smith"))
        add_series(s, patient, "iv_ketamine", [local_time(day, 9)])
        chart = patient.chart_number
    add_printing_nurse(db, db_path, tmp_path)
    out = tmp_path / "out"
    assert run_letters(db_path, "prep", "--date", day.isoformat(), "--out", str(out)) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: The letter for Ra\U00013000 Smith (chart {chart}) has characters no installed "
        "font can print (\U00013000); they show as blank boxes. Check the name before sending it."
    ]
