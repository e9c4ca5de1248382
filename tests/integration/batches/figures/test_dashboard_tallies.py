"""The dashboard's "labels scanned in the last 7 days" reads tallies by their own producer and
facility (migration 0066), filled by a trigger whoever writes the tally."""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from service.batches.figures.dashboard import dashboard
from service.core.auth import AuthUser
from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import Actor, World


def _user(actor: Actor) -> AuthUser:
    return AuthUser(actor.id, actor.name, actor.role, actor.organization_id)


async def _labels_this_week(pool: asyncpg.Pool, user: AuthUser) -> int:
    async with pool.acquire() as conn:
        figures = await dashboard(conn, user, clone_threshold=5, today=today_in_jakarta())
    return figures.week.labels


async def test_scanned_labels_count_for_their_producer_and_facility_only(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World, data_dir: object
) -> None:
    watched = [
        _user(actor)
        for actor in (world.producer, world.operator, world.other_producer, world.other_operator)
    ]
    before = [await _labels_this_week(pool, user) for user in watched]

    async with pool.acquire() as conn:
        batch = await make_batch(conn, world, serials=3)
    keyring = server_keyring(data_dir)
    for serial in batch.serials:
        await client.get(label_path(keyring, batch, serial), headers={"Accept": "application/json"})
    client.blocking_portal.call(client.app.state.verifier.scan_log.flush)

    after = [await _labels_this_week(pool, user) for user in watched]
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 3, 0, 0]
    async with pool.acquire() as conn:
        owners = await conn.fetch(
            "SELECT DISTINCT producer_id, facility_id FROM label_scan_tallies WHERE batch_id = $1",
            batch.batch_id,
        )
    assert [tuple(r) for r in owners] == [(world.producer_org, world.facility)]
