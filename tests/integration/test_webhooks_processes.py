"""Two app processes on one database deliver each webhook message exactly once: a delivery is
claimed with FOR UPDATE SKIP LOCKED and leased past its attempt."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.webhook_steps import register_endpoint, until_received, verified
from tests.integration.world import World
from tests.live_server import live_server, server_env
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.asyncio(loop_scope="session")

BATCHES = 8


@pytest.fixture(scope="module")
def two_processes(database_url: str, data_dir: Path) -> Iterator[tuple[str, str]]:
    env = server_env(database_url, data_dir)
    with live_server(env) as first, live_server(env) as second:
        yield first, second


async def test_each_message_is_delivered_once_by_two_processes(
    two_processes: tuple[str, str], world: World
) -> None:
    with running_receiver() as receiver:
        async with (
            httpx.AsyncClient(base_url=two_processes[0], timeout=30) as first,
            httpx.AsyncClient(base_url=two_processes[1], timeout=30) as second,
        ):
            endpoint = await register_endpoint(
                first, world.producer, receiver.url, ["batch.released", "batch.recalled"]
            )
            product_id = (await create_product(first, world.producer, chicken()))["id"]
            # changes made on both processes, at once: both workers are woken for each
            batch_ids = await asyncio.gather(
                *(
                    batch_in(process, world, "recalled", product_id)
                    for process in (first, second) * (BATCHES // 2)
                )
            )
            for batch_id in batch_ids:
                await until_received(receiver, batch_id, 2, within_s=30)
            await asyncio.sleep(1.5)  # time for any second delivery to show up
            ids = Counter(r.headers["webhook-id"] for r in receiver.received)
            assert len(ids) == 2 * BATCHES
            assert set(ids.values()) == {1}, ids
            for received in receiver.received:
                payload = verified(endpoint["secret"], received)
                assert payload["data"]["batch_id"] in batch_ids
            types = Counter(json.loads(r.body)["type"] for r in receiver.received)
            assert types == {"batch.released": BATCHES, "batch.recalled": BATCHES}
