"""Webhook endpoints of an organization, and the log of their deliveries: the domain functions
the API and the console both call. Endpoints are the organization's: every member who may
manage them sees and deletes all of them; another organization's id is unknown (404)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.common import Page
from schemas.webhooks import (
    WebhookAttempt,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookEndpoint,
)
from service.core.auth import AuthUser, roles
from service.core.errors import NotFound
from service.core.pagination import next_cursor, page_clause
from service.webhooks.addresses import check_url
from service.webhooks.keys import SecretBox, new_secret

# Who manages an organization's endpoints: the producer's people, a facility's QA officers (who
# release and reject, and answer for what the facility tells others) and regulators. Operators
# and administrators (who belong to no organization) do not.
MANAGERS = roles("producer", "qa", "regulator")


def _organization(user: AuthUser) -> UUID:
    assert user.organization_id is not None  # every role in MANAGERS belongs to one
    return user.organization_id


async def register_endpoint(
    conn: asyncpg.Connection,
    user: AuthUser,
    data: WebhookCreate,
    box: SecretBox,
    *,
    allow_private: bool,
) -> WebhookCreated:
    """A new endpoint with a fresh secret, returned this once; the URL must pass the SSRF rules."""
    await check_url(data.url, allow_private=allow_private)
    shown, raw = new_secret()
    row = await conn.fetchrow(
        """INSERT INTO webhook_endpoints (organization_id, url, events, secret_sealed, created_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING id, url, events, created_at""",
        _organization(user),
        data.url,
        list(data.events),
        box.seal(raw),
        user.id,
    )
    return WebhookCreated(**dict(row), secret=shown)


async def list_endpoints(
    conn: asyncpg.Connection, user: AuthUser, limit: int, cursor: str | None = None
) -> Page[WebhookEndpoint]:
    """The organization's endpoints, newest first, a page of `limit` after `cursor`."""
    args: list[Any] = [_organization(user)]
    after = page_clause(cursor, args)
    args.append(limit + 1)
    rows = await conn.fetch(
        f"""SELECT id, url, events, created_at FROM webhook_endpoints
            WHERE organization_id = $1 AND deleted_at IS NULL AND {after}
            ORDER BY created_at DESC, id DESC LIMIT ${len(args)}""",
        *args,
    )
    return Page(
        items=[WebhookEndpoint(**dict(row)) for row in rows[:limit]],
        next_cursor=next_cursor(rows, limit),
    )


async def delete_endpoint(conn: asyncpg.Connection, user: AuthUser, endpoint_id: UUID) -> None:
    """Stop sending to it; what it had not yet received is marked failed."""
    async with conn.transaction():
        deleted = await conn.fetchval(
            """UPDATE webhook_endpoints SET deleted_at = clock_timestamp()
               WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL RETURNING id""",
            endpoint_id,
            _organization(user),
        )
        if deleted is None:
            raise NotFound("webhook endpoint")
        await conn.execute(
            """UPDATE webhook_deliveries
               SET status = 'failed', next_attempt_at = NULL, finished_at = clock_timestamp()
               WHERE endpoint_id = $1 AND status = 'pending'""",
            endpoint_id,
        )


async def endpoint_of(
    conn: asyncpg.Connection, user: AuthUser, endpoint_id: UUID
) -> WebhookEndpoint:
    row = await conn.fetchrow(
        """SELECT id, url, events, created_at FROM webhook_endpoints
           WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL""",
        endpoint_id,
        _organization(user),
    )
    if row is None:
        raise NotFound("webhook endpoint")
    return WebhookEndpoint(**dict(row))


_DELIVERIES = """
SELECT d.id, 'msg_' || replace(d.message_id::text, '-', '') AS message_id, m.event_type,
       d.status, d.created_at, d.next_attempt_at, d.finished_at,
       coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                      'attempt', a.attempt, 'attempted_at', a.attempted_at,
                      'duration_ms', a.duration_ms, 'http_status', a.http_status,
                      'error', a.error, 'next_attempt_at', a.next_attempt_at)
                  ORDER BY a.attempt)
           FROM webhook_attempts a WHERE a.delivery_id = d.id
       ), '[]'::jsonb) AS attempts
FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
WHERE d.endpoint_id = $1 AND {after}
ORDER BY d.created_at DESC, d.id DESC
LIMIT $2
"""


async def recent_deliveries(
    conn: asyncpg.Connection,
    user: AuthUser,
    endpoint_id: UUID,
    limit: int,
    cursor: str | None = None,
) -> Page[WebhookDelivery]:
    """The endpoint's deliveries, newest first, each with its attempts: a page of `limit` after
    `cursor`."""
    await endpoint_of(conn, user, endpoint_id)
    args: list[Any] = [endpoint_id, limit + 1]
    after = page_clause(cursor, args, alias="d")
    rows = await conn.fetch(_DELIVERIES.format(after=after), *args)
    return Page(
        items=[
            WebhookDelivery(
                **(dict(row) | {"attempts": msgspec.convert(row["attempts"], list[WebhookAttempt])})
            )
            for row in rows[:limit]
        ],
        next_cursor=next_cursor(rows, limit),
    )
