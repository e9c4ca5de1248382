"""SQL for the facility's records of a batch: receipt, treatment and its dosimeters."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from schemas.batches import ReceiptCreate, TreatmentCreate
from schemas.dose_maps import DoseMapUsed
from service.batches.treatment.doses import DoseVerdict


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
    """The irradiator with its facility's licence, both of which the treatment keeps."""
    return await conn.fetchrow(
        """SELECT i.id, i.facility_id, i.name, i.source_type, i.activity_kci, i.max_energy_mev,
                  o.licence_no, o.licence_valid_until
           FROM irradiators i JOIN organizations o ON o.id = i.facility_id WHERE i.id = $1""",
        irradiator_id,
    )


async def product_limits(conn: asyncpg.Connection, batch: asyncpg.Record) -> asyncpg.Record:
    """The batch's version of its product, with the legal maximum and typical minimum of its
    (category, purpose)."""
    row = await conn.fetchrow(
        """SELECT p.*, fcp.max_dose_kgy AS legal_max_dose_kgy, fcp.typical_min_dose_kgy
           FROM versioned_products p
           JOIN food_category_purposes fcp
             ON fcp.category = p.category AND fcp.purpose = p.purpose
           WHERE p.id = $1 AND p.version = $2""",
        batch["product_id"],
        batch["product_version"],
    )
    assert row is not None  # a batch's version always exists (foreign key)
    return row


async def licence_periods(conn: asyncpg.Connection, facility_id: UUID) -> list[asyncpg.Record]:
    """Every BAPETEN licence period the facility has held, latest end first."""
    return await conn.fetch(
        """SELECT licence_no, valid_from, valid_until FROM facility_licences
           WHERE facility_id = $1 ORDER BY valid_until DESC, recorded_at DESC""",
        facility_id,
    )


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
               facility_licence_no, facility_licence_valid_until, irradiator_name,
               irradiator_source_type, irradiator_activity_kci, irradiator_max_energy_mev)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)
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
        irradiator["name"],
        irradiator["source_type"],
        irradiator["activity_kci"],
        irradiator["max_energy_mev"],
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
