"""The mail server's password, kept in the operating system's credential store.

Windows Credential Locker, the macOS Keychain or the Secret Service on Linux, through
``keyring``: never in the clinic database, which backups copy and several desks read. Each
workstation that sends email keeps its own copy, stored from Settings on that workstation.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError

from scheduler.errors import ServiceError

# The entry's name in the credential store; the user name says which account and server.
SERVICE = "Infusion Desk mail server"

NO_STORE = (
    "This computer has no credential store for the mail password, so email can go only "
    "through a mail server that needs no sign-in."
)


def _account(user: str, host: str) -> str:
    return f"{user}@{host}"


def store_available() -> bool:
    """Whether a credential store is there to keep the password (keyring found a backend)."""
    try:
        return float(keyring.get_keyring().priority) > 0
    except (KeyringError, RuntimeError):
        return False


def store_password(user: str, host: str, password: str) -> None:
    """Keep the password for ``user`` on ``host``; a refusal is one sentence."""
    if not store_available():
        raise ServiceError(NO_STORE)
    try:
        keyring.set_password(SERVICE, _account(user, host), password)
    except (KeyringError, RuntimeError) as exc:
        raise ServiceError(
            "The credential store refused to keep the mail password; nothing was saved."
        ) from exc


def stored_password(user: str, host: str) -> str | None:
    """The kept password for ``user`` on ``host``; None when none is kept (or no store)."""
    if not store_available():
        return None
    try:
        return keyring.get_password(SERVICE, _account(user, host))
    except (KeyringError, RuntimeError):
        return None
