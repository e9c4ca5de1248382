"""Creating a user with its first token (and, with an email, an invite link): one transaction,
shared by the API and the CLI."""

from __future__ import annotations

import asyncpg

from schemas.accounts import UserCreate, UserCreated
from service.accounts import queries, rules
from service.accounts.admin_log import record_admin_change
from service.accounts.people import create_invite
from service.core.auth import AuthUser, store_token


async def create_user_with_token(
    conn: asyncpg.Connection, data: UserCreate, base_url: str, actor: AuthUser | None
) -> UserCreated:
    """Check the role fits the organization, store the user, a token (hashed) and, when the
    user has an email, an invite to the console, in one transaction with its entry in the
    admin audit log (`actor` None: the command line); the token and the invite link in the
    result are the only copies there will ever be."""
    async with conn.transaction():
        organization = (
            await queries.get_organization(conn, data.organization_id)
            if data.organization_id
            else None
        )
        rules.check_user_fits(data, organization)
        user = await queries.insert_user(conn, data)
        token = await store_token(conn, user.id)
        invite_url = await create_invite(conn, user.id, base_url) if user.email else None
        await record_admin_change(
            conn,
            actor,
            "user.created",
            "user",
            user.id,
            user.name,
            {
                "role": user.role,
                "organization_id": user.organization_id,
                "email": user.email,
                "invite_sent": invite_url is not None,
            },
        )
    return UserCreated(
        user.id, user.name, user.role, user.organization_id, user.email, token, invite_url
    )
