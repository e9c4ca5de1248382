"""Creating a user with its first token: one transaction, shared by the API and the CLI."""

from __future__ import annotations

import asyncpg

from schemas.accounts import UserCreate, UserCreated
from service.accounts import queries, rules
from service.core.auth import store_token


async def create_user_with_token(conn: asyncpg.Connection, data: UserCreate) -> UserCreated:
    """Check the role fits the organization, store the user and a token (hashed), in one
    transaction; the token in the result is the only copy there will ever be."""
    async with conn.transaction():
        organization = (
            await queries.get_organization(conn, data.organization_id)
            if data.organization_id
            else None
        )
        rules.check_user_fits(data, organization)
        user = await queries.insert_user(conn, data)
        token = await store_token(conn, user.id)
    return UserCreated(user.id, user.name, user.role, user.organization_id, user.email, token)
