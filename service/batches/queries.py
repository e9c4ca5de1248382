"""SQL for batches: registration, lists, and the whole record of one batch."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from labels.codes import random_code
from schemas.batches import Batch, BatchCreate, BatchRecord
from service.batches.transitions import visible_to
from service.core.auth import AuthUser
from service.core.pagination import page_clause

BATCH_COLUMNS = (
    "id, code, status, product_id, producer_id, facility_id, lot, production_date, quantity, "
    "unit, best_before, created_at, updated_at"
)

_INSERT_BATCH = f"""
INSERT INTO batches (code, product_id, producer_id, facility_id, lot, production_date, quantity,
                     unit, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
ON CONFLICT ON CONSTRAINT batches_code_key DO NOTHING
RETURNING {BATCH_COLUMNS}
"""


def to_batch(row: asyncpg.Record) -> Batch:
    return msgspec.convert(dict(row), Batch)


async def registration_refs(
    conn: asyncpg.Connection, product_id: UUID, facility_id: UUID
) -> asyncpg.Record:
    """Who owns the product and whether the facility is one, in one round trip."""
    row = await conn.fetchrow(
        """SELECT (SELECT organization_id FROM products WHERE id = $1) AS product_owner,
                  (SELECT kind FROM organizations WHERE id = $2) AS facility_kind""",
        product_id,
        facility_id,
    )
    assert row is not None
    return row


async def insert_batch(
    conn: asyncpg.Connection, data: BatchCreate, *, producer_id: UUID, user_id: UUID, at: datetime
) -> asyncpg.Record:
    """Insert with a fresh random code; a (vanishingly rare) clash of codes just draws again."""
    for _ in range(5):
        row = await conn.fetchrow(
            _INSERT_BATCH,
            random_code(10),
            data.product_id,
            producer_id,
            data.facility_id,
            data.lot,
            data.production_date,
            data.quantity,
            data.unit,
            user_id,
            at,
        )
        if row is not None:
            return row
    raise RuntimeError("five random batch codes in a row were taken")  # 32^10 codes: never


async def list_batches(
    conn: asyncpg.Connection,
    user: AuthUser,
    *,
    status: str | None,
    product_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> list[asyncpg.Record]:
    args: list[Any] = [limit + 1, status, product_id]
    visible = visible_to(user, args)
    after = page_clause(cursor, args, alias="b")
    return await conn.fetch(
        f"""SELECT {BATCH_COLUMNS} FROM batches b
            WHERE {visible} AND {after}
              AND ($2::text IS NULL OR b.status = $2) AND ($3::uuid IS NULL OR b.product_id = $3)
            ORDER BY b.created_at DESC, b.id DESC LIMIT $1""",
        *args,
    )


def _actor(alias: str) -> str:
    return (
        f"CASE WHEN {alias}.id IS NULL THEN NULL ELSE jsonb_build_object("
        f"'id', {alias}.id, 'name', {alias}.name, 'role', {alias}.role) END"
    )


def _organization(column: str) -> str:
    return f"""(SELECT jsonb_build_object('id', o.id, 'name', o.name, 'address', o.address,
                       'city', o.city, 'province', o.province)
                FROM organizations o WHERE o.id = b.{column})"""


# Everything about one batch in one round trip; nested parts come back as jsonb.
_RECORD = f"""
SELECT b.*,
    (SELECT to_jsonb(x) FROM (
        SELECT p.*, fcp.max_dose_kgy AS legal_max_dose_kgy FROM products p
        JOIN food_category_purposes fcp ON fcp.category = p.category AND fcp.purpose = p.purpose
        WHERE p.id = b.product_id) x) AS product,
    {_organization("producer_id")} AS producer,
    {_organization("facility_id")} AS facility,
    (SELECT to_jsonb(r) || jsonb_build_object('received_by', {_actor("u")})
        FROM receipts r JOIN users u ON u.id = r.received_by WHERE r.batch_id = b.id) AS receipt,
    (SELECT to_jsonb(t) || jsonb_build_object(
            'recorded_by', {_actor("u")},
            'irradiator', jsonb_build_object('id', i.id, 'name', i.name,
                                             'source_type', i.source_type),
            'dosimeters', COALESCE((SELECT jsonb_agg(to_jsonb(d) ORDER BY d.ordinal)
                                    FROM dosimeters d WHERE d.batch_id = b.id), '[]'::jsonb))
        FROM treatments t JOIN users u ON u.id = t.recorded_by
        JOIN irradiators i ON i.id = t.irradiator_id
        WHERE t.batch_id = b.id) AS treatment,
    {_actor("released")} AS released_by_actor,
    {_actor("rejected")} AS rejected_by_actor,
    {_actor("recalled")} AS recalled_by_actor,
    (SELECT count(*) FROM label_serials s WHERE s.batch_id = b.id) AS serials_issued
FROM batches b
LEFT JOIN users released ON released.id = b.released_by
LEFT JOIN users rejected ON rejected.id = b.rejected_by
LEFT JOIN users recalled ON recalled.id = b.recalled_by
"""


async def batch_record(
    conn: asyncpg.Connection, batch_id: UUID, user: AuthUser
) -> BatchRecord | None:
    args: list[Any] = [batch_id]
    visible = visible_to(user, args)
    row = await conn.fetchrow(_RECORD + f"WHERE b.id = $1 AND {visible}", *args)
    if row is None:
        return None
    b = dict(row)

    def decision(actor: str, at: str, reason: str | None = None) -> dict[str, Any] | None:
        if b[at] is None:
            return None
        return {"by": b[actor], "at": b[at], "reason": b[reason] if reason else None}

    record = b | {
        "release": decision("released_by_actor", "released_at"),
        "rejection": decision("rejected_by_actor", "rejected_at", "reject_reason"),
        "recall": decision("recalled_by_actor", "recalled_at", "recall_reason"),
        "labels": {"serials_issued": b["serials_issued"]},
    }
    return msgspec.convert(record, BatchRecord)
