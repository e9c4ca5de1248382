"""The webhook outbox: messages written in the transaction of the change they announce.

A message is fanned out at once into one delivery per endpoint that wants it, so a change that
rolls back leaves no message and no delivery, and one that commits cannot be lost. Who receives a
batch's events: the producer that owns the batch, the facility that received and treated it, and
every regulator (they oversee all batches). The NOTIFY is sent at commit only, and wakes the
delivery worker of every process."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

CHANNEL = "radura_webhook_outbox"

# The batch's public identity; `extra` adds what the event is about (a reason, a date, a serial).
_ENQUEUE = """
WITH batch AS (
    SELECT b.id, b.code, b.lot, b.status, b.producer_id, b.facility_id, p.gtin
    FROM batches b JOIN products p ON p.id = b.product_id
    WHERE b.id = $2
), recipients AS (
    SELECT e.id
    FROM batch
    JOIN webhook_endpoints e ON e.deleted_at IS NULL AND $1::text = ANY (e.events)
    JOIN organizations o ON o.id = e.organization_id
    WHERE o.kind = 'regulator' OR e.organization_id IN (batch.producer_id, batch.facility_id)
), message AS (
    -- a change nobody listens for leaves no row
    INSERT INTO webhook_messages (event_type, batch_id, payload)
    SELECT $1, batch.id, jsonb_build_object(
        'type', $1::text,
        'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC',
                             'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'data', jsonb_build_object(
            'batch_id', batch.id, 'code', batch.code, 'lot', batch.lot, 'gtin', batch.gtin,
            'status', batch.status, 'producer_id', batch.producer_id,
            'facility_id', batch.facility_id
        ) || $3::jsonb
    )
    FROM batch
    WHERE EXISTS (SELECT FROM recipients)
    RETURNING id
)
INSERT INTO webhook_deliveries (message_id, endpoint_id, next_attempt_at)
SELECT message.id, recipients.id, clock_timestamp()
FROM message CROSS JOIN recipients
"""


async def enqueue_batch_event(
    conn: asyncpg.Connection, event_type: str, batch_id: UUID, extra: dict[str, Any] | None = None
) -> int:
    """Write `event_type` about a batch to the outbox, in the caller's transaction; returns the
    number of deliveries it made."""
    status = await conn.execute(_ENQUEUE, event_type, batch_id, extra or {})
    deliveries = int(status.rsplit(" ", 1)[-1])
    if deliveries:
        await conn.execute("SELECT pg_notify($1, '')", CHANNEL)
    return deliveries


async def outbox_depth(conn: asyncpg.Connection) -> int:
    """Deliveries not yet made (pending, retries included): what /metrics reports."""
    depth: int = await conn.fetchval(
        "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"
    )
    return depth
