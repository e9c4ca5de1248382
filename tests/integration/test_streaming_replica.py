"""A real hot standby (`pg_basebackup -R` of a primary of the test's own) as
RADURA_DATABASE_REPLICA_URL: verification reads run on the standby, and a recall made on the
primary is in the verdict within a second, whatever the replication lag (printed)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.core.db import create_pool
from service.verify.cache import PRIMARY_READS_AFTER_CHANGE_S
from tests.integration.verify_fixtures import (
    LabelledBatch,
    label_path,
    make_batch,
    recall,
    server_keyring,
)
from tests.integration.world import build_world
from tests.live_server import live_server, server_env
from tests.pg_cluster import Cluster, create_radura_database, discard, new_cluster

# each test here holds the code to a time bound, which a loaded machine can miss
pytestmark = pytest.mark.timing

JSON = {"Accept": "application/json"}
RECALL_VISIBLE_WITHIN_S = 1.0
# a fragment of the label-view query (service/verify/queries.py), as pg_stat_statements keeps it
VIEW_QUERY = "AS batch_id, b.code, b.lot, b.status"
# pg_stat_statements counts what ran on the server it is asked on: a standby counts its own reads
_VIEW_READS = """
SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
WHERE position($1 in query) > 0 AND query NOT LIKE '%pg_stat_statements%'
"""


async def _view_reads(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        count: int = await conn.fetchval(_VIEW_READS, VIEW_QUERY)
        return count
    finally:
        await conn.close()


async def _create_extension(url: str) -> None:
    conn = await asyncpg.connect(url)  # on the primary; the standby gets it by replication
    try:
        await conn.execute("CREATE EXTENSION pg_stat_statements")
    finally:
        await conn.close()


async def _prepare(url: str) -> LabelledBatch:
    pool = await create_pool(url, max_size=1)
    try:
        async with pool.acquire() as conn:
            return await make_batch(conn, await build_world(conn), serials=40)
    finally:
        await pool.close()


async def _replay_lag_s(standby: asyncpg.Connection, lsn: str, committed: float) -> float:
    """Seconds from the commit until the standby has replayed its WAL (polled every 2 ms)."""
    for _ in range(2000):
        if await standby.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn):
            return time.monotonic() - committed
        await asyncio.sleep(0.002)
    raise AssertionError("the standby never replayed the recall")


async def _replayed(standby_url: str, batch: LabelledBatch, status: str) -> None:
    conn = await asyncpg.connect(standby_url)
    try:
        for _ in range(200):
            found = await conn.fetchval("SELECT status FROM batches WHERE id = $1", batch.batch_id)
            if found == status:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the standby never showed the batch as {status}")
    finally:
        await conn.close()


def test_a_hot_standby_serves_verification_reads_and_a_recall_shows_within_a_second(
    tmp_path: Path,
) -> None:
    primary = new_cluster(preload=("pg_stat_statements",))
    standby: Cluster | None = None
    try:
        url = asyncio.run(create_radura_database(primary))
        asyncio.run(_create_extension(url))
        batch = asyncio.run(_prepare(url))
        standby = primary.standby()
        standby.start()
        standby_url = standby.url("radura")
        asyncio.run(_replayed(standby_url, batch, "released"))
        data_dir = tmp_path / "data"
        keyring = server_keyring(data_dir)
        env = server_env(url, data_dir, RADURA_DATABASE_REPLICA_URL=standby_url)
        with live_server(env, radura_serve=True) as base_url:
            paths = [label_path(keyring, batch, serial, short=True) for serial in batch.serials]

            async def scenario() -> None:
                async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
                    # (a) labels never seen before are read, and they are read on the standby
                    standby_before, primary_before = (
                        await _view_reads(standby_url),
                        await _view_reads(url),
                    )
                    for path in paths[:10]:
                        response = await client.get(path, headers=JSON)
                        assert response.json()["verdict"] == "genuine"
                    on_standby = await _view_reads(standby_url) - standby_before
                    on_primary = await _view_reads(url) - primary_before
                    print(
                        f"label-view reads of 10 new labels: standby {on_standby}, "
                        f"primary {on_primary}"
                    )
                    assert on_standby == 10 and on_primary == 0

                    # (b) a recall on the primary reaches a cached label's verdict within a second
                    watched = paths[0]
                    conn = await asyncpg.connect(url)
                    standby_conn = await asyncpg.connect(standby_url)
                    assert await standby_conn.fetchval("SELECT pg_is_in_recovery()")  # a standby
                    try:
                        await recall(conn, batch.batch_id, "Uji penarikan")
                        committed = time.monotonic()
                        lsn = await conn.fetchval("SELECT pg_current_wal_lsn()")
                    finally:
                        await conn.close()
                    replay = asyncio.create_task(_replay_lag_s(standby_conn, lsn, committed))
                    verdict = ""
                    while verdict != "recalled":
                        verdict = (await client.get(watched, headers=JSON)).json()["verdict"]
                        seen_s = time.monotonic() - committed
                        assert seen_s < RECALL_VISIBLE_WITHIN_S, f"still {verdict} after {seen_s} s"
                    lag_s = await replay
                    await standby_conn.close()
                    print(
                        f"recall seen by verification {seen_s * 1000:.0f} ms after its commit; "
                        f"replication lag (commit on the primary to replayed on the standby) "
                        f"{lag_s * 1000:.1f} ms"
                    )

                    # once the primary-only window after the change ends, a label never seen before
                    # is read on the standby again, which has replayed the recall by then
                    await asyncio.sleep(PRIMARY_READS_AFTER_CHANGE_S + 0.5)
                    standby_before = await _view_reads(standby_url)
                    response = await client.get(paths[20], headers=JSON)
                    assert response.json()["verdict"] == "recalled"
                    assert await _view_reads(standby_url) - standby_before == 1

            asyncio.run(scenario())
    finally:
        discard(*([standby] if standby else []), primary)
