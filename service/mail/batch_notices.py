"""A producer's people are told by email when their batch is received, released or rejected
(SPEC §13.2): one notice per user of the producing organization who has an email, is not
disabled and has batch notices on, in that user's language, written in the transaction of the
batch's step."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import asyncpg

from service.mail.outbox import NoticeKind, enqueue_notice

BatchStep = Literal["received", "released", "rejected"]
_KINDS: dict[BatchStep, NoticeKind] = {
    "received": "batch_received",
    "released": "batch_released",
    "rejected": "batch_rejected",
}

# the batch's facts as they stand at this step (the producer's own words: its product and lot)
_RECIPIENTS = """
SELECT u.id AS user_id, u.email, u.name, u.language,
       b.code, b.lot, b.best_before, b.reject_reason, p.name AS product
FROM batches b
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN users u ON u.organization_id = b.producer_id
WHERE b.id = $1 AND u.role = 'producer' AND u.email IS NOT NULL AND u.disabled_at IS NULL
  AND u.batch_notices
ORDER BY u.created_at, u.id
"""


async def notify_batch_step(conn: asyncpg.Connection, batch_id: UUID, step: BatchStep) -> int:
    """Write the step's notice for each of the producer's users who wants one, in the caller's
    transaction (after the batch row is moved, so the facts are the new ones); returns how many
    were written."""
    rows = await conn.fetch(_RECIPIENTS, batch_id)
    for row in rows:
        params = {
            "batch_id": str(batch_id),
            "name": row["name"],
            "code": row["code"],
            "lot": row["lot"],
            "product": row["product"],
        }
        if step == "released" and row["best_before"] is not None:
            params["best_before"] = row["best_before"].isoformat()
        if step == "rejected":
            params["reason"] = row["reject_reason"] or ""
        await enqueue_notice(
            conn,
            _KINDS[step],
            row["email"],
            row["language"],
            params,
            user_id=row["user_id"],
            batch_id=batch_id,
        )
    return len(rows)
