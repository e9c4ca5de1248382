"""The quantity rule under concurrency (SPEC §13.1): two shipments sent at once that together
exceed the batch — exactly one is recorded, the other is refused, whatever the timing."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from litestar.testing.transport import TestClientTransport

from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.batches.shipments.shipment_steps import create_customer, shipment_body
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROUNDS = 6
BASE_URL = "http://testserver.local"


async def test_two_parallel_shipments_over_the_batch_one_wins(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    north = await create_customer(client, world.producer, city="Medan")
    south = await create_customer(client, world.producer, city="Makassar")
    # Two HTTP clients of the one running app, each sending from a thread of its own: the test
    # client's transport blocks its caller until the app answers, so two calls from one event
    # loop would run one after the other; from two threads both are in flight at once, in the
    # app's event loop, each on its own pooled connection.
    one = httpx.Client(transport=TestClientTransport(client), base_url=BASE_URL)  # type: ignore[arg-type]
    two = httpx.Client(transport=TestClientTransport(client), base_url=BASE_URL)  # type: ignore[arg-type]
    for _ in range(ROUNDS):
        batch_id = await batch_in(client, world, "released", product_id=product_id)
        path = f"/api/v1/batches/{batch_id}/shipments"
        responses = await asyncio.gather(
            asyncio.to_thread(one.post, path, json=shipment_body(north["id"], quantity=70),
                              headers=world.producer.headers),
            asyncio.to_thread(two.post, path, json=shipment_body(south["id"], quantity=70),
                              headers=world.producer.headers),
        )  # fmt: skip
        assert sorted(r.status_code for r in responses) == [201, 422]
        loser = next(r for r in responses if r.status_code == 422).json()
        assert loser["code"] == "shipment_exceeds_batch"
        assert (loser["shipped"], loser["available"]) == (70, 50)
        listed = (await client.get(path, headers=world.producer.headers)).json()
        assert [s["quantity"] for s in listed["items"]] == [70]
        log = (
            await client.get(f"/api/v1/batches/{batch_id}/events", headers=world.producer.headers)
        ).json()
        assert [e["kind"] for e in log["items"]].count("shipped") == 1
        assert log["chain_valid"]


async def test_parallel_shipments_within_the_batch_all_pass(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    path = f"/api/v1/batches/{batch_id}/shipments"
    clients = [
        httpx.Client(transport=TestClientTransport(client), base_url=BASE_URL)  # type: ignore[arg-type]
        for _ in range(6)
    ]
    responses = await asyncio.gather(
        *(
            asyncio.to_thread(each.post, path, json=shipment_body(customer["id"], quantity=20),
                              headers=world.producer.headers)
            for each in clients
        )
    )  # fmt: skip
    assert [r.status_code for r in responses] == [201] * 6
    log = (
        await client.get(f"/api/v1/batches/{batch_id}/events", headers=world.producer.headers)
    ).json()
    assert [e["kind"] for e in log["items"]].count("shipped") == 6
    assert log["chain_valid"]
