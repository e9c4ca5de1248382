"""SQL for EPCIS: the exportable audit events of batches, with the facts their events carry.

A shipment enters through the batch's own audit log: shipping appends a `shipped` event and a
cancellation a `shipment_cancelled` one (service/batches/shipments/shipping.py), so its rows are
two more positions of its batch, its recording and, when it is cancelled, its cancellation,
each read with the shipment's row (`events.ShipmentStep`, the steps `events.shipment_steps`
gives). Both endpoints read one query ordered by the audit event's time, which is each event's
`recordTime`: the events query pages by it, (time, batch, position) being the cursor, and a
batch's document lists the same events with the same times.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.exceptions import ValidationException

from service.batches.epcis.events import (
    EXPORTED_KINDS,
    BatchStep,
    EpcisStep,
    ShipmentFacts,
    ShipmentStep,
    TreatmentFacts,
)
from service.batches.epcis.identifiers import Party
from service.batches.shipments.queries import shipments_visible_to
from service.batches.transitions import visible_to
from service.core.auth import AuthUser

# One row per exported audit event. The quantity is the batch's until the facility counts it on
# receipt; the serials are those issued by the event's record time, so an event never changes
# later. `happened_at` is when the step took place in the world (a receipt is dated by the
# facility, a treatment ends before it is recorded), `e.at` when Radura recorded it.
_STEPS = """
SELECT e.batch_id, e.seq, e.kind, e.at,
       COALESCE(CASE e.kind WHEN 'registered' THEN b.created_at
                            WHEN 'received' THEN r.received_at
                            WHEN 'treated' THEN t.ended_at
                            WHEN 'released' THEN b.released_at
                            WHEN 'rejected' THEN b.rejected_at
                            WHEN 'recalled' THEN b.recalled_at END, e.at) AS happened_at,
       b.code, b.lot, p.gtin, b.unit, b.producer_id, producer.gln AS producer_gln,
       b.facility_id, facility.gln AS facility_gln,
       CASE WHEN e.kind = 'registered' THEN b.quantity
            ELSE COALESCE(r.quantity_received, b.quantity) END AS quantity,
       CASE WHEN s.id IS NULL THEN
           ARRAY(SELECT ls.serial FROM label_serials ls
                 WHERE ls.batch_id = e.batch_id AND ls.issued_at <= e.at
                 ORDER BY ls.serial) END AS serials,
       CASE WHEN e.kind = 'treated' THEN jsonb_build_object(
           'started_at', t.started_at, 'ended_at', t.ended_at,
           'dosimeters', COALESCE((SELECT jsonb_agg(jsonb_build_object(
                                       'dosimeter_id', d.dosimeter_id,
                                       'dose_kgy', d.dose_kgy) ORDER BY d.ordinal)
                                   FROM dosimeters d WHERE d.batch_id = t.batch_id),
                                  '[]'::jsonb)) END AS treatment,
       s.id AS shipment_id, s.shipped_at, s.created_at AS shipment_recorded_at,
       s.quantity AS shipment_quantity, s.customer_id, customer.gln AS customer_gln,
       s.cancel_reason,
       -- a shipped range: its positions in issue order, counted from 0 as labels.pdf counts
       CASE WHEN s.serial_from IS NOT NULL THEN
           ARRAY(SELECT ls.serial FROM label_serials ls WHERE ls.batch_id = s.batch_id
                 ORDER BY ls.issued_at, ls.serial
                 OFFSET s.serial_from LIMIT s.serial_to - s.serial_from + 1) END AS shipped_serials
FROM batch_events e
JOIN batches b ON b.id = e.batch_id
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations producer ON producer.id = b.producer_id
JOIN organizations facility ON facility.id = b.facility_id
LEFT JOIN receipts r ON r.batch_id = b.id
LEFT JOIN treatments t ON t.batch_id = b.id
LEFT JOIN shipments s ON e.kind IN ('shipped', 'shipment_cancelled')
                     AND s.id = (e.data->>'shipment_id')::uuid
