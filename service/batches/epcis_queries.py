"""SQL for EPCIS: the exportable audit events of batches, with the facts their events carry."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.exceptions import ValidationException

from service.batches.epcis import EXPORTED_KINDS, BatchStep, TreatmentFacts
from service.batches.transitions import visible_to
from service.core.auth import AuthUser

# One row per exported audit event. The quantity is the batch's until the facility counts it on
# receipt; the serials are those issued by the event's time, so an event never changes later.
_STEPS = """
SELECT e.batch_id, e.seq, e.kind, e.at, b.code, b.lot, p.gtin, b.unit, b.producer_id,
       b.facility_id,
       CASE WHEN e.kind = 'registered' THEN b.quantity
            ELSE COALESCE(r.quantity_received, b.quantity) END AS quantity,
       ARRAY(SELECT s.serial FROM label_serials s
             WHERE s.batch_id = e.batch_id AND s.issued_at <= e.at
             ORDER BY s.serial) AS serials,
       CASE WHEN e.kind = 'treated' THEN (
           SELECT jsonb_build_object(
               'started_at', t.started_at, 'ended_at', t.ended_at,
               'dosimeters', COALESCE((SELECT jsonb_agg(jsonb_build_object(
                                           'dosimeter_id', d.dosimeter_id,
                                           'dose_kgy', d.dose_kgy) ORDER BY d.ordinal)
                                       FROM dosimeters d WHERE d.batch_id = t.batch_id),
                                      '[]'::jsonb))
           FROM treatments t WHERE t.batch_id = e.batch_id) END AS treatment
FROM batch_events e
JOIN batches b ON b.id = e.batch_id
JOIN products p ON p.id = b.product_id
LEFT JOIN receipts r ON r.batch_id = b.id
WHERE e.kind = ANY($1::text[]) AND {where}
ORDER BY e.at, e.batch_id, e.seq
"""


class _Position(msgspec.Struct, array_like=True):
    at: datetime
    batch_id: UUID
    seq: int


def _encode_cursor(row: asyncpg.Record) -> str:
    raw = msgspec.json.encode(_Position(row["at"], row["batch_id"], row["seq"]))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(cursor: str) -> _Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=_Position)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ValidationException(
            "Invalid cursor.", extra=[{"key": "cursor", "message": "not a cursor this API issued"}]
        ) from None


def to_step(row: asyncpg.Record) -> BatchStep:
    treatment = row["treatment"]
    return BatchStep(
        batch_id=row["batch_id"],
        kind=row["kind"],
        at=row["at"],
        code=row["code"].strip(),
        lot=row["lot"],
        gtin14=row["gtin"],
        quantity=row["quantity"],
        unit=row["unit"],
        producer_id=row["producer_id"],
        facility_id=row["facility_id"],
        serials=[serial.strip() for serial in row["serials"]],
        treatment=None if treatment is None else msgspec.convert(treatment, TreatmentFacts),
    )


async def batch_steps(conn: asyncpg.Connection, batch_id: UUID) -> list[BatchStep]:
    """The exportable steps of one batch (its visibility checked by the caller), oldest first."""
    rows = await conn.fetch(_STEPS.format(where="e.batch_id = $2"), list(EXPORTED_KINDS), batch_id)
    return [to_step(r) for r in rows]


async def visible_steps(
    conn: asyncpg.Connection,
    user: AuthUser,
    *,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[BatchStep], str | None]:
    """Steps of every batch `user` may see with since <= at < until, oldest first, a page at a
    time; returns the page and the cursor of the next one (None on the last page)."""
    args: list[Any] = [list(EXPORTED_KINDS), since, until, limit + 1]
    conditions = [
        "($2::timestamptz IS NULL OR e.at >= $2)",
        "($3::timestamptz IS NULL OR e.at < $3)",
        visible_to(user, args),
    ]
    if cursor is not None:
        position = _decode_cursor(cursor)
        args.extend((position.at, position.batch_id, position.seq))
        n = len(args)
        conditions.append(f"(e.at, e.batch_id, e.seq) > (${n - 2}, ${n - 1}, ${n})")
    sql = _STEPS.format(where=" AND ".join(conditions)) + "LIMIT $4"
    rows = await conn.fetch(sql, *args)
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return [to_step(r) for r in rows[:limit]], next_cursor
