"""RADURA_DATABASE_REPLICA_URL: verification reads go to the replica, except right after a
change notification, when the replica may not have replayed the change yet."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest_asyncio
from litestar.testing import AsyncTestClient

from service.core.db import _init_connection
from service.core.migrate import apply_migrations
from service.verify.cache import PRIMARY_READS_AFTER_CHANGE_S
from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import World, build_world

JSON = {"Accept": "application/json"}


def _other_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@pytest_asyncio.fixture(loop_scope="session")
async def replica_url(database_url: str) -> AsyncIterator[str]:
    """A separate database standing in for a replica: what is only there proves who was read."""
    name = "radura_replica_" + secrets.token_hex(4)
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _other_database(database_url, name)
    conn = await asyncpg.connect(url)
    await apply_migrations(conn)
    await conn.close()
    try:
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_reads_go_to_the_replica_but_not_right_after_a_change(
    settings, replica_url: str, pool: asyncpg.Pool, world: World, data_dir: Path
) -> None:
    from service.app import create_app

    replica = await asyncpg.connect(replica_url)
    await _init_connection(replica)
    replica_world = await build_world(replica)
    only_on_replica = await make_batch(replica, replica_world)
    await replica.close()
    keyring = server_keyring(data_dir)
    with_replica = dataclasses.replace(settings, replica_url=replica_url)
    async with AsyncTestClient(app=create_app(with_replica)) as client:
        # the short form: the GS1 resolver knows only the primary's GTINs
        first = label_path(keyring, only_on_replica, only_on_replica.serials[0], short=True)
        response = await client.get(first, headers=JSON)
        assert response.json()["verdict"] == "genuine"  # read from the replica
        async with pool.acquire() as conn:  # a change on the primary: its NOTIFY arrives
            primary_batch = await make_batch(conn, world)
            await conn.execute(
                "UPDATE batches SET updated_at = now() WHERE id = $1", primary_batch.batch_id
            )
        second = label_path(keyring, only_on_replica, only_on_replica.serials[1], short=True)
        # the NOTIFY reaches the app's listener when a busy machine gets to it: wait for up to
        # the window it opens, without counting on how many requests fit in it
        deadline = time.monotonic() + PRIMARY_READS_AFTER_CHANGE_S
        while True:
            response = await client.get(second, headers=JSON)
            if response.status_code == 404 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        # for a few seconds the primary answers, which does not have this batch
        assert response.json() == {"verdict": "invalid", "signature": "valid"}
