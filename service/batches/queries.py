"""SQL for batches: registration, lists, and the whole record of one batch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from labels.codes import random_code
from labels.gtin import normalize_gtin
from schemas.batches import Batch, BatchCreate, BatchRecord
from service.batches.events import GENESIS_HASH, sealed_event
from service.batches.transitions import visible_to
from service.core.auth import AuthUser
from service.core.errors import NotFound
from service.core.pagination import page_clause

BATCH_COLUMNS = (
    "id, code, status, product_id, product_version, producer_id, facility_id, lot, "
    "production_date, quantity, unit, best_before, created_at, updated_at"
)
_BATCH_FIELDS = BATCH_COLUMNS.split(", ")

# Registration in one statement (so one implicit transaction, one round trip): the checks that
# the product is the producer's and the facility is one, the batch row with the product's
# version it was checked against ($21), and its first event.
_REGISTER = f"""
WITH refs AS (
    SELECT (SELECT organization_id FROM products WHERE id = $3) = $4 AS product_is_theirs,
           (SELECT kind FROM organizations WHERE id = $5) = 'facility' AS is_facility
), batch AS (
    INSERT INTO batches (id, code, product_id, producer_id, facility_id, lot, production_date,
                         quantity, unit, created_by, created_at, updated_at, product_version)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $21::integer FROM refs
    WHERE refs.product_is_theirs AND refs.is_facility
    ON CONFLICT ON CONSTRAINT batches_code_key DO NOTHING
    RETURNING {BATCH_COLUMNS}
), event AS (
    INSERT INTO batch_events (batch_id, seq, kind, at, actor_id, actor_name, actor_role, data,
                              prev_hash, hash)
    SELECT batch.id, $12, $13, $14, $15, $16, $17, $18, $19, $20 FROM batch
)
SELECT refs.product_is_theirs, refs.is_facility, batch.* FROM refs LEFT JOIN batch ON TRUE
"""


def to_batch(row: asyncpg.Record) -> Batch:
    return msgspec.convert(dict(row), Batch)


async def register_batch(
    conn: asyncpg.Connection,
    data: BatchCreate,
    user: AuthUser,
    *,
    at: datetime,
    product_version: int | None,
) -> Batch:
    """Insert the batch with a fresh random code and its `registered` event; 404 when the
    product is not the producer's or the facility is not one. The batch keeps
    `product_version` (None: the product's current one). A clash of codes (1 in 2^50 per pair)
    just draws again."""
    for _ in range(5):
        batch_id, code = uuid4(), random_code(10)
        event = {"code": code} | msgspec.to_builtins(data)
        if product_version is not None:
            event["product_version"] = product_version
        sealed = sealed_event(batch_id, 1, GENESIS_HASH, "registered", user, event, at)
        row = await conn.fetchrow(
            _REGISTER,
            batch_id,
            code,
            data.product_id,
            user.organization_id,
            data.facility_id,
            data.lot,
            data.production_date,
            data.quantity,
            data.unit,
            user.id,
            at,
            *sealed[1:],
            product_version,
        )
        assert row is not None
        if not row["product_is_theirs"]:
            raise NotFound("product")
        if not row["is_facility"]:
            raise NotFound("facility")
        if row["id"] is not None:
            return msgspec.convert({k: row[k] for k in _BATCH_FIELDS}, Batch)
    raise RuntimeError("five random batch codes in a row were taken")  # 32^10 codes: never


async def lot_registered(
    conn: asyncpg.Connection, user: AuthUser, product_id: UUID, lot: str
) -> bool:
    """Whether the producer already registered this lot of this product (another producer's
    product answers no: its lots are not revealed)."""
    found: bool = await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM batches
                          WHERE product_id = $1 AND lot = $2 AND producer_id = $3)""",
        product_id,
        lot,
        user.organization_id,
    )
    return found


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
                       'city', o.city, 'province', o.province, 'country', o.country,
                       'licence_no', o.licence_no,
                       'licence_valid_until', o.licence_valid_until)
                FROM organizations o WHERE o.id = b.{column})"""


# Everything about one batch in one round trip; nested parts come back as jsonb.
_RECORD = f"""
SELECT b.*,
    (SELECT to_jsonb(x) FROM (
        SELECT p.*, fcp.max_dose_kgy AS legal_max_dose_kgy FROM versioned_products p
        JOIN food_category_purposes fcp ON fcp.category = p.category AND fcp.purpose = p.purpose
        WHERE p.id = b.product_id AND p.version = b.product_version) x) AS product,
    {_organization("producer_id")} AS producer,
    {_organization("facility_id")} AS facility,
    (SELECT to_jsonb(r) || jsonb_build_object('received_by', {_actor("u")})
        FROM receipts r JOIN users u ON u.id = r.received_by WHERE r.batch_id = b.id) AS receipt,
    (SELECT to_jsonb(t) || jsonb_build_object(
            'recorded_by', {_actor("u")},
            'irradiator', jsonb_build_object(
                'id', t.irradiator_id, 'name', t.irradiator_name,
                'source_type', t.irradiator_source_type,
                'activity_kci', t.irradiator_activity_kci,
                'max_energy_mev', t.irradiator_max_energy_mev),
            'dosimeters', COALESCE((SELECT jsonb_agg(to_jsonb(d) ORDER BY d.ordinal)
                                    FROM dosimeters d WHERE d.batch_id = b.id), '[]'::jsonb))
        FROM treatments t JOIN users u ON u.id = t.recorded_by
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


class BatchLine(msgspec.Struct, kw_only=True):
    """A batch as the console's lists show it: with its product's name."""

    id: UUID
    code: str
    status: str
    lot: str
    product_name: str
    producer_name: str
    production_date: date
    quantity: float
    unit: str
    best_before: date | None
    created_at: datetime


def _escape_like(text: str) -> str:
    """`text` for a LIKE pattern, its own \\, % and _ taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _gtin_typed(q: str) -> str | None:
    """The 14-digit GTIN a search for a barcode's digits means (spaces allowed), if it is one."""
    try:
        return normalize_gtin(q.replace(" ", ""))
    except ValueError:
        return None


async def _name_matches(
    conn: asyncpg.Connection, user: AuthUser, q: str
) -> tuple[list[UUID], list[UUID]]:
    """The products (by part of the name, or by GTIN) and the producers (by part of the name)
    that `q` names, among those the user may see: few rows, read before the batches so that
    the batch query is one indexable OR the planner can weigh (a sub-select in the OR made it
    read every visible batch when nothing matched)."""
    args: list[Any] = ["%" + _escape_like(q) + "%", _gtin_typed(q)]
    own = ""
    if user.role == "producer":
        args.append(user.organization_id)
        own = " AND p.organization_id = $3"
    producers = (
        "ARRAY[]::uuid[]"  # a producer sees its own batches only
        if user.role == "producer"
        else "ARRAY(SELECT id FROM organizations WHERE kind = 'producer' AND name ILIKE $1)"
    )
    row = await conn.fetchrow(
        # by any version's name: a batch keeps the name it was registered under
        f"""SELECT ARRAY(SELECT p.id FROM products p
                         WHERE (p.gtin = $2 OR EXISTS (
                                   SELECT 1 FROM product_versions v
                                   WHERE v.product_id = p.id AND v.name ILIKE $1)){own})
                       AS products,
                   {producers} AS producers""",
        *args,
    )
    assert row is not None
    return list(row["products"]), list(row["producers"])


async def search_batches(
    conn: asyncpg.Connection,
    user: AuthUser,
    *,
    status: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> list[BatchLine]:
    """Batches the user may see, newest first, filtered by status and by `q`: the start of a
    code or lot (any case), a part of the product's name, the product's GTIN (the digits under
    its barcode), or — for those who see other organizations' batches — a part of the
    producer's name. `limit + 1` rows, so the caller can tell there are more.

    Prefixes, not substrings, for codes and lots: each arm of the OR then has its own index
    (migration 0050) and a search costs what it finds, not the size of the producer's history.
    Product and producer names are few beside batches, so those are matched first
    (`_name_matches`) and the batches found by their ids."""
    args: list[Any] = [limit + 1, status]
    matches = "TRUE"
    if q:
        args.append(_escape_like(q.upper()) + "%")
        arms = ["upper(b.lot) LIKE $3", "b.code LIKE $3"]
        products, producers = await _name_matches(conn, user, q)
        if products:
            args.append(products)
            arms.append(f"b.product_id = ANY(${len(args)}::uuid[])")
        if producers:
            args.append(producers)
            arms.append(f"b.producer_id = ANY(${len(args)}::uuid[])")
        matches = "(" + " OR ".join(arms) + ")"
    visible = visible_to(user, args)
    after = page_clause(cursor, args, alias="b")
    query = f"""SELECT b.id, b.code, b.status, b.lot, p.name AS product_name,
                   producer.name AS producer_name, b.production_date, b.quantity, b.unit,
                   b.best_before, b.created_at
            FROM batches b
            JOIN product_versions p
              ON p.product_id = b.product_id AND p.version = b.product_version
            JOIN organizations producer ON producer.id = b.producer_id
            WHERE {visible} AND {after} AND {matches}
              AND ($2::text IS NULL OR b.status = $2)
            ORDER BY b.created_at DESC, b.id DESC LIMIT $1"""
    if not q:
        rows = await conn.fetch(query, *args)
    else:
        # Planned for the prefix typed, never once for any: a generic plan cannot use the
        # prefix indexes (LIKE $3) and reads every visible batch when few match.
        async with conn.transaction():
            await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            rows = await conn.fetch(query, *args)
    return [msgspec.convert(dict(r), BatchLine) for r in rows]
