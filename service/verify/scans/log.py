"""The scan log: scans buffered off the request path and written by COPY every quarter second and
at shutdown, with the per-label tallies and the distinct client fingerprints of each serial (when
each was first and last seen; a link preview is logged as a scan and is no client)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg
import structlog

from service.core.metrics import SCAN_FLUSH_SECONDS, SCANS_DROPPED
from service.webhooks.suspect import announce_suspect_serials

log = structlog.get_logger()

# "at least every second": small, frequent batches also keep each COPY's pause of the event loop
# short, which is what the p99 of a scan sees.
FLUSH_INTERVAL_S = 0.25
# While the database is away, scans wait in memory up to this many rows (about 0.4 kB each;
# RADURA_SCAN_BUFFER_MAX_ROWS). Beyond it the newest are not kept: dropping is then O(1) per
# scan however long the outage, and what is written stays one unbroken stretch from the outage's
# start (the gap is its end). The per-label tallies and fingerprints are kept either way, so scan
# counts and clone detection stay right; only rows of the `scans` history go missing, counted.
MAX_BUFFERED = 200_000

TallyKey = tuple[UUID, str]  # (batch id, serial or '' for the batch-level label)
# A scan of a known batch (a valid signature named it)
ScanRow = tuple[datetime, UUID, str | None, str, bytes]
# A scan with a bad or missing signature: the batch is named only by what the URI claims, and
# is looked up at flush time, so the request answers a known and an unknown code alike.
UnresolvedRow = tuple[datetime, str | None, str | None, str | None, str | None, bytes]


@dataclass(slots=True)
class _Tally:
    count: int
    first_at: datetime
    last_at: datetime


@dataclass(slots=True)
class _Batch:
    """Scans not yet committed, with their tallies kept as they arrive (no pass at flush)."""

    scans: list[ScanRow] = field(default_factory=list)
    unresolved: list[UnresolvedRow] = field(default_factory=list)
    tallies: dict[TallyKey, _Tally] = field(default_factory=dict)
    # (batch, serial, fingerprint) -> when the client first and last scanned it in this batch
    fingerprints: dict[tuple[UUID, str, bytes], tuple[datetime, datetime]] = field(
        default_factory=dict
    )

    def __bool__(self) -> bool:
        return bool(self.scans or self.unresolved)

    def absorb(self, older: _Batch, max_rows: int) -> int:
        """Put back a batch whose write failed, ahead of what came since; keep at most
        `max_rows` scans, the oldest, and say how many of the newest were let go."""
        self.scans[:0] = older.scans
        self.unresolved[:0] = older.unresolved
        excess = len(self.scans) + len(self.unresolved) - max_rows
        dropped = max(0, excess)
        if excess > 0:
            cut = min(excess, len(self.unresolved))
            del self.unresolved[len(self.unresolved) - cut :]
            excess -= cut
            del self.scans[len(self.scans) - excess :]
        for key, tally in older.tallies.items():
            mine = self.tallies.get(key)
            if mine is None:
                self.tallies[key] = tally
            else:
                mine.count += tally.count
                mine.first_at = min(mine.first_at, tally.first_at)
        for seen, (first, last) in older.fingerprints.items():
            mine_seen = self.fingerprints.get(seen)
            if mine_seen is not None:
                first, last = min(first, mine_seen[0]), max(last, mine_seen[1])
            self.fingerprints[seen] = (first, last)
        return dropped


_TALLY_UPSERT = """
INSERT INTO label_scan_tallies AS t (batch_id, serial, scan_count, first_at, last_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
ON CONFLICT (batch_id, serial) DO UPDATE SET
    scan_count = t.scan_count + excluded.scan_count,
    first_at = least(t.first_at, excluded.first_at),
    last_at = greatest(t.last_at, excluded.last_at)
"""

# A client scanning a serial again moves its last_seen on, at most once an hour (the clone window
# is days long; a write per re-scan would be a write per scan). Returned: the rows that are new or
# moved on, whose serials may now have crossed the clone threshold.
_FINGERPRINTS_INSERT = """
INSERT INTO label_fingerprints AS f (batch_id, serial, fingerprint, first_seen, last_seen)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::timestamptz[], $5::timestamptz[])
ON CONFLICT (batch_id, serial, fingerprint) DO UPDATE SET last_seen = excluded.last_seen
    WHERE f.last_seen < excluded.last_seen - interval '1 hour'
RETURNING batch_id, serial
"""

# Unresolved scans are logged only when the code (or GTIN + lot) names a real batch; two joins,
# each on a unique index.
_UNRESOLVED_BY_CODE = """
INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint)
SELECT x.scanned_at, b.id, x.serial, 'invalid', x.fingerprint
FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::bytea[])
    AS x (scanned_at, code, serial, fingerprint)
