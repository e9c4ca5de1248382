"""Wiring of public verification into the app: its routes, rate limit and background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    CacheObject,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.stores.base import Store
from litestar.types import ControllerRouterHandler, Receive, Scope, Send

from service.core import listener as change_listener
from service.core.metrics import ROUTE_METRICS, count_request
from service.core.settings import Settings
from service.core.shared_store import FailOpenRedisStore, shared_store
from service.core.strict_body import refuse_lax_json
from service.verify.cache import CHANNEL as LABEL_CHANNEL
from service.verify.controller import VerifyController
from service.verify.fingerprint import rate_limit_bucket
from service.verify.resolver.controller import Gs1ResolverController, resolver_description
from service.verify.resolver.gtins import CHANNEL as GTIN_CHANNEL
from service.verify.scans.controller import BatchScansController

RATE_LIMIT_STORE = "public_rate_limit"


class _RateLimitWithRetryAfter(RateLimitMiddleware):
    """Litestar's rate limiter, whose 429 also says when to come back (`Retry-After`). It
    counts its 429s in the route metrics itself: the routes it guards count their own requests
    inside it, and a refused request never reaches them."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started_s = time.perf_counter()
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as exc:
            count_request(scope, exc.status_code, time.perf_counter() - started_s)
            headers = dict(exc.headers or {})
            reset = headers.get(self.config.rate_limit_reset_header_key, "60")
            headers["Retry-After"] = str(max(1, int(reset)))
            # every public answer is readable from any origin (GS1 resolvers SHALL support
            # CORS), and so is being told to wait: an app in a browser can then back off
            headers["Access-Control-Allow-Origin"] = "*"
            raise TooManyRequestsException(
                detail="Too many requests from this network; try again shortly.", headers=headers
            ) from None

    async def retrieve_cached_history(self, key: str, store: Store) -> CacheObject:
        if not isinstance(store, FailOpenRedisStore):
            return await super().retrieve_cached_history(key, store)
        # in Redis the hit is counted here, atomically across processes (see shared_store)
        window_s = DURATION_VALUES[self.unit]
        now = int(time.time())
        counted = await store.count_hit(key, self.max_requests, window_s)
        if counted is None:  # Redis is down: let the request through
            return CacheObject(history=[], reset=now + window_s)
        hits, reset = counted
        return CacheObject(history=[now] * hits, reset=reset)

    async def set_cached_history(self, key: str, cache_object: CacheObject, store: Store) -> None:
        if not isinstance(store, FailOpenRedisStore):
            await super().set_cached_history(key, cache_object, store)
            return
        # already counted in Redis; only this request's headers need the hit
        cache_object.history = [int(time.time()), *cache_object.history]


def _client_bucket(request: Request[Any, Any, Any]) -> str:
    return rate_limit_bucket(request.client.host if request.client else "")


def verify_route_handlers(
    settings: Settings, other_public: Sequence[ControllerRouterHandler] = ()
) -> tuple[Router, type[BatchScansController]]:
    """The public routes — verification's and the app's `other_public` ones — under one per-client
    rate limit when a limit is set; and the scans API, which is signed in, so never limited.

    The routes a scan takes count themselves in the request metrics and take no body
    (service/verify/counted.py); every other public route has the metrics middleware and the
    strict JSON check, as the signed-in routes do."""
    middleware = []
    if settings.rate_limit_per_minute > 0:
        config = RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_minute),
            middleware_class=_RateLimitWithRetryAfter,
            store=RATE_LIMIT_STORE,
            identifier_for_request=_client_bucket,
        )
        middleware.append(config.middleware)
    public = Router(
        path="/",
        route_handlers=[
            VerifyController,
            Gs1ResolverController,
            Router(
                path="/",
                route_handlers=[resolver_description, *other_public],
                middleware=[ROUTE_METRICS],
                before_request=refuse_lax_json,
            ),
        ],
        middleware=middleware,
    )
    return public, BatchScansController


def verify_stores(settings: Settings) -> dict[str, Store]:
    """The rate limit's counters: in Redis when configured, so every process spends from one
    budget per client; else in each process."""
    return {RATE_LIMIT_STORE: shared_store(settings, RATE_LIMIT_STORE)}


def verify_lifespan(
    settings: Settings, also_notified: Mapping[str, change_listener.NotifiedCache] | None = None
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Loads the keyring and fingerprint key, starts the scan log, the change listener and the
    keeper of the scan partitions; at shutdown writes every buffered scan before the pool closes.
    The change listener also feeds the app's other NOTIFY-fed caches (`also_notified`, channel →
    cache), so the process keeps a single LISTEN connection."""

    @asynccontextmanager
    async def verification(app: Litestar) -> AsyncGenerator[None, None]:
        from labels.signing import Keyring
        from service.core import db
        from service.verify.fingerprint import Fingerprinter, load_fingerprint_key
        from service.verify.scans.log import ScanLog
        from service.verify.scans.partitions import PartitionKeeper
        from service.verify.verifier import Verifier

        # the signing keys the app publishes (re-read after a rotation), or our own load of them
        keyring = getattr(app.state, "signing_keys", None)
        if keyring is None:
            keyring = Keyring.load_or_create(settings.data_dir, settings.signing_key)
        app.state.public_base_url = settings.public_base_url
        async with app.state.pool.acquire() as conn:
            fingerprint_key = await load_fingerprint_key(conn)
        # Verification's own connections: no amount of console or API work (a flood of PDF
        # requests, slow exports) can leave a shopper's scan waiting for a connection.
        pool = await db.create_pool(settings.database_url or "", max_size=settings.verify_pool_size)
        replica = None
        if settings.replica_url:
            replica = await db.create_pool(settings.replica_url, max_size=settings.verify_pool_size)
        scan_log = ScanLog(
            pool, settings.scan_buffer_max_rows, clone_threshold=settings.clone_threshold
        )
        verifier = Verifier(
            keyring=keyring,
            primary=pool,
            replica=replica,
            fingerprinter=Fingerprinter(fingerprint_key),
            scan_log=scan_log,
            clone_threshold=settings.clone_threshold,
        )
        app.state.verifier = verifier
        listener = change_listener.ChangeListener(
            settings.database_url or "",
            {LABEL_CHANNEL: verifier.cache, GTIN_CHANNEL: verifier.gtins, **(also_notified or {})},
        )
        partitions = PartitionKeeper(pool)
        scan_log.start()
        listener.start()
        partitions.start()
        # serving before LISTEN is up is safe (the cache stays off), only slower
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener.connected.wait(), timeout=5)
            # and, as soon after, the set of our GTINs is read (until then none is refused)
            await asyncio.wait_for(verifier.gtins.trusted.wait(), timeout=5)
        # Everything built so far lives as long as the process: keep it out of the collector's
        # full passes, which otherwise pause a busy worker for tens of milliseconds (the p99).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await partitions.stop()
            await listener.stop()
            await verifier.close()
            await scan_log.stop()
            if replica is not None:
                await replica.close()
            await pool.close()

    return verification
