"""Settings read once from the RADURA_* environment variables.

Each variable has one small reader below that checks it and says, when it cannot be used,
which variable is wrong, how, and what a good value looks like (`SettingsError`): the `radura`
command prints that one line instead of failing later, deep inside a worker process.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from service.core.proxies import IPNetwork

# what each variable means, for `radura COMMAND --help` (the README's table says the same)
ENVIRONMENT = {
    "RADURA_DATABASE_URL": "PostgreSQL to use (unset: an embedded server in the data folder)",
    "RADURA_DATABASE_REPLICA_URL": "a streaming replica for public verification reads",
    "RADURA_DATA_DIR": "embedded database and signing keys (default: the per-user data folder)",
    "RADURA_PUBLIC_BASE_URL": "scheme and host in every QR (default: http://localhost:--port)",
    "RADURA_SIGNING_KEY": "the active Ed25519 private key (unset: key files in the data folder)",
    "RADURA_CLONE_THRESHOLD": "client networks after which a serial is suspect (default: 5)",
    "RADURA_RATE_LIMIT_PER_MINUTE": "per-client limit on public endpoints, 0 = off (default: 120)",
    "RADURA_LOG_FORMAT": "json or console (default: console)",
    "RADURA_DB_POOL_SIZE": "database connections per process (default: 10)",
    "RADURA_VERIFY_POOL_SIZE": "public verification's connections per process (default: 4)",
    "RADURA_METRICS_ALLOW": "who may read /metrics (default: 127.0.0.0/8,::1/128)",
    "RADURA_SCAN_BUFFER_MAX_ROWS": "scans kept in memory while the database is away (200000)",
    "RADURA_WEBHOOK_KEY": "key sealing webhook secrets (default: a file in the data folder)",
    "RADURA_WEBHOOK_ALLOW_PRIVATE": "1 lets webhook URLs be http and on private networks",
    "RADURA_TRUSTED_PROXIES": "CIDRs of reverse proxies whose X-Forwarded-For is believed",
    "RADURA_REDIS_URL": "Redis or Valkey for limits shared by every process (default: in process)",
    "RADURA_SMTP_URL": "smtp:// or smtps:// server that sends email (unset: none is sent)",
    "RADURA_MAIL_FROM": "sender of every email (default: Radura <noreply@the public host>)",
}

_DATABASE_URL_EXAMPLE = "postgresql://radura:secret@127.0.0.1:5432/radura"


class SettingsError(ValueError):
    """A RADURA_* variable that cannot be used; the message is one line fit for a terminal."""

    def __init__(self, variable: str, problem: str, example: str) -> None:
        super().__init__(f"{variable} {problem}; a good value looks like {variable}={example}")
        self.variable = variable


def _env(name: str) -> str | None:
    """The variable's value, None when unset or empty."""
    return os.environ.get(name) or None


def _int_env(name: str, default: int, minimum: int = 0) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"must be a whole number, got {raw!r}", str(default)) from None
    if value < minimum:
        raise SettingsError(name, f"must be at least {minimum}, got {value}", str(default))
    return value


DEFAULT_METRICS_ALLOW = "127.0.0.0/8,::1/128"


def parse_networks(
    variable: str, raw: str, example: str, *, strict: bool = True
) -> tuple[IPNetwork, ...]:
    """Networks from a comma- or space-separated list of CIDRs (a bare address is a /32 or
    /128). `strict` refuses an entry with host bits set (`10.0.0.1/8`) instead of widening it
    to its network: for a list of whom to believe, a typo must not trust a whole /8."""
    networks = []
    for entry in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=strict))
        except ValueError as exc:
            # ipaddress's reason tells "host bits set" apart from text that is no address at all
            problem = f"holds {entry!r}, which is not an address or CIDR ({exc})"
            raise SettingsError(variable, problem, example) from None
    return tuple(networks)


def _log_format() -> str:
    value = os.environ.get("RADURA_LOG_FORMAT", "console")
    if value not in ("json", "console"):
        raise SettingsError("RADURA_LOG_FORMAT", f"must be json or console, got {value!r}", "json")
    return value


def _database_url(name: str) -> str | None:
    """A postgresql:// URL; its value is never echoed, it may hold a password."""
    raw = _env(name)
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SettingsError(name, "is not a postgresql:// URL", _DATABASE_URL_EXAMPLE)
    try:
        parts.port  # noqa: B018 - reading it is the check: a port that is no number raises
    except ValueError:
        raise SettingsError(
            name, "has a port that is not a number", _DATABASE_URL_EXAMPLE
        ) from None
    return raw


DEFAULT_PORT = 8000
# the port `radura serve` last listened on with this data folder, for the commands run beside it
SERVE_PORT_FILE = "serve-port"


def local_base_url(port: int) -> str:
    """The default public base URL of a server on `port`: always `localhost`, never the address
    it binds (`--host 0.0.0.0` is no address a phone or browser can open)."""
    return f"http://localhost:{port}"


