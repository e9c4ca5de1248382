"""Asking for a password-reset link by email (SPEC §10): counted like a sign-in, then — only when
the email belongs to an active account — a one-time link and its notice, in one transaction.

Whatever the email, the caller answers the same: nothing here says whether an account exists.
The link's token is sealed into the notice (never stored in clear) and dropped once sent."""

from __future__ import annotations

import asyncpg

from service.accounts.budgets import Throttled
from service.accounts.password_resets import (
    RESET_LIFETIME,
    account_for_reset,
    count_request,
    issue_reset,
)
from service.core.client_networks import network_hash
from service.mail.outbox import SECRET_CONTEXT, enqueue_notice
from service.mail.settings import MailSettings
from service.webhooks.keys import SecretBox


async def request_reset(
    conn: asyncpg.Connection,
    email: str,
    client: str,
    box: SecretBox,
    settings: MailSettings | None = None,
) -> Throttled | None:
    """Count the request from `client` (its address; only its network's keyed hash is kept) and,
    for an active account with this email, send it a fresh link. `Throttled` past a budget."""
    email = email.strip().lower()
    async with conn.transaction():
        network = await network_hash(conn, client)
        if throttled := await count_request(conn, email, network):
            return throttled
        account = await account_for_reset(conn, email)
        if account is None:
            return None
        token = await issue_reset(conn, account.user_id)
        await enqueue_notice(
            conn,
            "password_reset",
            account.email,
            account.language,
            {"name": account.name, "email": account.email},
            user_id=account.user_id,
            secret_sealed=box.seal(token.encode(), SECRET_CONTEXT),
            # a link that arrives after it has expired is no use to anyone
            send_within=RESET_LIFETIME,
            settings=settings,
        )
    return None
