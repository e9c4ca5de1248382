"""What a recall reached (SPEC §13.2): per customer the quantity received, when its notice was
sent and when it was acknowledged; the share of the shipped quantity acknowledged; the scans of
the batch's labels per day since. Read by the API and the console's recall-status page."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from schemas.recalls import RecallCustomer, RecallStatus, ScanDay
from service.batches.transitions import load_batch
from service.core.auth import AuthUser
from service.core.errors import NotFound

_CUSTOMERS = """
SELECT r.customer_id, c.name, c.whatsapp, r.quantity, r.unit, n.sent_at AS notified_at,
       r.acknowledged_at,
       -- why an email notice was not sent (yet): none written (no address), or its status
       CASE WHEN r.notice_id IS NULL THEN 'no_email' ELSE n.status END AS mail_status
FROM recall_notices r
JOIN customers c ON c.id = r.customer_id
LEFT JOIN mail_notices n ON n.id = r.notice_id
WHERE r.batch_id = $1
ORDER BY c.name, c.id
"""

# the scans answered "recalled": a scan takes its verdict when it is made, and every scan of
# the batch's labels after the recall is answered so (recalled comes before every other
# verdict), none before it; the recall's own day counts only the scans after its moment
_SCANS = """
SELECT day, recalled AS scans
FROM scan_days
WHERE batch_id = $1 AND day >= ($2::timestamptz AT TIME ZONE 'Asia/Jakarta')::date
      AND recalled > 0
ORDER BY day
"""

# what a recall notice names: the batch and its producer
_FACTS = """
SELECT b.code, b.lot, b.unit, p.name AS product, o.name AS producer
FROM batches b
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations o ON o.id = b.producer_id
WHERE b.id = $1
"""


def acknowledged_share(customers: list[RecallCustomer]) -> float:
    """The share of the shipped quantity whose receivers acknowledged, 0 to 1."""
    shipped = sum(c.quantity for c in customers)
    acknowledged = sum(c.quantity for c in customers if c.acknowledged_at is not None)
    return acknowledged / shipped if shipped else 0.0


async def recall_customers(conn: asyncpg.Connection, batch_id: UUID) -> list[asyncpg.Record]:
    """The recall's rows with each customer's WhatsApp number (for the console's links)."""
    return await conn.fetch(_CUSTOMERS, batch_id)


async def recall_status(conn: asyncpg.Connection, user: AuthUser, batch_id: UUID) -> RecallStatus:
    """404 for a batch the user may not see, or one that is not recalled."""
    batch = await load_batch(conn, batch_id, user)
    if batch["recalled_at"] is None:
        raise NotFound("recall")
    customers = [
        RecallCustomer(
            customer_id=r["customer_id"],
            name=r["name"],
            quantity=r["quantity"],
            unit=r["unit"],
            notified_at=r["notified_at"],
            acknowledged_at=r["acknowledged_at"],
        )
        for r in await recall_customers(conn, batch_id)
    ]
    scans = await conn.fetch(_SCANS, batch_id, batch["recalled_at"])
    return RecallStatus(
        reason=batch["recall_reason"],
        recalled_at=batch["recalled_at"],
        customers=customers,
        acknowledged_share=acknowledged_share(customers),
        scans_after_recall=[ScanDay(day=s["day"], scans=s["scans"]) for s in scans],
    )


async def recall_facts(conn: asyncpg.Connection, batch_id: UUID) -> asyncpg.Record:
    """The batch's code, lot, unit, product and producer, as a recall notice names them."""
    facts = await conn.fetchrow(_FACTS, batch_id)
    if facts is None:
        raise NotFound("batch")
    return facts
