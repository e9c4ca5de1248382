"""Prometheus metrics: what the app counts, what is read at scrape time, and the middleware
that counts requests; `GET /metrics` serves them (`metrics_controller`).

Counters and histograms are updated where things happen (a verdict, a flush); the figures that
are a state rather than an event (buffer depth, pool use, queue depths) are read when Prometheus
scrapes, so serving a scan costs nothing for them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import structlog
from litestar.enums import ScopeType
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Message, Receive, Scope, Send
from prometheus_client import REGISTRY, Counter, Gauge, Histogram

from service.core import db
from service.core.request_series import RequestSeries

log = structlog.get_logger()

METRICS_PATH = "/metrics"

# Process-wide, like the default registry they live in: several apps in one process (tests)
# share them, and a second registration would be refused.
SCAN_BUFFER_ROWS = Gauge(
    "radura_scan_buffer_rows", "Scans accepted and not yet written to the database"
)
SCAN_FLUSH_SECONDS = Histogram(
    "radura_scan_flush_seconds",
    "Time to write one batch of buffered scans, successful writes only",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SCANS_DROPPED = Counter(
    "radura_scans_dropped_total",
    "Scans never written: buffer full while the database was away, batch refused by the "
    "database, or database unreachable at shutdown",
    ["reason"],
)
POOL_CONNECTIONS = Gauge(
    "radura_db_pool_connections",
    "Database pool connections: size is the open ones, in_use the lent ones, max the limit",
    ["pool", "state"],
)
DOWNLOADS_IN_PROGRESS = Gauge(
    "radura_downloads_in_progress",
    "Long downloads (CSV, workbooks, EPCIS query results) holding a place of the download gate",
)

# Request counts and latency by route template (`/v/{label_path}`, never a scanned code, so the
# number of series stays bounded), and verdicts; scrapes are not counted.
# The middleware's configuration below names and buckets the same series.
_PREFIX, _APP_NAME = "radura_http", "radura"
_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUESTS = RequestSeries(
    prefix=_PREFIX,
    app_name=_APP_NAME,
    buckets_s=_BUCKETS_S,
    verdict_name="radura_verifications_total",
)
REGISTRY.register(REQUESTS)


def count_verdict(verdict: str) -> None:
    REQUESTS.note_verdict(verdict)


# --- read at scrape time -----------------------------------------------------------------------

# Gauges whose figure is a query: each gets a connection of the main pool at scrape time.
# A domain adds one with one call, e.g. `database_gauge("radura_x", "What x is", count_x)`,
# made when the app is built (webhooks: `register_webhook_metrics`).
DatabaseReading = Callable[[asyncpg.Connection], Awaitable[int | float]]
_database_gauges: dict[str, tuple[Gauge, DatabaseReading]] = {}


def database_gauge(name: str, documentation: str, read: DatabaseReading) -> Gauge:
    """The gauge `name`, set from `read` at each scrape; registering the same name again (a
    second app in one process) keeps the one gauge, read with the latest `read`."""
    known = _database_gauges.get(name)
    gauge = known[0] if known is not None else Gauge(name, documentation)
    _database_gauges[name] = (gauge, read)
    return gauge


def _read_pools(state: Any) -> None:
    pools: dict[str, asyncpg.Pool] = {"main": state.pool}
    verifier = getattr(state, "verifier", None)
    if verifier is not None:
        pools.update(verifier.pools)
        SCAN_BUFFER_ROWS.set(len(verifier.scan_log))
    for name, pool in pools.items():
        size = pool.get_size()
        POOL_CONNECTIONS.labels(name, "size").set(size)
        POOL_CONNECTIONS.labels(name, "in_use").set(size - pool.get_idle_size())
        POOL_CONNECTIONS.labels(name, "max").set(pool.get_max_size())
    gate = getattr(state, "download_gate", None)
    if gate is not None:
        DOWNLOADS_IN_PROGRESS.set(gate.admitted)


async def _read_database(state: Any) -> None:
    if not _database_gauges:
        return
    try:
        async with db.connection(state.pool) as conn:
            for gauge, read in _database_gauges.values():
                gauge.set(await read(conn))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        # a scrape while the database is away still reports everything held in memory
        log.debug("metrics_database_gauges_skipped", error=type(exc).__name__)


async def read_at_scrape(state: Any) -> None:
    """Set the gauges that are a state (pools, scan buffer, database readings) for a scrape."""
    _read_pools(state)
    await _read_database(state)


class _RouteMetricsMiddleware(PrometheusMiddleware):
    """Litestar's Prometheus middleware, made cheap enough for every request: the same series,
    but no Request object or URL parsing per request, and plain additions (request_series)
    instead of a locked update of each series."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = HTTP_500_INTERNAL_SERVER_ERROR  # unless a response starts

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            count_request(scope, status, time.perf_counter() - started)


ROUTE_METRICS = PrometheusConfig(
    app_name=_APP_NAME,
    prefix=_PREFIX,
    group_path=True,
    exclude=[f"^{METRICS_PATH}$"],
    buckets=list(_BUCKETS_S),
    middleware_class=_RouteMetricsMiddleware,
    scopes={ScopeType.HTTP},
).middleware


def count_request(scope: Scope, status: int, seconds: float) -> None:
    """Count and time one request of the route in `scope`.

    The middleware above calls it for every route but the ones a scan takes (a label's page,
    its JSON, the GS1 resolver's hop), where the middleware's own layer around every request
    and every message sent cost a tenth of the request: they count themselves, from the
    handler's start to its answer (service/verify/counted.py)."""
    method: str = scope.get("method", "GET")  # type: ignore[assignment]
    REQUESTS.note_request((method, scope.get("path_template", "?"), status), seconds)
