"""A recall that reaches the buyers (SPEC §13.2): when a batch is recalled, each customer that
received it (its non-cancelled shipments summed) gets a `recall_notice` by email, written in the
recall's transaction, with a link to acknowledge it (`/r/{token}`).

The link's token is random; only its SHA-256 is kept (`recall_notices`), and the token itself
travels sealed in the notice until it is sent, like a password-reset link. A customer without an
email still gets its row, so the recall page counts what it received."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg

from service.core.auth import hash_token
from service.mail.outbox import SECRET_CONTEXT, enqueue_notice
from service.webhooks.keys import SecretBox

ACK_LIFETIME = timedelta(days=90)
ACK_PATH = "/r/"

# one row per customer: what it received of the batch, with the facts its notice names
_RECEIVERS = """
SELECT c.id AS customer_id, c.name, c.email, c.country,
       sum(s.quantity::numeric)::float8 AS quantity, b.unit,
       b.code, b.lot, p.name AS product, o.name AS producer
FROM shipments s
JOIN customers c ON c.id = s.customer_id
JOIN batches b ON b.id = s.batch_id
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations o ON o.id = b.producer_id
WHERE s.batch_id = $1 AND s.cancelled_at IS NULL
GROUP BY c.id, b.id, p.name, o.id
ORDER BY c.name, c.id
"""

_INSERT = """
INSERT INTO recall_notices (batch_id, customer_id, quantity, unit, notice_id, token_sha256,
                            expires_at)
VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp() + make_interval(days => $7))
"""


@dataclass(frozen=True, slots=True)
class Receiver:
    """A customer that received the recalled batch, and how much of it."""

    customer_id: UUID
    name: str
    quantity: float
    unit: str

    def as_json(self) -> dict[str, Any]:
        return {
            "customer_id": str(self.customer_id),
            "name": self.name,
            "quantity": self.quantity,
            "unit": self.unit,
        }


def notice_language(country: str) -> str:
    """Customers at home read Bahasa Indonesia, everyone else English."""
    return "id" if country == "ID" else "en"


async def notify_recall(
    conn: asyncpg.Connection, batch_id: UUID, reason: str, box: SecretBox
) -> list[Receiver]:
    """Write each receiving customer's row and, when it has an email, its notice, in the
    caller's transaction (the recall's); returns the customers."""
    rows = await conn.fetch(_RECEIVERS, batch_id)
    receivers = []
    for row in rows:
        token = secrets.token_urlsafe(32)
        notice_id = None
        if row["email"]:
            notice_id = await enqueue_notice(
                conn,
                "recall_notice",
                row["email"],
                notice_language(row["country"]),
                {
                    "batch_id": str(batch_id),
                    "customer": row["name"],
                    "producer": row["producer"],
                    "code": row["code"],
                    "lot": row["lot"],
                    "product": row["product"],
                    "quantity": row["quantity"],
                    "unit": row["unit"],
                    "reason": reason,
                },
                batch_id=batch_id,
                secret_sealed=box.seal(token.encode(), SECRET_CONTEXT),
            )
        await conn.execute(
            _INSERT,
            batch_id,
            row["customer_id"],
            row["quantity"],
            row["unit"],
            notice_id,
            hash_token(token),
            ACK_LIFETIME.days,
        )
        receivers.append(Receiver(row["customer_id"], row["name"], row["quantity"], row["unit"]))
    return receivers


# what the acknowledgement page shows, for a link that still works
_NOTICE_OF_LINK = """
SELECT r.id, r.quantity, r.unit, r.acknowledged_at, c.name AS customer, c.country, b.code, b.lot,
       b.recall_reason AS reason, p.name AS product, o.name AS producer
FROM recall_notices r
JOIN customers c ON c.id = r.customer_id
JOIN batches b ON b.id = r.batch_id
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations o ON o.id = b.producer_id
WHERE r.token_sha256 = $1 AND r.expires_at > clock_timestamp()
"""

# once: a second click (or a resent form) leaves the first time as it is
_ACKNOWLEDGE = """
UPDATE recall_notices SET acknowledged_at = clock_timestamp()
WHERE token_sha256 = $1 AND expires_at > clock_timestamp() AND acknowledged_at IS NULL
"""


async def notice_by_token(conn: asyncpg.Connection, token: str) -> asyncpg.Record | None:
    """The recall notice an acknowledgement link names, or None (unknown, or past 90 days)."""
    row: asyncpg.Record | None = await conn.fetchrow(_NOTICE_OF_LINK, hash_token(token))
    return row


async def acknowledge(conn: asyncpg.Connection, token: str) -> asyncpg.Record | None:
    """Record the acknowledgement the first time; returns the notice as it now stands, or None
    for a link that does not work."""
    await conn.execute(_ACKNOWLEDGE, hash_token(token))
    return await notice_by_token(conn, token)
