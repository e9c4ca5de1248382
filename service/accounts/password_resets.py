"""A forgotten password: one-time reset links, and how often they may be asked for.

A link's token is stored only as its SHA-256 (like invites); it lives an hour, works once, and a
newer link of the same user ends the older ones. Using it sets the password and ends every
console session of the account (whoever used the old password is signed out).

Requests are counted like failed sign-ins (`sign_in.py`), every request alike since the answer
never says whether the email belongs to an account: per 15 minutes, 5 for one email (as typed)
from one client network, 20 for one email from all networks but those the account signed in from
in the last 30 days, and 100 for one network. A request past a budget sends nothing and is
answered 429, so a stranger can neither flood someone's inbox nor, from elsewhere, stop them
asking from home."""

from __future__ import annotations

import secrets
from datetime import timedelta
from uuid import UUID

import asyncpg
import msgspec

from service.accounts.budgets import WINDOW, Budgets, Throttled, locked_wait
from service.accounts.people import password_from_link
from service.core.auth import hash_token

RESET_LIFETIME = timedelta(hours=1)
RESET_PATH = "/app/password-reset/"
REQUESTS = Budgets(
    name="password reset",
    table="password_reset_requests",
    counted_at="requested_at",
    account_network=5,
    account=20,
    network=100,
)


class ResetAccount(msgspec.Struct, frozen=True):
    """The active account a reset is for, and what its email needs."""

    user_id: UUID
    name: str
    email: str
    language: str


async def count_request(conn: asyncpg.Connection, email: str, network: bytes) -> Throttled | None:
    """Count a reset request for `email` (lower-cased) from `network` (its keyed hash) in the
    caller's transaction, or refuse it uncounted with how long to wait."""
    if throttled := await locked_wait(conn, REQUESTS, email, network):
        return throttled
    await conn.execute(
        "INSERT INTO password_reset_requests (email, network) VALUES ($1, $2)", email, network
    )
    # the table only ever needs the last window
    await conn.execute(
        "DELETE FROM password_reset_requests WHERE requested_at < now() - $1::interval", WINDOW
    )
    return None


async def account_for_reset(conn: asyncpg.Connection, email: str) -> ResetAccount | None:
    """The active account with this email, if any."""
    row = await conn.fetchrow(
        """SELECT id AS user_id, name, email, language FROM users
           WHERE lower(email) = lower($1) AND disabled_at IS NULL""",
        email,
    )
    return ResetAccount(**dict(row)) if row else None


async def issue_reset(conn: asyncpg.Connection, user_id: UUID) -> str:
    """A fresh reset token for the user, in the caller's transaction; the user's earlier unused
    links stop working. Returns the token: the only copy there will ever be in clear."""
    token = secrets.token_urlsafe(32)
    await conn.execute(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user_id,
    )
    await conn.execute(
        """INSERT INTO password_resets (token_sha256, user_id, expires_at)
           VALUES ($1, $2, now() + $3::interval)""",
        hash_token(token),
        user_id,
        RESET_LIFETIME,
    )
    return token


async def reset_account(conn: asyncpg.Connection, token: str) -> ResetAccount | None:
    """Whose reset link `token` is, while it is unused and unexpired."""
    row = await conn.fetchrow(
        """SELECT u.id AS user_id, u.name, u.email, u.language FROM password_resets r
           JOIN users u ON u.id = r.user_id
           WHERE r.token_sha256 = $1 AND r.used_at IS NULL AND r.expires_at > now()
             AND u.disabled_at IS NULL AND u.email IS NOT NULL""",
        hash_token(token),
    )
    return ResetAccount(**dict(row)) if row else None


async def use_reset(conn: asyncpg.Connection, token: str, password: str) -> UUID | None:
    """Use the link once (the only live one: `issue_reset` ends older ones): set the password
    and end every console session of the account. None
    when the link is used, expired or unknown (one statement, so two posts of one link cannot
    both succeed). The caller checks the password's rules first: it has the message to show.
    The hash is made before the statement, off the event loop (it is slow on purpose)."""
    return await password_from_link(conn, "password_resets", token, password)
