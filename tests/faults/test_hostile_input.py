"""Hostile input: huge fields, NUL bytes, huge or broken images, a pasted book of wording.

Each is refused with one sentence, quickly, and a letters run with the largest input that
is still allowed finishes in seconds.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from scheduler.domain.enums import LetterKind
from scheduler.domain.patients import FIELD_MAX, PatientDetails
from scheduler.errors import ValidationFailed
from scheduler.letters.templates import TemplateError, parse_template_text
from scheduler.services.patients import create_patient
from scheduler.services.settings import clinic_details, update_clinic_details
from scheduler.store import Database
from tests.conftest import ACTOR, NOW
from tests.faults.conftest import DEMO_DAY, one_error_line, run_cli


def details(**fields: str) -> PatientDetails:
    typed: dict[str, Any] = fields
    return PatientDetails("Zoë", "Nowak", dt.date(1980, 2, 3), **typed)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("street", "1 Main Street " * 75_000, "Street is longer than 200 characters."),
        ("notes", "x" * 4001, "Notes is longer than 4000 characters."),
        ("indications", "x" * 2001, "Indications is longer than 2000 characters."),
        ("city", "Spring\x00field", "City holds a control character; retype it."),
        ("referring_provider", "Dr\nWho", "Referred by holds a control character; retype it."),
    ],
)
def test_a_field_too_long_or_with_control_characters_is_refused(
    db: Database, field: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused, db.transaction() as s:
        create_patient(s, details(**{field: value}), actor=ACTOR, now=NOW)
    assert [(p.field, p.message) for p in refused.value.problems] == [(field, message)]


def test_the_longest_allowed_fields_are_saved(db: Database) -> None:
    longest = {
        name: "y" * limit
        for name, limit in FIELD_MAX.items()
        if name not in ("first_name", "last_name") and "phone" not in name and name != "email"
    }
    with db.transaction() as s:
        patient = create_patient(s, details(**longest), actor=ACTOR, now=NOW)
        assert len(patient.notes) == FIELD_MAX["notes"]


def test_a_two_megabyte_template_entry_is_refused_at_once() -> None:
    source = 'greeting = "' + "Hello " * 350_000 + '"\n'
    started = time.perf_counter()
    with pytest.raises(TemplateError, match="a text may have at most 2,000"):
        parse_template_text(source, LetterKind.PREP, "prep.toml")
    assert time.perf_counter() - started < 2


def huge_logo(path: Path) -> Path:
    """11,000 × 11,000 pixels of one bit each: 15 MB to make, 121 megapixels to print."""
    Image.new("1", (11_000, 11_000), 1).save(path)
    return path


def truncated_logo(path: Path) -> Path:
    Image.effect_noise((300, 300), 60).convert("RGB").save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [(huge_logo, "pixels on a side"), (truncated_logo, "cannot be read as an image")],
)
def test_settings_refuse_a_huge_or_broken_logo(
    db: Database, tmp_path: Path, make: object, words: str
) -> None:
    assert callable(make)
    logo = make(tmp_path / "logo.png")
    with db.reading() as s:
        wanted = clinic_details(s)
    wanted.logo_path = str(logo)
    with pytest.raises(ValidationFailed, match=words), db.transaction() as s:
        update_clinic_details(s, wanted, actor=ACTOR, now=NOW)


def _set_logo(db_file: Path, logo: Path) -> None:
    """The logo as an older version or another tool may have left it: never checked."""
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE clinic_settings SET logo_path = ?", (str(logo),))
    conn.close()


@pytest.mark.parametrize(
    ("make", "words"),
    [(huge_logo, "pixels on a side"), (truncated_logo, "cannot be read as an image")],
)
def test_a_letters_run_refuses_a_huge_or_broken_logo_in_one_line(
    demo_db: Path, tmp_path: Path, make: object, words: str
) -> None:
    assert callable(make)
    _set_logo(demo_db, make(tmp_path / "logo.png"))
    out = tmp_path / "letters"
    started = time.perf_counter()
    line = one_error_line(
        run_cli("letters", "prep", "--date", DEMO_DAY, "--out", str(out), "--db", str(demo_db))
    )
    assert time.perf_counter() - started < 20
    assert words in line
    assert "Nothing was printed" in line
    assert not out.exists() or list(out.iterdir()) == []


def test_a_letters_run_with_the_largest_allowed_logo_finishes_in_seconds(
    demo_db: Path, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    Image.linear_gradient("L").resize((4000, 1000)).convert("RGB").save(logo)
    _set_logo(demo_db, logo)
    started = time.perf_counter()
    result = run_cli(
        "letters", "prep", "--date", DEMO_DAY, "--out", str(tmp_path / "out"), "--db",
        str(demo_db),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "prep letters written" in result.stdout
    assert seconds < 30, seconds
