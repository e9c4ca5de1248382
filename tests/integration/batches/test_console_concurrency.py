"""Races on the accounts' state: an invite used twice at once, a burst of wrong passwords."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from service.accounts.budgets import Throttled
from service.accounts.people import accept_invite, create_invite
from service.accounts.sign_in import ACCOUNT_NETWORK_FAILURES, sign_in
from tests.integration.console import TEST_PASSWORD, give_password
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
            sign_in(pool, email, "salah-terus-123", "10.1.2.3")
            for _ in range(ACCOUNT_NETWORK_FAILURES + 3)
        )
    )
    assert sum(r is None for r in results) == ACCOUNT_NETWORK_FAILURES
    assert sum(isinstance(r, Throttled) for r in results) == 3
    failures = await pool.fetchval(
        "SELECT count(*) FROM sign_in_failures WHERE email = $1", email.lower()
    )
    assert failures == ACCOUNT_NETWORK_FAILURES


async def test_password_checks_run_a_few_at_once_and_hold_no_connection(
    pool, world: World, database_url: str
):
    """Sign-ins at once: their argon2 checks run at most one per core at a time (the rest
    queue), and while they run no connection is held: a pool of one stays free."""
    from service.accounts import passwords
    from service.core.db import create_pool

    email = await give_password(pool, world.producer.id)
    tries = passwords.HASHES_AT_ONCE * 3 + 1
    one = await create_pool(database_url, max_size=1)
    try:
        passwords.hashing_load.reset_peak()
        signing_in = [
            asyncio.ensure_future(
                # every try from a network of its own: none meets a budget
                sign_in(one, email, TEST_PASSWORD if n % 2 else "salah-terus-123", f"10.9.{n}.1")
            )
            for n in range(tries)
        ]
        async with asyncio.timeout(60):
            while passwords.hashing_load.running == 0:  # noqa: ASYNC110 - a thread's counter
                await asyncio.sleep(0.005)
        # a hash is running: the pool's only connection is free all the same
        async with one.acquire(timeout=1) as conn:
            assert await conn.fetchval("SELECT 1") == 1
        results = await asyncio.gather(*signing_in)
    finally:
        await one.close()
    assert passwords.hashing_load.peak == passwords.HASHES_AT_ONCE
    signed_in = [r for r in results if r is not None]
    assert all(not isinstance(r, Throttled) and r.id == world.producer.id for r in signed_in)
    assert len(signed_in) == tries // 2
    # each wrong try counted once, each right one forgiven its own count
    failures = await pool.fetchval(
        "SELECT count(*) FROM sign_in_failures WHERE email = $1", email.lower()
    )
    assert failures == tries - tries // 2
