"""HTTP endpoints for a caller's API tokens (SPEC §12)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody

from schemas.tokens import TokenCreate, TokenIssued, TokenLine
from service.accounts import tokens
from service.core.auth import ANY_ROLE, AuthUser
from service.core.db import Db

AuthRequest = Request[AuthUser, None, State]


class TokensController(Controller):
    path = "/api/v1/tokens"
    tags = ["accounts"]

    @get("/", operation_id="listTokens", opt=ANY_ROLE)
    async def list_tokens(
        self, request: AuthRequest, db: Db, user_id: FromQuery[UUID | None] = None
    ) -> list[TokenLine]:
        """The caller's tokens, newest first, revoked and expired ones included; an admin may
        name another user (`user_id`)."""
        return await tokens.list_tokens(db, request.user, user_id)

    @post("/", operation_id="createToken", opt=ANY_ROLE)
    async def create_token(
        self, request: AuthRequest, db: Db, data: JSONBody[TokenCreate]
    ) -> TokenIssued:
        """A new token for the caller, with a name and an optional expiry. The token is shown
        only in this response."""
        return await tokens.issue_token(db, request.user, data.name, data.expires_at)

    @delete("/{token_id:uuid}", operation_id="revokeToken", opt=ANY_ROLE)
    async def revoke_token(self, request: AuthRequest, db: Db, token_id: FromPath[UUID]) -> None:
        """Revoke one of the caller's tokens (an admin: anybody's). It stops working on every
        process within a second."""
        await tokens.revoke_token(db, request.user, token_id, request.app.state.token_cache)
