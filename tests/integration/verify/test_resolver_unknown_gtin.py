"""An unknown GTIN at the GS1 resolver is a 404 at once, from the set of our GTINs each process
keeps in memory (SPEC §6.1), not a 307 to a page that then says 404; a new product's GTIN joins
the set through NOTIFY, and without LISTEN an unknown GTIN is redirected as before."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import chicken
from tests.integration.verify_fixtures import make_batch, random_gtin14
from tests.integration.world import World

PROBLEM = "application/problem+json"


def _verifier(client: AsyncTestClient) -> Any:
    return client.app.state["verifier"]


async def _until_known(client: AsyncTestClient, gtin14: str, within_s: float = 1.0) -> float:
    started = time.monotonic()
    while _verifier(client).gtins.knows(gtin14) is not True:
        assert time.monotonic() - started < within_s, f"{gtin14} not known after {within_s} s"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def test_an_unknown_gtin_is_404_without_reading_the_database(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = random_gtin14()
    # verification's pools taken away: any SQL on the hop would fail (a 500 or a 503)
    monkeypatch.setattr(_verifier(client), "_primary", None)
    monkeypatch.setattr(_verifier(client), "_replica", None)
    for path in (
        f"/01/{unknown}",
        f"/01/{unknown}/10/L2611",
        f"/01/{unknown}/10/L2611/21/7?17=271231",
        f"/01/{unknown}?linkType=gs1:pip",
        f"/01/{unknown}?linkType=gs1:verificationService",
    ):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 404, (path, response.status_code)
        assert "location" not in response.headers, path
        assert response.headers["content-type"] == PROBLEM, path
        assert response.json()["code"] == "unknown-gtin", path
        assert response.headers["access-control-allow-origin"] == "*", path
        head = await client.head(path)
        assert head.status_code == 404, path


async def test_a_new_product_joins_the_set_within_a_second(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    assert batch.gtin14 is not None
    await _until_known(client, batch.gtin14)
    response = await client.get(f"/01/{batch.gtin14}/10/{batch.lot}", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"].endswith(f"/label/01/{batch.gtin14}/10/{batch.lot}")
    # a product created through the API joins it too
    gtin = random_gtin14()
    created = await client.post(
        "/api/v1/products", json=chicken(gtin=gtin), headers=world.producer.headers
    )
    assert created.status_code == 201, created.text
    await _until_known(client, gtin)


async def test_without_listen_an_unknown_gtin_is_redirected_and_the_set_read_again(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    gtins = _verifier(client).gtins
    unknown = random_gtin14()
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    assert batch.gtin14 is not None
    await _until_known(client, batch.gtin14)
    # as the change listener does when its connection drops; and as if the new GTIN's NOTIFY
    # had been lost with it
    gtins.distrust()
    gtins._gtins.discard(batch.gtin14)
    response = await client.get(f"/01/{unknown}", follow_redirects=False)
    assert response.status_code == 307  # not refused: the page answers for it
    killed = await pool.fetchval(
        """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
           WHERE application_name = 'radura-verify-listener' AND datname = current_database()"""
    )
    assert killed >= 1
    # LISTEN again: the whole set is read anew, the missed GTIN with it
    await _until_known(client, batch.gtin14, within_s=5)
    assert gtins.knows(unknown) is False
    assert (await client.get(f"/01/{unknown}", follow_redirects=False)).status_code == 404
