"""Where counters shared by every process live: Redis or Valkey when RADURA_REDIS_URL is set
(SPEC §12), else the process's own memory.

In Redis a hit is counted by one script, read and increment together: two processes reading a
client's count at once and each writing it back plus one would lose a hit, and a client sending
in parallel would get more than its budget.

A Redis that is down or slow must not take the public pages with it: the store then answers as
if it held nothing and drops writes (the rate limit fails open), with one warning when Redis
goes away and one line when it is back.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import structlog
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis
from redis.exceptions import RedisError

from service.core.settings import Settings

log = structlog.get_logger()

# a scan must not wait on a sick Redis for longer than a phone notices
REDIS_TIMEOUT_S = 0.25


def deployment_namespace(public_base_url: str) -> str:
    """The key prefix of this deployment: its public address, which every process of one
    deployment shares and two deployments never do, so they can share one Redis."""
    parts = urlsplit(public_base_url)
    return f"radura:{parts.netloc}{parts.path}"


# A fixed window per key: {reset: unix second the window ends, hits: counted so far}. Counts a
# hit only while under the limit, and answers the count before this hit and the window's end.
_COUNT_HIT = """
local now, window_s, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local reset = tonumber(redis.call('HGET', KEYS[1], 'reset'))
if not reset or reset <= now then
    reset = now + window_s
    redis.call('HSET', KEYS[1], 'reset', reset, 'hits', 0)
    redis.call('EXPIRE', KEYS[1], window_s)
end
local hits = tonumber(redis.call('HGET', KEYS[1], 'hits'))
if hits < limit then
    redis.call('HINCRBY', KEYS[1], 'hits', 1)
end
return {hits, reset}
"""


class FailOpenRedisStore(RedisStore):
    """Litestar's RedisStore whose reads and writes give up quietly when Redis does not answer,
    with an atomic hit counter for rate limits."""

    __slots__ = ("_count_hit", "_down")

    def __init__(self, redis: Redis, namespace: str) -> None:
        super().__init__(redis, namespace=namespace, handle_client_shutdown=True)
        self._down = False
        self._count_hit = redis.register_script(_COUNT_HIT)

    async def count_hit(self, key: str, limit: int, window_s: int) -> tuple[int, int] | None:
        """Counts one hit on `key` if it has fewer than `limit` in its window of `window_s`;
        answers (hits before this one, unix second the window ends), or None if Redis is down."""
        try:
            hits, reset = await self._count_hit(
                keys=[self._make_key(key)], args=[int(time.time()), window_s, limit]
            )
        except RedisError as exc:
            self._failed(exc)
            return None
        self._answered()
        return int(hits), int(reset)

    def _failed(self, exc: RedisError) -> None:
        if not self._down:
            self._down = True
            # the error's type only: its text can name the host and, in some clients, the URL
            log.warning("redis unreachable; rate limits not enforced", error=type(exc).__name__)

    def _answered(self) -> None:
        if self._down:
            self._down = False
            log.info("redis reachable again; rate limits enforced")

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        try:
            value = await super().get(key, renew_for)
        except RedisError as exc:
            self._failed(exc)
            return None
        self._answered()
        return value

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        try:
            await super().set(key, value, expires_in)
        except RedisError as exc:
            self._failed(exc)
            return
        self._answered()


def shared_store(settings: Settings, name: str) -> Store:
    """The store called `name`: in Redis under this deployment's namespace, or in memory."""
    if settings.redis_url is None:
        return MemoryStore()
    redis = Redis.from_url(
        settings.redis_url,
        socket_timeout=REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
    )
    return FailOpenRedisStore(
        redis, namespace=f"{deployment_namespace(settings.public_base_url)}:{name}"
    )
