"""SQL for shipments: the batch locked for a new one, the quantity already shipped, the
forward (batch → customers) and backward (customer → batches) lists."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.shipments import Shipment, ShipmentCreate
from service.accounts.network.scope import is_network
from service.batches.transitions import visible_to
from service.core.auth import AuthUser
from service.core.pagination import page_clause

_SHIPMENT = """
SELECT s.*, b.code AS batch_code, b.lot, p.name AS product_name, c.name AS customer_name,
       c.country AS customer_country,
       CASE WHEN s.cancelled_at IS NULL THEN 'shipped' ELSE 'cancelled' END AS status
FROM shipments s
JOIN batches b ON b.id = s.batch_id
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN customers c ON c.id = s.customer_id
"""

# the batch as shipping needs it, locked: every shipment of one batch queues behind this lock,
# so the quantity rule below sees every shipment committed before it
_BATCH_FOR_SHIPPING = """
SELECT b.id, b.status, b.quantity, b.unit, b.producer_id, b.released_at,
       r.quantity_received,
       (SELECT count(*) FROM label_serials s WHERE s.batch_id = b.id) AS serials_issued
FROM batches b
LEFT JOIN receipts r ON r.batch_id = b.id
WHERE b.id = $1 AND {visible}
FOR UPDATE OF b
"""


def shipments_visible_to(user: AuthUser, args: list[Any]) -> str:
    """SQL condition: the shipments `user` may read (a producer its own, a regulator or an
    admin all of them); appends its parameter to `args`. A market network reads none: it sees
    shipments only as counts by market and month, never whom they went to (SPEC §13.4)."""
    if user.role in ("admin", "regulator"):
        return "TRUE"
    if is_network(user):
        return "FALSE"
    args.append(user.organization_id)
    return f"s.producer_id = ${len(args)}"


def to_shipment(row: asyncpg.Record) -> Shipment:
    return msgspec.convert(dict(row), Shipment)


async def batch_for_shipping(
    conn: asyncpg.Connection, batch_id: UUID, user: AuthUser
) -> asyncpg.Record | None:
    args: list[Any] = [batch_id]
    visible = visible_to(user, args)
    return await conn.fetchrow(_BATCH_FOR_SHIPPING.format(visible=visible), *args)


async def lock_batch(conn: asyncpg.Connection, batch_id: UUID) -> str:
    """Take the batch row's lock, as shipping does, before changing one of its shipments;
    returns the batch's status under that lock."""
    status: str = await conn.fetchval(
        "SELECT status FROM batches WHERE id = $1 FOR UPDATE", batch_id
    )
    return status


async def batch_status(conn: asyncpg.Connection, batch_id: UUID) -> str:
    status: str = await conn.fetchval("SELECT status FROM batches WHERE id = $1", batch_id)
    return status


async def shipped_quantity(conn: asyncpg.Connection, batch_id: UUID) -> float:
    """What the batch's shipments that are not cancelled add up to, summed as decimals (ten
    shipments of 0.1 kg are 1 kg, not 0.9999999999999999)."""
    total: float = await conn.fetchval(
        """SELECT COALESCE(sum(quantity::numeric), 0)::float8 FROM shipments
           WHERE batch_id = $1 AND cancelled_at IS NULL""",
        batch_id,
    )
    return total


async def overlapping_range(
    conn: asyncpg.Connection, batch_id: UUID, serial_from: int, serial_to: int
) -> asyncpg.Record | None:
    """A shipment not cancelled whose serial positions meet [serial_from, serial_to]."""
    return await conn.fetchrow(
        """SELECT id, serial_from, serial_to FROM shipments
           WHERE batch_id = $1 AND cancelled_at IS NULL
             AND serial_from <= $3 AND serial_to >= $2
           ORDER BY serial_from LIMIT 1""",
        batch_id,
        serial_from,
        serial_to,
    )


async def insert_shipment(
    conn: asyncpg.Connection,
    batch_id: UUID,
    producer_id: UUID,
    user: AuthUser,
    data: ShipmentCreate,
    market: str,
) -> Shipment:
    new_id: UUID = await conn.fetchval(
        """INSERT INTO shipments (batch_id, producer_id, customer_id, shipped_at, quantity, unit,
                                  document_no, market, serial_from, serial_to, created_by,
                                  created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, clock_timestamp())
           RETURNING id""",
        batch_id,
        producer_id,
        data.customer_id,
        data.shipped_at,
        data.quantity,
        data.unit,
        data.document_no,
        market,
        data.serial_from,
        data.serial_to,
        user.id,
    )
    row = await conn.fetchrow(_SHIPMENT + "WHERE s.id = $1", new_id)
    return to_shipment(row)


async def get_shipment(
    conn: asyncpg.Connection, shipment_id: UUID, user: AuthUser
) -> Shipment | None:
    args: list[Any] = [shipment_id]
    visible = shipments_visible_to(user, args)
    row = await conn.fetchrow(_SHIPMENT + f"WHERE s.id = $1 AND {visible}", *args)
    return to_shipment(row) if row else None


async def cancel_shipment(
    conn: asyncpg.Connection, shipment_id: UUID, user: AuthUser, reason: str
) -> Shipment | None:
    """Cancel a shipment in one statement guarded by its not being cancelled yet; None if it
    was (of two concurrent cancels one wins)."""
    cancelled = await conn.fetchval(
        """UPDATE shipments SET cancelled_at = clock_timestamp(), cancelled_by = $2,
                  cancel_reason = $3
           WHERE id = $1 AND cancelled_at IS NULL RETURNING id""",
        shipment_id,
        user.id,
        reason,
    )
    if cancelled is None:
        return None
    row = await conn.fetchrow(_SHIPMENT + "WHERE s.id = $1", shipment_id)
    return to_shipment(row)


async def list_shipments(
    conn: asyncpg.Connection,
    user: AuthUser,
    *,
    batch_id: UUID | None = None,
    customer_id: UUID | None = None,
    limit: int,
    cursor: str | None,
) -> list[asyncpg.Record]:
    """A batch's shipments (forward) or a customer's (backward), newest first; `limit + 1`
    rows at most (see pagination.next_cursor)."""
    args: list[Any] = [limit + 1, batch_id, customer_id]
    visible = shipments_visible_to(user, args)
    after = page_clause(cursor, args, alias="s")
    return await conn.fetch(
        _SHIPMENT
        + f"""WHERE ($2::uuid IS NULL OR s.batch_id = $2)
                AND ($3::uuid IS NULL OR s.customer_id = $3)
                AND {visible} AND {after}
              ORDER BY s.created_at DESC, s.id DESC LIMIT $1""",
        *args,
    )
