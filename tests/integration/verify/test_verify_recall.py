"""A recall shows on every scan within one second, on every process: LISTEN/NOTIFY invalidates
the in-process caches, and a process that lost its LISTEN connection stops trusting its cache."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.verify_fixtures import (
    LabelledBatch,
    label_path,
    make_batch,
    page_path,
    recall,
    server_keyring,
)
from tests.integration.world import World
from tests.live_server import live_server, server_env

# each test here holds the code to a time bound, which a loaded machine can miss
pytestmark = pytest.mark.timing

JSON = {"Accept": "application/json"}
WITHIN_S = 1.0


@pytest.fixture(scope="module")
def keyring(data_dir: Path):  # type: ignore[no-untyped-def]
    return server_keyring(data_dir)


@pytest.fixture(scope="module")
def two_processes(database_url: str, data_dir: Path) -> Iterator[tuple[str, str]]:
    """Two `radura serve`-like processes on one database, sharing nothing else."""
    env = server_env(database_url, data_dir, RADURA_PUBLIC_BASE_URL="https://radura.test")
    with live_server(env) as first, live_server(env) as second:
        yield first, second


async def _batch(pool: asyncpg.Pool, world: World) -> LabelledBatch:
    async with pool.acquire() as conn:
        return await make_batch(conn, world)


async def _until_recalled(get, path: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `path` answers `recalled` (polling every 10 ms, up to 3 s)."""
    started = time.perf_counter()
    while time.perf_counter() - started < 3:
        response = await get(path)
        if response.json()["verdict"] == "recalled":
            return time.perf_counter() - started
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} still not recalled after 3 s")


async def test_recall_reaches_a_cached_label_within_a_second(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    cache = client.app.state.verifier.cache
    for _ in range(3):
        assert (await client.get(path, headers=JSON)).json()["verdict"] == "genuine"
    assert cache.trusted and cache.get(path.partition("&s=")[0].encode()) is not None
    async with pool.acquire() as conn:
        await recall(conn, batch.batch_id, "Cemaran Listeria")
    elapsed = await _until_recalled(lambda p: client.get(p, headers=JSON), path)
    assert elapsed < WITHIN_S
    body = (await client.get(path, headers=JSON)).json()
    assert body["recall"]["reason"] == "Cemaran Listeria"


async def test_a_lost_listener_connection_stops_the_cache_until_it_is_back(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, keyring
) -> None:
    cache = client.app.state.verifier.cache
    first, second = await _batch(pool, world), await _batch(pool, world)
    first_path = page_path(keyring, first, first.serials[0])
    await client.get(first_path, headers=JSON)
    killed = await pool.fetchval(
        """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
           WHERE application_name = 'radura-verify-listener' AND datname = current_database()"""
    )
    assert killed >= 1
    async with pool.acquire() as conn:
        await recall(conn, first.batch_id, "Suhu rantai dingin terputus")
    # whether or not the listener is back yet, nobody is told `genuine` any more
    elapsed = await _until_recalled(lambda p: client.get(p, headers=JSON), first_path)
    assert elapsed < WITHIN_S
    for _ in range(100):
        if cache.trusted:
            break
        await asyncio.sleep(0.02)
    assert cache.trusted, "the listener reconnects within two seconds"
    second_path = page_path(keyring, second, second.serials[0])
    await client.get(second_path, headers=JSON)
    async with pool.acquire() as conn:
        await recall(conn, second.batch_id, "Label salah cetak")
    assert await _until_recalled(lambda p: client.get(p, headers=JSON), second_path) < WITHIN_S


async def test_recall_through_one_process_shows_on_the_other_within_a_second(
    two_processes: tuple[str, str], pool: asyncpg.Pool, world: World, keyring
) -> None:
    first_url, second_url = two_processes
    batch = await _batch(pool, world)
    path = page_path(keyring, batch, batch.serials[0])
    async with (
        httpx.AsyncClient(base_url=first_url) as first,
        httpx.AsyncClient(base_url=second_url) as second,
    ):
        for process in (first, second, first, second):
            assert (await process.get(path, headers=JSON)).json()["verdict"] == "genuine"
        response = await first.post(
            f"/api/v1/batches/{batch.batch_id}/recall",
            json={"reason": "Hasil uji laboratorium: Salmonella"},
            headers=world.producer.headers,
        )
        assert response.status_code == 200, response.text
        elapsed = await _until_recalled(lambda p: second.get(p, headers=JSON), path)
        assert elapsed < WITHIN_S
        assert (await first.get(path, headers=JSON)).json()["verdict"] == "recalled"
        page = await second.get(path)
        assert "Hasil uji laboratorium: Salmonella" in page.text


async def test_recall_by_plain_sql_shows_on_both_processes_within_a_second(
    two_processes: tuple[str, str], pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    path = page_path(keyring, batch, short=True)
    async with (
        httpx.AsyncClient(base_url=two_processes[0]) as first,
        httpx.AsyncClient(base_url=two_processes[1]) as second,
    ):
        for process in (first, second, first, second):
            assert (await process.get(path, headers=JSON)).json()["verdict"] == "genuine"
        async with pool.acquire() as conn:
            await recall(conn, batch.batch_id, "Penarikan oleh BPOM")
        waits = await asyncio.gather(
            _until_recalled(lambda p: first.get(p, headers=JSON), path),
            _until_recalled(lambda p: second.get(p, headers=JSON), path),
        )
        assert max(waits) < WITHIN_S


async def test_a_stopped_server_process_has_written_every_scan(
    database_url: str, data_dir: Path, pool: asyncpg.Pool, world: World, keyring
) -> None:
    """Ctrl-C right after a burst: granian runs the lifespan shutdown, which flushes the log."""
    batch = await _batch(pool, world)
    paths = [page_path(keyring, batch, serial) for serial in batch.serials] * 100
    env = server_env(database_url, data_dir)
    with live_server(env) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            responses = await asyncio.gather(*(http.get(p, headers=JSON) for p in paths))
        assert {r.status_code for r in responses} == {200}
    written = await pool.fetchval("SELECT count(*) FROM scans WHERE batch_id = $1", batch.batch_id)
    assert written == len(paths) == 300
