"""API tokens (SPEC §12): named, optionally expiring, listed and revoked by their owner or an
admin; expired and revoked tokens answer 401 even when their lookup is cached."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.core.auth import hash_token
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

ALL_ROLES = ("admin", "producer", "operator", "qa", "regulator")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _issue(client: AsyncTestClient, headers: dict[str, str], **body: object) -> dict:
    response = await client.post(
        "/api/v1/tokens", json={"name": "CI upload", **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_token_is_created_listed_and_revoked(client: AsyncTestClient, world: World) -> None:
    issued = await _issue(client, world.producer.headers, name="Mesin label gudang 2")
    assert issued["token"].startswith("rdr_") and issued["name"] == "Mesin label gudang 2"
    assert issued["expires_at"] is None and issued["user_id"] == str(world.producer.id)
    me = await client.get("/api/v1/me", headers=_bearer(issued["token"]))
    assert me.status_code == 200 and me.json()["id"] == str(world.producer.id)

    listed = (await client.get("/api/v1/tokens", headers=world.producer.headers)).json()
    assert [t["name"] for t in listed] == ["Mesin label gudang 2", "first token"]
    assert all("token" not in t and t["revoked_at"] is None for t in listed)

    revoked = await client.delete(f"/api/v1/tokens/{issued['id']}", headers=world.producer.headers)
    assert revoked.status_code == 204
    after = await client.get("/api/v1/me", headers=_bearer(issued["token"]))
    assert after.status_code == 401
    listed = (await client.get("/api/v1/tokens", headers=world.producer.headers)).json()
    assert listed[0]["id"] == issued["id"] and listed[0]["revoked_at"] is not None
    # revoking again changes nothing; the caller's other token still works
    again = await client.delete(f"/api/v1/tokens/{issued['id']}", headers=world.producer.headers)
    assert again.status_code == 204
    assert (await client.get("/api/v1/me", headers=world.producer.headers)).status_code == 200


async def test_a_token_may_revoke_itself(client: AsyncTestClient, world: World) -> None:
    issued = await _issue(client, world.qa.headers)
    own = _bearer(issued["token"])
    assert (await client.delete(f"/api/v1/tokens/{issued['id']}", headers=own)).status_code == 204
    assert (await client.get("/api/v1/tokens", headers=own)).status_code == 401


async def test_an_expired_token_answers_401_even_when_cached(
    client: AsyncTestClient, world: World
) -> None:
    expires_at = datetime.now(UTC) + timedelta(seconds=1.5)
    issued = await _issue(client, world.operator.headers, expires_at=expires_at.isoformat())
    assert datetime.fromisoformat(issued["expires_at"]) == expires_at
    headers = _bearer(issued["token"])
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    cache = client.app.state.token_cache
    assert cache.trusted and cache.get(hash_token(issued["token"])) is not None
    await asyncio.sleep((expires_at - datetime.now(UTC)).total_seconds() + 0.05)
    expired = await client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401  # and from the DB


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "bad\nname"}, "name"),
        ({"name": "old", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "naive", "expires_at": "2999-01-01T00:00:00"}, "expires_at"),
        ({"name": "typo", "expires_at": "next week"}, "expires_at"),
        ({"name": "extra", "scope": "all"}, "scope"),
    ],
)
async def test_bad_token_requests_name_the_field(
    client: AsyncTestClient, world: World, body: dict, field: str
) -> None:
    response = await client.post("/api/v1/tokens", json=body, headers=world.producer.headers)
    assert response.status_code == 400, response.text
    assert field in response.text


async def test_an_admin_lists_and_revokes_anybodys_token(
    client: AsyncTestClient, world: World
) -> None:
    issued = await _issue(client, world.producer.headers)
    assert (await client.get("/api/v1/me", headers=_bearer(issued["token"]))).status_code == 200
    listed = await client.get(
        "/api/v1/tokens", params={"user_id": str(world.producer.id)}, headers=world.admin.headers
    )
    assert issued["id"] in [t["id"] for t in listed.json()]
    revoked = await client.delete(f"/api/v1/tokens/{issued['id']}", headers=world.admin.headers)
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/me", headers=_bearer(issued["token"]))).status_code == 401
    nobody = await client.get(
        "/api/v1/tokens", params={"user_id": str(uuid.uuid4())}, headers=world.admin.headers
    )
    assert nobody.status_code == 404


async def test_nobody_else_sees_or_revokes_a_token(client: AsyncTestClient, world: World) -> None:
    issued = await _issue(client, world.other_producer.headers)
    for caller in (world.producer, world.regulator, world.qa):
        seen = await client.get(
            "/api/v1/tokens",
            params={"user_id": str(world.other_producer.id)},
            headers=caller.headers,
        )
        assert seen.status_code == 404
        own = (await client.get("/api/v1/tokens", headers=caller.headers)).json()
        assert issued["id"] not in [t["id"] for t in own]
        gone = await client.delete(f"/api/v1/tokens/{issued['id']}", headers=caller.headers)
        assert gone.status_code == 404
    unknown = await client.delete(f"/api/v1/tokens/{uuid.uuid4()}", headers=world.admin.headers)
    assert unknown.status_code == 404
    assert (await client.get("/api/v1/me", headers=_bearer(issued["token"]))).status_code == 200


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_every_role_manages_its_own_tokens(
    client: AsyncTestClient, world: World, role: str
) -> None:
    actor = world.actors()[role]
    issued = await _issue(client, actor.headers, name=f"{role} script")
    listed = (await client.get("/api/v1/tokens", headers=actor.headers)).json()
    assert issued["id"] in [t["id"] for t in listed]
    assert all(t["user_id"] == str(actor.id) for t in listed)
    revoked = await client.delete(f"/api/v1/tokens/{issued['id']}", headers=actor.headers)
    assert revoked.status_code == 204


async def test_the_token_endpoints_need_a_token(client: AsyncTestClient) -> None:
    assert (await client.get("/api/v1/tokens")).status_code == 401
    assert (await client.post("/api/v1/tokens", json={"name": "x"})).status_code == 401
    assert (await client.delete(f"/api/v1/tokens/{uuid.uuid4()}")).status_code == 401


async def test_disabling_a_user_drops_their_cached_tokens_at_once(
    client: AsyncTestClient, world: World
) -> None:
    issued = await _issue(client, world.second_qa.headers)
    headers = _bearer(issued["token"])
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert client.app.state.token_cache.get(hash_token(issued["token"])) is not None
    disabled = await client.post(
        f"/api/v1/users/{world.second_qa.id}/disable", headers=world.admin.headers
    )
    assert disabled.status_code == 200
    assert client.app.state.token_cache.get(hash_token(issued["token"])) is None
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def _until_unauthorized(client: AsyncTestClient, headers: dict[str, str]) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < 3:
        if (await client.get("/api/v1/me", headers=headers)).status_code == 401:
            return loop.time() - started
        await asyncio.sleep(0.01)
    raise AssertionError("the token still works after 3 s")


async def test_a_user_disabled_behind_the_apps_back_is_refused_within_a_second(
    client: AsyncTestClient, world: World, pool: asyncpg.Pool
) -> None:
    """Only the `users` trigger can tell the cache: the token itself is left unrevoked."""
    assert (await client.get("/api/v1/me", headers=world.regulator.headers)).status_code == 200
    assert client.app.state.token_cache.get(hash_token(world.regulator.token)) is not None
    await pool.execute("UPDATE users SET disabled_at = now() WHERE id = $1", world.regulator.id)
    assert await _until_unauthorized(client, world.regulator.headers) < 1.0


async def test_without_the_listener_the_cache_is_not_trusted(
    client: AsyncTestClient, world: World, pool: asyncpg.Pool
) -> None:
    cache = client.app.state.token_cache
    assert (await client.get("/api/v1/me", headers=world.operator.headers)).status_code == 200
    killed = await pool.fetchval(
        """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
           WHERE application_name = 'radura-verify-listener' AND datname = current_database()"""
    )
    assert killed >= 1
    # a revoke while nobody listens: its NOTIFY may be lost, yet the token stops working
    await pool.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1", world.operator.id
    )
    assert await _until_unauthorized(client, world.operator.headers) < 1.0
    for _ in range(100):
        if cache.trusted:
            break
        await asyncio.sleep(0.02)
    assert cache.trusted, "the listener reconnects within two seconds"


HOLD_S = 1.0


def _hold_locks(dsn: str, held: threading.Event) -> None:
    """In its own thread and loop (the test client blocks the test's loop while it serves):
    hold `api_tokens` and `users` locked against any read for HOLD_S."""

    async def hold() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE api_tokens, users IN ACCESS EXCLUSIVE MODE")
                held.set()
                await asyncio.sleep(HOLD_S)
        finally:
            await conn.close()

    asyncio.run(hold())


@pytest.mark.timing
async def test_a_warm_token_costs_no_database_round_trip(
    client: AsyncTestClient, world: World, database_url: str
) -> None:
    """While another transaction holds `api_tokens` and `users` locked against reading, a request
    with a warm token is answered at once and one with a cold token waits for the lock."""
    warm, cold = world.producer.headers, world.qa.headers
    assert (await client.get("/api/v1/me", headers=warm)).status_code == 200
    held = threading.Event()
    holder = threading.Thread(target=_hold_locks, args=(database_url, held))
    holder.start()
    try:
        assert held.wait(10)
        locked_at = time.perf_counter()
        assert (await client.get("/api/v1/me", headers=warm)).status_code == 200
        warm_s = time.perf_counter() - locked_at
        assert (await client.get("/api/v1/me", headers=cold)).status_code == 200
        cold_s = time.perf_counter() - locked_at
    finally:
        holder.join()
    assert warm_s < HOLD_S / 2, f"the warm request waited {warm_s:.3f} s for the lock"
    assert cold_s >= HOLD_S * 0.9, f"the cold request did not wait for the lock ({cold_s:.3f} s)"
