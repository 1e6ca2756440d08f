"""Staff accounts: passwords, signing in, wrong-password locks, and a clinician's signature.

Passwords are hashed with Argon2id (argon2-cffi). Five wrong passwords in a row lock the
account for a few minutes. Signing in, failing to, locking and unlocking the desk are written to
the audit trail like every other action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission, roles_value
from scheduler.domain.enums import StaffRole
from scheduler.errors import FieldProblem, NotAllowed, ValidationFailed
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.clinic import get_settings
from scheduler.services.rows import get_or_refuse
from scheduler.store.models import Staff, StaffPassword

PASSWORD_MIN = 10
MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 5
SIGN_IN_PATTERN_HELP = "letters, digits, dots, hyphens and underscores"

_hasher = PasswordHasher()  # argon2-cffi's defaults: RFC 9106's low-memory recommendation


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with other Argon2 parameters from now on (the tests use cheap ones)."""
    global _hasher
    _hasher = hasher


def actor_of(staff: Staff) -> Actor:
    """The staff member as the one who acts."""
    return Actor(staff.id, staff.sign_in or "", staff.name, staff.role_set)


# --- passwords --------------------------------------------------------------------------------


def password_problem(password: str, sign_in: str = "") -> str | None:
    """Why a new password is not good enough, or None."""
    if len(password) < PASSWORD_MIN:
        return f"A password needs at least {PASSWORD_MIN} characters."
    if sign_in and password.casefold() == sign_in.casefold():
        return "A password must not be the sign-in name."
    return None


def sign_in_problem(sign_in: str) -> str | None:
    if not sign_in:
        return "Type a sign-in name."
    if len(sign_in) > 60 or not all(c.isalnum() or c in "._-" for c in sign_in):
        return f"A sign-in name uses {SIGN_IN_PATTERN_HELP} only (at most 60)."
    return None


def _set_password(db: Session, staff: Staff, password: str, now: dt.datetime) -> None:
    if problem := password_problem(password, staff.sign_in or ""):
        raise ValidationFailed([FieldProblem("password", problem)])
    record = staff.password or StaffPassword(staff=staff, failed_sign_ins=0)
    record.password_hash = _hasher.hash(password)
    record.changed_at = now
    record.failed_sign_ins = 0
    record.locked_until = None
    db.add(record)


def set_password(
    db: Session, staff_id: int, password: str, *, actor: Actor, now: dt.datetime
) -> Actor:
    """An administrator sets (resets) a staff member's password; this also lifts a lock.

    Returns the staff member as they will act once signed in.
    """
    require(actor, Permission.EDIT_SETTINGS)
    staff = get_or_refuse(db, Staff, staff_id, f"No staff member with id {staff_id}.")
    if not staff.sign_in:
        raise ValidationFailed(
            [FieldProblem("sign_in", f"Give {staff.name} a sign-in name first.")]
        )
    _set_password(db, staff, password, now)
    audit.record(
        db, actor=actor.sign_in, now=now, action="staff.password_reset", row=staff, before=None
    )
    return actor_of(staff)


# --- the first administrator ------------------------------------------------------------------


def has_accounts(db: Session) -> bool:
    """Whether anyone can sign in: an active administrator with a password."""
    return any(
        StaffRole.ADMINISTRATOR in s.role_set
        for s in db.scalars(
            select(Staff)
            .join(StaffPassword)
            .where(Staff.active.is_(True), Staff.holding(StaffRole.ADMINISTRATOR))
        )
    )


@dataclass(frozen=True)
class NewAccount:
    """A staff account to create: name, sign-in name, password and roles."""

    name: str
    sign_in: str
    password: str
    roles: frozenset[StaffRole]


def create_first_administrator(db: Session, account: NewAccount, *, now: dt.datetime) -> Actor:
    """The clinic's first administrator; refused once anyone can sign in.

    Needs no signed-in user: on a new clinic (or one upgraded from before accounts) there is
    nobody to sign in as yet.
    """
    if has_accounts(db):
        raise NotAllowed("This clinic already has an administrator; sign in as them.")
    roles = account.roles | {StaffRole.ADMINISTRATOR}
    staff = add_account(db, replace(account, roles=roles), actor_sign_in=account.sign_in, now=now)
    return actor_of(staff)


