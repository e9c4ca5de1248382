"""Races on the accounts' state: an invite used twice at once, a burst of wrong passwords."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from service.accounts.people import accept_invite, create_invite
from service.accounts.sign_in import ACCOUNT_NETWORK_FAILURES, Throttled, sign_in
from tests.integration.console import give_password
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _on_own_connection(pool: asyncpg.Pool, work):  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        return await work(conn)


async def test_an_invite_used_twice_at_once_sets_one_password(pool, world: World):
    async with pool.acquire() as conn:
        await give_password(conn, world.producer.id)
        url = await create_invite(conn, world.producer.id, "https://radura.test")
    token = url.rsplit("/", 1)[1]
    first, second = await asyncio.gather(
        _on_own_connection(pool, lambda c: accept_invite(c, token, "Pertama-Kali-2026")),
        _on_own_connection(pool, lambda c: accept_invite(c, token, "Kedua-Kalinya-2026")),
    )
    assert sorted([first is None, second is None]) == [False, True]


async def test_a_burst_of_wrong_passwords_counts_no_more_than_the_limit(pool, world: World):
    email = await give_password(pool, world.producer.id)
    results = await asyncio.gather(
        *(
            _on_own_connection(pool, lambda c: sign_in(c, email, "salah-terus-123", "10.1.2.3"))
            for _ in range(ACCOUNT_NETWORK_FAILURES + 3)
        )
    )
    assert sum(r is None for r in results) == ACCOUNT_NETWORK_FAILURES
    assert sum(isinstance(r, Throttled) for r in results) == 3
    failures = await pool.fetchval(
        "SELECT count(*) FROM sign_in_failures WHERE email = $1", email.lower()
    )
    assert failures == ACCOUNT_NETWORK_FAILURES
