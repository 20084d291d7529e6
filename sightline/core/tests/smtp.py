"""A real SMTP server on the loopback interface for the outbox's tests (aiosmtpd).

It records each message it accepts, can refuse chosen recipients for good, can go down and
come back on the same port, and can call a hook when it reaches the nth recipient or the nth
message (a test kills the worker there).
"""

import email
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

# aiosmtpd logs every command it hears.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    recipients: list[str]
    message_id: str
    subject: str


@dataclass
class Handler:
    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    rcpt_count: int = 0
    on_rcpt: Callable[[int], None] | None = None
    # Called with the count of messages when one has arrived, before the server answers.
    on_data: Callable[[int], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            self.rcpt_count += 1
            count = self.rcpt_count
        if self.on_rcpt is not None:
            self.on_rcpt(count)
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content)
        with self.lock:
            self.received.append(
                Received(
                    recipients=list(envelope.rcpt_tos),
                    message_id=str(parsed["Message-ID"]),
                    subject=str(parsed["Subject"]),
                )
            )
            count = len(self.received)
        if self.on_data is not None:
            self.on_data(count)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Handler()
        self._controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def mailer(self) -> dict[str, Any]:
        """A MAILERS entry that sends here."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }

    def delivered_to(self) -> list[str]:
        return [address for item in self.handler.received for address in item.recipients]