def add_account(db: Session, account: NewAccount, *, actor_sign_in: str, now: dt.datetime) -> Staff:
    """Write a new staff member with a sign-in name and password (checks, no permission)."""
    name, sign_in = account.name.strip(), account.sign_in.strip()
    problems = []
    if not name:
        problems.append(FieldProblem("name", "A staff member needs a name."))
    if problem := sign_in_problem(sign_in):
        problems.append(FieldProblem("sign_in", problem))
    elif sign_in_taken(db, sign_in, None):
        problems.append(FieldProblem("sign_in", f"The sign-in name “{sign_in}” is taken."))
    if problem := password_problem(account.password, sign_in):
        problems.append(FieldProblem("password", problem))
    if not account.roles:
        problems.append(FieldProblem("roles", "Choose at least one role."))
    if problems:
        raise ValidationFailed(problems)
    staff = Staff(name=name, sign_in=sign_in, roles=roles_value(account.roles), active=True)
    db.add(staff)
    _set_password(db, staff, account.password, now)
    audit.record(db, actor=actor_sign_in, now=now, action="staff.create", row=staff, before=None)
    return staff


def sign_in_taken(db: Session, sign_in: str, staff_id: int | None) -> bool:
    found = db.scalar(select(Staff.id).where(Staff.sign_in == sign_in))
    return found is not None and found != staff_id


# --- signing in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    """The staff member now signed in, or why not (wrong password, locked, unknown name)."""

    actor: Actor | None
    problem: str = ""


def sign_in(
    db: Session, sign_in_name: str, password: str, *, now: dt.datetime, action: str = "sign_in"
) -> SignInResult:
    """Check a sign-in name and password, counting wrong ones; audited either way.

    Returns rather than raises on a wrong password, so that the caller's transaction commits
    the count (five in a row lock the account for a few minutes).
    """
    staff = db.scalar(select(Staff).where(Staff.sign_in == sign_in_name.strip()))
    record = staff.password if staff is not None else None
    if staff is None or record is None or not staff.active:
        # Said the same way as a wrong password: the desk does not confirm which names exist.
        if staff is not None:
            _audit_staff(db, staff, f"desk.{action}_failed", now, "no active account")
        else:
            audit.record(
                db,
                actor="",
                now=now,
                action=f"desk.{action}_failed",
                row=get_settings(db),
                before=None,
                reason="no account with that sign-in name",
            )
        return SignInResult(None, "The sign-in name or the password is wrong.")
    if record.locked_until is not None and record.locked_until > now:
        _audit_staff(db, staff, f"desk.{action}_failed", now, "account locked")
        return SignInResult(None, _locked_message(record.locked_until, now))
    if not _verifies(record.password_hash, password):
        record.failed_sign_ins += 1
        reason = "wrong password"
        if record.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            record.failed_sign_ins = 0
            record.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            reason = f"wrong password; account locked for {LOCK_MINUTES} minutes"
            _audit_staff(db, staff, f"desk.{action}_failed", now, reason)
            return SignInResult(None, _locked_message(record.locked_until, now))
        _audit_staff(db, staff, f"desk.{action}_failed", now, reason)
        return SignInResult(None, "The sign-in name or the password is wrong.")
    record.failed_sign_ins = 0
    record.locked_until = None
    if _hasher.check_needs_rehash(record.password_hash):
        record.password_hash = _hasher.hash(password)
    _audit_staff(db, staff, f"desk.{action}", now, "")
    return SignInResult(actor_of(staff))


def verify_signature(
    db: Session, sign_in_name: str, password: str, *, now: dt.datetime
) -> SignInResult:
    """A clinician signs a decision at someone else's desk by typing their own password."""
    result = sign_in(db, sign_in_name, password, now=now, action="signature")
    if result.actor is not None and not result.actor.is_clinician:
        return SignInResult(None, f"{result.actor.name} is not a clinician and cannot sign this.")
    return result


def record_desk_event(db: Session, actor: Actor, action: str, *, now: dt.datetime) -> None:
    """Audit a lock, an unlock or a sign-out of the desk."""
    staff = db.get(Staff, actor.staff_id) if actor.staff_id is not None else None
    if staff is not None:
        _audit_staff(db, staff, f"desk.{action}", now, "")


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return (
        f"Too many wrong passwords: this account is locked for {minutes} more minute"
        f"{'s' if minutes != 1 else ''}. An administrator can reset the password."
    )


def _audit_staff(db: Session, staff: Staff, action: str, now: dt.datetime, reason: str) -> None:
    audit.record(
        db, actor=staff.sign_in or "", now=now, action=action, row=staff, before=None, reason=reason
    )
