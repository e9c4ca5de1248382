"""The RADURA_WEBHOOK_* settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _seconds_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise SystemExit(f"{name} must be > 0, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    # RADURA_WEBHOOK_ALLOW_PRIVATE=1: endpoints may be http and on loopback or private networks
    # (tests, a closed network); never in a production that faces the internet
    allow_private: bool
    timeout_s: float
    # the first retry waits about retry_base_s, each next one twice as long, up to retry_max_s
    retry_base_s: float
    retry_max_s: float
    give_up_after_s: float
    # how often due deliveries are looked for without a NOTIFY (retries, a missed wake-up)
    poll_interval_s: float


def load_webhook_settings() -> WebhookSettings:
    return WebhookSettings(
        allow_private=os.environ.get("RADURA_WEBHOOK_ALLOW_PRIVATE", "") == "1",
        timeout_s=_seconds_env("RADURA_WEBHOOK_TIMEOUT_S", 10),
        retry_base_s=_seconds_env("RADURA_WEBHOOK_RETRY_BASE_S", 30),
        retry_max_s=_seconds_env("RADURA_WEBHOOK_RETRY_MAX_S", 3600),
        give_up_after_s=_seconds_env("RADURA_WEBHOOK_GIVE_UP_AFTER_S", 24 * 3600),
        poll_interval_s=_seconds_env("RADURA_WEBHOOK_POLL_S", 5),
    )


@lru_cache(maxsize=1)
def get_webhook_settings() -> WebhookSettings:
    """Process-wide; tests call `get_webhook_settings.cache_clear()` after changing env."""
    return load_webhook_settings()
