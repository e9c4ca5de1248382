"""The scan log's monthly partitions: made ahead by the app itself, and made late without a fight
when their month's scans already sit in the default partition."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import structlog
from litestar.testing import AsyncTestClient

from service.core.migrate import apply_migrations

pytestmark = pytest.mark.asyncio(loop_scope="session")

# the middle of a month `offset` months from this one (UTC), and the name of its partition
_MID_MONTH = (
    "(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $1)"
    " + interval '14 days') AT TIME ZONE 'UTC'"
)
_PARTITION = (
    "'scans_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC')"
    " + make_interval(months => $1), 'YYYY_MM')"
)


async def _migrated(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await apply_migrations(conn)
    return conn


async def _partition_name(conn: asyncpg.Connection, offset: int) -> str:
    name: str = await conn.fetchval(f"SELECT {_PARTITION}", offset)
    return name


async def _scan_in_month(conn: asyncpg.Connection, offset: int) -> str:
    """Logs a scan in the middle of that month; returns the table it landed in."""
    table: str = await conn.fetchval(
        "INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint) "
        f"VALUES ({_MID_MONTH}, $2, 'S0000001', 'genuine', '\\x00') "
        "RETURNING tableoid::regclass::text",
        offset,
        uuid.uuid4(),
    )
    return table


async def _partitions(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch(
        "SELECT inhrelid::regclass::text AS name FROM pg_inherits "
        "WHERE inhparent = 'scans'::regclass"
    )
    return {row["name"] for row in rows}


async def _tables_holding_scans(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT tableoid::regclass::text AS name, count(*) AS n FROM scans GROUP BY 1"
    )
    return {row["name"]: row["n"] for row in rows}


async def test_a_month_whose_scans_sit_in_the_default_partition_gets_them_back(fresh_dsn: str):
    conn = await _migrated(fresh_dsn)
    try:
        # past the months made ahead, and before any: both land in the default partition
        assert await _scan_in_month(conn, 4) == "scans_default"
        assert await _scan_in_month(conn, -3) == "scans_default"
        assert await _scan_in_month(conn, 1) == await _partition_name(conn, 1)

        await conn.execute("SELECT ensure_scan_partitions(5)")

        ahead, behind = await _partition_name(conn, 4), await _partition_name(conn, -3)
        assert {ahead, behind, await _partition_name(conn, 5)} <= await _partitions(conn)
        assert await _tables_holding_scans(conn) == {
            behind: 1,
            await _partition_name(conn, 1): 1,
            ahead: 1,
        }
        assert await conn.fetchval("SELECT count(*) FROM scans_default") == 0
        # the moved month is a partition like the others: it has the scans indexes, takes new rows
        indexes = "SELECT count(*) FROM pg_indexes WHERE tablename = $1"
        made_ahead = await _partition_name(conn, 1)
        assert await conn.fetchval(indexes, ahead) == await conn.fetchval(indexes, made_ahead) >= 1
        assert await _scan_in_month(conn, 4) == ahead
        # and a second run has nothing left to do
        before = await _partitions(conn)
        await conn.execute("SELECT ensure_scan_partitions(5)")
        assert await _partitions(conn) == before
    finally:
        await conn.close()


async def test_a_second_caller_waits_for_the_first_and_succeeds(fresh_dsn: str):
    first = await _migrated(fresh_dsn)
    second = await asyncpg.connect(fresh_dsn)
    try:
        await _scan_in_month(first, 3)
        transaction = first.transaction()
        await transaction.start()
        await first.execute("SELECT ensure_scan_partitions(4)")  # made, not yet committed
        waiting = asyncio.create_task(second.execute("SELECT ensure_scan_partitions(4)"))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await transaction.commit()
        await asyncio.wait_for(waiting, timeout=10)

        partitions = await _partitions(first)
        assert {await _partition_name(first, offset) for offset in (3, 4)} <= partitions
        assert await first.fetchval("SELECT count(*) FROM scans_default") == 0
        # and two at once, on months neither has made yet
        await asyncio.gather(
            first.execute("SELECT ensure_scan_partitions(6)"),
            second.execute("SELECT ensure_scan_partitions(6)"),
        )
        assert await _partition_name(first, 6) in await _partitions(first)
    finally:
        await first.close()
        await second.close()


async def test_the_app_makes_this_and_next_months_partitions_at_start(
    fresh_dsn: str, settings
) -> None:
    from service.app import create_app

    conn = await _migrated(fresh_dsn)
    try:
        this_month, next_month = await _partition_name(conn, 0), await _partition_name(conn, 1)
        # a database whose months ran out: the app was started without `radura migrate`
        await conn.execute(f'DROP TABLE "{this_month}", "{next_month}"')
        assert await _scan_in_month(conn, 0) == "scans_default"

        app = create_app(dataclasses.replace(settings, database_url=fresh_dsn))
        async with AsyncTestClient(app=app) as client:
            assert (await client.get("/health")).status_code == 200
            for _ in range(100):
                if {this_month, next_month} <= await _partitions(conn):
                    break
                await asyncio.sleep(0.05)
            assert {this_month, next_month} <= await _partitions(conn)
            assert await _tables_holding_scans(conn) == {this_month: 1}
    finally:
        await conn.close()


async def test_a_failed_run_is_logged_and_the_next_one_tries_again(
    fresh_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.core.db import create_pool
    from service.verify.scans import partitions

    logger = structlog.testing.CapturingLogger()
    monkeypatch.setattr(partitions, "log", logger)
    monkeypatch.setattr(partitions, "RETRY_INTERVAL_S", 0.05)
    monkeypatch.setattr(partitions, "CHECK_INTERVAL_S", 0.05)
    pool = await create_pool(fresh_dsn, max_size=2)  # not migrated: no function to call yet
    keeper = partitions.PartitionKeeper(pool)
    try:
        keeper.start()
        for _ in range(100):
            if len(logger.calls) >= 2:
                break
            await asyncio.sleep(0.05)
        assert [call.args[0] for call in logger.calls[:2]] == ["scan_partitions_failed"] * 2
        assert logger.calls[0].kwargs["error"] == "UndefinedFunctionError"

        async with pool.acquire() as conn:
            await apply_migrations(conn)
            this_month = await _partition_name(conn, 0)
            await conn.execute(f'DROP TABLE "{this_month}"')
            for _ in range(100):
                if this_month in await _partitions(conn):
                    break
                await asyncio.sleep(0.05)
            assert this_month in await _partitions(conn)
    finally:
        await keeper.stop()
        await pool.close()


async def _radura_migrate(dsn: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service.cli",
        "migrate",
        env={**os.environ, "RADURA_DATABASE_URL": dsn},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_radura_migrate_makes_a_month_whose_scans_sit_in_the_default_partition(
    fresh_dsn: str,
):
    conn = await _migrated(fresh_dsn)
    try:
        this_month = await _partition_name(conn, 0)
        await conn.execute(f'DROP TABLE "{this_month}"')
        await _scan_in_month(conn, 0)

        returncode, stderr = await _radura_migrate(fresh_dsn)
        assert returncode == 0, stderr
        assert await _tables_holding_scans(conn) == {this_month: 1}
    finally:
        await conn.close()


async def test_radura_migrate_reports_a_database_error_without_a_traceback(fresh_dsn: str):
    missing = urlunsplit(urlsplit(fresh_dsn)._replace(path="/radura_no_such_database"))
    returncode, stderr = await _radura_migrate(missing)
    assert returncode == 2
    assert "Traceback" not in stderr
    assert "RADURA_DATABASE_URL: cannot connect" in stderr
    assert 'database "radura_no_such_database" does not exist' in stderr
