"""What a letter says, laid out as values a renderer prints and tests compare exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from scheduler.domain.enums import DrivingRule, LetterKind, PaperSize


@dataclass(frozen=True)
class Letterhead:
    clinic_name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    logo_path: str | None


@dataclass(frozen=True)
class Section:
    """A heading with paragraphs and then bullet points (either may be empty)."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    # Times the patient must act on (fasting, driving): the renderer makes them stand out.
    key_facts: bool = False
    # Warnings (screening cautions, signs to act on): shaded like the key facts.
    caution: bool = False


@dataclass(frozen=True)
class Glance:
    """The shaded box at the top: the few facts that matter most, as "label: value" lines."""

    heading: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FastingCutoff:
    """ "No solid food after ..." with the instant it falls on, in the clinic's zone."""

    what: str  # "solids" or "liquids"
    at: dt.datetime  # aware, clinic zone
    sentence: str


@dataclass(frozen=True)
class DrivingAdvice:
    rule: DrivingRule
    not_before: dt.datetime | None  # aware, clinic zone; None for "next morning"
    not_before_day: dt.date
    sentence: str


@dataclass(frozen=True)
class LetterContent:
    """Everything one letter says, computed; the renderer only lays it out."""

    kind: LetterKind
    title: str  # also the PDF title
    letterhead: Letterhead
    recipient: tuple[str, ...]  # name, then address lines
    date_line: str
    greeting: str
    intro: str
    sections: tuple[Section, ...]
    closing: str
    signature: str
    table: Table | None = None
    glance: Glance | None = None
    # The computed facts, also present in the sentences above, for checks and worklists.
    starts_at: dt.datetime | None = None  # clinic zone
    arrival_at: dt.datetime | None = None
    fasting: tuple[FastingCutoff, ...] = ()
    driver_line: str | None = None
    cautions: tuple[str, ...] = ()
    driving: DrivingAdvice | None = None
    next_sessions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # for the worklist, never printed (e.g. "no address on file")

    @property
    def text(self) -> str:
        """All printed words in reading order, one block per line (for search and tests)."""
        lines = [self.letterhead.clinic_name, *self.recipient, self.date_line, self.title]
        if self.glance is not None:
            lines += [self.glance.heading]
            lines += [f"{label}: {value}" for label, value in self.glance.lines]
        lines += [self.greeting, self.intro]
        for section in self.sections:
            lines += [section.heading, *section.paragraphs, *section.bullets]
        if self.table is not None:
            lines += [" | ".join(self.table.header)]
            lines += [" | ".join(row) for row in self.table.rows]
        lines += [self.closing, self.signature]
        return "\n".join(line for line in lines if line)


class LetterRenderer(Protocol):
    """Lays letters out and returns the document's bytes (one letter after another)."""

    def render(
        self,
        letters: Sequence[LetterContent],
        *,
        title: str,
        author: str,
        paper_size: PaperSize = PaperSize.LETTER,
    ) -> bytes: ...

    def unprintable(self, letter: LetterContent) -> str:
        """The characters of a letter that no font can print (empty when every one prints)."""
        ...
