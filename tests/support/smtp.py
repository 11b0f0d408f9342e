"""A real SMTP server for tests: aiosmtpd on a free loopback port, collecting what it receives.

Use the `smtp_server` fixture; point the app at it with `smtp_server.settings` (merge into
`app_settings`). The server can be stopped and started again on the same port, to show what
happens to mail during an outage.
"""

import asyncio
import email
import threading
import time
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.ports import free_port


class CollectingHandler:
    """Keeps every accepted message, parsed, in arrival order."""

    def __init__(self) -> None:
        # Seconds to take over each message before accepting it: a slow relay.
        self.delay = 0.0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.original_content, policy=default_policy)
        with self.arrived:
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SMTPServer:
    """An aiosmtpd server on 127.0.0.1:`port` that can be stopped and restarted."""

    host = "127.0.0.1"

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = CollectingHandler()
        self.controller: Controller | None = None

    @property
    def settings(self) -> dict:
        """App settings that send mail to this server."""
        return {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": None,
            "MAIL_PASSWORD": None,
            # Flask-Mail suppresses sending when TESTING is on; these tests want real sends.
            "MAIL_SUPPRESS_SEND": False,
        }

    @property
    def running(self) -> bool:
        return self.controller is not None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def start(self) -> None:
        if self.controller is not None:
            return
        # The port was just released by stop(); retry briefly while the OS lets it go.
        for attempt in range(50):
            controller = Controller(self.handler, hostname=self.host, port=self.port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                if attempt == 49:
                    raise
                time.sleep(0.1)
                continue
            self.controller = controller
            return

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.envelopes.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages, once at least `count` have arrived (or all there are at `timeout`)."""
        deadline = time.monotonic() + timeout
        with self.handler.arrived:
            while len(self.handler.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.handler.arrived.wait(left)
            return list(self.handler.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose To header names `address`."""
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


@pytest.fixture
def smtp_server():
    """A running SMTP server on a free loopback port; stopped after the test."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()
