"""`radura scans archive --before YYYY-MM`, run as a person would, on real partitions of a
database of its own: it detaches (never drops) the months before a past month, once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from service.core.migrate import apply_migrations
from service.verify.scans.stats import batch_scans

pytestmark = pytest.mark.asyncio(loop_scope="session")

# refusals come before any connection: a database that is not there proves it
NO_DATABASE = "postgresql://radura@127.0.0.1:1/none"


def radura(dsn: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADURA_DATABASE_URL": dsn, "RADURA_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "scans", "archive", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def months_ago(count: int) -> date:
    this_month = datetime.now(UTC).date().replace(day=1)
    index = this_month.year * 12 + this_month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


async def attached(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch(
        "SELECT inhrelid::regclass::text AS name FROM pg_inherits "
        "WHERE inhparent = 'scans'::regclass"
    )
    return {r["name"] for r in rows}


async def scan_in(conn: asyncpg.Connection, month: date, batch_id: object) -> None:
    at = datetime(month.year, month.month, 15, 3, tzinfo=UTC)
    await conn.execute(
        "INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint) "
        "VALUES ($1, $2, 'S000000001', 'genuine', $3)",
        at,
        batch_id,
        os.urandom(16),
    )


async def test_archive_detaches_the_months_before_and_keeps_them_in_the_chart(
    fresh_dsn: str, tmp_path: Path
) -> None:
    batch_id = uuid4()
    old = [months_ago(14), months_ago(13), months_ago(12)]
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn)
        for month in old:
            for _ in range(3):
                await scan_in(conn, month, batch_id)
        # the late months' scans sat in the default partition: this gives them their tables
        await conn.execute("SELECT ensure_scan_partitions(2)")
        before = await attached(conn)
        names = [f"scans_{m:%Y_%m}" for m in old]
        assert set(names) <= before

        done = radura(fresh_dsn, tmp_path, "--before", f"{old[2]:%Y-%m}")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == [
            f"detached {name} (3 scans), kept as {name}_archived" for name in names[:2]
        ]
        assert await attached(conn) == before - set(names[:2])
        # detached, not dropped: the rows are all still there
        for name in names[:2]:
            assert await conn.fetchval(f'SELECT count(*) FROM "{name}_archived"') == 3
        assert await conn.fetchval("SELECT count(*) FROM scans WHERE batch_id = $1", batch_id) == 3
        # the daily rollup keeps the archived months: the statistics still count them
        stats = await batch_scans(conn, batch_id, clone_threshold=5)
        assert stats.total == 9
        assert [d.date.replace(day=1) for d in stats.days] == old

        again = radura(fresh_dsn, tmp_path, "--before", f"{old[2]:%Y-%m}")
        assert again.returncode == 0, again.stderr
        assert "nothing to archive" in again.stdout
        assert await attached(conn) == before - set(names[:2])

        # a late scan of an archived month still finds a home, and the upkeep goes on
        await scan_in(conn, old[0], batch_id)
        await conn.execute("SELECT ensure_scan_partitions(2)")
        assert names[0] in await attached(conn)
        stats = await batch_scans(conn, batch_id, clone_threshold=5)
        assert stats.total == 10
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("month", "says"),
    [(0, "is the current month"), (-1, "is in the future"), (-30, "is in the future")],
)
async def test_archive_refuses_this_month_and_the_future(
    tmp_path: Path, month: int, says: str
) -> None:
    refused = radura(NO_DATABASE, tmp_path, "--before", f"{months_ago(month):%Y-%m}")
    assert refused.returncode == 2
    assert says in refused.stderr
    assert refused.stdout == ""


@pytest.mark.parametrize("text", ["2024-13", "2024-1", "last-month", "2024-01-01"])
async def test_archive_refuses_what_is_not_a_month(tmp_path: Path, text: str) -> None:
    refused = radura(NO_DATABASE, tmp_path, "--before", text)
    assert refused.returncode == 2
    assert "--before" in refused.stderr and "YYYY-MM" in refused.stderr
