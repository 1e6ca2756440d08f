"""Who may do what: the staff roles' permissions, and the signed-in staff member who acts.

The matrix below is the only place the permissions are written down (the README prints the
same table). The services check it at the top of every user action; the desk reads it to hide
or disable what would be refused anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scheduler.domain.enums import StaffRole


class Permission(StrEnum):
    """A kind of user action that some roles may take and others may not."""

    BOOK = "book"  # book courses, single sessions, make-ups; confirm; keep the waitlist
    MOVE = "move"  # move a session, reflow a course
    CANCEL = "cancel"  # cancel a session or a course, mark a no-show
    CHECK_IN = "check in"
    COMPLETE = "complete"
    PRINT = "print"  # letters, recorded as printed
    EMAIL = "email letters"  # prep and schedule letters emailed to consenting patients
    EDIT_PATIENTS = "edit patients"  # details, archive
    RECORD_FINDINGS = "record findings"  # screening findings
    CLEAR_SCREENING = "clear screening"  # clearance, clearing a finding, REMS enrolment
    OVERRIDE_SAFETY = "override a safety check"  # override a contraindication or a booking gate
    EDIT_SETTINGS = "edit settings and staff"
    READ_AUDIT = "read the audit trail"
    READ_REPORTS = "read the clinic's reports"  # counts and charts only, no patient's name


_DESK_WORK = {
    Permission.BOOK,
    Permission.MOVE,
    Permission.CANCEL,
    Permission.CHECK_IN,
    Permission.PRINT,
    Permission.EMAIL,
    Permission.EDIT_PATIENTS,
}

PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.FRONT_DESK: frozenset(_DESK_WORK | {Permission.READ_REPORTS}),
    StaffRole.NURSE: frozenset(_DESK_WORK | {Permission.COMPLETE, Permission.READ_REPORTS}),
    StaffRole.CLINICIAN: frozenset(
        _DESK_WORK
        | {
            Permission.COMPLETE,
            Permission.RECORD_FINDINGS,
            Permission.CLEAR_SCREENING,
            Permission.OVERRIDE_SAFETY,
            Permission.READ_REPORTS,
        }
    ),
    StaffRole.ADMINISTRATOR: frozenset(
        {Permission.EDIT_SETTINGS, Permission.READ_AUDIT, Permission.READ_REPORTS}
    ),
}

# Decisions that need a clinician's signature: the signed-in clinician, or one who types their
# own password at that moment.
SIGNED_DECISIONS = frozenset({Permission.CLEAR_SCREENING, Permission.OVERRIDE_SAFETY})

ROLE_LABELS: dict[StaffRole, str] = {
    StaffRole.FRONT_DESK: "Front desk",
    StaffRole.NURSE: "Nurse",
    StaffRole.CLINICIAN: "Clinician",
    StaffRole.ADMINISTRATOR: "Administrator",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member on whose behalf a user action runs."""

    staff_id: int | None  # None only for the clinic's own set-up (first start, the demo)
    sign_in: str  # the name written in the audit trail
    name: str  # the name shown on the desk
    roles: frozenset[StaffRole]

    def may(self, permission: Permission) -> bool:
        return any(permission in PERMISSIONS[role] for role in self.roles)

    @property
    def is_clinician(self) -> bool:
        return StaffRole.CLINICIAN in self.roles

    @property
    def roles_text(self) -> str:
        """The roles in words, e.g. "Nurse, Clinician"."""
        return ", ".join(ROLE_LABELS[r] for r in StaffRole if r in self.roles)


def set_up_actor(sign_in: str) -> Actor:
    """Who acts while a new clinic is built (first start, the demo): every role, no account."""
    return Actor(None, sign_in, sign_in, frozenset(StaffRole))


def parse_roles(text: str) -> frozenset[StaffRole]:
    """The roles stored as comma-separated values ("nurse,clinician"); unknown ones dropped."""
    known = {r.value for r in StaffRole}
    return frozenset(StaffRole(p) for p in text.split(",") if p in known)


def roles_value(roles: frozenset[StaffRole] | set[StaffRole]) -> str:
    """The roles as stored: comma-separated values in the enum's order."""
    return ",".join(r.value for r in StaffRole if r in roles)
