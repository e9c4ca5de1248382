"""People's accounts: invite links, setting a password, signing in, and disabling an account."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec

from service.accounts.admin_log import record_admin_change
from service.accounts.passwords import hashed, needs_rehash
from service.core.auth import AuthUser, hash_token
from service.core.errors import NotFound, RuleViolation
from service.core.gettext_marker import N_
from service.core.token_cache import TokenCache

INVITE_LIFETIME = timedelta(hours=72)
INVITE_PATH = "/app/invite/"


class InvitedUser(msgspec.Struct, frozen=True):
    user_id: UUID
    name: str
    email: str


async def create_invite(conn: asyncpg.Connection, user_id: UUID, base_url: str) -> str:
    """A fresh one-time link (72 h) for the user to set a password; earlier unused links of the
    same user stop working, so only the newest one handed out is live."""
    token = secrets.token_urlsafe(32)
    async with conn.transaction():
        await conn.execute(
            "UPDATE user_invites SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
            user_id,
        )
        await conn.execute(
            """INSERT INTO user_invites (token_sha256, user_id, expires_at)
               VALUES ($1, $2, now() + $3::interval)""",
            hash_token(token),
            user_id,
            INVITE_LIFETIME,
        )
    return base_url.rstrip("/") + INVITE_PATH + token


async def reissue_invite(
    conn: asyncpg.Connection, actor: AuthUser | None, user_id: UUID, base_url: str
) -> str:
    """A password reset: a fresh invite link for an active user with an email (earlier links
    stop working), recorded in the admin audit log (`actor` None: the command line)."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "SELECT name, email, disabled_at FROM users WHERE id = $1 FOR UPDATE", user_id
        )
        if row is None:
            raise NotFound("user")
        if row["disabled_at"] is not None:
            raise RuleViolation("user_disabled", N_("A disabled account cannot be invited again."))
        if row["email"] is None:
            raise RuleViolation(
                "user_has_no_email", N_("The user has no email address to sign in with.")
            )
        url = await create_invite(conn, user_id, base_url)
        await record_admin_change(conn, actor, "user.invited", "user", user_id, row["name"])
    return url


async def invite_by_email(conn: asyncpg.Connection, email: str, base_url: str) -> str:
    user_id: UUID | None = await conn.fetchval(
        "SELECT id FROM users WHERE lower(email) = lower($1) AND disabled_at IS NULL", email
    )
    if user_id is None:
        raise NotFound("user with this email")
    return await reissue_invite(conn, None, user_id, base_url)


async def invited_user(conn: asyncpg.Connection, token: str) -> InvitedUser | None:
    """Whose invite `token` is, while it is unused and unexpired."""
    row = await conn.fetchrow(
        """SELECT u.id AS user_id, u.name, u.email FROM user_invites i
           JOIN users u ON u.id = i.user_id
           WHERE i.token_sha256 = $1 AND i.used_at IS NULL AND i.expires_at > now()
             AND u.disabled_at IS NULL""",
        hash_token(token),
    )
    return InvitedUser(**dict(row)) if row else None


async def accept_invite(conn: asyncpg.Connection, token: str, password: str) -> UUID | None:
    """Use the invite once and set the password; None when the link is used, expired or unknown
    (one statement, so two posts of the same link cannot both succeed). A new password (a user
    invited again after forgetting one) also ends every session signed in with the old one.
    The caller checks the password's rules first: it has the message to show."""
    return await password_from_link(conn, "user_invites", token, password)


async def password_from_link(
    conn: asyncpg.Connection,
    links: Literal["user_invites", "password_resets"],
    token: str,
    password: str,
) -> UUID | None:
    """Use a one-time link of `links` (an invitation, a password reset) and set the password of
    its active account in one statement, so two posts of one link cannot both succeed; every
    console session of the account ends (whoever used the old password is signed out). None
    when the link is used, expired or unknown."""
    user_id: UUID | None = await conn.fetchval(
        f"""WITH link AS (
               UPDATE {links} l SET used_at = now() FROM users u
               WHERE l.token_sha256 = $1 AND l.used_at IS NULL AND l.expires_at > now()
                 AND u.id = l.user_id AND u.disabled_at IS NULL
               RETURNING l.user_id),
           new_password AS (
               UPDATE users SET password_hash = $2 FROM link WHERE users.id = link.user_id
               RETURNING users.id),
           signed_out AS (
               DELETE FROM console_sessions s USING new_password WHERE s.user_id = new_password.id)
           SELECT id FROM new_password""",
        hash_token(token),
        await hashed(password),  # slow on purpose: off the event loop, a few at a time
    )
    return user_id


