"""Serials are unique per GTIN (SPEC §5.1): GS1 names a pack by its GTIN and serial alone, so
two batches of one product never share one; without a GTIN a serial is unique in its batch."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from labels.gtin import normalize_gtin
from service.batches.labelling import serials as serials_module
from tests.integration.batch_steps import batch_in, chicken, create_product, fresh_gtin13
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _issue(client, world: World, batch_id: str, count: int) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": count}, headers=world.producer.headers
    )
    assert response.status_code == 201, response.text


async def _serials(pool: asyncpg.Pool, batch_id: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch(
            "SELECT serial, gtin FROM label_serials WHERE batch_id = $1 ORDER BY serial",
            UUID(batch_id),
        )


async def _two_batches(client, world: World, *, gtin: str | None) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    product = await create_product(client, world.producer, chicken(gtin=gtin))
    first = await batch_in(client, world, "released", product["id"])
    second = await batch_in(client, world, "released", product["id"])
    return first, second


async def test_a_second_batch_of_the_gtin_never_gets_a_serial_of_the_first(
    client, world: World, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    gtin = fresh_gtin13()
    first, second = await _two_batches(client, world, gtin=gtin)
    await _issue(client, world, first, 5)
    taken = [row["serial"] for row in await _serials(pool, first)]

    # the random source draws the first batch's serials once, then draws freely again
    draws: list[int] = []
    real_draw = serials_module.random_codes

    def clashing_first(count: int) -> list[str]:
        draws.append(count)
        return taken[:count] if len(draws) == 1 else real_draw(count)

    monkeypatch.setattr(serials_module, "random_codes", clashing_first)
    await _issue(client, world, second, 3)

    issued = await _serials(pool, second)
    assert len(draws) == 2  # the clash was refused and drawn again
    assert len(issued) == 3 and not {row["serial"] for row in issued} & set(taken)
    assert {row["gtin"] for row in issued} == {normalize_gtin(gtin)}
    # and the database itself refuses a serial of the GTIN in another batch
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.UniqueViolationError, match="label_serials_gtin_serial"):
            await conn.execute(
                "INSERT INTO label_serials (batch_id, serial, gtin) VALUES ($1, $2, $3)",
                UUID(second),
                taken[0],
                normalize_gtin(gtin),
            )


async def test_without_a_gtin_a_serial_is_unique_in_its_batch(
    client, world: World, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `/v/{code}/{serial}` label names its batch: another batch may hold the same serial."""
    first, second = await _two_batches(client, world, gtin=None)
    await _issue(client, world, first, 2)
    taken = [row["serial"] for row in await _serials(pool, first)]
    monkeypatch.setattr(serials_module, "random_codes", lambda count: taken[:count])
    await _issue(client, world, second, 2)
    assert [row["serial"] for row in await _serials(pool, second)] == taken
    assert {row["gtin"] for row in await _serials(pool, second)} == {None}
