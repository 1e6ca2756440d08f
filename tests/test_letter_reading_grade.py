"""The shipped letter wording reads at US grade 8 or below (Flesch-Kincaid, via textstat).

Patients read these letters anxious or tired, often after a treatment: short sentences and
plain words. Placeholders are filled with typical values before measuring.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import textstat

from scheduler.letters.templates import SHIPPED_DIR

MAX_GRADE = 8.0
MAX_WORDS = 25  # no single sentence longer than this

SAMPLES = {
    "patient": "Ada Moreau", "patient_full_name": "Ada Moreau", "clinic": "Harbor Clinic",
    "clinic_phone": "(413) 555-0100", "clinic_email": "desk@harbor.example",
    "today": "Monday, November 16, 2026", "therapy": "IV ketamine infusion", "noun": "infusion",
    "session_label": "infusion 3 of 6", "date": "Monday, November 16, 2026", "time": "10:45 AM",
    "arrival_time": "10:30 AM", "arrival_minutes": "15", "place": "at Harbor Clinic",
    "observation": "45 minutes", "cutoff": "4:45 AM on Monday, November 16", "hours": "6 hours",
    "cutoff_time": "4:45 AM", "cutoff_date": "Monday, November 16", "night_from": "Sunday",
    "driver": "Sam Kowalski", "driver_phone": "(617) 555-0142", "one_hour_before": "9:45 AM",
    "until_time": "6:15 PM", "until_date": "Monday, November 16", "until_day": "6:15 PM today",
    "after_hours_phone": "(617) 555-0199", "label": "Infusion 4 of 6",
    "session_date": "Wednesday, November 18, 2026", "session_time": "10:45 AM", "count": "6",
}  # fmt: skip


def _sentences(path: Path) -> list[str]:
    """Every text of a wording file, placeholders filled, each ending as a sentence."""
    texts: list[str] = []
    for value in tomllib.loads(path.read_text(encoding="utf-8")).values():
        texts += value if isinstance(value, list) else [value]
    filled = [re.sub(r"\$\{(\w+)\}", lambda m: SAMPLES[m[1]], t) for t in texts if t.strip()]
    return [t if t.rstrip().endswith((".", "?", "!")) else t.rstrip(";:,") + "." for t in filled]


@pytest.mark.parametrize("path", sorted(SHIPPED_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_wording_reads_at_grade_eight_or_below(path: Path) -> None:
    text = " ".join(_sentences(path))
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{path.name} reads at grade {grade}"
    long = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > MAX_WORDS]
    assert long == []
