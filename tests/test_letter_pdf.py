"""The PDF renderer: names extract as written, long letters are numbered, the logo shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image as PilImage
from pypdf import PdfReader

from scheduler.domain.enums import PaperSize
from scheduler.domain.letters import (
    LetterContent,
    PatientFacts,
    aftercare_letter,
    prep_letter,
    schedule_letter,
)
from scheduler.letters.pdf import PdfRenderer, RenderError, keep_together, para, paragraph_styles
from tests.letter_fixtures import pdf_text, squashed
from tests.test_letter_content import CLINIC, ESKETAMINE, IV, TEMPLATES, at, session

RENDERER = PdfRenderer()
TODAY = dt.date(2026, 11, 14)


def _patient(name: str) -> PatientFacts:
    return PatientFacts(name, name, "100001", ("7 Maple Road", "Boston MA 02110"), "Sam O'Neil")


@pytest.mark.parametrize(
    "name", ["Zoë Łukasiewicz-Núñez", "Nguyễn Thị Minh Khai", "Siobhán O'Brien", "Ørjan Müller"]
)
def test_names_and_computed_times_extract_exactly(name: str) -> None:
    letter = prep_letter(
        CLINIC, _patient(name), session(IV, at(2026, 11, 16, 7, 30)), TEMPLATES, today=TODAY
    )
    data = RENDERER.render([letter], title=letter.title, author=CLINIC.name)
    text = squashed(pdf_text(data))
    assert f"Dear {name}," in text
    assert letter.arrival_at is not None
    assert "Please arrive at 7:15 AM" in text
    for cutoff in letter.fasting:
        assert squashed(cutoff.sentence) in text
    assert "1:30 AM in the night from Sunday to Monday, November 16" in text
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None
    assert (reader.metadata.title, reader.metadata.author) == (letter.title, CLINIC.name)
    assert "Page 1 of" not in text  # a one-page letter carries no page number


def test_esketamine_aftercare_extracts_the_next_morning() -> None:
    letter = aftercare_letter(
        CLINIC,
        _patient("Ada Moreau"),
        session(ESKETAMINE, at(2026, 11, 16, 10), 135),
        [],
        TEMPLATES,
        today=TODAY,
    )
    text = squashed(pdf_text(RENDERER.render([letter], title="t", author="a")))
    assert letter.driving is not None
    assert squashed(letter.driving.sentence) in text
    assert "the morning of Tuesday, November 17" in text


def _long_schedule(count: int) -> LetterContent:
    sessions = [
        session(IV, at(2026, 11, 16, 8) + dt.timedelta(days=3 * i), number=i + 1, count=count)
        for i in range(count)
    ]
    return schedule_letter(
        CLINIC, _patient("Zoë Łukasiewicz-Núñez"), sessions, TEMPLATES, today=TODAY
    )


def test_a_long_letter_numbers_its_pages_and_each_letter_restarts() -> None:
    long = _long_schedule(45)
    short = prep_letter(
        CLINIC, _patient("Ada Moreau"), session(IV, at(2026, 11, 16, 8)), TEMPLATES, today=TODAY
    )
    data = RENDERER.render([long, short], title="Batch", author=CLINIC.name)
    pages = [squashed(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]
    long_pages = len(pages) - 1
    assert long_pages >= 2
    for number, text in enumerate(pages[:-1], start=1):
        assert f"Page {number} of {long_pages}" in text
    assert "Page" not in pages[-1]
    assert "Infusion 45 of 45" in " ".join(pages)
    # The table header repeats on the continuation page.
    assert "Session Date Starts Arrive by Where" in pages[1]


@pytest.mark.parametrize(
    ("paper", "size"), [(PaperSize.A4, (595, 841)), (PaperSize.LETTER, (612, 792))]
)
def test_paper_size(paper: PaperSize, size: tuple[int, int]) -> None:
    letter = _long_schedule(2)
    data = RENDERER.render([letter], title="t", author="a", paper_size=paper)
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (int(box.width), int(box.height)) == size


def test_logo_in_the_letterhead(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    PilImage.new("RGB", (300, 100), (40, 90, 160)).save(logo)
    letter = dataclasses.replace(
        _long_schedule(2),
        letterhead=dataclasses.replace(_long_schedule(2).letterhead, logo_path=str(logo)),
    )
    with_logo = PdfReader(io.BytesIO(RENDERER.render([letter], title="t", author="a")))
    without = PdfReader(io.BytesIO(RENDERER.render([_long_schedule(2)], title="t", author="a")))
    assert [len(with_logo.pages[0].images), len(without.pages[0].images)] == [1, 0]


def test_a_logo_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_text("not a picture")
    head = dataclasses.replace(_long_schedule(1).letterhead, logo_path=str(logo))
    letter = dataclasses.replace(_long_schedule(1), letterhead=head)
    with pytest.raises(RenderError, match=rf"^The logo {logo} cannot be read as an image"):
        RENDERER.render([letter], title="t", author="a")


def test_times_and_phone_numbers_never_break_across_lines() -> None:
    text = "Call (617) 555-0142 or +1 617 555 0199 before 10:30 AM on Monday, November 23, 2026."
    kept = keep_together(text)
    assert "(617)\u00a0555-0142" in kept
    assert "+1\u00a0617\u00a0555\u00a00199" in kept
    assert "10:30\u00a0AM" in kept
    assert "November 23, 2026" in kept  # dates may still wrap between words
    # Laid out in a narrow column, the number stays on one line.
    narrow = para(text, paragraph_styles()["body"])
    narrow.wrap(120, 1000)
    lines = [" ".join(str(w) for w in line[1]) for line in narrow.blPara.lines]  # type: ignore[attr-defined]  # set by wrap(), not in the stubs
    assert any("(617)\u00a0555-0142" in line for line in lines), lines


def test_body_text_is_at_least_11_points() -> None:
    styles = paragraph_styles()
    for name in ("body", "paragraph", "bullet", "key_fact", "recipient", "glance_value"):
        assert styles[name].fontSize >= 11, name
