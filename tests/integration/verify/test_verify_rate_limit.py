"""Public endpoints are rate-limited per client (429 + Retry-After); the API is not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import asyncpg
from litestar.testing import AsyncTestClient

from tests.integration.batches.estimate.test_shelf_life_estimate import CHICKEN
from tests.integration.batches.estimate.test_shelf_life_estimate import URL as ESTIMATE
from tests.integration.verify_fixtures import (
    from_client_address,
    make_batch,
    page_path,
    server_keyring,
)
from tests.integration.world import World

JSON = {"Accept": "application/json"}


async def test_public_routes_are_limited_per_client_and_the_api_is_not(
    settings, pool: asyncpg.Pool, world: World, data_dir: Path
) -> None:
    from service.app import create_app

    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    path = page_path(server_keyring(data_dir), batch, batch.serials[0])
    limited = dataclasses.replace(settings, rate_limit_per_minute=5)
    async with AsyncTestClient(app=create_app(limited)) as client:
        answers = [await client.get(path, headers=JSON) for _ in range(5)]
        assert [a.status_code for a in answers] == [200] * 5
        assert answers[0].headers["ratelimit-limit"] == "5"
        refused = await client.get(path, headers=JSON)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # a browser app may read the refusal, as it may read every public answer
        assert refused.headers["access-control-allow-origin"] == "*"
        resolver = await client.get(f"/01/{batch.gtin14}", follow_redirects=False)
        assert resolver.status_code == 429
        assert resolver.headers["access-control-allow-origin"] == "*"
        # every public verification route shares the client's budget
        assert (await client.get("/v/0000000000?s=x")).status_code == 429
        assert (await client.get("/.well-known/gs1resolver")).status_code == 429
        # the authenticated API and the probes are not limited with them
        for _ in range(10):
            assert (
                await client.get("/api/v1/me", headers=world.producer.headers)
            ).status_code == 200
        assert (await client.get("/health")).status_code == 200


async def test_zero_turns_the_limit_off(client: AsyncTestClient, settings) -> None:
    assert settings.rate_limit_per_minute == 0
    for _ in range(150):
        response = await client.get("/v/0000000000?s=x", headers=JSON)
        assert response.status_code == 404
    assert "ratelimit-limit" not in response.headers


async def test_the_shelf_life_estimate_and_the_jwks_are_limited_with_them(
    settings, world: World
) -> None:
    from service.app import create_app

    limited = dataclasses.replace(settings, rate_limit_per_minute=3)
    async with AsyncTestClient(app=create_app(limited)) as client:
        answers = [await client.post(ESTIMATE, json=CHICKEN) for _ in range(3)]
        assert [a.status_code for a in answers] == [200] * 3
        refused = await client.post(ESTIMATE, json=CHICKEN)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # one budget per client across the public endpoints
        assert (await client.get("/.well-known/jwks.json")).status_code == 429
        # the authenticated API is not limited with them
        for _ in range(5):
            assert (
                await client.get("/api/v1/me", headers=world.producer.headers)
            ).status_code == 200
    async with AsyncTestClient(app=create_app(limited)) as client:
        answers = [await client.get("/.well-known/jwks.json") for _ in range(3)]
        assert [a.status_code for a in answers] == [200] * 3
        refused = await client.get("/.well-known/jwks.json")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert (await client.post(ESTIMATE, json=CHICKEN)).status_code == 429


async def test_an_ipv6_slash_64_is_one_client_and_ipv4_addresses_are_each_their_own(
    settings,
) -> None:
    from service.app import create_app

    limited = dataclasses.replace(settings, rate_limit_per_minute=3)
    app = from_client_address(create_app(limited))
    async with AsyncTestClient(app=app) as client:

        async def status(host: str) -> int:
            response = await client.get(
                "/.well-known/jwks.json", headers={"X-Client-Address": host}
            )
            return response.status_code

        # a phone hopping across the addresses of its /64 spends one budget
        hops = [f"2001:db8:5:6::{n:x}" for n in range(1, 5)]
        assert [await status(host) for host in hops] == [200, 200, 200, 429]
        assert await status("2001:db8:5:6:ffff:ffff:ffff:ffff") == 429
        assert await status("2001:db8:5:7::1") == 200  # the next /64 is another subscriber
        # IPv4 neighbours behind different addresses are different clients
        assert [await status("203.0.113.1") for _ in range(4)] == [200, 200, 200, 429]
        assert await status("203.0.113.2") == 200
