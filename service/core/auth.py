"""Bearer-token and session authentication and the role guard; tokens are stored only as SHA-256
hashes, and their lookups are cached in the process (`token_cache`). The caller, `AuthUser`, is
defined in `auth_user` (the cache holds it too) and imported from here by the routes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from schemas.common import ROLES
from service.core import db
from service.core.auth_user import AuthUser
from service.core.token_cache import CachedToken, TokenCache

TOKEN_PREFIX = "rdr_"  # noqa: S105 - a public prefix that lets secret scanners spot leaks


def new_token() -> tuple[str, bytes]:
    """A fresh opaque token and the hash under which it is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def store_token(conn: asyncpg.Connection, user_id: UUID, name: str = "first token") -> str:
    token, token_sha256 = new_token()
    await conn.execute(
        "INSERT INTO api_tokens (token_sha256, user_id, name) VALUES ($1, $2, $3)",
        token_sha256,
        user_id,
        name,
    )
    return token


_SELECT_USER_BY_HASH = """
SELECT u.id, u.name, u.role, u.organization_id, t.expires_at
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
  AND (t.expires_at IS NULL OR t.expires_at > now())
"""

_SELECT_ACTIVE_USER = """
SELECT id, name, role, organization_id FROM users WHERE id = $1 AND disabled_at IS NULL
"""

SESSION_USER_KEY = "user_id"
# a console session may read through the API (downloads); it never writes through it
_SESSION_METHODS = frozenset({"GET", "HEAD"})


async def user_from_session(connection: ASGIConnection) -> AuthUser | None:
    """The signed-in, not disabled user of the request's console session, if any."""
    session = connection.scope.get("session")
    user_id = session.get(SESSION_USER_KEY) if isinstance(session, dict) else None
    if not user_id:
        return None
    row = await connection.app.state.pool.fetchrow(_SELECT_ACTIVE_USER, UUID(user_id))
    return AuthUser(**dict(row)) if row else None


class TokenAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Resolves `Authorization: Bearer <token>` to an AuthUser; 401 when missing or unknown.

    Without an `Authorization` header, a GET or HEAD may be authenticated by the console's
    session cookie, so the console links straight to the API's downloads (same roles, same
    ownership rules). Writes stay bearer-only: the API has no CSRF protection."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        method = connection.scope.get("method", "")
        if (
            not header
            and method in _SESSION_METHODS
            and (session_user := await user_from_session(connection))
        ):
            check_role(session_user, connection.scope["route_handler"])
            return AuthenticationResult(user=session_user, auth=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(
                "Missing bearer token.", headers={"WWW-Authenticate": "Bearer"}
            )
        user = await _user_of_token(connection, hash_token(token.strip()))
        # Roles are checked here, on authenticated routes only. As an app-wide guard the same
        # check made Litestar copy the route handler on every request, public scans included
        # (~10 µs of a ~30 µs scan).
        check_role(user, connection.scope["route_handler"])
        return AuthenticationResult(user=user, auth=None)


def _invalid_token() -> NotAuthorizedException:
    return NotAuthorizedException(
        "Unknown, expired or revoked token.",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def _user_of_token(connection: ASGIConnection, token_sha256: bytes) -> AuthUser:
    """The token's user, from the process's cache when warm; its expiry is checked every time."""
    cache: TokenCache | None = getattr(connection.app.state, "token_cache", None)
    cached = cache.get(token_sha256) if cache is not None else None
    if cached is None:
        generation = cache.generation if cache is not None else 0
        async with db.connection(connection.app.state.pool) as conn:
            row = await conn.fetchrow(_SELECT_USER_BY_HASH, token_sha256)
        if row is None:
            raise _invalid_token()
        fields = dict(row)
        expires_at = fields.pop("expires_at")
        cached = CachedToken(AuthUser(**fields), expires_at)
        if cache is not None:
            cache.put(token_sha256, cached, generation)
    if cached.expired(datetime.now(UTC)):
        if cache is not None:
            cache.discard(token_sha256)
        raise _invalid_token()
    return cached.user


def check_role(user: AuthUser, handler: BaseRouteHandler) -> None:
    """Allows the roles a handler lists in `opt["roles"]`; a handler that lists none is closed."""
    allowed = handler.opt.get("roles")
    if not allowed or user.role not in allowed:
        raise PermissionDeniedException(f"The role {user.role!r} may not use this endpoint.")


def roles(*names: str) -> dict[str, Any]:
    """Handler options naming who may call it: `@get(..., opt=roles("admin", "regulator"))`."""
    return {"roles": frozenset(names)}


ANY_ROLE = roles(*ROLES)
