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

The password check (argon2: slow on purpose) runs outside any transaction and holds no pooled
connection, a bounded number at once (service/accounts/passwords.py): a flood of tries queues
for the hashing threads, never for the database. So that tries checked at the same time cannot
pass a budget together, each try is counted as a failure before its check, under the budget's
lock, and forgiven after it if the password was right.
"""

from __future__ import annotations

import asyncpg

from service.accounts.budgets import KNOWN_NETWORK_FOR, WINDOW, Budgets, Throttled, locked_wait
from service.accounts.passwords import matches
from service.accounts.people import confirm_password, credentials, rehashed, store_rehash
from service.core.auth import AuthUser
from service.core.client_networks import network_hash
from service.core.db import connection

FAILURES = Budgets(
    name="sign-in",
    table="sign_in_failures",
    counted_at="failed_at",
    account_network=5,  # one account from one network
    account=50,  # one account from every network but those it signed in from
    network=100,  # one network over every account
)
ACCOUNT_NETWORK_FAILURES = FAILURES.account_network


async def sign_in(
    pool: asyncpg.Pool, email: str, password: str, client: str
) -> AuthUser | Throttled | None:
    """The user, or `Throttled`, or None for a wrong email or password (never saying which).
    `client` is the client's address; only its network's keyed hash is kept."""
    email = email.strip().lower()
    async with connection(pool) as conn, conn.transaction():
        network = await network_hash(conn, client)
        if throttled := await locked_wait(conn, FAILURES, email, network):
            return throttled
        # counted now, in the budgets' lock, with the time it was counted (later than every
        # try counted before it: the lock orders them)
        tried_at = await conn.fetchval(
            "INSERT INTO sign_in_failures (email, network, failed_at)"
            " VALUES ($1, $2, clock_timestamp()) RETURNING failed_at",
            email,
            network,
        )
        account = await credentials(conn, email)
    # no transaction and no connection held from here until the answer is known
    right = await matches(account.password_hash if account else None, password)
    new_hash = await rehashed(account, password) if right and account else None
    async with connection(pool) as conn, conn.transaction():
        user = await confirm_password(conn, account) if right and account else None
        if user is None or account is None:
            # the try stays counted; the table only ever needs the last window
            await conn.execute(
                "DELETE FROM sign_in_failures WHERE failed_at < now() - $1::interval", WINDOW
            )
            return None
        if new_hash is not None:
            await store_rehash(conn, account, new_hash)
        # this network's mistakes up to this try are forgiven (this try's count too); a
        # stranger's elsewhere still count, and so do tries counted after this one
        await conn.execute(
            "DELETE FROM sign_in_failures WHERE email = $1 AND network = $2 AND failed_at <= $3",
            email,
            network,
            tried_at,
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
