"""The daily scan rollup (scan_days) always equals a direct count over the scans themselves: for
scans written by INSERT, by COPY, by the scan log's flush, by two flushes at once, and for scans
that were there before the rollup's migration."""

from __future__ import annotations

import asyncio
import random
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest

from service.core.migrate import MIGRATIONS_DIR, apply_migrations
from service.verify.scans.log import ScanLog
from service.verify.scans.stats import batch_scans
from tests.integration.verify_fixtures import make_batch
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

VERDICTS = ("genuine", "expired", "recalled", "suspect", "invalid")
COLUMNS = ["scanned_at", "batch_id", "serial", "verdict", "fingerprint"]
ROLLUP_MIGRATION = "0070"

_DIRECT = """
SELECT batch_id, (scanned_at AT TIME ZONE 'Asia/Jakarta')::date AS day,
       count(*) FILTER (WHERE verdict = 'genuine') AS genuine,
       count(*) FILTER (WHERE verdict = 'expired') AS expired,
       count(*) FILTER (WHERE verdict = 'recalled') AS recalled,
       count(*) FILTER (WHERE verdict = 'suspect') AS suspect,
       count(*) FILTER (WHERE verdict = 'invalid') AS invalid,
       count(DISTINCT fingerprint) AS clients, min(scanned_at) AS first_at,
       max(scanned_at) AS last_at
FROM scans WHERE batch_id = ANY($1) GROUP BY 1, 2 ORDER BY 1, 2
"""
_ROLLUP = """
SELECT batch_id, day, genuine, expired, recalled, suspect, invalid, clients, first_at, last_at
FROM scan_days WHERE batch_id = ANY($1) ORDER BY 1, 2
"""

ScanRow = tuple[datetime, UUID, str | None, str, bytes]


async def assert_rollup_matches(conn: asyncpg.Connection, batch_ids: list[UUID]) -> int:
    """The rollup's rows for these batches, compared with a count over their scans."""
    direct = [dict(r) for r in await conn.fetch(_DIRECT, batch_ids)]
    rollup = [dict(r) for r in await conn.fetch(_ROLLUP, batch_ids)]
    assert rollup == direct
    return len(rollup)


def random_scans(batch_ids: list[UUID], count: int, rng: random.Random) -> list[ScanRow]:
    """Scans over the last 40 days, bunched around Jakarta's midnight (17:00 UTC) so days
    split where they should, from a small pool of clients so the same phone comes back."""
    now = datetime.now(UTC).replace(microsecond=0)
    clients = [bytes([n]) * 16 for n in range(12)]
    rows: list[ScanRow] = []
    for _ in range(count):
        day = now.date() - timedelta(days=rng.randrange(40))
        midnight_jakarta = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
        at = min(midnight_jakarta + timedelta(seconds=rng.randint(-3600, 3600)), now)
        rows.append(
            (
                at,
                rng.choice(batch_ids),
                rng.choice(["S000000001", "S000000002", None]),
                rng.choice(VERDICTS),
                rng.choice(clients),
            )
        )
    return rows


async def test_inserts_and_copies_keep_the_rollup_equal_to_a_direct_count(
    pool: asyncpg.Pool,
) -> None:
    rng = random.Random(70)
    batch_ids = [uuid4() for _ in range(3)]
    async with pool.acquire() as conn:
        for _ in range(4):  # several statements land on the same days and clients
            await conn.copy_records_to_table(
                "scans", records=random_scans(batch_ids, 300, rng), columns=COLUMNS
            )
        await conn.executemany(
            "INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint) "
            "VALUES ($1, $2, $3, $4, $5)",
            random_scans(batch_ids, 50, rng),
        )
        days = await assert_rollup_matches(conn, batch_ids)
    assert days > 40  # the scans really spread over many days of each batch


