"""Setting up a clinic: its settings row, opening hours and the starting catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain import catalogue
from scheduler.errors import NotFound, ServiceError
from scheduler.services import audit
from scheduler.store.models import ClinicSettings, OpeningHours, Protocol, Therapy

SETTINGS_ID = 1


def is_set_up(db: Session) -> bool:
    return db.get(ClinicSettings, SETTINGS_ID) is not None


def get_settings(db: Session) -> ClinicSettings:
    settings = db.get(ClinicSettings, SETTINGS_ID)
    if settings is None:
        raise NotFound("This clinic has not been set up yet.")
    return settings


@dataclass(frozen=True, slots=True)
class ClinicView:
    """What the desk uses of the clinic's settings: name, time zone, idle lock, letter wording,
    slot step."""

    name: str
    timezone: str
    idle_lock_minutes: int
    letter_template_dir: str | None  # the clinic's own wording, None for the shipped one
    slot_minutes: int = 15  # the step of the times offered and snapped to (calendar, slots)


# Before a clinic is set up (the first start), the desk runs on these.
NOT_SET_UP = ClinicView(name="New clinic", timezone="UTC", idle_lock_minutes=10,
                        letter_template_dir=None)  # fmt: skip


def clinic_view(db: Session) -> ClinicView:
    """The clinic's name, time zone, idle lock and letter wording; defaults before set-up."""
    settings = db.get(ClinicSettings, SETTINGS_ID)
    if settings is None:
        return NOT_SET_UP
    return ClinicView(
        name=settings.name,
        timezone=settings.timezone,
        idle_lock_minutes=settings.idle_lock_minutes,
        letter_template_dir=settings.letter_template_dir,
        slot_minutes=settings.slot_minutes,
    )


def clinic_day(db: Session, now: dt.datetime) -> dt.date:
    """The clinic's own date at ``now`` (its time zone; UTC before the clinic is set up)."""
    return now.astimezone(ZoneInfo(clinic_view(db).timezone)).date()


def set_up_clinic(
    db: Session,
    *,
    name: str,
    timezone: str,
    actor: str,
    now: dt.datetime,
    address: str = "",
    phone: str = "",
    email: str = "",
) -> ClinicSettings:
    """Create the settings row, default opening hours and the DOMAIN.md catalogue."""
    if is_set_up(db):
        raise ServiceError("This clinic is already set up; change it in Settings.")
    settings = ClinicSettings(
        id=SETTINGS_ID,
        name=name,
        timezone=timezone,
        address=address,
        phone=phone,
        email=email,
        letter_signature=f"The nursing team at {name}",
    )
    db.add(settings)
    audit.record(db, actor=actor, now=now, action="clinic.set_up", row=settings, before=None)
    for weekday, (opens, closes) in catalogue.OPENING_HOURS.items():
        db.add(OpeningHours(weekday=weekday, opens=opens, closes=closes))
    seed_catalogue(db, actor=actor, now=now)
    return settings


def seed_catalogue(db: Session, *, actor: str, now: dt.datetime) -> None:
    """Add the default therapies and protocols that the clinic does not have yet (by code/name)."""
    have = {t.code: t for t in db.scalars(select(Therapy))}
    for spec in catalogue.THERAPIES:
        if spec.code in have:
            continue
        therapy = Therapy(
            code=spec.code,
            name=spec.name,
            session_noun=spec.session_noun,
            treatment_minutes=spec.treatment_minutes,
            observation_minutes=spec.observation_minutes,
            buffer_minutes=spec.buffer_minutes,
            places=",".join(p.value for p in spec.places),
            fasting_solids_minutes=spec.fasting_solids_minutes,
            fasting_liquids_minutes=spec.fasting_liquids_minutes,
            driving_rule=spec.driving_rule,
            driving_hours=spec.driving_hours,
            needs_driver=spec.needs_driver,
            needs_rems=spec.needs_rems,
            needs_screening=spec.needs_screening,
            letter_wording=spec.letter_wording,
            aftercare_letter=spec.aftercare_letter,
            colour=spec.colour,
        )
        db.add(therapy)
        audit.record(db, actor=actor, now=now, action="therapy.create", row=therapy, before=None)
        have[spec.code] = therapy
    protocol_names = set(db.scalars(select(Protocol.name)))
    for proto in catalogue.PROTOCOLS:
        if proto.name in protocol_names:
            continue
        protocol = Protocol(therapy_id=have[proto.therapy_code].id)
        protocol.set_fields(proto)
        db.add(protocol)
        audit.record(db, actor=actor, now=now, action="protocol.create", row=protocol, before=None)
