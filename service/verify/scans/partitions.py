"""Keeps the scan log's monthly partitions ahead of the calendar: at start, then once a day."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

log = structlog.get_logger()

# this month and the next two, as `radura migrate` makes them
MONTHS_AHEAD = 2
CHECK_INTERVAL_S = 24 * 3600.0
RETRY_INTERVAL_S = 10 * 60.0
# Moving a month of scans out of the default partition (a database that went months without
# this) may take minutes: far longer than the pool's command timeout, which is for requests.
_CALL_TIMEOUT_S = 1800.0


async def ensure_scan_partitions(pool: asyncpg.Pool, months_ahead: int = MONTHS_AHEAD) -> None:
    async with pool.acquire() as conn, conn.transaction():
        # Every process runs this: one that waits for another's long move, or for a long read of
        # the scans, gives up and tries later rather than queue the scan log's writes behind it.
        await conn.execute("SET LOCAL lock_timeout = '5s'")
        await conn.execute(
            "SELECT ensure_scan_partitions($1)", months_ahead, timeout=_CALL_TIMEOUT_S
        )


class PartitionKeeper:
    """A background task that makes the coming months' partitions (PostgreSQL does not make them
    by itself, and the app does not migrate): right away, then daily. A failure is logged and
    retried sooner; it never stops the app, whose scans then land in the default partition
    until a later run moves them out."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="verify-scan-partitions")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await ensure_scan_partitions(self._pool)
            except Exception as exc:  # whatever it is, the next run may fare better
                log.error(
                    "scan_partitions_failed",
                    error=type(exc).__name__,
                    detail=str(exc),
                    retry_in_s=RETRY_INTERVAL_S,
                )
                delay = RETRY_INTERVAL_S
            else:
                delay = CHECK_INTERVAL_S
            await asyncio.sleep(delay)
