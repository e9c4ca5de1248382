"""Signing in with email and password, refused for a while after repeated failures.

Five failed sign-ins for one email, or from one client, within 15 minutes refuse further tries
for that email or client until the oldest of them is 15 minutes old (SPEC §10). A refused try
checks no password and is not counted, so the refusal ends on its own. Failures are counted in
PostgreSQL, so every process of the service shares the count.
"""

from __future__ import annotations

import math
from datetime import timedelta

import asyncpg
import msgspec

from service.accounts.people import authenticate
from service.core.auth import AuthUser

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class Throttled(msgspec.Struct, frozen=True):
    retry_after_minutes: int


async def _locked_wait(conn: asyncpg.Connection, email: str, client: str) -> Throttled | None:
    # one sign-in at a time per email and per client, so parallel tries cannot pass the count
    # together; the email's lock is always taken first, so two tries never wait on each other
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('sign-in email ' || $1, 0)),"
        " pg_advisory_xact_lock(hashtextextended('sign-in client ' || $2, 0))",
        email,
        client,
    )
    wait_s: float | None = await conn.fetchval(
        """SELECT max(extract(epoch FROM w.oldest + $3::interval - now())) FROM (
               SELECT (array_agg(failed_at ORDER BY failed_at DESC))[$4] AS oldest
               FROM sign_in_failures WHERE email = $1 AND failed_at > now() - $3::interval
               UNION ALL
               SELECT (array_agg(failed_at ORDER BY failed_at DESC))[$4]
               FROM sign_in_failures WHERE client = $2 AND failed_at > now() - $3::interval
           ) w""",
        email,
        client,
        WINDOW,
        MAX_FAILURES,
    )
    if wait_s is None or wait_s <= 0:
        return None
    return Throttled(retry_after_minutes=max(1, math.ceil(wait_s / 60)))


async def sign_in(
    conn: asyncpg.Connection, email: str, password: str, client: str
) -> AuthUser | Throttled | None:
    """The user, or `Throttled`, or None for a wrong email or password (never saying which)."""
    email = email.strip().lower()
    async with conn.transaction():
        if throttled := await _locked_wait(conn, email, client):
            return throttled
        user = await authenticate(conn, email, password)
        if user is None:
            await conn.execute(
                "INSERT INTO sign_in_failures (email, client) VALUES ($1, $2)", email, client
            )
            # the table only ever needs the last window
            await conn.execute(
                "DELETE FROM sign_in_failures WHERE failed_at < now() - $1::interval", WINDOW
            )
        else:
            await conn.execute("DELETE FROM sign_in_failures WHERE email = $1", email)
        return user