async def test_a_jakarta_day_starts_at_17_utc(pool: asyncpg.Pool) -> None:
    batch_id = uuid4()
    before = datetime(2026, 3, 9, 16, 59, 59, tzinfo=UTC)
    after = datetime(2026, 3, 9, 17, 0, 0, tzinfo=UTC)
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "scans",
            records=[
                (before, batch_id, None, "genuine", b"a"),
                (after, batch_id, None, "genuine", b"a"),
            ],
            columns=COLUMNS,
        )
        rows = await conn.fetch(
            "SELECT day, genuine, clients FROM scan_days WHERE batch_id = $1 ORDER BY day",
            batch_id,
        )
    assert [tuple(r) for r in rows] == [(date(2026, 3, 9), 1, 1), (date(2026, 3, 10), 1, 1)]


async def test_the_scan_logs_flush_feeds_the_rollup_and_the_statistics(
    pool: asyncpg.Pool, world: World
) -> None:
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world, serials=2)
    rng = random.Random(71)
    scan_log = ScanLog(pool)
    for _ in range(3):
        for at, _, _, verdict, fingerprint in random_scans([batch.batch_id], 200, rng):
            scan_log.record(at, batch.batch_id, batch.serials[0], verdict, fingerprint)
        await scan_log.flush()
    async with pool.acquire() as conn:
        await assert_rollup_matches(conn, [batch.batch_id])
        stats = await batch_scans(conn, batch.batch_id, clone_threshold=5)
        direct = await conn.fetchrow(
            "SELECT count(*) AS total, min(scanned_at) AS first_at, max(scanned_at) AS last_at "
            "FROM scans WHERE batch_id = $1",
            batch.batch_id,
        )
    assert (stats.total, stats.first_at, stats.last_at) == tuple(direct)
    assert stats.total == 600
    assert sum(d.total for d in stats.days) == 600


async def test_two_flushes_at_once_count_each_client_once_per_day(pool: asyncpg.Pool) -> None:
    """The second flush waits on the first's new client rows and, once it commits, finds them
    there: the day's clients are counted once, its scans twice."""
    batch_id = uuid4()
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    rows = [(at, batch_id, "S000000001", "genuine", bytes([n]) * 16) for n in range(5)]
    first = await pool.acquire()
    second = await pool.acquire()
    try:
        first_tx, second_tx = first.transaction(), second.transaction()
        await first_tx.start()
        await second_tx.start()
        await first.copy_records_to_table("scans", records=rows, columns=COLUMNS)
        waiting = asyncio.create_task(
            second.copy_records_to_table("scans", records=rows, columns=COLUMNS)
        )
        await asyncio.sleep(0.3)
        assert not waiting.done()  # held by the first flush's uncommitted client rows
        await first_tx.commit()
        await waiting
        await second_tx.commit()
    finally:
        await pool.release(first)
        await pool.release(second)
    async with pool.acquire() as conn:
        await assert_rollup_matches(conn, [batch_id])
        day = await conn.fetchrow(
            "SELECT genuine, clients FROM scan_days WHERE batch_id = $1", batch_id
        )
    assert tuple(day) == (10, 5)


async def test_the_migration_counts_the_scans_already_logged(
    fresh_dsn: str, tmp_path: Path
) -> None:
    before_rollup = tmp_path / "migrations"
    before_rollup.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] < ROLLUP_MIGRATION:
            shutil.copy(path, before_rollup / path.name)
    batch_ids = [uuid4() for _ in range(4)]
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, before_rollup)
        await conn.execute("SELECT ensure_scan_partitions(2)")
        await conn.copy_records_to_table(
            "scans", records=random_scans(batch_ids, 1000, random.Random(72)), columns=COLUMNS
        )
        applied = await apply_migrations(conn)
        assert applied[0].startswith(ROLLUP_MIGRATION)
        assert await assert_rollup_matches(conn, batch_ids) > 40
        # and from here on the trigger keeps it
        await conn.copy_records_to_table(
            "scans", records=random_scans(batch_ids, 200, random.Random(73)), columns=COLUMNS
        )
        await assert_rollup_matches(conn, batch_ids)
    finally:
        await conn.close()