JOIN batches b ON b.code = x.code::bpchar
"""
_UNRESOLVED_BY_GTIN_LOT = """
INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint)
SELECT x.scanned_at, b.id, x.serial, 'invalid', x.fingerprint
FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::bytea[])
    AS x (scanned_at, gtin14, lot, serial, fingerprint)
JOIN products p ON p.gtin = x.gtin14::bpchar
JOIN batches b ON b.product_id = p.id AND b.lot = x.lot
"""

_FLUSH_RECORD = "INSERT INTO scan_flushes (id) VALUES ($1)"
_FLUSH_LANDED = "SELECT EXISTS (SELECT 1 FROM scan_flushes WHERE id = $1)"
_FLUSHES_PRUNE = "DELETE FROM scan_flushes WHERE written_at < now() - interval '1 day'"
_PRUNE_INTERVAL_S = 600.0
# The statements of a flush may write a long outage's buffer at once: far more than the pool's
# command timeout, which is for requests, allows.
_FLUSH_TIMEOUT_S = 120.0

# Errors worth another try at the next flush; anything else means the database refuses this
# batch, and retrying it forever would hold up every later scan.
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


_PUT_BACK: tuple[type[BaseException], ...] = (*_RETRYABLE, asyncio.CancelledError)


class ScanLog:
    """Collects scans in memory; a background task writes them, one transaction per flush."""

    def __init__(
        self, pool: asyncpg.Pool, max_rows: int = MAX_BUFFERED, clone_threshold: int | None = None
    ) -> None:
        self._pool = pool
        self._max_rows = max_rows
        # with a threshold, a serial's first crossing of it is announced (webhook scan.suspect)
        self._clone_threshold = clone_threshold
        self._pending = _Batch()
        self._in_flight = _Batch()
        # a write whose connection broke while committing: it may have landed or not, which the
        # next flush looks up by its id (scan_flushes) before writing these scans again
        self._unsure: _Batch | None = None
        self._unsure_id: UUID | None = None
        self._pruned_at = float("-inf")
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        # one outage is one episode: logged when it starts and when writing resumes
        self._failing_since: float | None = None
        self._dropped_in_episode = 0

    def _full(self) -> bool:
        if len(self) < self._max_rows:
            return False
        self._drop(1, "buffer_full")
        return True

    def _drop(self, rows: int, reason: str) -> None:
        if rows <= 0:
            return
        SCANS_DROPPED.labels(reason).inc(rows)
        if self._dropped_in_episode == 0:
            log.error("scan_log_buffer_full", max_rows=self._max_rows, reason=reason)
        self._dropped_in_episode += rows

    def record(
        self,
        at: datetime,
        batch_id: UUID,
        serial: str | None,
        verdict: str,
        fingerprint: bytes,
        *,
        client: bool = True,
    ) -> None:
        """Log a scan; `client=False` (a link preview) keeps it out of the serial's clients."""
        pending = self._pending
        if not self._full():
            pending.scans.append((at, batch_id, serial, verdict, fingerprint))
        if verdict == "invalid":
            return  # a forged label is not a sighting of the real one
        key = (batch_id, serial or "")
        tally = pending.tallies.get(key)
        if tally is None:
            pending.tallies[key] = _Tally(1, at, at)
        else:
            tally.count += 1
            tally.last_at = at
        if serial is not None and client:
            seen = (batch_id, serial, fingerprint)
            first_last = pending.fingerprints.get(seen)
            pending.fingerprints[seen] = (
                (at, at) if first_last is None else (first_last[0], max(first_last[1], at))
            )

    def record_unresolved(self, row: UnresolvedRow) -> None:
        if not self._full():
            self._pending.unresolved.append(row)

    def uncommitted(self, key: TallyKey) -> int:
        """Scans of a label accepted by this process and not yet committed."""
        count = 0
        for batch in self._unwritten():
            tally = batch.tallies.get(key)
            if tally is not None:
                count += tally.count
        return count

    def __len__(self) -> int:
        """Scans accepted and not yet written (being written included)."""
        rows = 0
        for batch in self._unwritten():
            rows += len(batch.scans) + len(batch.unresolved)
        return rows

    def _unwritten(self) -> tuple[_Batch, ...]:
        if self._unsure is None:
            return (self._pending, self._in_flight)
        return (self._pending, self._in_flight, self._unsure)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="verify-scan-log")

    async def stop(self) -> None:
        """Stop the timer and write whatever is left: no scan is lost on a graceful shutdown."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await self.flush()
        except _RETRYABLE as exc:
            SCANS_DROPPED.labels("shutdown").inc(len(self))
            log.error("scan_log_lost_at_shutdown", error=type(exc).__name__, scans=len(self))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            try:
                await self.flush()
            except _RETRYABLE as exc:
                if self._failing_since is None:
                    self._failing_since = time.monotonic()
                    log.warning(
                        "scan_log_database_unavailable",
                        error=type(exc).__name__,
                        buffered=len(self),
                    )
                continue
            if self._failing_since is not None or self._dropped_in_episode:
                since = self._failing_since
                log.warning(
                    "scan_log_writing_resumed",
                    outage_s=None if since is None else round(time.monotonic() - since, 1),
                    dropped=self._dropped_in_episode,
                )
                self._failing_since = None
                self._dropped_in_episode = 0

    async def flush(self) -> int:
        """Write the buffered scans; after a retryable failure they wait for the next flush."""
        async with self._flush_lock:
            batch, self._pending = self._pending, _Batch()
            if not batch and self._unsure is None:
                return 0
            self._in_flight = batch
            flush_id = uuid4()
            writing = False
            started = time.perf_counter()
            try:
                async with self._pool.acquire() as conn:
                    await self._settle_unsure(conn, batch)
                    writing = True
                    async with conn.transaction():
                        await _write(conn, batch, self._clone_threshold)
                        await conn.execute(_FLUSH_RECORD, flush_id)
                        await self._prune(conn)
            except _PUT_BACK:
                if writing:  # it may have committed: the next flush finds out
                    self._unsure, self._unsure_id = batch, flush_id
                else:  # certainly not written
                    self._drop(self._pending.absorb(batch, self._max_rows), "buffer_full")
                raise
            except asyncpg.PostgresError as exc:
                rows = len(batch.scans) + len(batch.unresolved)
                SCANS_DROPPED.labels("refused").inc(rows)
                log.error("scan_log_batch_refused", error=type(exc).__name__, scans=rows)
                return 0
            finally:
                self._in_flight = _Batch()
            SCAN_FLUSH_SECONDS.observe(time.perf_counter() - started)
            return len(batch.scans) + len(batch.unresolved)

    async def _settle_unsure(self, conn: asyncpg.Connection, batch: _Batch) -> None:
        """Fold a write of unknown fate into `batch`, unless it did land."""
        if self._unsure is None:
            return
        if await conn.fetchval(_FLUSH_LANDED, self._unsure_id):
            log.info("scan_log_unsure_write_had_landed", scans=len(self._unsure.scans))
        else:
            self._drop(batch.absorb(self._unsure, self._max_rows), "buffer_full")
        self._unsure = self._unsure_id = None

    async def _prune(self, conn: asyncpg.Connection) -> None:
        now = time.monotonic()
        if now - self._pruned_at >= _PRUNE_INTERVAL_S:
            self._pruned_at = now
            await conn.execute(_FLUSHES_PRUNE)


async def _write(
    conn: asyncpg.Connection, batch: _Batch, clone_threshold: int | None = None
) -> None:
    if batch.scans:
        await conn.copy_records_to_table(
            "scans",
            records=batch.scans,
            columns=["scanned_at", "batch_id", "serial", "verdict", "fingerprint"],
            timeout=_FLUSH_TIMEOUT_S,
        )
    # rows are locked in key order, the same in every process, so two flushers never deadlock
    if batch.tallies:
        keys = sorted(batch.tallies)
        tallies = [batch.tallies[key] for key in keys]
        await conn.execute(
            _TALLY_UPSERT,
            [key[0] for key in keys],
            [key[1] for key in keys],
            [tally.count for tally in tallies],
            [tally.first_at for tally in tallies],
            [tally.last_at for tally in tallies],
            timeout=_FLUSH_TIMEOUT_S,
        )
    if batch.fingerprints:
        seen = sorted(batch.fingerprints)
        new_clients = await conn.fetch(
            _FINGERPRINTS_INSERT,
            [key[0] for key in seen],
            [key[1] for key in seen],
            [key[2] for key in seen],
            [batch.fingerprints[key][0] for key in seen],
            [batch.fingerprints[key][1] for key in seen],
            timeout=_FLUSH_TIMEOUT_S,
        )
        if clone_threshold is not None and new_clients:
            await announce_suspect_serials(
                conn, [(row["batch_id"], row["serial"]) for row in new_clients], clone_threshold
            )
    by_code = [row for row in batch.unresolved if row[1] is not None]
    if by_code:
        await conn.execute(
            _UNRESOLVED_BY_CODE,
            *_columns([(r[0], r[1], r[4], r[5]) for r in by_code]),
            timeout=_FLUSH_TIMEOUT_S,
        )
    by_gtin = [row for row in batch.unresolved if row[1] is None and row[2] is not None]
    if by_gtin:
        await conn.execute(
            _UNRESOLVED_BY_GTIN_LOT,
            *_columns([(r[0], r[2], r[3], r[4], r[5]) for r in by_gtin]),
            timeout=_FLUSH_TIMEOUT_S,
        )


def _columns(rows: list[tuple[object, ...]]) -> list[list[object]]:
    return [list(column) for column in zip(*rows, strict=True)]
