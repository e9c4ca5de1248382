"""Listing, issuing and revoking API tokens. A caller manages their own tokens; an admin may list
and revoke anybody's. Someone else's token is answered as if it did not exist."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from schemas.tokens import TokenIssued, TokenLine
from service.core.auth import AuthUser, new_token
from service.core.errors import NotFound
from service.core.token_cache import TokenCache

_COLUMNS = "id, name, user_id, created_at, expires_at, revoked_at"


async def list_tokens(
    conn: asyncpg.Connection, caller: AuthUser, user_id: UUID | None
) -> list[TokenLine]:
    """The tokens of `user_id` (default: the caller's own), newest first, revoked ones included."""
    owner = user_id or caller.id
    may_see = owner == caller.id or (
        caller.role == "admin"
        and await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)", owner)
    )
    if not may_see:
        raise NotFound("user")
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id",
        owner,
    )
    return [TokenLine(**dict(row)) for row in rows]


async def issue_token(
    conn: asyncpg.Connection, caller: AuthUser, name: str, expires_at: datetime | None
) -> TokenIssued:
    token, token_sha256 = new_token()
    row = await conn.fetchrow(
        """INSERT INTO api_tokens (token_sha256, user_id, name, expires_at) VALUES ($1, $2, $3, $4)
           RETURNING id, name, user_id, created_at, expires_at""",
        token_sha256,
        caller.id,
        name,
        expires_at,
    )
    return TokenIssued(**dict(row), token=token)


async def revoke_token(
    conn: asyncpg.Connection, caller: AuthUser, token_id: UUID, cache: TokenCache | None
) -> None:
    """Revoke a token of the caller's (any token, for an admin); revoking twice changes nothing.
    The trigger's NOTIFY reaches every process; this one drops its cached lookups at once."""
    owner: UUID | None = await conn.fetchval(
        """UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
           WHERE id = $1 AND (user_id = $2 OR $3) RETURNING user_id""",
        token_id,
        caller.id,
        caller.role == "admin",
    )
    if owner is None:
        raise NotFound("token")
    if cache is not None:
        cache.drop_user(owner)
