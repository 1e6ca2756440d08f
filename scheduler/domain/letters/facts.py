"""What a letter knows of the clinic, the therapy, the session and the patient, as plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler.domain.enums import DrivingRule, Place


@dataclass(frozen=True)
class ClinicFacts:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    timezone: str
    arrival_minutes_before: int
    signature: str
    logo_path: str | None = None
    after_hours_phone: str = ""  # empty until the clinic sets it; never printed empty

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TherapyFacts:
    code: str
    name: str
    session_noun: str
    fasting_solids_minutes: int | None
    fasting_liquids_minutes: int | None
    driving_rule: DrivingRule
    driving_hours: int | None
    needs_driver: bool
    letter_wording: str = "general"  # the shipped wording its letters start from
    aftercare_letter: bool = True


@dataclass(frozen=True)
class SessionFacts:
    """One session as a letter needs it; ``ends_at`` is the end of observation."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    place: Place
    therapy: TherapyFacts
    number: int | None = None
    planned_count: int | None = None

    @property
    def label(self) -> str:
        """ "infusion 3 of 6", or just "infusion" outside a counted series."""
        noun = self.therapy.session_noun
        if self.number is None or self.planned_count == 1:
            return noun
        if self.planned_count:
            return f"{noun} {self.number} of {self.planned_count}"
        return f"{noun} {self.number}"

    @property
    def has_aftercare(self) -> bool:
        """Whether the patient goes home with an aftercare sheet (never after a video call)."""
        return self.therapy.aftercare_letter and self.place is not Place.VIDEO

    def no_aftercare_reason(self) -> str:
        """The one sentence refusing an aftercare letter for this session."""
        if not self.therapy.aftercare_letter:
            return f"{self.therapy.name} has no aftercare letter"
        return f"A {self.therapy.session_noun} by video call has no aftercare letter"


@dataclass(frozen=True)
class PatientFacts:
    name: str  # what the letter calls the patient (preferred name + last name)
    full_name: str
    chart_number: str
    address_lines: tuple[str, ...]
    driver_name: str = ""
    driver_phone: str = ""
    caution_kinds: tuple[str, ...] = ()  # keys of FINDING_KINDS with a caution still in force
