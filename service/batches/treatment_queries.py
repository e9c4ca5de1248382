"""SQL for the facility's records of a batch: receipt, treatment and its dosimeters."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from schemas.batches import ReceiptCreate, TreatmentCreate
from schemas.dose_maps import DoseMapUsed
from service.batches.doses import DoseVerdict


async def insert_receipt(
    conn: asyncpg.Connection, batch_id: UUID, data: ReceiptCreate, *, user_id: UUID
) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO receipts (batch_id, quantity_received, condition, notes, received_at,
                                 received_by)
           VALUES ($1, $2, $3, $4, COALESCE($5, clock_timestamp()), $6) RETURNING *""",
        batch_id,
        data.quantity_received,
        data.condition,
        data.notes,
        data.received_at,
        user_id,
    )
    assert row is not None
    return row


async def received_at(conn: asyncpg.Connection, batch_id: UUID) -> datetime:
    value: datetime | None = await conn.fetchval(
        "SELECT received_at FROM receipts WHERE batch_id = $1", batch_id
    )
    assert value is not None  # a received batch has its receipt (same transaction as the move)
    return value


async def irradiator(conn: asyncpg.Connection, irradiator_id: UUID) -> asyncpg.Record | None:
    """The irradiator with its facility's licence, which the treatment keeps."""
    return await conn.fetchrow(
        """SELECT i.id, i.facility_id, i.name, i.source_type, o.licence_no, o.licence_valid_until
           FROM irradiators i JOIN organizations o ON o.id = i.facility_id WHERE i.id = $1""",
        irradiator_id,
    )


async def product_limits(conn: asyncpg.Connection, product_id: UUID) -> asyncpg.Record:
    """The product row with the legal maximum and typical minimum of its (category, purpose)."""
    row = await conn.fetchrow(
        """SELECT p.*, fcp.max_dose_kgy AS legal_max_dose_kgy, fcp.typical_min_dose_kgy
           FROM products p
           JOIN food_category_purposes fcp
             ON fcp.category = p.category AND fcp.purpose = p.purpose
           WHERE p.id = $1""",
        product_id,
    )
    assert row is not None  # a batch's product always exists (foreign key)
    return row


async def insert_treatment(
    conn: asyncpg.Connection,
    batch_id: UUID,
    data: TreatmentCreate,
    verdict: DoseVerdict,
    *,
    dose_map: DoseMapUsed | None,
    irradiator: asyncpg.Record,
    product_min_dose_kgy: float,
    legal_max_dose_kgy: float,
    user_id: UUID,
) -> asyncpg.Record:
    """The treatment and its dosimeters; the primary key on batch_id forbids a second one."""
    row = await conn.fetchrow(
        """INSERT INTO treatments (batch_id, irradiator_id, run_id, started_at, ended_at, passes,
               dwell_time_s, conveyor_speed_m_min, product_temp_c, atmosphere, pq_ref,
               dose_min_kgy, dose_max_kgy, dur, legal_max_dose_kgy, product_min_dose_kgy,
               conforming, nonconformities, recorded_by, dose_map_id, dose_map,
               expanded_uncertainty_pct, dose_min_corrected_kgy, dose_max_corrected_kgy,
               facility_licence_no, facility_licence_valid_until)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22, $23, $24, $25, $26)
           RETURNING *""",
        batch_id,
        data.irradiator_id,
        data.run_id,
        data.started_at,
        data.ended_at,
        data.passes,
        data.dwell_time_s,
        data.conveyor_speed_m_min,
        data.product_temp_c,
        data.atmosphere,
        data.pq_ref,
        verdict.dose_min_kgy,
        verdict.dose_max_kgy,
        verdict.dur,
        legal_max_dose_kgy,
        product_min_dose_kgy,
        verdict.conforming,
        verdict.nonconformities,
        user_id,
        dose_map.id if dose_map else None,
        dose_map,
        verdict.expanded_uncertainty_pct,
        verdict.dose_min_corrected_kgy,
        verdict.dose_max_corrected_kgy,
        irradiator["licence_no"],
        irradiator["licence_valid_until"],
    )
    assert row is not None
    # one statement for all the readings, in the order they were given
    await conn.execute(
        """INSERT INTO dosimeters (batch_id, ordinal, dosimeter_id, type, position, dose_kgy,
                                   calibration_ref)
           SELECT $1, r.ordinal, r.dosimeter_id, r.type, r.position, r.dose_kgy, r.calibration_ref
           FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[])
                WITH ORDINALITY AS r(dosimeter_id, type, position, dose_kgy, calibration_ref,
                                     ordinal)""",
        batch_id,
        [d.dosimeter_id for d in data.dosimeters],
        [d.type for d in data.dosimeters],
        [d.position for d in data.dosimeters],
        [d.dose_kgy for d in data.dosimeters],
        [d.calibration_ref for d in data.dosimeters],
    )
    return row


async def treatment_of(conn: asyncpg.Connection, batch_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT recorded_by, conforming, nonconformities, dose_min_kgy, expanded_uncertainty_pct, "
        "ended_at, facility_licence_no, facility_licence_valid_until FROM treatments "
        "WHERE batch_id = $1",
        batch_id,
    )
