"""A real SMTP server (aiosmtpd) on a loopback port, in its own thread, that keeps what it is
sent: the tests read the notices Radura sends as a mail server would get them."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.live_server import free_port


@dataclass
class Sink:
    """Takes every message with 250 after `delay_s`; `stop()` and `start()` take it down and
    back up on the same port. With `user` and `password` it asks for AUTH (LOGIN, PLAIN)."""

    port: int = field(default_factory=free_port)
    delay_s: float = 0.0
    user: str | None = None
    password: str | None = None
    # STARTTLS offered (and required before AUTH) with this context; `implicit_tls`: TLS from
    # the first byte instead (smtps)
    tls: ssl.SSLContext | None = None
    implicit_tls: bool = False
    received: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        who = f"{self.user}:{self.password}@" if self.user else ""
        return f"smtp://{who}127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        login = auth_data.login.decode()
        ok = login == self.user and auth_data.password.decode() == self.password
        if ok:
            self.logins.append(login)
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.user:
            kwargs = {
                "authenticator": self._authenticate,
                "auth_required": True,
                # without TLS only on loopback: the client sends a password in clear only there
                # (aiosmtpd does not count implicit TLS as TLS: it is, all the same)
                "auth_require_tls": self.tls is not None and not self.implicit_tls,
            }
        if self.tls is not None:
            if self.implicit_tls:
                kwargs["ssl_context"] = self.tls
            else:
                kwargs |= {"tls_context": self.tls, "require_starttls": True}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages_to(self, recipient: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.received if m["To"] == recipient]

    async def wait_for(
        self, count: int, matching: Callable[[EmailMessage], bool], timeout_s: float = 20
    ) -> list[EmailMessage]:
        """At least `count` received messages that match, else AssertionError (the sink has
        its own thread: the event loop of the test, and of Radura's worker, runs meanwhile)."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                found = [m for m in self.received if matching(m)]
            if len(found) >= count or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert len(found) >= count, f"{len(found)} of {count} messages arrived"
        return found


@contextlib.contextmanager
def running_sink(**options: Any) -> Iterator[Sink]:
    sink = Sink(**options)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
