"""Two concurrent calls of one transition: exactly one wins, the other gets 409 (SPEC §2)."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROUNDS = 5


async def test_two_concurrent_releases_one_wins(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    for _ in range(ROUNDS):
        batch_id = await batch_in(client, world, "treated", product_id=product_id)
        responses = await asyncio.gather(
            client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers),
            client.post(f"/api/v1/batches/{batch_id}/release", headers=world.second_qa.headers),
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["current_status"] == "released"
        events = (
            await client.get(f"/api/v1/batches/{batch_id}/events", headers=world.qa.headers)
        ).json()
        assert [e["kind"] for e in events["items"]].count("released") == 1
        assert events["chain_valid"]


async def test_two_concurrent_recalls_one_wins(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    for _ in range(ROUNDS):
        batch_id = await batch_in(client, world, "released", product_id=product_id)
        responses = await asyncio.gather(
            client.post(
                f"/api/v1/batches/{batch_id}/recall",
                json={"reason": "Uji rantai dingin"},
                headers=world.producer.headers,
            ),
            client.post(
                f"/api/v1/batches/{batch_id}/recall",
                json={"reason": "Temuan inspeksi"},
                headers=world.regulator.headers,
            ),
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["current_status"] == "recalled"
        events = (
            await client.get(f"/api/v1/batches/{batch_id}/events", headers=world.regulator.headers)
        ).json()
        assert [e["kind"] for e in events["items"]].count("recalled") == 1


async def test_concurrent_release_and_reject_one_wins(client, world: World):
    batch_id = await batch_in(client, world, "treated")
    responses = await asyncio.gather(
        client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers),
        client.post(
            f"/api/v1/batches/{batch_id}/reject",
            json={"reason": "Ragu pada dosimetri"},
            headers=world.second_qa.headers,
        ),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]


async def test_the_guarded_update_serialises_at_the_database(client, world: World, pool):
    """Below HTTP: the second UPDATE waits for the first transaction and then matches nothing."""
    from uuid import UUID

    from service.batches.transitions import move
    from service.core.errors import Conflict

    batch_id = UUID(await batch_in(client, world, "registered"))
    async with pool.acquire() as first, pool.acquire() as second:
        transaction = first.transaction()
        await transaction.start()
        await move(first, batch_id, "cancel", "cancelled_at = now()")
        waiting = asyncio.create_task(_move_in_transaction(second, batch_id))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # blocked on the row lock
        await transaction.commit()
        with pytest.raises(Conflict) as refused:
            await waiting
        assert refused.value.extra["current_status"] == "cancelled"


async def _move_in_transaction(conn, batch_id) -> None:  # type: ignore[no-untyped-def]
    from service.batches.transitions import move

    async with conn.transaction():
        await move(conn, batch_id, "cancel", "cancelled_at = now()")
