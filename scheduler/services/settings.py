"""Settings: the clinic's details, opening hours, closures, chairs, staff, therapies, protocols.

Each function is one save from the Settings screen: it validates, writes and audits. Field
problems are raised together as ``ValidationFailed`` so the form can mark every field at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission, roles_value
from scheduler.domain.catalogue import (
    GENERAL_WORDING,
    INDUCTION_MAX_SESSIONS,
    INDUCTION_MIN_SESSIONS,
    LETTER_WORDINGS,
    ProtocolFields,
)
from scheduler.domain.enums import ChairKind, DrivingRule, PaperSize, Phase, Place, StaffRole
from scheduler.domain.text import fold
from scheduler.domain.when import WEEKDAYS, long_date
from scheduler.errors import FieldProblem, ValidationFailed
from scheduler.letters.logo import logo_problem
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.accounts import sign_in_problem, sign_in_taken
from scheduler.services.clinic import get_settings
from scheduler.services.rows import get_or_refuse
from scheduler.store.models import (
    Chair,
    Closure,
    OpeningHours,
    Protocol,
    Staff,
    Therapy,
)

E = TypeVar("E", bound=StrEnum)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def timezone_names() -> list[str]:
    """IANA time zone names for a picker, sorted."""
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def timezone_problem(name: str) -> str | None:
    if not name.strip():
        return "Choose the clinic's time zone."
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return f"“{name}” is not a time zone name (e.g. America/New_York)."
    return None


# --- clinic details ---------------------------------------------------------------------------


@dataclass
class ClinicDetails:
    """The clinic-wide settings the Settings screen edits in one form."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    logo_path: str | None = None
    timezone: str = "America/New_York"
    paper_size: str = PaperSize.LETTER
    letter_template_dir: str | None = None
    letter_signature: str = ""
    after_hours_phone: str = ""  # printed on aftercare letters beside the crisis line
    idle_lock_minutes: int = 10


IDLE_LOCK_RANGE = (1, 60)


def clinic_details(db: Session) -> ClinicDetails:
    s = get_settings(db)
    return ClinicDetails(
        name=s.name,
        address=s.address,
        phone=s.phone,
        email=s.email,
        logo_path=s.logo_path,
        timezone=s.timezone,
        paper_size=s.paper_size,
        letter_template_dir=s.letter_template_dir,
        letter_signature=s.letter_signature,
        after_hours_phone=s.after_hours_phone,
        idle_lock_minutes=s.idle_lock_minutes,
    )


def update_clinic_details(
    db: Session, details: ClinicDetails, *, actor: Actor, now: dt.datetime
) -> ClinicDetails:
    require(actor, Permission.EDIT_SETTINGS)
    problems: list[FieldProblem] = []
    name = details.name.strip()
    if not name:
        problems.append(FieldProblem("name", "The clinic needs a name for its letters."))
    if message := timezone_problem(details.timezone):
        problems.append(FieldProblem("timezone", message))
    paper_size = _member(PaperSize, details.paper_size)
    if paper_size is None:
        problems.append(FieldProblem("paper_size", "Choose A4 or Letter paper."))
    logo = (details.logo_path or "").strip() or None
    if logo is not None and not Path(logo).is_file():
        problems.append(FieldProblem("logo_path", f"There is no picture file at {logo}."))
    elif logo is not None and (why := logo_problem(Path(logo))):
        problems.append(FieldProblem("logo_path", why))
    folder = (details.letter_template_dir or "").strip() or None
    if folder is not None and not Path(folder).is_dir():
        problems.append(FieldProblem("letter_template_dir", f"There is no folder at {folder}."))
    low, high = IDLE_LOCK_RANGE
    if not low <= details.idle_lock_minutes <= high:
        problems.append(
            FieldProblem(
                "idle_lock_minutes",
                f"The desk locks after {low} to {high} minutes without use.",
            )
        )
    if problems or paper_size is None:
        raise ValidationFailed(problems)
    settings = get_settings(db)
    before = audit.snapshot(settings)
    settings.idle_lock_minutes = details.idle_lock_minutes
    settings.name = name
    settings.address = details.address.strip()
    settings.phone = details.phone.strip()
    settings.email = details.email.strip()
    settings.logo_path = logo
    settings.timezone = details.timezone.strip()
    settings.paper_size = paper_size
    settings.letter_template_dir = folder
    settings.letter_signature = details.letter_signature.strip()
    settings.after_hours_phone = details.after_hours_phone.strip()
    audit.record(
        db, actor=actor.sign_in, now=now, action="clinic.update", row=settings, before=before
    )
    return clinic_details(db)


