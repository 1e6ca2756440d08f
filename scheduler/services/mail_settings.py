"""The clinic's mail server, as Settings edits it: host, port, security, user, from-address.

The password goes to the credential store (``mail_password``), never to the database; the
audit trail records the server change, never the password.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import MailSecurity
from scheduler.domain.patients import is_email_address
from scheduler.errors import FieldProblem, ValidationFailed
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.clinic import get_settings
from scheduler.services.mail_password import store_available, store_password, stored_password

SECURITY_LABELS = {
    MailSecurity.STARTTLS: "STARTTLS (port 587)",
    MailSecurity.TLS: "TLS (port 465)",
    MailSecurity.NONE: "None (a server on this computer only)",
}


@dataclass(frozen=True)
class MailServer:
    """The mail server settings, and whether a password is kept for them on this computer."""

    host: str
    port: int
    security: MailSecurity
    user: str
    from_address: str
    password_kept: bool = False
    store_available: bool = True

    @property
    def is_set_up(self) -> bool:
        return bool(self.host and self.from_address)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer (the only place mail may go unencrypted)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def mail_server(db: Session) -> MailServer:
    """The clinic's mail server settings as Settings shows them."""
    s = get_settings(db)
    kept = bool(s.smtp_user) and stored_password(s.smtp_user, s.smtp_host) is not None
    return MailServer(
        host=s.smtp_host,
        port=s.smtp_port,
        security=s.smtp_security,
        user=s.smtp_user,
        from_address=s.smtp_from,
        password_kept=kept,
        store_available=store_available(),
    )


def _problems(server: MailServer) -> list[FieldProblem]:
    problems = []
    if not server.host:
        problems.append(
            FieldProblem("host", "Enter the mail server's name, e.g. smtp.example.org.")
        )
    elif server.security is MailSecurity.NONE and not is_loopback(server.host):
        problems.append(
            FieldProblem(
                "security",
                "Mail leaves this computer only encrypted: choose STARTTLS or TLS for "
                f"{server.host}.",
            )
        )
    if not 1 <= server.port <= 65535:
        problems.append(FieldProblem("port", "The port is a number from 1 to 65535."))
    if not is_email_address(server.from_address):
        problems.append(
            FieldProblem("from_address", "Enter the address letters are sent from (name@host).")
        )
    return problems


def save_mail_server(
    db: Session, server: MailServer, *, password: str | None, actor: Actor, now: dt.datetime
) -> MailServer:
    """Settings' Save on the Email tab; ``password`` None or empty keeps the one kept now."""
    require(actor, Permission.EDIT_SETTINGS)
    server = MailServer(
        host=server.host.strip(),
        port=server.port,
        security=server.security,
        user=server.user.strip(),
        from_address=server.from_address.strip(),
    )
    problems = _problems(server)
    if password and not server.user:
        problems.append(FieldProblem("user", "Enter the user name the password belongs to."))
    if problems:
        raise ValidationFailed(problems)
    settings = get_settings(db)
    before = audit.snapshot(settings)
    settings.smtp_host = server.host
    settings.smtp_port = server.port
    settings.smtp_security = server.security
    settings.smtp_user = server.user
    settings.smtp_from = server.from_address
    audit.record(
        db, actor=actor.sign_in, now=now, action="mail.update", row=settings, before=before
    )
    db.flush()
    # Last: a credential store that refuses undoes the whole save (the caller rolls back).
    if password:
        store_password(server.user, server.host, password)
    return mail_server(db)
