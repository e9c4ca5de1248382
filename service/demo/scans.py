"""Demo scans for `radura serve --demo`: a week of shoppers scanning one released batch, and one
serial copied onto many packs, so the producer's dashboard and batch page have figures to show.

Written as the scan log writes them (scans, per-label tallies, clients per serial) rather than
through HTTP requests, which the seeder has none of. Once: a batch with serials is left alone."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from service.batches.labelling.serials import issue_serials, serials_page
from service.core.auth import AuthUser

SERIALS = 24
CLONED_PHONES = 8  # more than the default clone threshold of 5
CLONE_THRESHOLD = 5


SCANNED_LOT = "AYM-DEMO-04"  # a released chicken batch of service/demo/batches.py


async def seed_demo_scans(conn: asyncpg.Connection, producer: AuthUser) -> None:
    batch_id: UUID | None = await conn.fetchval(
        "SELECT id FROM batches WHERE producer_id = $1 AND lot = $2 AND status = 'released'",
        producer.organization_id,
        SCANNED_LOT,
    )
    if batch_id is None or await conn.fetchval(
        "SELECT count(*) FROM label_serials WHERE batch_id = $1", batch_id
    ):
        return
    await issue_serials(conn, producer, batch_id, SERIALS)
    serials = await serials_page(conn, batch_id, 0, None)
    now = datetime.now(UTC)
    rows: list[tuple[datetime, UUID, str, str, bytes]] = []
    # ordinary shoppers: each serial scanned once or twice by its own phone over the week
    for i, serial in enumerate(serials[1:16]):
        phone = secrets.token_bytes(16)
        for repeat in range(1 + i % 2):
            at = now - timedelta(days=i % 6, hours=3 + 2 * repeat, minutes=i)
            rows.append((at, batch_id, serial, "genuine", phone))
    # the first serial's label was copied: phones all over town scan the same code
    cloned = serials[0]
    for phone_no in range(CLONED_PHONES):
        verdict = "suspect" if phone_no >= CLONE_THRESHOLD else "genuine"
        at = now - timedelta(days=2, hours=-phone_no)
        rows.append((at, batch_id, cloned, verdict, secrets.token_bytes(16)))
    await conn.executemany(
        """INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint)
           VALUES ($1, $2, $3, $4, $5)""",
        rows,
    )
    await conn.execute(
        """INSERT INTO label_scan_tallies (batch_id, serial, scan_count, first_at, last_at)
           SELECT batch_id, serial, count(*), min(scanned_at), max(scanned_at) FROM scans
           WHERE batch_id = $1 GROUP BY batch_id, serial
           ON CONFLICT (batch_id, serial) DO NOTHING""",
        batch_id,
    )
    await conn.execute(
        """INSERT INTO label_fingerprints (batch_id, serial, fingerprint, first_seen, last_seen)
           SELECT batch_id, serial, fingerprint, min(scanned_at), max(scanned_at) FROM scans
           WHERE batch_id = $1 GROUP BY batch_id, serial, fingerprint
           ON CONFLICT DO NOTHING""",
        batch_id,
    )
