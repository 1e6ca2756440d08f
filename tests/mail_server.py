"""A real SMTP server on loopback for the mail tests (aiosmtpd), collecting what it receives.

Addresses in ``refuse`` get "550" at RCPT, as a server does for an address it does not
know; everything else is kept in ``received`` as parsed messages. After ``hold()`` the server
stalls on the first message's data, as a slow server does, until ``release()``: a test can
look at the database while a send is under way.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

# A stalled server answers at last after this long, so a failing test cannot hang.
STALL_LIMIT = 60.0


@dataclass
class Mailbox:
    """What the server was sent: each message with the envelope's recipients."""

    refuse: set[str] = field(default_factory=set)
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    # Set when a message's data has arrived; while ``gate`` is closed the server answers none.
    arrived: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event | None = None

    def hold(self) -> None:
        """Stall on the next message's data until ``release()``."""
        self.gate = threading.Event()

    def release(self) -> None:
        if self.gate is not None:
            self.gate.set()

    # aiosmtpd calls its hooks by these names.
    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        self.arrived.set()
        waited = 0.0
        while self.gate is not None and not self.gate.is_set() and waited < STALL_LIMIT:
            await asyncio.sleep(0.02)  # the server's loop keeps running; the client waits
            waited += 0.02
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def mail_server(**options: Any) -> Iterator[tuple[Mailbox, int]]:
    """A server on 127.0.0.1 for the test's length: its mailbox and its port."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