def record_serve_port(data_dir: Path, port: int) -> None:
    """Remember the port `radura serve` listens on, so `radura user invite` and the other
    commands run beside it print links that open on that server (best effort)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / SERVE_PORT_FILE).write_text(f"{port}\n", encoding="utf-8")
    except OSError:
        pass


def _served_port(data_dir: Path) -> int:
    """The port recorded by the last `radura serve` with this data folder, else 8000."""
    try:
        port = int((data_dir / SERVE_PORT_FILE).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return DEFAULT_PORT
    return port if 0 < port < 65536 else DEFAULT_PORT


def _public_base_url(data_dir: Path) -> str:
    """http(s)://host[:port], optionally with a path prefix: the start of every label URI.
    Unset, `http://localhost:{port}` of `radura serve` (which sets the variable for its
    workers), or of the last one that ran with this data folder."""
    name, example = "RADURA_PUBLIC_BASE_URL", "https://radura.example.id"
    raw = os.environ.get(name, local_base_url(_served_port(data_dir))).rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            name, f"must start with http:// or https:// and a host, got {raw!r}", example
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SettingsError(name, f"must hold no user, query or fragment, got {raw!r}", example)
    try:
        parts.port  # noqa: B018 - reading it is the check
    except ValueError:
        raise SettingsError(
            name, f"has a port that is not a number, got {raw!r}", example
        ) from None
    return raw


def _data_dir() -> Path:
    raw = _env("RADURA_DATA_DIR") or platformdirs.user_data_dir("radura")
    return Path(raw).expanduser()


def _signing_key() -> str | None:
    """Checked here so a bad key stops the start with one line; the key itself is never shown."""
    from labels.signing import KeyringError, parse_private_key

    raw = _env("RADURA_SIGNING_KEY")
    if raw is None:
        return None
    try:
        parse_private_key(raw)
    except KeyringError as error:
        problem = f"cannot be used: {error}"
        raise SettingsError("RADURA_SIGNING_KEY", problem, "$(openssl rand -hex 32)") from None
    return raw


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None
    replica_url: str | None
    data_dir: Path
    public_base_url: str
    # repr=False: the signing key must never reach a log line or a traceback
    signing_key: str | None = field(repr=False)
    clone_threshold: int
    rate_limit_per_minute: int
    log_format: str
    pool_max_size: int
    verify_pool_size: int
    # who may read /metrics; anyone else gets a 404
    metrics_allow: tuple[IPNetwork, ...]
    # scans held in memory while the database is away; beyond it new scans are not written
    scan_buffer_max_rows: int
    # peers whose X-Forwarded-For / Forwarded headers are believed (SPEC §12); empty: none
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # repr=False: the URL may carry the Redis password
    redis_url: str | None = field(default=None, repr=False)

    @property
    def embedded(self) -> bool:
        return self.database_url is None


def _redis_url() -> str | None:
    raw = os.environ.get("RADURA_REDIS_URL") or None
    if raw is not None and not raw.startswith(("redis://", "rediss://", "unix://")):
        # no echo of the value: it may carry a password
        problem = "must start with redis://, rediss:// or unix://"
        raise SettingsError("RADURA_REDIS_URL", problem, "redis://127.0.0.1:6379/0")
    return raw


def load_settings() -> Settings:
    """Every variable read and checked; SettingsError names the first one that is wrong."""
    data_dir = _data_dir()
    return Settings(
        database_url=_database_url("RADURA_DATABASE_URL"),
        replica_url=_database_url("RADURA_DATABASE_REPLICA_URL"),
        data_dir=data_dir,
        public_base_url=_public_base_url(data_dir),
        signing_key=_signing_key(),
        clone_threshold=_int_env("RADURA_CLONE_THRESHOLD", 5, minimum=1),
        rate_limit_per_minute=_int_env("RADURA_RATE_LIMIT_PER_MINUTE", 120),
        log_format=_log_format(),
        pool_max_size=_int_env("RADURA_DB_POOL_SIZE", 10, minimum=1),
        verify_pool_size=_int_env("RADURA_VERIFY_POOL_SIZE", 4, minimum=1),
        metrics_allow=parse_networks(
            "RADURA_METRICS_ALLOW",
            os.environ.get("RADURA_METRICS_ALLOW") or DEFAULT_METRICS_ALLOW,
            DEFAULT_METRICS_ALLOW,
            strict=False,  # it always read 10.0.0.1/8 as 10.0.0.0/8; refusing it would stop servers
        ),
        scan_buffer_max_rows=_int_env("RADURA_SCAN_BUFFER_MAX_ROWS", 200_000, minimum=1),
        trusted_proxies=parse_networks(
            "RADURA_TRUSTED_PROXIES", os.environ.get("RADURA_TRUSTED_PROXIES", ""), "127.0.0.1/32"
        ),
        redis_url=_redis_url(),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return load_settings()