class Credentials(msgspec.Struct, frozen=True):
    """An active account and its password hash, as read before the password is checked."""

    user: AuthUser
    password_hash: str


async def credentials(conn: asyncpg.Connection, email: str) -> Credentials | None:
    """The active account with this email that has a password, or None."""
    row = await conn.fetchrow(
        """SELECT id, name, role, organization_id, password_hash FROM users
           WHERE lower(email) = lower($1) AND disabled_at IS NULL""",
        email,
    )
    if row is None or not row["password_hash"]:
        return None
    user = AuthUser(row["id"], row["name"], row["role"], row["organization_id"])
    return Credentials(user, row["password_hash"])


async def confirm_password(conn: asyncpg.Connection, checked: Credentials) -> AuthUser | None:
    """After the password matched `checked`'s hash (checked outside any transaction): the user,
    unless the account was disabled or its password changed meanwhile."""
    still: bool = await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM users
           WHERE id = $1 AND disabled_at IS NULL AND password_hash = $2)""",
        checked.user.id,
        checked.password_hash,
    )
    return checked.user if still else None


async def rehashed(checked: Credentials, password: str) -> str | None:
    """A new hash of `password` when the stored one was made with older parameters."""
    if not needs_rehash(checked.password_hash):
        return None
    return await hashed(password)


async def store_rehash(conn: asyncpg.Connection, checked: Credentials, new_hash: str) -> None:
    """Replace the old-parameter hash by `new_hash` (made by `rehashed`, outside this
    transaction), unless the password changed meanwhile."""
    await conn.execute(
        "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
        checked.user.id,
        checked.password_hash,
        new_hash,
    )


async def disable_user(
    conn: asyncpg.Connection,
    user_id: UUID,
    actor: AuthUser | None,
    token_cache: TokenCache | None = None,
) -> datetime | None:
    """Disable an account: its API tokens, console sessions and invites end in the same
    transaction, with an entry in the admin audit log (`actor` None: the command line). Returns
    when it was disabled, None when there is no such user; disabling twice changes nothing and
    logs nothing. An administrator cannot disable their own account (nobody could undo it
    from the console). This process's cached tokens of the user go at once (`token_cache`);
    other processes drop theirs on the NOTIFY of the commit."""
    if actor is not None and actor.id == user_id:
        raise RuleViolation("own_account", N_("You cannot disable your own account."))
    async with conn.transaction():
        # guarded like a batch's transitions: of two concurrent disables only one logs
        row = await conn.fetchrow(
            """UPDATE users SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL
               RETURNING disabled_at, name""",
            user_id,
        )
        if row is None:
            already: datetime | None = await conn.fetchval(
                "SELECT disabled_at FROM users WHERE id = $1", user_id
            )
            return already
        disabled_at: datetime = row["disabled_at"]
        await record_admin_change(conn, actor, "user.disabled", "user", user_id, row["name"])
        await conn.execute(
            "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            user_id,
        )
        await conn.execute(
            "UPDATE user_invites SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
            user_id,
        )
        await conn.execute("DELETE FROM console_sessions WHERE user_id = $1", user_id)
    if token_cache is not None:
        token_cache.drop_user(user_id)
    return disabled_at


async def disable_user_by_email(conn: asyncpg.Connection, email: str) -> UUID | None:
    user_id: UUID | None = await conn.fetchval(
        "SELECT id FROM users WHERE lower(email) = lower($1)", email
    )
    if user_id is None or await disable_user(conn, user_id, None) is None:
        return None
    return user_id
