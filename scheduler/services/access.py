"""Permission checks at the top of every user action, and the clinician who signs a decision."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import StaffRole
from scheduler.errors import NotAllowed
from scheduler.store.models import Staff

# What the refusal says each permission lets a person do.
DOING: dict[Permission, str] = {
    Permission.BOOK: "book or confirm sessions",
    Permission.MOVE: "move sessions",
    Permission.CANCEL: "cancel sessions or mark no-shows",
    Permission.CHECK_IN: "check patients in",
    Permission.COMPLETE: "mark sessions completed",
    Permission.PRINT: "print letters",
    Permission.EMAIL: "email letters to patients",
    Permission.EDIT_PATIENTS: "change patients' details",
    Permission.RECORD_FINDINGS: "record screening findings",
    Permission.CLEAR_SCREENING: "clear screening, resolve findings or record REMS enrolment",
    Permission.OVERRIDE_SAFETY: "override a safety check",
    Permission.EDIT_SETTINGS: "change settings or staff accounts",
    Permission.READ_AUDIT: "read the audit trail",
    Permission.READ_REPORTS: "read the clinic's reports",
}


def require(actor: Actor, permission: Permission) -> None:
    """Refuse, in one sentence, an action the signed-in staff member's roles do not allow."""
    if actor.may(permission):
        return
    roles = actor.roles_text or "no role"
    raise NotAllowed(
        f"{actor.name} ({roles}) may not {DOING[permission]}; ask a colleague whose role allows it."
    )


def signing_clinician(
    db: Session, actor: Actor, signer: Actor | None, permission: Permission
) -> Staff:
    """The clinician who signs a decision: the signed-in clinician, or the one who signed.

    ``signer`` comes from ``accounts.verify_signature`` (the clinician typed their own
    password at that moment); without it, the person at the desk must be a clinician. The
    signer must still be an active clinician now.
    """
    who = signer or actor
    staff = db.get(Staff, who.staff_id) if who.staff_id is not None else None
    if (
        staff is None
        or not staff.active
        or StaffRole.CLINICIAN not in staff.role_set
        or not who.may(permission)
    ):
        raise NotAllowed(
            f"Only a clinician may {DOING[permission]}: a clinician signs it with their own "
            "sign-in name and password."
        )
    return staff
