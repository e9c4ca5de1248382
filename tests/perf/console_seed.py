"""A producer with many batches, written straight in SQL, for the console benchmark and the
query plans behind it: batches in every status over a year, labels, a week of scans and a few
cloned serials, beside a second producer whose rows the queries must skip."""

from __future__ import annotations

import secrets
from uuid import UUID

import asyncpg

from service.core.auth import AuthUser

# status of batch n: mostly released, some in every other state
_STATUS_CASE = """CASE
    WHEN n % 20 = 0 THEN 'registered' WHEN n % 20 = 1 THEN 'received'
    WHEN n % 20 = 2 THEN 'treated' WHEN n % 20 = 3 THEN 'rejected'
    WHEN n % 20 = 4 THEN 'cancelled' WHEN n % 50 = 5 THEN 'recalled' ELSE 'released' END"""


async def seed_producer(
    conn: asyncpg.Connection, batches: int, *, products: int = 20, scans_per_batch: int = 3
) -> tuple[AuthUser, UUID]:
    """A producer organization with `batches` batches; returns its user and one batch id."""
    tag = secrets.token_hex(3)
    facility = await conn.fetchval(
        """INSERT INTO organizations (kind, name, address, city)
           VALUES ('facility', 'Bench facility ' || $1, 'Jl. Puspiptek', 'Tangerang Selatan')
           RETURNING id""",
        tag,
    )
    org = await conn.fetchval(
        """INSERT INTO organizations (kind, name, address, city)
           VALUES ('producer', 'Bench producer ' || $1, 'Jl. Serpong', 'Tangerang') RETURNING id""",
        tag,
    )
    user_id = await conn.fetchval(
        "INSERT INTO users (name, role, organization_id) VALUES ('Bench', 'producer', $1) "
        "RETURNING id",
        org,
    )
    await conn.execute(
        """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
               base_shelf_life_days, reference_temp_c, storage_temp_c, packaging)
           SELECT $1, 'Sambal bench ' || i, 'meat_poultry', 'extend_shelf_life', 1.5, 5, 8, 4,
                  'air'
           FROM generate_series(1, $2) i""",
        org,
        products,
    )
    await conn.execute(
        f"""INSERT INTO batches (code, product_id, producer_id, facility_id, lot, production_date,
               quantity, unit, status, created_by, created_at, best_before, recalled_at,
               recall_reason)
            SELECT upper(substr(md5($4 || n), 1, 10)),
                   (SELECT id FROM products WHERE organization_id = $1
                    ORDER BY id OFFSET n % $5 LIMIT 1),
                   $1, $2, 'L' || n, current_date - (n % 365), 100, 'pcs', {_STATUS_CASE}, $3,
                   now() - make_interval(mins => n * 50),
                   CASE WHEN {_STATUS_CASE} IN ('released', 'recalled')
                        THEN current_date + (n % 120) - 20 END,
                   CASE WHEN {_STATUS_CASE} = 'recalled' THEN now() - make_interval(mins => n) END,
                   CASE WHEN {_STATUS_CASE} = 'recalled' THEN 'Uji penarikan' END
            FROM generate_series(1, $6) n""",
        org,
        facility,
        user_id,
        tag,
        products,
        batches,
    )
    # the dose record of every batch that was treated (the batch page and its label read it)
    irradiator = await conn.fetchval(
        """INSERT INTO irradiators (facility_id, name, source_type, activity_kci)
           VALUES ($1, 'Bench Co-60', 'cobalt-60', 400) RETURNING id""",
        facility,
    )
    await conn.execute(
        """INSERT INTO treatments (batch_id, irradiator_id, run_id, started_at, ended_at,
               dose_min_kgy, dose_max_kgy, dur, legal_max_dose_kgy, product_min_dose_kgy,
               conforming, recorded_by)
           SELECT id, $2, 'RUN-' || lot, created_at + interval '1 day',
                  created_at + interval '1 day 3 hours', 1.6, 2.4, 1.5, 3, 1.5,
                  status <> 'rejected', $3
           FROM batches WHERE producer_id = $1
             AND status IN ('treated', 'released', 'rejected', 'recalled')""",
        org,
        irradiator,
        user_id,
    )
    # a week of scans on the released batches, one serial each, a few phones per serial
    await conn.execute(
        """INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint)
           SELECT now() - make_interval(hours => (k * 37 + i) % 160), b.id, 'S' || b.lot,
                  'genuine', decode(md5(b.id::text || k), 'hex')
           FROM batches b, generate_series(1, $2) k, generate_series(1, 1) i
           WHERE b.producer_id = $1 AND b.status = 'released'""",
        org,
        scans_per_batch,
    )
    await conn.execute(
        """INSERT INTO label_fingerprints (batch_id, serial, fingerprint, first_seen)
           SELECT DISTINCT batch_id, serial, fingerprint, scanned_at FROM scans s
           WHERE s.batch_id IN (SELECT id FROM batches WHERE producer_id = $1)
           ON CONFLICT DO NOTHING""",
        org,
    )
    # one cloned serial in every hundredth released batch
    await conn.execute(
        """INSERT INTO label_fingerprints (batch_id, serial, fingerprint, first_seen)
           SELECT b.id, 'CLONE' || b.lot, decode(md5(b.id::text || 'c' || k), 'hex'), now()
           FROM batches b, generate_series(1, 8) k
           WHERE b.producer_id = $1 AND b.status = 'released' AND b.lot LIKE '%07'""",
        org,
    )
    # the clones' scans, which the verifier logged as suspect
    await conn.execute(
        """INSERT INTO scans (scanned_at, batch_id, serial, verdict, fingerprint)
           SELECT now() - make_interval(hours => k::int), batch_id, serial,
                  CASE WHEN k > 5 THEN 'suspect' ELSE 'genuine' END, fingerprint
           FROM (SELECT batch_id, serial, fingerprint, row_number() OVER (
                     PARTITION BY batch_id, serial ORDER BY fingerprint) AS k
                 FROM label_fingerprints WHERE serial LIKE 'CLONE%'
                   AND batch_id IN (SELECT id FROM batches WHERE producer_id = $1)) c""",
        org,
    )
    await conn.execute(
        """INSERT INTO label_scan_tallies (batch_id, serial, scan_count, first_at, last_at)
           SELECT batch_id, serial, count(*), min(scanned_at), max(scanned_at) FROM scans
           WHERE batch_id IN (SELECT id FROM batches WHERE producer_id = $1)
           GROUP BY batch_id, serial""",
        org,
    )
    await conn.execute(
        "ANALYZE batches; ANALYZE products; ANALYZE label_fingerprints; ANALYZE scans; "
        "ANALYZE label_scan_tallies"
    )
    sample = await conn.fetchval(
        "SELECT id FROM batches WHERE producer_id = $1 AND status = 'released' LIMIT 1", org
    )
    return AuthUser(user_id, "Bench", "producer", org), sample
