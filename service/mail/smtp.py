"""Sending over SMTP with the standard library's `smtplib`: blocking, so the worker runs it in a
thread (`asyncio.to_thread`), one connection for a claimed batch of messages.

`smtp://` greets, upgrades with STARTTLS whenever the server offers it, and only then logs in; a
server that offers no STARTTLS gets no password unless it listens on loopback (a local relay).
`smtps://` is TLS from the first byte. Certificates are checked against the system's
authorities and the host name. Every socket operation is bounded by the timeout."""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from service.mail.settings import SmtpServer

ERROR_MAX_CHARS = 300


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: bool  # the server answered 250 to the message's data
    error: str | None = None
    # refused for good (a 5xx for the sender, the recipient or the content): not tried again
    permanent: bool = False


class PlainTextLogin(Exception):
    """Credentials would cross the network unencrypted."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connect(server: SmtpServer, timeout_s: float) -> smtplib.SMTP:
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if server.scheme == "smtps":
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout_s, context=context)
        connection.ehlo()
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=timeout_s)
        connection.ehlo()
        if connection.has_extn("starttls"):
            connection.starttls(context=context)
            connection.ehlo()
        elif server.user and not _is_loopback(server.host):
            connection.close()
            raise PlainTextLogin(
                f"{server.host} offers no STARTTLS: the password is not sent unencrypted"
                " (use smtps://, or a server that offers STARTTLS)"
            )
    if server.user:
        connection.login(server.user, server.password or "")
    return connection


def describe(exc: BaseException) -> str:
    """One line about a failure, for the notice's record and the log: the server's reply or the
    error's type, never the credentials (smtplib's messages do not carry them)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        text = f"{exc.smtp_code} {reply}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, refusal = next(iter(exc.recipients.values()))
        text = f"recipient refused: {code} {refusal.decode(errors='replace')}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:ERROR_MAX_CHARS]


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _reply in exc.recipients.values())
    return (
        isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError))
        and 500 <= exc.smtp_code < 600
    )


def send_messages(
    server: SmtpServer, messages: Sequence[EmailMessage], timeout_s: float
) -> list[Outcome]:
    """Blocking. One outcome per message, in order; never raises for what the network or the
    server does. Once the connection fails, the messages not yet sent fail with it; none is
    begun later than `timeout_s` after the start, so a claim's lease covers the whole call."""
    started = time.monotonic()
    try:
        connection = _connect(server, timeout_s)
    except (OSError, smtplib.SMTPException, PlainTextLogin) as exc:
        return [Outcome(False, describe(exc))] * len(messages)
    outcomes: list[Outcome] = []
    try:
        for message in messages:
            if time.monotonic() - started > timeout_s:
                outcomes.append(Outcome(False, "not begun: the attempt ran out of time"))
                continue
            try:
                connection.send_message(message)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                # the connection is gone: this message and the rest wait for the next attempt
                failure = Outcome(False, describe(exc))
                outcomes.extend([failure] * (len(messages) - len(outcomes)))
                break
            except smtplib.SMTPException as exc:
                outcomes.append(Outcome(False, describe(exc), permanent=_is_permanent(exc)))
                continue
            outcomes.append(Outcome(True))
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return outcomes