# --- opening hours and closures --------------------------------------------------------------


def opening_hours(db: Session) -> dict[int, tuple[dt.time, dt.time] | None]:
    """Opens and closes per weekday (0 = Monday); None for a closed day."""
    rows = {h.weekday: (h.opens, h.closes) for h in db.scalars(select(OpeningHours))}
    return {day: rows.get(day) for day in range(7)}


def set_opening_hours(
    db: Session,
    hours: Mapping[int, tuple[dt.time, dt.time] | None],
    *,
    actor: Actor,
    now: dt.datetime,
) -> None:
    """Replace the week's opening hours; a weekday given None (or left out) is closed."""
    require(actor, Permission.EDIT_SETTINGS)
    problems = [
        FieldProblem(f"weekday_{day}", f"On {WEEKDAYS[day]} the clinic closes before it opens.")
        for day, span in sorted(hours.items())
        if span is not None and span[0] >= span[1]
    ]
    if any(day not in range(7) for day in hours):
        problems.append(FieldProblem("weekday", "Weekdays are numbered 0 (Monday) to 6."))
    if problems:
        raise ValidationFailed(problems)
    existing = {h.weekday: h for h in db.scalars(select(OpeningHours))}
    for day in range(7):
        span = hours.get(day)
        row = existing.get(day)
        if span is None:
            if row is not None:
                before = audit.snapshot(row)
                db.delete(row)
                audit.record(
                    db, actor=actor.sign_in, now=now, action="hours.close", row=row, before=before,
                    deleted=True,
                )  # fmt: skip
            continue
        if row is None:
            row = OpeningHours(weekday=day, opens=span[0], closes=span[1])
            db.add(row)
            audit.record(
                db, actor=actor.sign_in, now=now, action="hours.open", row=row, before=None
            )
        elif (row.opens, row.closes) != span:
            before = audit.snapshot(row)
            row.opens, row.closes = span
            audit.record(
                db, actor=actor.sign_in, now=now, action="hours.update", row=row, before=before
            )


@dataclass(frozen=True, slots=True)
class ClosureEntry:
    """A day the clinic is closed, and why."""

    closure_id: int
    day: dt.date
    reason: str


def list_closures(db: Session, *, since: dt.date | None = None) -> list[ClosureEntry]:
    query = select(Closure).order_by(Closure.day)
    if since is not None:
        query = query.where(Closure.day >= since)
    return [ClosureEntry(c.id, c.day, c.reason) for c in db.scalars(query)]


def add_closure(
    db: Session, day: dt.date, reason: str, *, actor: Actor, now: dt.datetime
) -> ClosureEntry:
    require(actor, Permission.EDIT_SETTINGS)
    if db.scalar(select(Closure).where(Closure.day == day)) is not None:
        raise ValidationFailed(
            [FieldProblem("day", f"The clinic is already closed on {long_date(day)}.")]
        )
    closure = Closure(day=day, reason=reason.strip())
    db.add(closure)
    audit.record(db, actor=actor.sign_in, now=now, action="closure.add", row=closure, before=None)
    return ClosureEntry(closure.id, closure.day, closure.reason)


def remove_closure(db: Session, closure_id: int, *, actor: Actor, now: dt.datetime) -> None:
    require(actor, Permission.EDIT_SETTINGS)
    closure = get_or_refuse(db, Closure, closure_id, "That closure was already removed.")
    before = audit.snapshot(closure)
    db.delete(closure)
    audit.record(
        db,
        actor=actor.sign_in,
        now=now,
        action="closure.remove",
        row=closure,
        before=before,
        deleted=True,
    )


