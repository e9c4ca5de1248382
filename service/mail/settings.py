"""The RADURA_SMTP_URL and RADURA_MAIL_* settings, read once from the environment.

`smtp://user:password@host:port` speaks plain SMTP and upgrades with STARTTLS whenever the
server offers it (port 25 unless given); `smtps://…` is TLS from the first byte (port 465). User
and password are percent-decoded. Without RADURA_SMTP_URL nothing is sent: notices are kept as
`not_sent` and the console says so. The password is never shown: not in a repr, not in a log."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from service.core.settings import SettingsError, get_settings

_SMTP_EXAMPLE = "smtp://radura:secret@mail.example.id:587"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    scheme: str  # smtp (STARTTLS when offered) or smtps (implicit TLS)
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        """For logs and messages: never the password."""
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def parse_smtp_url(raw: str) -> SmtpServer:
    """RADURA_SMTP_URL as a server; a wrong value is a SettingsError that never echoes it (it
    may hold a password)."""
    name = "RADURA_SMTP_URL"
    parts = urlsplit(raw)
    if parts.scheme not in DEFAULT_PORTS:
        raise SettingsError(name, "must start with smtp:// or smtps://", _SMTP_EXAMPLE)
    if not parts.hostname:
        raise SettingsError(name, "names no host", _SMTP_EXAMPLE)
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise SettingsError(name, "has a port that is not a number", _SMTP_EXAMPLE) from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SettingsError(
            name, "has more than scheme, user, password, host and port", _SMTP_EXAMPLE
        )
    return SmtpServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _seconds_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(
            name, f"must be a number of seconds, got {raw!r}", str(default)
        ) from None
    if not value > 0:
        raise SettingsError(name, f"must be > 0, got {value}", str(default))
    return value


def _from_address(raw: str | None, public_base_url: str) -> Address:
    """RADURA_MAIL_FROM (`Radura <noreply@contoh.id>` or a bare address), else `Radura
    <noreply@{the public host}>`."""
    if raw is None:
        host = urlsplit(public_base_url).hostname or "localhost"
        return Address("Radura", "noreply", host)
    display, address = parseaddr(raw)
    user, at, domain = address.rpartition("@")
    if not at or not user or not domain or any(c in address for c in " <>\r\n"):
        raise SettingsError(
            "RADURA_MAIL_FROM", "is not an email address", "Radura <noreply@contoh.id>"
        )
    return Address(display or "Radura", user, domain)


@dataclass(frozen=True, slots=True)
class MailSettings:
    server: SmtpServer | None  # None: nothing is sent
    sender: Address
    # an attempt (connect, greet, send) ends after this long
    timeout_s: float
    # the first retry waits about retry_base_s, each next one twice as long, up to retry_max_s
    retry_base_s: float
    retry_max_s: float
    # a notice not sent this long after it was written is failed (a reset link: its lifetime)
    give_up_after_s: float
    # how often due notices are looked for without a NOTIFY (retries, a missed wake-up)
    poll_interval_s: float

    @property
    def sending(self) -> bool:
        return self.server is not None

    @property
    def message_id_domain(self) -> str:
        return self.sender.domain


def load_mail_settings(public_base_url: str | None = None) -> MailSettings:
    raw = os.environ.get("RADURA_SMTP_URL") or None
    return MailSettings(
        server=parse_smtp_url(raw) if raw else None,
        sender=_from_address(
            os.environ.get("RADURA_MAIL_FROM") or None,
            public_base_url or get_settings().public_base_url,
        ),
        timeout_s=_seconds_env("RADURA_MAIL_TIMEOUT_S", 30),
        retry_base_s=_seconds_env("RADURA_MAIL_RETRY_BASE_S", 30),
        retry_max_s=_seconds_env("RADURA_MAIL_RETRY_MAX_S", 3600),
        give_up_after_s=_seconds_env("RADURA_MAIL_GIVE_UP_AFTER_S", 24 * 3600),
        poll_interval_s=_seconds_env("RADURA_MAIL_POLL_S", 5),
    )


@lru_cache(maxsize=1)
def get_mail_settings() -> MailSettings:
    """Process-wide; tests call `get_mail_settings.cache_clear()` after changing the environment."""
    return load_mail_settings()
