"""How long the prep letters of a 100-session day take, against plain reportlab.

    .venv/bin/python benchmarks/letters_bench.py [--sessions 100] [--runs 5]

"ours" is the whole print run as the nurse starts it: read the sessions, compute every
letter, lay out the combined PDF and one PDF per letter, write them atomically and record
them. "reportlab" lays out the same pages (the same text, fonts and paragraph styles, one
combined document plus one per letter) straight from prepared strings, without our layer,
database or files. The goal is under 2 s, ideally within 2.5 times reportlab.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.domain.letters import LetterContent
from scheduler.letters.fonts import register_fonts
from scheduler.letters.pdf import MARGIN, PdfRenderer, paragraph_styles
from scheduler.letters.templates import load_templates
from scheduler.services import letters
from scheduler.services.clinic import set_up_clinic
from scheduler.store import Database, open_database
from tests.letter_fixtures import PatientSpec, add_patient, add_series, local_time

NOW = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)
NURSE = Actor(None, "bench", "Bench Nurse", frozenset({StaffRole.NURSE}))
DAY = dt.date(2026, 11, 18)


def build_day(folder: Path, count: int) -> Database:
    database = open_database(str(folder / "bench.sqlite3"), now=NOW)
    with database.transaction() as s:
        set_up_clinic(s, name="Harbor Ketamine Clinic", timezone="America/New_York",
                      actor="bench", now=NOW, address="40 Water Street\nSpringfield, MA 01103",
                      phone="(413) 555-0100")  # fmt: skip
        for i in range(count):
            spec = PatientSpec(
                f"Zoë{i}",
                "Łukasiewicz-Núñez",
                driver_name="Sam O'Neil" if i % 2 else "",
                cautions=("benzodiazepines",) if i % 5 == 0 else (),
            )
            patient = add_patient(s, spec)
            start = local_time(DAY, 8 + (i % 10), 15 * (i % 4))
            code = "esketamine" if i % 3 == 0 else "iv_ketamine"
            add_series(s, patient, code, [start], planned_count=6)
    return database


def ours(database: Database, out_root: Path) -> Callable[[], int]:
    templates, renderer = load_templates(None), PdfRenderer()
    runs = iter(range(1_000_000))

    def run() -> int:
        out = out_root / f"run{next(runs)}"
        with database.transaction() as s:
            batch = letters.prep_letters(
                s, first_day=DAY, out_dir=out, templates=templates, renderer=renderer,
                actor=NURSE, now=NOW,
            )  # fmt: skip
        return len(batch.letters)

    return run


def plain_reportlab(contents: list[LetterContent]) -> Callable[[], int]:
    """The same words through bare platypus: no content building, no database, no files."""
    register_fonts()
    styles = paragraph_styles()
    blocks = []
    for letter in contents:
        text = letter.text.splitlines()
        blocks.append(text)

    def document(letters_text: list[list[str]]) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN, bottomMargin=MARGIN)  # fmt: skip
        story: list[Flowable] = []
        for index, lines in enumerate(letters_text):
            if index:
                story.append(PageBreak())
            story.append(Spacer(1, 20))
            story += [Paragraph(escape(line), styles["paragraph"]) for line in lines]
        doc.build(story)
        return buffer.getvalue()

    def run() -> int:
        document(blocks)
        for lines in blocks:
            document([lines])
        return len(blocks)

    return run


def timed(run: Callable[[], int], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        database = build_day(root, args.sessions)
        try:
            run_ours = ours(database, root / "out")
            assert run_ours() == args.sessions  # warm-up: fonts, templates, caches
            with database.transaction() as s:
                batch = letters.prep_letters(
                    s, first_day=DAY, out_dir=root / "contents", templates=load_templates(None),
                    renderer=PdfRenderer(), actor=NURSE, now=NOW,
                )  # fmt: skip
            run_plain = plain_reportlab(list(batch.letters))
            run_plain()
            ours_times = timed(run_ours, args.runs)
            plain_times = timed(run_plain, args.runs)
        finally:
            database.close()
    ours_median = statistics.median(ours_times)
    plain_median = statistics.median(plain_times)
    print(f"prep letters for a {args.sessions}-session day, median of {args.runs} runs")
    print(f"  ours (query, content, combined + {args.sessions} files, write, record): "
          f"{ours_median:.3f} s   runs: {', '.join(f'{t:.3f}' for t in ours_times)}")  # fmt: skip
    print(f"  plain reportlab (same pages, no layer):                    "
          f"{plain_median:.3f} s   runs: {', '.join(f'{t:.3f}' for t in plain_times)}")  # fmt: skip
    ratio = ours_median / plain_median
    print(f"  ratio {ratio:.2f}x   goal: under 2 s ({'met' if ours_median < 2 else 'MISSED'}), "
          f"within 2.5x ({'met' if ratio <= 2.5 else 'missed'})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