LEFT JOIN customers customer ON customer.id = s.customer_id
WHERE (e.kind = ANY($1::text[]) OR (s.id IS NOT NULL AND {shipments})) AND {where}
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


def _batch_step(row: asyncpg.Record) -> BatchStep:
    treatment = row["treatment"]
    return BatchStep(
        batch_id=row["batch_id"],
        kind=row["kind"],
        happened_at=row["happened_at"],
        recorded_at=row["at"],
        code=row["code"].strip(),
        lot=row["lot"],
        gtin14=row["gtin"],
        quantity=row["quantity"],
        unit=row["unit"],
        producer=Party(id=row["producer_id"], gln=row["producer_gln"]),
        facility=Party(id=row["facility_id"], gln=row["facility_gln"]),
        serials=[serial.strip() for serial in row["serials"]],
        treatment=None if treatment is None else msgspec.convert(treatment, TreatmentFacts),
    )


def _shipment_step(row: asyncpg.Record) -> ShipmentStep:
    """A `shipped` row is the shipping as recorded; a `shipment_cancelled` row its
    cancellation, recorded (and declared) when the audit log took it."""
    cancellation = row["kind"] == "shipment_cancelled"
    facts = ShipmentFacts(
        shipment_id=row["shipment_id"],
        batch_id=row["batch_id"],
        shipped_at=row["shipped_at"],
        recorded_at=row["shipment_recorded_at"] if cancellation else row["at"],
        quantity=row["shipment_quantity"],
        unit=row["unit"],
        code=row["code"].strip(),
        lot=row["lot"],
        gtin14=row["gtin"],
        serials=[serial.strip() for serial in row["shipped_serials"] or []],
        source=Party(id=row["producer_id"], gln=row["producer_gln"]),
        destination=Party(id=row["customer_id"], gln=row["customer_gln"], kind="customer"),
        cancelled_at=row["at"] if cancellation else None,
        cancel_reason=row["cancel_reason"] if cancellation else None,
    )
    return ShipmentStep(shipment=facts, cancellation=cancellation)


def to_step(row: asyncpg.Record) -> EpcisStep:
    return _batch_step(row) if row["shipment_id"] is None else _shipment_step(row)


async def batch_steps(conn: asyncpg.Connection, user: AuthUser, batch_id: UUID) -> list[EpcisStep]:
    """The exportable steps of one batch (its visibility checked by the caller) and of the
    shipments `user` may read, oldest first."""
    args: list[Any] = [list(EXPORTED_KINDS), batch_id]
    shipments = shipments_visible_to(user, args)
    sql = _STEPS.format(where="e.batch_id = $2", shipments=shipments)
    return [to_step(r) for r in await conn.fetch(sql, *args)]


async def visible_steps(
    conn: asyncpg.Connection,
    user: AuthUser,
    *,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[EpcisStep], str | None]:
    """Steps of every batch `user` may see, and of the shipments it may read, with since <= at
    < until, oldest first, a page at a time; returns the page and the cursor of the next one
    (None on the last page)."""
    args: list[Any] = [list(EXPORTED_KINDS), since, until, limit + 1]
    conditions = [
        "($2::timestamptz IS NULL OR e.at >= $2)",
        "($3::timestamptz IS NULL OR e.at < $3)",
        visible_to(user, args),
    ]
    shipments = shipments_visible_to(user, args)
    if cursor is not None:
        position = _decode_cursor(cursor)
        args.extend((position.at, position.batch_id, position.seq))
        n = len(args)
        conditions.append(f"(e.at, e.batch_id, e.seq) > (${n - 2}, ${n - 1}, ${n})")
    sql = _STEPS.format(where=" AND ".join(conditions), shipments=shipments) + "LIMIT $4"
    rows = await conn.fetch(sql, *args)
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return [to_step(r) for r in rows[:limit]], next_cursor
