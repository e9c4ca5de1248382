"""The scan log: scans buffered off the request path, flushed by COPY every half second and at
shutdown, with the per-label tallies and the distinct fingerprints of each serial."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
import structlog

log = structlog.get_logger()

FLUSH_INTERVAL_S = 0.5  # "at least every second", with room for a slow flush
# While the database is away, scans wait in memory up to this many; then the oldest are dropped.
MAX_BUFFERED = 200_000

# Scans of a known batch (a valid signature named it)
ScanRow = tuple[datetime, UUID, str | None, str, bytes]
# Scans with a bad or missing signature: the batch is named only by what the URI claims, and
# resolved at flush time, so the request answers a known and an unknown code alike.
UnresolvedRow = tuple[datetime, str | None, str | None, str | None, str | None, bytes]


@dataclass(slots=True)
class _Pending:
    scans: list[ScanRow]
    unresolved: list[UnresolvedRow]


_TALLY_UPSERT = """
INSERT INTO label_scan_tallies AS t (batch_id, serial, scan_count, first_at, last_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
ON CONFLICT (batch_id, serial) DO UPDATE SET
    scan_count = t.scan_count + excluded.scan_count,
    first_at = least(t.first_at, excluded.first_at),
    last_at = greatest(t.last_at, excluded.last_at)
"""

_FINGERPRINTS_INSERT = """
INSERT INTO label_fingerprints (batch_id, serial, fingerprint, first_seen)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::timestamptz[])
ON CONFLICT DO NOTHING
"""

# Unresolved scans are logged only when the code (or GTIN + lot) names a real batch.
_UNRESOLVED_INSERT = """
INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint)
SELECT x.scanned_at, b.id, x.serial, 'invalid', x.fingerprint
FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
    AS x (scanned_at, code, gtin14, lot, serial, fingerprint)
JOIN batches b ON (x.code IS NOT NULL AND b.code = x.code::bpchar)
    OR (x.code IS NULL AND b.lot = x.lot
        AND b.product_id = (SELECT p.id FROM products p WHERE p.gtin = x.gtin14::bpchar))
"""


_RETRYABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.OperatorInterventionError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


class ScanLog:
    """Collects scans in memory; a background task writes them in one transaction per flush."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._pending = _Pending([], [])
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        # scans of each label accepted but not yet committed, for the tallies shown to shoppers
        self.uncommitted: Counter[tuple[UUID, str]] = Counter()

    def record(
        self, at: datetime, batch_id: UUID, serial: str | None, verdict: str, fingerprint: bytes
    ) -> None:
        self._pending.scans.append((at, batch_id, serial, verdict, fingerprint))
        if verdict != "invalid":
            self.uncommitted[(batch_id, serial or "")] += 1
        if len(self._pending.scans) > MAX_BUFFERED:
            del self._pending.scans[: len(self._pending.scans) - MAX_BUFFERED]

    def record_unresolved(self, row: UnresolvedRow) -> None:
        self._pending.unresolved.append(row)
        if len(self._pending.unresolved) > MAX_BUFFERED:
            del self._pending.unresolved[: len(self._pending.unresolved) - MAX_BUFFERED]

    def __len__(self) -> int:
        return len(self._pending.scans) + len(self._pending.unresolved)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="verify-scan-log")

    async def stop(self) -> None:
        """Stop the timer and write whatever is left: no scan is lost on a graceful shutdown."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            try:
                await self.flush()
            except _RETRYABLE as exc:
                log.warning("scan_log_flush_failed", error=type(exc).__name__, buffered=len(self))

    async def flush(self) -> int:
        """Write the buffered scans; on failure they go back to the buffer for the next try."""
        async with self._flush_lock:
            batch, self._pending = self._pending, _Pending([], [])
            if not batch.scans and not batch.unresolved:
                return 0
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    await self._write(conn, batch)
            except _RETRYABLE + (asyncio.CancelledError,):
                self._pending.scans[:0] = batch.scans
                self._pending.unresolved[:0] = batch.unresolved
                raise
            except asyncpg.PostgresError as exc:
                # retrying a batch the database refuses would block every later scan behind it
                log.error("scan_log_batch_dropped", error=type(exc).__name__, scans=len(batch.scans))
                self._forget_committed(batch.scans)
                return 0
            self._forget_committed(batch.scans)
            return len(batch.scans) + len(batch.unresolved)

    async def _write(self, conn: asyncpg.Connection, batch: _Pending) -> None:
        if batch.scans:
            await conn.copy_records_to_table(
                "scans",
                records=batch.scans,
                columns=["scanned_at", "batch_id", "serial", "verdict", "fingerprint"],
            )
            await _write_tallies(conn, batch.scans)
        if batch.unresolved:
            await conn.execute(_UNRESOLVED_INSERT, *(list(col) for col in zip(*batch.unresolved, strict=True)))

    def _forget_committed(self, scans: list[ScanRow]) -> None:
        for _, batch_id, serial, verdict, _ in scans:
            if verdict == "invalid":
                continue
            key = (batch_id, serial or "")
            left = self.uncommitted[key] - 1
            if left > 0:
                self.uncommitted[key] = left
            else:
                del self.uncommitted[key]


@dataclass(slots=True)
class _Tally:
    count: int
    first_at: datetime
    last_at: datetime


async def _write_tallies(conn: asyncpg.Connection, scans: list[ScanRow]) -> None:
    tallies: dict[tuple[UUID, str], _Tally] = {}
    fingerprints: dict[tuple[UUID, str, bytes], datetime] = {}
    for at, batch_id, serial, verdict, fingerprint in scans:
        if verdict == "invalid":
            continue  # a forged label is not a sighting of the real one
        tally = tallies.get((batch_id, serial or ""))
        if tally is None:
            tallies[(batch_id, serial or "")] = _Tally(1, at, at)
        else:
            tally.count += 1
            tally.first_at = min(tally.first_at, at)
            tally.last_at = max(tally.last_at, at)
        if serial is not None:
            fingerprints.setdefault((batch_id, serial, fingerprint), at)
    # rows are locked in key order, the same in every process, so two flushers never deadlock
    if tallies:
        keys = sorted(tallies)
        await conn.execute(
            _TALLY_UPSERT,
            [k[0] for k in keys],
            [k[1] for k in keys],
            [tallies[k].count for k in keys],
            [tallies[k].first_at for k in keys],
            [tallies[k].last_at for k in keys],
        )
    if fingerprints:
        seen = sorted(fingerprints)
        await conn.execute(
            _FINGERPRINTS_INSERT,
            [k[0] for k in seen],
            [k[1] for k in seen],
            [k[2] for k in seen],
            [fingerprints[k] for k in seen],
        )