# --- chairs and staff --------------------------------------------------------------------------


@dataclass
class ChairEdit:
    name: str
    kind: str = ChairKind.CHAIR
    active: bool = True
    sort_order: int = 0


@dataclass(frozen=True, slots=True)
class ChairEntry:
    """A chair or room as Settings lists it: its id and its editable values."""

    chair_id: int
    edit: ChairEdit


def _chair_view(chair: Chair) -> ChairEntry:
    return ChairEntry(chair.id, ChairEdit(chair.name, chair.kind, chair.active, chair.sort_order))


def list_chairs(db: Session) -> list[ChairEntry]:
    return [
        _chair_view(c) for c in db.scalars(select(Chair).order_by(Chair.sort_order, Chair.name))
    ]


def save_chair(
    db: Session, chair_id: int | None, edit: ChairEdit, *, actor: Actor, now: dt.datetime
) -> ChairEntry:
    """Add a chair or room (``chair_id`` None) or change one."""
    require(actor, Permission.EDIT_SETTINGS)
    name = edit.name.strip()
    problems = []
    if not name:
        problems.append(FieldProblem("name", "A chair or room needs a name."))
    elif db.scalar(
        select(Chair.id).where(func.lower(Chair.name) == name.lower(), Chair.id != (chair_id or 0))
    ):
        problems.append(FieldProblem("name", f"There is already a chair or room called {name}."))
    kind = _member(ChairKind, edit.kind)
    if kind is None:
        problems.append(FieldProblem("kind", f"“{edit.kind}” is not a kind of chair or room."))
    if problems or kind is None:
        raise ValidationFailed(problems)
    if chair_id is None:
        chair = Chair(name=name, kind=kind, active=edit.active, sort_order=edit.sort_order)
        db.add(chair)
        audit.record(
            db, actor=actor.sign_in, now=now, action="chair.create", row=chair, before=None
        )
        return _chair_view(chair)
    chair = get_or_refuse(db, Chair, chair_id, "That chair or room no longer exists.")
    before = audit.snapshot(chair)
    chair.name, chair.kind, chair.active, chair.sort_order = (
        name,
        kind,
        edit.active,
        edit.sort_order,
    )
    audit.record(db, actor=actor.sign_in, now=now, action="chair.update", row=chair, before=before)
    return _chair_view(chair)


@dataclass
class StaffEdit:
    """A staff member's name, roles, sign-in name ("" for none) and whether they are active."""

    name: str
    roles: frozenset[StaffRole] = frozenset({StaffRole.NURSE})
    active: bool = True
    sign_in: str = ""


@dataclass(frozen=True, slots=True)
class StaffEntry:
    """A staff member as Settings lists them: editable values and their account's state."""

    staff_id: int
    edit: StaffEdit
    account: str = ""  # "can sign in", "no password yet", "locked after wrong passwords"...


def _staff_view(staff: Staff, now: dt.datetime) -> StaffEntry:
    edit = StaffEdit(staff.name, staff.role_set, staff.active, staff.sign_in or "")
    return StaffEntry(staff.id, edit, _account_state(staff, now))


def _account_state(staff: Staff, now: dt.datetime) -> str:
    record = staff.password
    if record is None:
        return "no password yet"
    if record.locked_until is not None and record.locked_until > now:
        return "locked after wrong passwords"
    return "can sign in" if staff.active else "deactivated"


def list_staff(db: Session, *, now: dt.datetime) -> list[StaffEntry]:
    """Everyone on the staff list, active first; ``now`` tells a lock still running."""
    query = select(Staff).order_by(Staff.active.desc(), Staff.name)
    return [_staff_view(s, now) for s in db.scalars(query)]


