"""`scan.suspect`: a serial seen from more distinct clients than the clone threshold allows,
announced once, in the scan log's transaction that recorded the crossing."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg

from service.webhooks.outbox import enqueue_batch_event

# A client counts toward a serial's clone tally for this long after it last scanned the serial:
# a genuine label passes through many hands over months, a cloned one is scanned by many at once.
CLIENT_WINDOW_DAYS = 30
RECENT_CLIENT = f"last_seen > now() - interval '{CLIENT_WINDOW_DAYS} days'"

# Serials whose tally is now over the threshold and not announced yet. The announcement row is
# the guard: of two processes flushing scans of one serial at once, one inserts it.
_NEWLY_SUSPECT = f"""
WITH seen AS (
    SELECT DISTINCT x.batch_id, x.serial
    FROM unnest($1::uuid[], $2::text[]) AS x (batch_id, serial)
    -- an announced serial is not counted again, however many more clients scan it
    WHERE NOT EXISTS (
        SELECT FROM webhook_suspect_serials s
        WHERE s.batch_id = x.batch_id AND s.serial = x.serial
    )
), over AS (
    SELECT seen.batch_id, seen.serial, tally.clients
    FROM seen
    CROSS JOIN LATERAL (
        SELECT count(*) AS clients FROM label_fingerprints f
        WHERE f.batch_id = seen.batch_id AND f.serial = seen.serial AND f.{RECENT_CLIENT}
    ) tally
    WHERE tally.clients > $3
), announced AS (
    INSERT INTO webhook_suspect_serials (batch_id, serial)
    SELECT batch_id, serial FROM over
    ON CONFLICT DO NOTHING
    RETURNING batch_id, serial
)
SELECT announced.batch_id, announced.serial, over.clients
FROM announced JOIN over USING (batch_id, serial)
"""


async def announce_suspect_serials(
    conn: asyncpg.Connection, seen: Iterable[tuple[UUID, str]], clone_threshold: int
) -> int:
    """Announce the serials among `seen` (with new clients just recorded) that are now suspect."""
    keys = sorted(set(seen))
    if not keys:
        return 0
    rows = await conn.fetch(
        _NEWLY_SUSPECT, [k[0] for k in keys], [k[1] for k in keys], clone_threshold
    )
    for row in rows:
        await enqueue_batch_event(
            conn,
            "scan.suspect",
            row["batch_id"],
            {"serial": row["serial"], "distinct_clients": row["clients"]},
        )
    return len(rows)
