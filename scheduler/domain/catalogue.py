"""The therapies, protocols and clinic defaults a new clinic starts with (see DOMAIN.md).

Every number here is a starting point that staff edit in Settings; nothing else in the code
assumes these values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scheduler.domain.enums import DrivingRule, Phase, Place

# The neutral wording a therapy gets until the clinic writes its own (nothing drug-specific).
GENERAL_WORDING = "general"
# The wordings shipped in resources/letters (``prep.<wording>.toml``...), for Settings to offer.
LETTER_WORDINGS: dict[str, str] = {
    GENERAL_WORDING: "General (neutral, nothing drug-specific)",
    "ketamine": "Ketamine (IV or IM)",
    "esketamine": "Esketamine (Spravato)",
    "nad": "NAD+ infusion",
    "sgb": "Stellate ganglion block",
    "visit": "Office or video visit (no fasting, no driver)",
}


@dataclass(frozen=True)
class TherapyDefaults:
    code: str
    name: str
    session_noun: str
    treatment_minutes: int
    observation_minutes: int
    buffer_minutes: int
    places: tuple[Place, ...]
    colour: str
    fasting_solids_minutes: int | None = None
    fasting_liquids_minutes: int | None = None
    driving_rule: DrivingRule = DrivingRule.NONE
    driving_hours: int | None = None
    needs_driver: bool = False
    needs_rems: bool = False
    needs_screening: bool = False
    # Which shipped wording its letters use (``prep.<wording>.toml`` over ``prep.toml``).
    letter_wording: str = GENERAL_WORDING
    # Office and video visits send the patient home unchanged: no aftercare sheet.
    aftercare_letter: bool = True


@dataclass
class ProtocolFields:
    """How a protocol schedules a course: every field staff edit and the database keeps.

    The one list of them: Settings' edit, the clinic's defaults and the copy to and from the
    database row all take their fields from here, so a new protocol field is added once (and
    as a column of the protocols table).
    """

    name: str
    phase: Phase
    session_count: int | None
    min_gap_days: int = 1
    max_gap_days: int | None = None
    max_span_days: int | None = None
    preferred_weekdays: tuple[int, ...] = ()
    maintenance_interval_days: int | None = None


@dataclass
class ProtocolDefaults(ProtocolFields):
    """A protocol a new clinic starts with, naming its therapy by code."""

    therapy_code: str = field(kw_only=True)


# Clinic default for IV/IM ketamine: no solids for 6 h, clear liquids until 2 h before.
KETAMINE_SOLIDS, KETAMINE_LIQUIDS = 6 * 60, 2 * 60

THERAPIES: tuple[TherapyDefaults, ...] = (
    # Seed 003: 40-50 min infusion, observed for about 30 minutes to an hour afterwards.
    TherapyDefaults(
        "iv_ketamine", "IV ketamine infusion", "infusion", 45, 45, 15,
        (Place.CHAIR, Place.HOME), "#3b7dd8", KETAMINE_SOLIDS, KETAMINE_LIQUIDS,
        driving_rule=DrivingRule.HOURS, driving_hours=6, needs_driver=True, needs_screening=True,
        letter_wording="ketamine",
    ),
    # Spravato label: at least 2 h monitoring; REMS enrolment before the first dose.
    TherapyDefaults(
        "esketamine", "Esketamine nasal spray (Spravato)", "treatment", 15, 120, 15,
        (Place.ROOM,), "#8e5bc4", fasting_solids_minutes=2 * 60, fasting_liquids_minutes=30,
        driving_rule=DrivingRule.NEXT_MORNING, needs_driver=True, needs_rems=True,
        needs_screening=True, letter_wording="esketamine",
    ),
    TherapyDefaults(
        "im_ketamine", "IM ketamine injection", "injection", 15, 60, 15,
        (Place.CHAIR,), "#e08a2e", KETAMINE_SOLIDS, KETAMINE_LIQUIDS,
        driving_rule=DrivingRule.HOURS, driving_hours=6, needs_driver=True, needs_screening=True,
        letter_wording="ketamine",
    ),
    TherapyDefaults(
        "nad", "NAD+ infusion", "infusion", 180, 0, 15, (Place.CHAIR,), "#3aa66a",
        letter_wording="nad",
    ),
    TherapyDefaults(
        "sgb", "Stellate ganglion block (SGB)", "procedure", 30, 30, 15,
        (Place.PROCEDURE_ROOM,), "#c94f4f", driving_rule=DrivingRule.HOURS, driving_hours=24,
        needs_driver=True, needs_screening=True, letter_wording="sgb",
    ),
    TherapyDefaults(
        "consultation", "Consultation / screening", "consultation", 45, 0, 0,
        (Place.OFFICE, Place.VIDEO), "#5f8f9e", letter_wording="visit", aftercare_letter=False,
    ),
    TherapyDefaults(
        "follow_up", "Follow-up / integration visit", "visit", 45, 0, 0,
        (Place.OFFICE, Place.VIDEO), "#9e8b5f", letter_wording="visit", aftercare_letter=False,
    ),
)  # fmt: skip

MON, TUE, WED, THU, FRI = range(5)

PROTOCOLS: tuple[ProtocolDefaults, ...] = (
    ProtocolDefaults(
        "IV ketamine induction", Phase.INDUCTION, 6, therapy_code="iv_ketamine",
        min_gap_days=1, max_gap_days=4, max_span_days=21, preferred_weekdays=(MON, WED, FRI),
    ),
    ProtocolDefaults(
        "IV ketamine maintenance", Phase.MAINTENANCE, 3, therapy_code="iv_ketamine",
        min_gap_days=14, maintenance_interval_days=28,
    ),
    ProtocolDefaults(
        "IV ketamine single infusion", Phase.SINGLE, 1, therapy_code="iv_ketamine",
    ),
    ProtocolDefaults(
        "Esketamine induction (twice weekly)", Phase.INDUCTION, 8, therapy_code="esketamine",
        min_gap_days=2, max_gap_days=5, max_span_days=28, preferred_weekdays=(MON, THU),
    ),
    ProtocolDefaults(
        "Esketamine maintenance", Phase.MAINTENANCE, 4, therapy_code="esketamine",
        min_gap_days=6, maintenance_interval_days=14,
    ),
    ProtocolDefaults(
        "IM ketamine induction", Phase.INDUCTION, 6, therapy_code="im_ketamine",
        min_gap_days=1, max_gap_days=4, max_span_days=21, preferred_weekdays=(MON, WED, FRI),
    ),
    ProtocolDefaults("NAD+ infusion", Phase.SINGLE, 1, therapy_code="nad"),
    ProtocolDefaults("Stellate ganglion block", Phase.SINGLE, 1, therapy_code="sgb"),
    ProtocolDefaults("Consultation", Phase.SINGLE, 1, therapy_code="consultation"),
    ProtocolDefaults("Follow-up visit", Phase.SINGLE, 1, therapy_code="follow_up"),
)  # fmt: skip

# Monday to Friday 8:00-18:00, Saturday 9:00-13:00, Sunday closed.
OPENING_HOURS: dict[int, tuple[dt.time, dt.time]] = {
    **{day: (dt.time(8, 0), dt.time(18, 0)) for day in (MON, TUE, WED, THU, FRI)},
    5: (dt.time(9, 0), dt.time(13, 0)),
}

INDUCTION_MIN_SESSIONS = 6
INDUCTION_MAX_SESSIONS = 8
