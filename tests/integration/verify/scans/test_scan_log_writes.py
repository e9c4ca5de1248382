"""A scan-log write whose connection broke while committing is looked up by its id before its
scans are written again: written once if it had not landed, never twice if it had."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest

from service.verify.scans.log import ScanLog, _Batch
from tests.integration.verify_fixtures import make_batch
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _unsure_write(pool: asyncpg.Pool, batch_id: UUID, serial: str, scans: int) -> ScanLog:
    """A scan log left as after a broken commit: `scans` scans of unknown fate."""
    scan_log = ScanLog(pool)
    for _ in range(scans):
        scan_log.record(datetime.now(UTC), batch_id, serial, "genuine", b"phone")
    # what a broken commit leaves: the scans set aside under the write's id, the buffer empty
    scan_log._unsure, scan_log._unsure_id = scan_log._pending, uuid4()
    scan_log._pending = _Batch()
    return scan_log


async def _figures(pool: asyncpg.Pool, batch_id: UUID) -> tuple[int, int]:
    rows = await pool.fetchval("SELECT count(*) FROM scans WHERE batch_id = $1", batch_id)
    tally = await pool.fetchval(
        "SELECT coalesce(sum(scan_count), 0) FROM label_scan_tallies WHERE batch_id = $1",
        batch_id,
    )
    return rows, tally


async def test_a_write_of_unknown_fate_is_written_once(pool: asyncpg.Pool, world: World) -> None:
    async with pool.acquire() as conn:
        landed = await make_batch(conn, world, serials=1)
        lost = await make_batch(conn, world, serials=1)

    # it had landed: its id is in scan_flushes (as the write itself would have put it)
    scan_log = _unsure_write(pool, landed.batch_id, landed.serials[0], 3)
    await pool.execute("INSERT INTO scan_flushes (id) VALUES ($1)", scan_log._unsure_id)
    assert len(scan_log) == 3 and scan_log.uncommitted((landed.batch_id, landed.serials[0])) == 3
    scan_log.record(datetime.now(UTC), landed.batch_id, landed.serials[0], "genuine", b"phone")
    assert await scan_log.flush() == 1
    assert await _figures(pool, landed.batch_id) == (1, 1)

    # it had not: the scans are written with the next flush, tallies included
    scan_log = _unsure_write(pool, lost.batch_id, lost.serials[0], 3)
    scan_log.record(datetime.now(UTC), lost.batch_id, lost.serials[0], "genuine", b"phone")
    assert await scan_log.flush() == 4
    assert await _figures(pool, lost.batch_id) == (4, 4)
    assert len(scan_log) == 0
    # every write leaves its id behind for such a look-up
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM scan_flushes WHERE written_at > now() - interval '1 minute'"
        )
        >= 2
    )
