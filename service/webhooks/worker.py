"""Delivers the outbox: claims due deliveries, POSTs them signed, records each attempt.

Every process runs one worker. A delivery is claimed with `FOR UPDATE SKIP LOCKED` and, in the
same statement, pushed past the end of its attempt (a lease), so no two processes send it at the
same time; a process that dies mid-attempt leaves it to be retried when the lease ends. A
failure is retried with exponential backoff and jitter until 24 hours after the message was
written, then the delivery is marked failed. The worker wakes on the outbox's NOTIFY (through the
app's one LISTEN connection) and polls as a fallback."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import structlog
from cryptography.exceptions import InvalidTag

from service.webhooks.addresses import ForbiddenUrl, IPAddress, Target, check_url
from service.webhooks.keys import SecretBox, sign
from service.webhooks.settings import WebhookSettings

log = structlog.get_logger()

CLAIM_BATCH = 10
# a claim holds a delivery for its timeout plus this much time to record the attempt
LEASE_MARGIN_S = 30.0
ERROR_MAX_CHARS = 300
# addresses of one name tried in an attempt (each up to the timeout: the lease covers two)
ADDRESSES_TRIED = 2

_CLAIM = """
WITH due AS (
    SELECT id FROM webhook_deliveries
    WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries d
SET attempts = d.attempts + 1,
    next_attempt_at = clock_timestamp() + make_interval(secs => $2)
FROM due, webhook_messages m, webhook_endpoints e
WHERE d.id = due.id AND m.id = d.message_id AND e.id = d.endpoint_id
RETURNING d.id, d.attempts, d.message_id, m.created_at AS message_created_at, m.payload,
          e.url, e.secret_sealed
"""

_RECORD_ATTEMPT = """
INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, duration_ms, http_status,
                              error, next_attempt_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""

# guarded on the attempt number: a lease that ran out meanwhile lets no stale result win
_FINISH = """
UPDATE webhook_deliveries
SET status = $3, next_attempt_at = $4,
    finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE clock_timestamp() END
WHERE id = $1 AND attempts = $2 AND status = 'pending'
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    http_status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


def message_header_id(message_id: UUID) -> str:
    return "msg_" + message_id.hex


def retry_delay_s(attempts: int, settings: WebhookSettings) -> float:
    """Exponential backoff, with jitter between half and all of the step so that the retries
    of many deliveries that failed together (a receiver's outage) do not come back together."""
    step_s = min(settings.retry_base_s * 2 ** (attempts - 1), settings.retry_max_s)
    return step_s * random.uniform(0.5, 1.0)


def next_step(
    outcome: Outcome,
    attempts: int,
    message_created_at: datetime,
    attempted_at: datetime,
    settings: WebhookSettings,
) -> tuple[str, datetime | None]:
    """The delivery's state after an attempt, and when it is next due: delivered; pending, with
    a retry; or failed, when the retry would fall past `give_up_after_s` of the message."""
    if outcome.delivered:
        return "delivered", None
    next_at = attempted_at + timedelta(seconds=retry_delay_s(attempts, settings))
    if next_at > message_created_at + timedelta(seconds=settings.give_up_after_s):
        return "failed", None
    return "pending", next_at


class DeliveryWorker:
    """The process's webhook sender; also the listener's consumer of the outbox channel."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pool: asyncpg.Pool | None = None
        self._box: SecretBox | None = None
        self._client: httpx.AsyncClient | None = None

    # the ChangeListener's NotifiedCache protocol: a NOTIFY or a (re)connection wakes the worker
    def on_notify(self, payload: str) -> None:
        self._wake.set()

    def distrust(self) -> None:
        pass  # without NOTIFY, polling still finds due deliveries

    def trust(self, *, after_outage: bool) -> None:
        self._wake.set()

    def open(self, box: SecretBox) -> None:
        """Ready to `send`: the secrets' box and the HTTP client."""
        self._box = box
        # no redirects: a 3xx could point the request anywhere, past the address checks
        self._client = httpx.AsyncClient(
            follow_redirects=False, trust_env=False, timeout=self.settings.timeout_s
        )

    def start(self, pool: asyncpg.Pool, box: SecretBox) -> None:
        self.open(box)
        self._pool = pool
        self._task = asyncio.create_task(self._run(), name="webhook-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                while await self.deliver_due():
                    pass
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("webhook_worker_failed", error=type(exc).__name__)
            except Exception:
                # a bug must not end the process's deliveries for good: log it, poll again
                log.exception("webhook_worker_error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_interval_s)
            self._wake.clear()

    async def deliver_due(self) -> int:
        """Claim and send one batch of due deliveries, concurrently; returns how many."""
        assert self._pool is not None
        lease_s = self.settings.timeout_s * 2 + LEASE_MARGIN_S
        async with self._pool.acquire() as conn:
            claimed = await conn.fetch(_CLAIM, CLAIM_BATCH, lease_s)
        results = await asyncio.gather(
            *(self._deliver(row) for row in claimed), return_exceptions=True
        )
        for result in results:
            if isinstance(result, Exception):
                # that delivery's lease runs out and it is tried again
                log.warning("webhook_delivery_not_recorded", error=type(result).__name__)
        return len(claimed)

    async def _deliver(self, row: asyncpg.Record) -> None:
        assert self._pool is not None
        attempted_at = datetime.now(UTC)
        started = time.perf_counter()
        outcome = await self.send(row)
        duration_ms = round((time.perf_counter() - started) * 1000)
        status, next_at = next_step(
            outcome, row["attempts"], row["message_created_at"], attempted_at, self.settings
        )
        async with self._pool.acquire() as conn, conn.transaction():
            finished = await conn.execute(_FINISH, row["id"], row["attempts"], status, next_at)
            if finished.endswith(" 1"):
                await conn.execute(
                    _RECORD_ATTEMPT,
                    row["id"],
                    row["attempts"],
                    attempted_at,
                    duration_ms,
                    outcome.http_status,
                    outcome.error,
                    next_at,
                )
        log.info(
            "webhook_attempt",
            delivery_id=str(row["id"]),
            attempt=row["attempts"],
            http_status=outcome.http_status,
            error=outcome.error,
            result=status,
        )

    async def send(self, row: Mapping[str, Any]) -> Outcome:
        """One attempt of a claimed delivery (its URL checked again first); never raises for
        what the receiver or the network does."""
        assert self._box is not None and self._client is not None
        try:
            target = await check_url(row["url"], allow_private=self.settings.allow_private)
        except ForbiddenUrl as exc:
            return Outcome(None, f"refused: {exc.detail}"[:ERROR_MAX_CHARS])
        body = msgspec.json.encode(row["payload"])
        message_id = message_header_id(row["message_id"])
        timestamp_s = int(time.time())
        try:
            secret = self._box.open(row["secret_sealed"])
        except InvalidTag:
            return Outcome(None, "the secret cannot be opened: was RADURA_WEBHOOK_KEY changed?")
        headers = {
            "content-type": "application/json",
            "user-agent": "Radura-Webhooks/1",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp_s),
            "webhook-signature": sign(secret, message_id, timestamp_s, body),
        }
        failure = Outcome(None, "no address")
        for address in target.addresses[:ADDRESSES_TRIED]:
            try:
                request = _pinned_request(self._client, target, address, body, headers)
                # httpx's timeout bounds each read; this bounds the whole attempt, so a receiver
                # that drips its answer cannot outlast the lease
                async with asyncio.timeout(self.settings.timeout_s):
                    response = await self._client.send(request, stream=True)
                    await response.aclose()  # the answer's body is not ours to read
            except TimeoutError:
                return Outcome(None, f"no answer within {self.settings.timeout_s:g} s")
            except httpx.ConnectError as exc:
                # the next address of the name may answer (::1 refused, 127.0.0.1 listening)
                failure = Outcome(None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS])
                continue
            except httpx.HTTPError as exc:
                return Outcome(None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS])
            return Outcome(response.status_code, None)
        return failure


def _pinned_request(
    client: httpx.AsyncClient,
    target: Target,
    address: IPAddress,
    body: bytes,
    headers: dict[str, str],
) -> httpx.Request:
    """A POST to the address that was checked, not to whatever the name resolves to next; the
    Host header and TLS (SNI and certificate check) still use the URL's host name."""
    url = httpx.URL(target.url.geturl()).copy_with(host=str(address), port=target.port)
    default_port = 443 if target.url.scheme == "https" else 80
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default_port:
        host_header += f":{target.port}"
    return client.build_request(
        "POST",
        url,
        content=body,
        headers={**headers, "host": host_header},
        extensions={"sni_hostname": target.host},
    )