def save_staff(
    db: Session, staff_id: int | None, edit: StaffEdit, *, actor: Actor, now: dt.datetime
) -> StaffEntry:
    """Add or change a staff member; deactivating one ends their sign-in.

    The last active administrator cannot be deactivated or lose the role: nobody could change
    settings or staff afterwards. Passwords are set with ``accounts.set_password``.
    """
    require(actor, Permission.EDIT_SETTINGS)
    name, sign_in = edit.name.strip(), edit.sign_in.strip()
    problems = []
    if not name:
        problems.append(FieldProblem("name", "A staff member needs a name."))
    if not edit.roles:
        problems.append(FieldProblem("roles", "Choose at least one role."))
    if sign_in and (problem := sign_in_problem(sign_in)):
        problems.append(FieldProblem("sign_in", problem))
    elif sign_in and sign_in_taken(db, sign_in, staff_id):
        problems.append(FieldProblem("sign_in", f"The sign-in name “{sign_in}” is taken."))
    if problems:
        raise ValidationFailed(problems)
    if staff_id is None:
        staff = Staff(
            name=name, roles=roles_value(edit.roles), active=edit.active, sign_in=sign_in or None
        )
        db.add(staff)
        audit.record(
            db, actor=actor.sign_in, now=now, action="staff.create", row=staff, before=None
        )
        return _staff_view(staff, now)
    staff = get_or_refuse(db, Staff, staff_id, "That staff member no longer exists.")
    was_admin = staff.active and StaffRole.ADMINISTRATOR in staff.role_set
    if was_admin and not (edit.active and StaffRole.ADMINISTRATOR in edit.roles):
        others = db.scalar(
            select(func.count(Staff.id)).where(
                Staff.id != staff.id,
                Staff.active.is_(True),
                Staff.holding(StaffRole.ADMINISTRATOR),
            )
        )
        if not others:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "roles",
                        f"{staff.name} is the only administrator; make someone else "
                        "administrator first.",
                    )
                ]
            )
    before = audit.snapshot(staff)
    staff.name, staff.roles, staff.active = name, roles_value(edit.roles), edit.active
    staff.sign_in = sign_in or None
    audit.record(db, actor=actor.sign_in, now=now, action="staff.update", row=staff, before=before)
    return _staff_view(staff, now)


# --- therapies and protocols -------------------------------------------------------------------


@dataclass
class TherapyEdit:
    """The editable parts of a therapy (its code is fixed: letters and the demo rely on it).

    A therapy the clinic adds starts on the general letter wording, which says nothing about
    any one drug, until the clinic chooses a shipped wording or writes its own files.
    """

    name: str
    session_noun: str
    treatment_minutes: int
    observation_minutes: int
    buffer_minutes: int
    places: str
    colour: str
    fasting_solids_minutes: int | None = None
    fasting_liquids_minutes: int | None = None
    driving_rule: str = DrivingRule.NONE
    driving_hours: int | None = None
    needs_driver: bool = False
    needs_rems: bool = False
    needs_screening: bool = False
    active: bool = True
    letter_wording: str = GENERAL_WORDING
    aftercare_letter: bool = True


THERAPY_FIELDS = tuple(TherapyEdit.__dataclass_fields__)


def letter_wordings() -> dict[str, str]:
    """The shipped letter wordings a therapy can use, with the label Settings shows."""
    return dict(LETTER_WORDINGS)


@dataclass(frozen=True, slots=True)
class TherapyEntry:
    """A therapy as Settings and the booking dialogs read it: id, fixed code, editable values."""

    therapy_id: int
    code: str
    edit: TherapyEdit

    @property
    def place_list(self) -> list[Place]:
        """Where it may be given (chair, room...), in the order the clinic listed them."""
        return [Place(p) for p in self.edit.places.split(",") if p]


def _therapy_view(therapy: Therapy) -> TherapyEntry:
    edit = TherapyEdit(**{name: getattr(therapy, name) for name in THERAPY_FIELDS})
    return TherapyEntry(therapy.id, therapy.code, edit)


def list_therapies(db: Session) -> list[TherapyEntry]:
    return [_therapy_view(t) for t in db.scalars(select(Therapy).order_by(Therapy.id))]


