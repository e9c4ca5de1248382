"""Signing in with email and password, refused for a while after repeated failures.

Failed sign-ins have three budgets per 15 minutes (SPEC §10): 5 for one account (the email as
typed, known or not) from one client network (an IPv4 /24, an IPv6 /64), 50 for one account from
all networks, and 100 for one network over all accounts. Networks where the account signed in
within the last 30 days are exempt from the 50. So a mistyped email behind a carrier's shared
address never locks out the people next to it, and a stranger elsewhere cannot lock the owner out
where they usually sign in.

A try beyond a budget checks no password and is not counted, so the refusal ends on its own when
the oldest counted failure is 15 minutes old. Failures are counted in PostgreSQL, so every
process of the service shares the count; networks are stored as keyed hashes, never addresses.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

import asyncpg
import msgspec

from service.accounts.people import authenticate
from service.core.auth import AuthUser
from service.core.client_networks import network_hash

ACCOUNT_NETWORK_FAILURES = 5  # one account from one network
ACCOUNT_FAILURES = 50  # one account from every network but those it signed in from
NETWORK_FAILURES = 100  # one network over every account
WINDOW = timedelta(minutes=15)
KNOWN_NETWORK_FOR = timedelta(days=30)

Budget = Literal["account_network", "account", "network"]


class Throttled(msgspec.Struct, frozen=True):
    budget: Budget
    retry_after_seconds: int

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


async def _locked_wait(conn: asyncpg.Connection, email: str, network: bytes) -> Throttled | None:
    # one sign-in at a time per email and per network, so parallel tries cannot pass a count
    # together; the email's lock is always taken first, so two tries never wait on each other
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('sign-in email ' || $1, 0)),"
        " pg_advisory_xact_lock(hashtextextended('sign-in network ' || encode($2, 'hex'), 0))",
        email,
        network,
    )
    # for each budget, how long until the failure that filled it is out of the window
    rows = await conn.fetch(
        """WITH recent AS (
               SELECT email, network, failed_at FROM sign_in_failures
               WHERE (email = $1 OR network = $2) AND failed_at > now() - $3::interval
           ), known AS (
               SELECT 1 FROM sign_in_networks n JOIN users u ON u.id = n.user_id
               WHERE lower(u.email) = $1 AND n.network = $2
                 AND n.signed_in_at > now() - $7::interval
           )
           SELECT budget, extract(epoch FROM oldest + $3::interval - now()) AS wait_s FROM (
               SELECT 'account_network' AS budget,
                      (array_agg(failed_at ORDER BY failed_at DESC))[$4] AS oldest
               FROM recent WHERE email = $1 AND network = $2
               UNION ALL
               SELECT 'account', (array_agg(failed_at ORDER BY failed_at DESC))[$5]
               FROM recent WHERE email = $1 AND NOT EXISTS (SELECT 1 FROM known)
               UNION ALL
               SELECT 'network', (array_agg(failed_at ORDER BY failed_at DESC))[$6]
               FROM recent WHERE network = $2
           ) w WHERE oldest IS NOT NULL""",
        email,
        network,
        WINDOW,
        ACCOUNT_NETWORK_FAILURES,
        ACCOUNT_FAILURES,
        NETWORK_FAILURES,
        KNOWN_NETWORK_FOR,
    )
    waits = [(float(row["wait_s"]), row["budget"]) for row in rows if row["wait_s"] > 0]
    if not waits:
        return None
    wait_s, budget = max(waits)
    return Throttled(budget=budget, retry_after_seconds=max(1, math.ceil(wait_s)))


async def sign_in(
    conn: asyncpg.Connection, email: str, password: str, client: str
) -> AuthUser | Throttled | None:
    """The user, or `Throttled`, or None for a wrong email or password (never saying which).
    `client` is the client's address; only its network's keyed hash is kept."""
    email = email.strip().lower()
    async with conn.transaction():
        network = await network_hash(conn, client)
        if throttled := await _locked_wait(conn, email, network):
            return throttled
        user = await authenticate(conn, email, password)
        if user is None:
            await conn.execute(
                "INSERT INTO sign_in_failures (email, network) VALUES ($1, $2)", email, network
            )
            # the table only ever needs the last window
            await conn.execute(
                "DELETE FROM sign_in_failures WHERE failed_at < now() - $1::interval", WINDOW
            )
        else:
            # this network's mistakes are forgiven; a stranger's elsewhere still count
            await conn.execute(
                "DELETE FROM sign_in_failures WHERE email = $1 AND network = $2", email, network
            )
            await conn.execute(
                """INSERT INTO sign_in_networks (user_id, network) VALUES ($1, $2)
                   ON CONFLICT (user_id, network) DO UPDATE SET signed_in_at = now()""",
                user.id,
                network,
            )
            await conn.execute(
                "DELETE FROM sign_in_networks WHERE user_id = $1"
                " AND signed_in_at < now() - $2::interval",
                user.id,
                KNOWN_NETWORK_FOR,
            )
        return user
