"""Staff accounts: passwords, signing in, locks after wrong passwords, the first administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scheduler.domain.enums import StaffRole
from scheduler.errors import NotAllowed, ValidationFailed
from scheduler.services import accounts
from scheduler.services.accounts import NewAccount
from scheduler.services.settings import StaffEdit, save_staff
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Staff
from tests.conftest import ACTOR, NOW
from tests.factories import add_account


def test_a_password_is_stored_only_as_an_argon2_hash(db: Database) -> None:
    with db.transaction() as s:
        nurse = add_account(s, "Maria Santos", "maria", StaffRole.NURSE)
    with db.reading() as s:
        staff = s.get(Staff, nurse.staff_id)
        assert staff is not None
        assert staff.password is not None
        assert staff.password.password_hash.startswith("$argon2id$")
        assert "correct horse" not in staff.password.password_hash
        # The audit trail's copies of the staff row never hold the hash.
        audited = s.scalars(select(AuditEntry).where(AuditEntry.entity == "staff")).all()
        assert audited
        assert all("argon2" not in str(e.after) for e in audited)


def test_sign_in_with_the_right_password_names_the_staff_member(db: Database) -> None:
    with db.transaction() as s:
        add_account(s, "Dr Ada Ng", "ada", StaffRole.CLINICIAN, StaffRole.ADMINISTRATOR)
    with db.transaction() as s:
        result = accounts.sign_in(s, "ada", "correct horse", now=NOW)
    assert result.actor is not None
    assert result.actor.name == "Dr Ada Ng"
    assert result.actor.roles == {StaffRole.CLINICIAN, StaffRole.ADMINISTRATOR}
    with db.reading() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.actor == "ada")).all()
        assert "desk.sign_in" in actions


def test_a_wrong_password_or_unknown_name_says_the_same_and_is_audited(db: Database) -> None:
    with db.transaction() as s:
        add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK)
    with db.transaction() as s:
        wrong = accounts.sign_in(s, "tom", "not the one", now=NOW)
        unknown = accounts.sign_in(s, "nobody", "correct horse", now=NOW)
    assert wrong.actor is None
    assert unknown.actor is None
    assert wrong.problem == unknown.problem == "The sign-in name or the password is wrong."
    with db.reading() as s:
        failed = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "desk.sign_in_failed")
        ).all()
        assert [(e.actor, e.reason) for e in failed] == [
            ("tom", "wrong password"),
            ("", "no account with that sign-in name"),
        ]


def test_five_wrong_passwords_lock_the_account_for_a_few_minutes(db: Database) -> None:
    with db.transaction() as s:
        add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK)
    for attempt in range(accounts.MAX_FAILED_SIGN_INS):
        with db.transaction() as s:
            result = accounts.sign_in(s, "tom", f"guess {attempt}", now=NOW)
        assert result.actor is None
    assert "locked for 5 more minutes" in result.problem
    later = NOW + dt.timedelta(minutes=2)
    with db.transaction() as s:
        locked = accounts.sign_in(s, "tom", "correct horse", now=later)
    assert locked.actor is None
    assert "locked for 3 more minutes" in locked.problem
    with db.transaction() as s:
        after = accounts.sign_in(s, "tom", "correct horse", now=NOW + dt.timedelta(minutes=6))
    assert after.actor is not None


def test_an_administrator_resets_a_password_and_lifts_the_lock(db: Database) -> None:
    with db.transaction() as s:
        tom = add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK)
        admin = add_account(s, "Alex Morgan", "alex", StaffRole.ADMINISTRATOR)
    for attempt in range(accounts.MAX_FAILED_SIGN_INS):
        with db.transaction() as s:
            accounts.sign_in(s, "tom", f"guess {attempt}", now=NOW)
    assert tom.staff_id is not None
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not change settings"):
        accounts.set_password(s, tom.staff_id, "a new one, long", actor=tom, now=NOW)
    with db.transaction() as s, pytest.raises(ValidationFailed, match="at least 10"):
        accounts.set_password(s, tom.staff_id, "short", actor=admin, now=NOW)
    with db.transaction() as s:
        accounts.set_password(s, tom.staff_id, "a new one, long", actor=admin, now=NOW)
    with db.transaction() as s:
        assert accounts.sign_in(s, "tom", "a new one, long", now=NOW).actor is not None
        assert accounts.sign_in(s, "tom", "correct horse", now=NOW).actor is None


def test_a_deactivated_account_cannot_sign_in(db: Database) -> None:
    with db.transaction() as s:
        tom = add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK)
        admin = add_account(s, "Alex Morgan", "alex", StaffRole.ADMINISTRATOR)
    assert tom.staff_id is not None
    edit = StaffEdit("Tom Becker", frozenset({StaffRole.FRONT_DESK}), False, "tom")
    with db.transaction() as s:
        save_staff(s, tom.staff_id, edit, actor=admin, now=NOW)
    with db.transaction() as s:
        assert accounts.sign_in(s, "tom", "correct horse", now=NOW).actor is None


def test_the_last_administrator_cannot_be_deactivated(db: Database) -> None:
    with db.transaction() as s:
        admin = add_account(s, "Alex Morgan", "alex", StaffRole.ADMINISTRATOR)
    assert admin.staff_id is not None
    edit = StaffEdit("Alex Morgan", frozenset({StaffRole.ADMINISTRATOR}), False, "alex")
    with db.transaction() as s, pytest.raises(ValidationFailed, match="only administrator"):
        save_staff(s, admin.staff_id, edit, actor=admin, now=NOW)


def test_only_an_administrator_edits_staff(db: Database) -> None:
    with db.transaction() as s:
        doc = add_account(s, "Dr Ada Ng", "ada", StaffRole.CLINICIAN)
    edit = StaffEdit("Dr Bo Li", frozenset({StaffRole.CLINICIAN}))
    with db.transaction() as s, pytest.raises(NotAllowed, match="Dr Ada Ng \\(Clinician\\)"):
        save_staff(s, None, edit, actor=doc, now=NOW)


def test_the_first_administrator_is_created_once(db: Database) -> None:
    first = NewAccount("Alex Morgan", "alex", "long enough pw", frozenset())
    with db.transaction() as s:
        assert not accounts.has_accounts(s)
        actor = accounts.create_first_administrator(s, first, now=NOW)
    assert actor.roles == {StaffRole.ADMINISTRATOR}
    with db.transaction() as s:
        assert accounts.has_accounts(s)
    again = NewAccount("Mallory", "mallory", "long enough pw", frozenset())
    with db.transaction() as s, pytest.raises(NotAllowed, match="already has an administrator"):
        accounts.create_first_administrator(s, again, now=NOW)


@pytest.mark.parametrize(
    ("sign_in", "password", "field"),
    [
        ("", "long enough pw", "sign_in"),
        ("has space", "long enough pw", "sign_in"),
        ("alex", "short", "password"),
        ("alexander12", "ALEXANDER12", "password"),
    ],
)
def test_new_accounts_need_a_sign_in_name_and_a_sensible_password(
    db: Database, sign_in: str, password: str, field: str
) -> None:
    account = NewAccount("Alex Morgan", sign_in, password, frozenset({StaffRole.NURSE}))
    with db.transaction() as s, pytest.raises(ValidationFailed) as caught:
        accounts.add_account(s, account, actor_sign_in=ACTOR.sign_in, now=NOW)
    assert [p.field for p in caught.value.problems] == [field]


def test_a_clinician_signature_needs_a_clinician(db: Database) -> None:
    with db.transaction() as s:
        add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK)
        add_account(s, "Dr Ada Ng", "ada", StaffRole.CLINICIAN)
    with db.transaction() as s:
        tom = accounts.verify_signature(s, "tom", "correct horse", now=NOW)
        ada = accounts.verify_signature(s, "ada", "correct horse", now=NOW)
        wrong = accounts.verify_signature(s, "ada", "wrong password", now=NOW)
    assert tom.actor is None
    assert "not a clinician" in tom.problem
    assert ada.actor is not None
    assert wrong.actor is None
