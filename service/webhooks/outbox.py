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

# The batch's public identity; `extra` adds what the event is about (a reason, a date, a serial),
# and `own_extra` ($4, when not null) what only the producer's own endpoints may read (the
# customers a recall reaches): their deliveries carry a message of their own.
_ENQUEUE = """
WITH batch AS (
    SELECT b.id, b.code, b.lot, b.status, b.producer_id, b.facility_id, p.gtin
    FROM batches b
    JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
    WHERE b.id = $2
), recipients AS (
    SELECT e.id, ($4::jsonb IS NOT NULL AND e.organization_id = batch.producer_id) AS own
    FROM batch
    JOIN webhook_endpoints e ON e.deleted_at IS NULL AND $1::text = ANY (e.events)
    JOIN organizations o ON o.id = e.organization_id
    WHERE o.kind = 'regulator' OR e.organization_id IN (batch.producer_id, batch.facility_id)
), payloads AS (
    -- a change nobody listens for leaves no row; one message per kind of reader
    SELECT own, gen_random_uuid() AS id FROM (SELECT DISTINCT own FROM recipients) kinds
), message AS (
    INSERT INTO webhook_messages (id, event_type, batch_id, payload)
    SELECT payloads.id, $1, batch.id, jsonb_build_object(
        'type', $1::text,
        'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC',
                             'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'data', jsonb_build_object(
            'batch_id', batch.id, 'code', batch.code, 'lot', batch.lot, 'gtin', batch.gtin,
            'status', batch.status, 'producer_id', batch.producer_id,
            'facility_id', batch.facility_id
        ) || CASE WHEN payloads.own THEN $4::jsonb ELSE $3::jsonb END
    )
    FROM batch CROSS JOIN payloads
    RETURNING id
)
INSERT INTO webhook_deliveries (message_id, endpoint_id, next_attempt_at)
SELECT message.id, recipients.id, clock_timestamp()
FROM message
JOIN payloads ON payloads.id = message.id
JOIN recipients ON recipients.own = payloads.own
"""


async def enqueue_batch_event(
    conn: asyncpg.Connection,
    event_type: str,
    batch_id: UUID,
    extra: dict[str, Any] | None = None,
    *,
    own_extra: dict[str, Any] | None = None,
) -> int:
    """Write `event_type` about a batch to the outbox, in the caller's transaction; returns the
    number of deliveries it made. `own_extra`, when given, replaces `extra` in what the
    producer's own endpoints receive."""
    status = await conn.execute(_ENQUEUE, event_type, batch_id, extra or {}, own_extra)
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
