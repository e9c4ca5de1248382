"""The facility's two work queues: batches on their way in (registered for this facility) and
treated batches waiting for QA. Oldest first: what has waited longest is done first."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import JAKARTA

QUEUE_LENGTH = 50  # a facility works through a few dozen a day; the rest waits its turn


class IncomingBatch(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    lot: str
    product_name: str
    producer_name: str
    quantity: float
    unit: str
    production_date: date
    registered_at: datetime
    days_waiting: int


class TreatedBatch(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    lot: str
    product_name: str
    producer_name: str
    run_id: str
    dose_min_kgy: float
    dose_max_kgy: float
    conforming: bool
    nonconformities: list[str]
    recorded_by_id: UUID
    recorded_by_name: str
    recorded_at: datetime


class Queue(msgspec.Struct, kw_only=True):
    total: int
    incoming: list[IncomingBatch] = []
    treated: list[TreatedBatch] = []


def _days_since(moment: datetime, today: date) -> int:
    return (today - moment.astimezone(JAKARTA).date()).days


async def incoming_queue(conn: asyncpg.Connection, facility_id: UUID, today: date) -> Queue:
    """Registered batches sent to the facility, oldest first, with how many days each waited."""
    rows = await conn.fetch(
        """SELECT b.id, b.code, b.lot, b.quantity, b.unit, b.production_date, b.created_at,
                  p.name AS product_name, o.name AS producer_name,
                  count(*) OVER () AS total
           FROM batches b
           JOIN product_versions p
             ON p.product_id = b.product_id AND p.version = b.product_version
           JOIN organizations o ON o.id = b.producer_id
           WHERE b.facility_id = $1 AND b.status = 'registered'
           ORDER BY b.created_at, b.id LIMIT $2""",
        facility_id,
        QUEUE_LENGTH,
    )
    return Queue(
        total=rows[0]["total"] if rows else 0,
        incoming=[
            IncomingBatch(
                id=r["id"],
                code=r["code"],
                lot=r["lot"],
                product_name=r["product_name"],
                producer_name=r["producer_name"],
                quantity=r["quantity"],
                unit=r["unit"],
                production_date=r["production_date"],
                registered_at=r["created_at"],
                days_waiting=_days_since(r["created_at"], today),
            )
            for r in rows
        ],
    )


async def review_queue(conn: asyncpg.Connection, facility_id: UUID) -> Queue:
    """Treated batches of the facility waiting for a QA decision, longest-waiting first."""
    rows = await conn.fetch(
        """SELECT b.id, b.code, b.lot, p.name AS product_name, o.name AS producer_name,
                  t.run_id, t.dose_min_kgy, t.dose_max_kgy, t.conforming, t.nonconformities,
                  t.recorded_by AS recorded_by_id, u.name AS recorded_by_name, t.recorded_at,
                  count(*) OVER () AS total
           FROM batches b
           JOIN treatments t ON t.batch_id = b.id
           JOIN users u ON u.id = t.recorded_by
           JOIN product_versions p
             ON p.product_id = b.product_id AND p.version = b.product_version
           JOIN organizations o ON o.id = b.producer_id
           WHERE b.facility_id = $1 AND b.status = 'treated'
           ORDER BY t.recorded_at, b.id LIMIT $2""",
        facility_id,
        QUEUE_LENGTH,
    )
    total = rows[0]["total"] if rows else 0
    treated = [
        msgspec.convert({k: v for k, v in dict(r).items() if k != "total"}, TreatedBatch)
        for r in rows
    ]
    return Queue(total=total, treated=treated)
