"""Settings read once from the RADURA_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import platformdirs

from service.core.proxies import IPNetwork, parse_networks


def _int_env(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be >= {minimum}, got {value}")
    return value


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
        raise SystemExit("RADURA_REDIS_URL must start with redis://, rediss:// or unix://")
    return raw


def load_settings() -> Settings:
    log_format = os.environ.get("RADURA_LOG_FORMAT", "console")
    if log_format not in ("json", "console"):
        raise SystemExit(f"RADURA_LOG_FORMAT must be 'json' or 'console', got {log_format!r}")
    data_dir = os.environ.get("RADURA_DATA_DIR") or platformdirs.user_data_dir("radura")
    return Settings(
        database_url=os.environ.get("RADURA_DATABASE_URL") or None,
        replica_url=os.environ.get("RADURA_DATABASE_REPLICA_URL") or None,
        data_dir=Path(data_dir).expanduser(),
        public_base_url=os.environ.get("RADURA_PUBLIC_BASE_URL", "http://localhost:8000").rstrip(
            "/"
        ),
        signing_key=os.environ.get("RADURA_SIGNING_KEY") or None,
        clone_threshold=_int_env("RADURA_CLONE_THRESHOLD", 5, minimum=1),
        rate_limit_per_minute=_int_env("RADURA_RATE_LIMIT_PER_MINUTE", 120),
        log_format=log_format,
        pool_max_size=_int_env("RADURA_DB_POOL_SIZE", 10, minimum=1),
        verify_pool_size=_int_env("RADURA_VERIFY_POOL_SIZE", 4, minimum=1),
        trusted_proxies=parse_networks(
            "RADURA_TRUSTED_PROXIES", os.environ.get("RADURA_TRUSTED_PROXIES", "")
        ),
        redis_url=_redis_url(),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return load_settings()