def save_therapy(
    db: Session, therapy_id: int | None, edit: TherapyEdit, *, actor: Actor, now: dt.datetime
) -> TherapyEntry:
    """Add a therapy (``therapy_id`` None; its code is made from the name) or change one."""
    require(actor, Permission.EDIT_SETTINGS)
    problems: list[FieldProblem] = []
    if not edit.name.strip():
        problems.append(FieldProblem("name", "A therapy needs a name."))
    if not edit.session_noun.strip():
        problems.append(FieldProblem("session_noun", "Say what one session is called."))
    if edit.treatment_minutes <= 0:
        problems.append(FieldProblem("treatment_minutes", "Treatment takes at least a minute."))
    for name in ("observation_minutes", "buffer_minutes"):
        if getattr(edit, name) < 0:
            problems.append(FieldProblem(name, "Minutes cannot be negative."))
    for name in ("fasting_solids_minutes", "fasting_liquids_minutes"):
        value = getattr(edit, name)
        if value is not None and value < 0:
            problems.append(FieldProblem(name, "Minutes cannot be negative."))
    places = [p.strip() for p in edit.places.split(",") if p.strip()]
    if not places or any(p not in {x.value for x in Place} for p in places):
        problems.append(FieldProblem("places", "Choose at least one place it is given."))
    if not _COLOUR.match(edit.colour):
        problems.append(FieldProblem("colour", "A colour is written like #3b7dd8."))
    if edit.letter_wording not in LETTER_WORDINGS:
        problems.append(FieldProblem("letter_wording", "Choose the wording of its letters."))
    if therapy_id is None and db.scalar(
        select(Therapy.id).where(func.lower(Therapy.name) == edit.name.strip().lower())
    ):
        problems.append(FieldProblem("name", f"There is already a therapy called {edit.name}."))
    rule = _member(DrivingRule, edit.driving_rule)
    if rule is None:
        problems.append(FieldProblem("driving_rule", "Choose a driving rule."))
    elif rule is DrivingRule.HOURS and not (edit.driving_hours or 0) > 0:
        problems.append(FieldProblem("driving_hours", "Say how many hours before driving."))
    if problems or rule is None:
        raise ValidationFailed(problems)
    if therapy_id is None:
        therapy = Therapy(code=_new_code(db, edit.name))
        db.add(therapy)
        before = None
    else:
        therapy = get_or_refuse(db, Therapy, therapy_id, "That therapy no longer exists.")
        before = audit.snapshot(therapy)
    for name in THERAPY_FIELDS:
        setattr(therapy, name, getattr(edit, name))
    therapy.name = edit.name.strip()
    therapy.session_noun = edit.session_noun.strip()
    therapy.places = ",".join(places)
    therapy.driving_rule = rule
    if rule is not DrivingRule.HOURS:
        therapy.driving_hours = None
    action = "therapy.create" if before is None else "therapy.update"
    audit.record(db, actor=actor.sign_in, now=now, action=action, row=therapy, before=before)
    return _therapy_view(therapy)


def _new_code(db: Session, name: str) -> str:
    """A stable code for a new therapy, from its name ("Vitamin drip" -> "vitamin_drip")."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:30] or "therapy"
    taken = set(db.scalars(select(Therapy.code)))
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}_{number}"
    return code


@dataclass
class ProtocolEdit(ProtocolFields):
    """A protocol as Settings edits it: its fields, the therapy it schedules, whether in use."""

    therapy_id: int = field(kw_only=True)
    active: bool = field(default=True, kw_only=True)


@dataclass(frozen=True, slots=True)
class ProtocolEntry:
    """A protocol as Settings and the booking dialogs read it, with its therapy's name."""

    protocol_id: int
    therapy_name: str
    edit: ProtocolEdit


def _protocol_view(protocol: Protocol) -> ProtocolEntry:
    return ProtocolEntry(protocol.id, protocol.therapy.name, _protocol_edit_of(protocol))


