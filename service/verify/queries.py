"""SQL of public verification: a label's view with its scan tally, and a batch's scan statistics."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from service.webhooks.suspect import RECENT_CLIENT

# the serial's recent clients, newest first; `{column}` is the fingerprint or its time
_RECENT_CLIENTS = (
    "ARRAY(SELECT f.{column} FROM label_fingerprints f "
    "WHERE f.batch_id = {batch} AND f.serial = {serial} AND f." + RECENT_CLIENT + " "
    "ORDER BY f.last_seen DESC, f.fingerprint LIMIT $3)"
)

_SERIAL_OF_VIEW = {"batch": "b.id", "serial": "coalesce($2::text, '')"}
_VIEW_CLIENTS = _RECENT_CLIENTS.format(column="fingerprint", **_SERIAL_OF_VIEW)
_VIEW_CLIENTS_SEEN = _RECENT_CLIENTS.format(column="last_seen", **_SERIAL_OF_VIEW)
_TALLY_CLIENTS = _RECENT_CLIENTS.format(column="fingerprint", batch="$1", serial="$2")
_TALLY_CLIENTS_SEEN = _RECENT_CLIENTS.format(column="last_seen", batch="$1", serial="$2")

# Everything a scan shows, in one round trip: the batch, product, producer, facility and the
# treatment, whether the serial was issued, and the label's tally (count, and up to threshold + 1
# fingerprints of clients seen in the clone window, with when each was last seen). Outer joins:
# a batch that is not (yet) released has no treatment, and its scans are still logged as invalid.
_VIEW = f"""
SELECT b.id AS batch_id, b.code, b.lot, b.status, b.best_before, b.recall_reason, b.recalled_at,
       b.updated_at,
       coalesce((b.shelf_life ->> 'storage_temp_c')::float8, p.storage_temp_c) AS storage_temp_c,
       p.name AS product_name, p.category, fc.name_id AS category_name_id,
       fc.name_en AS category_name_en, p.registration_no, p.gtin, p.net_content, p.purpose,
       producer.name AS producer_name, producer.city AS producer_city,
       producer.phone AS producer_phone,
       facility.name AS facility_name, facility.address AS facility_address,
       facility.city AS facility_city, facility.country AS facility_country,
       to_char(t.ended_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM') AS irradiated_on,
       t.irradiator_source_type AS source_type, t.dose_min_kgy, t.dose_max_kgy,
       ($2::text IS NULL OR EXISTS (
           SELECT 1 FROM label_serials s WHERE s.batch_id = b.id AND s.serial = $2::text::bpchar
       )) AS serial_issued,
       tally.scan_count, tally.first_at,
       {_VIEW_CLIENTS} AS fingerprints, {_VIEW_CLIENTS_SEEN} AS fingerprints_seen
FROM batches b
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN food_categories fc ON fc.code = p.category
JOIN organizations producer ON producer.id = b.producer_id
JOIN organizations facility ON facility.id = b.facility_id
LEFT JOIN treatments t ON t.batch_id = b.id
LEFT JOIN label_scan_tallies tally
       ON tally.batch_id = b.id AND tally.serial = coalesce($2::text, '')
"""

VIEW_BY_CODE = _VIEW + "WHERE b.code = $1::bpchar"
VIEW_BY_GTIN_LOT = _VIEW + (
    "WHERE b.product_id = (SELECT id FROM products WHERE gtin = $1::bpchar) AND b.lot = $4"
)

TALLY = f"""
SELECT (SELECT scan_count FROM label_scan_tallies WHERE batch_id = $1 AND serial = $2),
       (SELECT first_at FROM label_scan_tallies WHERE batch_id = $1 AND serial = $2),
       {_TALLY_CLIENTS}, {_TALLY_CLIENTS_SEEN}
"""


async def fetch_view_by_code(
    conn: asyncpg.Connection | asyncpg.Pool, code: str, serial: str | None, threshold: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(VIEW_BY_CODE, code, serial, threshold + 1)


async def fetch_view_by_gtin_lot(
    conn: asyncpg.Connection | asyncpg.Pool,
    gtin14: str,
    lot: str,
    serial: str | None,
    threshold: int,
) -> asyncpg.Record | None:
    return await conn.fetchrow(VIEW_BY_GTIN_LOT, gtin14, serial, threshold + 1, lot)


# A GTIN's product for the GS1 resolver, and whether the named lot (if any) is recalled.
GTIN_ITEM = """
SELECT p.name AS product_name,
       EXISTS (SELECT 1 FROM batches b
               WHERE b.product_id = p.id AND b.lot = $2 AND b.status = 'recalled') AS recalled
FROM products p WHERE p.gtin = $1::bpchar
"""


# The product and producer of a GTIN, for an unsigned request; the newest recall of the lot it
# names, if any, so that a recall reaches even a shopper whose code carries no signature.
UNVERIFIED_ITEM = """
SELECT p.name AS product_name, p.category, fc.name_id AS category_name_id,
       fc.name_en AS category_name_en, p.registration_no, p.gtin,
       o.name AS producer_name, o.city AS producer_city, o.phone AS producer_phone,
       recall.recall_reason, recall.recalled_at
FROM products p
JOIN food_categories fc ON fc.code = p.category
JOIN organizations o ON o.id = p.organization_id
LEFT JOIN LATERAL (
    SELECT b.recall_reason, b.recalled_at FROM batches b
    WHERE b.product_id = p.id AND b.lot = $2 AND b.status = 'recalled'
    ORDER BY b.recalled_at DESC LIMIT 1
) recall ON true
WHERE p.gtin = $1::bpchar
ORDER BY p.created_at LIMIT 1
"""


async def fetch_unverified_item(
    conn: asyncpg.Connection | asyncpg.Pool, gtin14: str, lot: str | None
) -> asyncpg.Record | None:
    return await conn.fetchrow(UNVERIFIED_ITEM, gtin14, lot)


async def fetch_gtin_item(
    conn: asyncpg.Connection | asyncpg.Pool, gtin14: str, lot: str | None
) -> asyncpg.Record | None:
    return await conn.fetchrow(GTIN_ITEM, gtin14, lot)


async def fetch_tally(
    conn: asyncpg.Connection | asyncpg.Pool, batch_id: UUID, serial: str, threshold: int
) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(TALLY, batch_id, serial, threshold + 1)
    return row


async def batch_owner(conn: asyncpg.Connection, batch_id: UUID) -> UUID | None:
    owner: UUID | None = await conn.fetchval(
        "SELECT producer_id FROM batches WHERE id = $1", batch_id
    )
    return owner


async def scans_per_day(
    conn: asyncpg.Connection, batch_id: UUID, since: date | None, until: date | None
) -> list[asyncpg.Record]:
    """A batch's scans per day (Asia/Jakarta) by verdict, with the day's distinct clients, oldest
    day first: from the daily rollup (migration 0070), never from the batch's scan history."""
    return await conn.fetch(
        """
        SELECT day, genuine, expired, recalled, suspect, invalid, clients, first_at, last_at
        FROM scan_days
        WHERE batch_id = $1
          AND ($2::date IS NULL OR day >= $2::date)
          AND ($3::date IS NULL OR day <= $3::date)
        ORDER BY day
        """,
        batch_id,
        since,
        until,
    )


async def suspect_serials(
    conn: asyncpg.Connection, batch_id: UUID, threshold: int, limit: int
) -> list[asyncpg.Record]:
    """The batch's serials seen from more than `threshold` recent clients, most clients first."""
    return await conn.fetch(
        f"""
        SELECT f.serial, count(*) AS clients, t.scan_count, t.last_at
        FROM label_fingerprints f
        LEFT JOIN label_scan_tallies t ON t.batch_id = f.batch_id AND t.serial = f.serial
        WHERE f.batch_id = $1 AND f.serial <> '' AND f.{RECENT_CLIENT}
        GROUP BY f.serial, t.scan_count, t.last_at
        HAVING count(*) > $2
        ORDER BY count(*) DESC, f.serial
        LIMIT $3
        """,
        batch_id,
        threshold,
        limit,
    )


async def serial_figures(conn: asyncpg.Connection, batch_id: UUID, threshold: int) -> Any:
    """How many serials of the batch were scanned, and how many from too many recent clients."""
    return await conn.fetchrow(
        f"""
        SELECT (SELECT count(*) FROM label_scan_tallies WHERE batch_id = $1 AND serial <> '')
                   AS distinct_serials,
               (SELECT count(*) FROM (
                    SELECT serial FROM label_fingerprints WHERE batch_id = $1 AND {RECENT_CLIENT}
                    GROUP BY serial HAVING count(*) > $2) clones) AS suspect_serials
        """,
        batch_id,
        threshold,
    )


async def fetch_certificate(conn: asyncpg.Connection | asyncpg.Pool, batch_id: UUID) -> Any:
    """The treatment record of a batch with its dosimeters and the legal limit it was held to."""
    return await conn.fetchrow(
        """
        SELECT t.run_id, t.started_at, t.ended_at, t.passes, t.dose_min_kgy, t.dose_max_kgy, t.dur,
               t.product_min_dose_kgy, t.legal_max_dose_kgy, t.conforming, b.released_at,
               t.expanded_uncertainty_pct, t.dose_min_corrected_kgy, t.dose_max_corrected_kgy,
               t.dose_map ->> 'study_ref' AS dose_map_study_ref, t.facility_licence_no,
               t.irradiator_name, t.irradiator_source_type AS source_type,
               fcp.source AS legal_basis,
               (SELECT coalesce(json_agg(json_build_object('position', d.position, 'type', d.type,
                                                           'dose_kgy', d.dose_kgy)
                                         ORDER BY d.ordinal), '[]')
                FROM dosimeters d WHERE d.batch_id = b.id) AS dosimeters
        FROM batches b
        JOIN products p ON p.id = b.product_id
        JOIN treatments t ON t.batch_id = b.id
        LEFT JOIN food_category_purposes fcp
               ON fcp.category = p.category AND fcp.purpose = p.purpose
        WHERE b.id = $1
        """,
        batch_id,
    )
