"""A cooperative office with its market network, built over HTTP where the network's own rules
are under test and in SQL where only the cast is needed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import asyncpg

from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.world import Actor, World, _actor, _org


@dataclass
class Network:
    org: UUID
    user: Actor  # of org, role market_network
    other_org: UUID  # a second network
    other_user: Actor


async def make_network(pool: asyncpg.Pool, world: World) -> Network:
    async with pool.acquire() as conn:
        org = await _org(conn, "market_network", f"Dinas Koperasi dan UKM {world.tag}")
        other = await _org(conn, "market_network", f"Dinas Koperasi Lain {world.tag}")
        return Network(
            org=org,
            user=await _actor(conn, "market_network", f"Staf Dinas {world.tag}", org),
            other_org=other,
            other_user=await _actor(conn, "market_network", f"Staf Lain {world.tag}", other),
        )


async def invite(client, network: Network, producer_org: UUID, by: Actor | None = None):  # type: ignore[no-untyped-def]
    """POST the invitation; returns the response."""
    return await client.post(
        f"/api/v1/organizations/{network.org}/members",
        json={"producer_id": str(producer_org)},
        headers=(by or network.user).headers,
    )


async def invited(client, network: Network, producer_org: UUID) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await invite(client, network, producer_org)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "invited"
    return body


async def joined(client, network: Network, producer: Actor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The producer invited and accepted; returns the membership."""
    assert producer.organization_id is not None
    membership = await invited(client, network, producer.organization_id)
    response = await client.post(
        f"/api/v1/memberships/{membership['id']}/accept", headers=producer.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "accepted"
    return body


def as_producer(world: World, producer: Actor) -> World:
    """The world seen from another producer: `batch_in` registers, cancels and recalls as it."""
    return replace(world, producer=producer)


async def batches_of(client, world: World, producer: Actor, *statuses: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A chicken product of `producer` and one batch of it in each status; returns their ids."""
    product_id = (await create_product(client, producer, chicken()))["id"]
    seen = as_producer(world, producer)
    return {
        "product_id": product_id,
        **{status: await batch_in(client, seen, status, product_id) for status in statuses},
    }