def list_protocols(db: Session) -> list[ProtocolEntry]:
    query = select(Protocol).order_by(Protocol.therapy_id, Protocol.id)
    return [_protocol_view(p) for p in db.scalars(query)]


def _protocol_edit_of(protocol: Protocol) -> ProtocolEdit:
    return ProtocolEdit(
        **protocol.field_values(), therapy_id=protocol.therapy_id, active=protocol.active
    )


def save_protocol(
    db: Session, protocol_id: int | None, edit: ProtocolEdit, *, actor: Actor, now: dt.datetime
) -> ProtocolEntry:
    """Add a protocol (``protocol_id`` None) or change one; an induction has 6 to 8 sessions."""
    require(actor, Permission.EDIT_SETTINGS)
    problems = _protocol_problems(db, protocol_id, edit)
    if problems:
        raise ValidationFailed(problems)
    if protocol_id is None:
        protocol = Protocol()
        _write_protocol(protocol, edit)
        db.add(protocol)
        audit.record(
            db, actor=actor.sign_in, now=now, action="protocol.create", row=protocol, before=None
        )
        return _protocol_view(protocol)
    protocol = get_or_refuse(db, Protocol, protocol_id, "That protocol no longer exists.")
    before = audit.snapshot(protocol)
    _write_protocol(protocol, edit)
    audit.record(
        db, actor=actor.sign_in, now=now, action="protocol.update", row=protocol, before=before
    )
    return _protocol_view(protocol)


def _write_protocol(protocol: Protocol, edit: ProtocolEdit) -> None:
    protocol.set_fields(replace(edit, name=edit.name.strip()))
    protocol.therapy_id = edit.therapy_id
    protocol.active = edit.active


def _protocol_problems(
    db: Session, protocol_id: int | None, edit: ProtocolEdit
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    name = edit.name.strip()
    if not name:
        problems.append(FieldProblem("name", "A protocol needs a name."))
    elif db.scalar(
        select(Protocol.id).where(
            func.lower(Protocol.name) == name.lower(), Protocol.id != (protocol_id or 0)
        )
    ):
        problems.append(FieldProblem("name", f"There is already a protocol called {name}."))
    if db.get(Therapy, edit.therapy_id) is None:
        problems.append(FieldProblem("therapy_id", "Choose the therapy it schedules."))
    phase = _member(Phase, edit.phase)
    if phase is None:
        problems.append(FieldProblem("phase", "Choose induction, maintenance or single."))
    count = edit.session_count
    if phase is Phase.INDUCTION and (
        count is None or not INDUCTION_MIN_SESSIONS <= count <= INDUCTION_MAX_SESSIONS
    ):
        problems.append(
            FieldProblem(
                "session_count",
                f"An induction series has {INDUCTION_MIN_SESSIONS} to "
                f"{INDUCTION_MAX_SESSIONS} sessions.",
            )
        )
    elif count is not None and count < 1:
        problems.append(FieldProblem("session_count", "A course has at least one session."))
    if edit.min_gap_days < 0:
        problems.append(FieldProblem("min_gap_days", "The minimum gap cannot be negative."))
    if edit.max_gap_days is not None and edit.max_gap_days < edit.min_gap_days:
        problems.append(
            FieldProblem("max_gap_days", "The maximum gap is shorter than the minimum gap.")
        )
    if edit.max_span_days is not None and edit.max_span_days < 1:
        problems.append(FieldProblem("max_span_days", "The longest span is at least one day."))
    if any(d not in range(7) for d in edit.preferred_weekdays):
        problems.append(FieldProblem("preferred_weekdays", "Weekdays are Monday to Sunday."))
    if edit.maintenance_interval_days is not None and edit.maintenance_interval_days < 1:
        problems.append(
            FieldProblem("maintenance_interval_days", "The interval is at least one day.")
        )
    return problems


def _member(enum_cls: type[E], value: str) -> E | None:
    """The member of ``enum_cls`` whose value a form sent, or None for a value it does not have."""
    return next((member for member in enum_cls if member.value == value), None)
