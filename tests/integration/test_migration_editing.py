"""Upgrading a database with products, batches, a licensed facility, a treatment and a dose map to
the editing migrations (0151–0154): every product gets its version 1 and every batch points at
it, the licence becomes the facility's first period, the treatment keeps the irradiator as it
stood, the dose map is a first version, and the admin log takes the new actions beside the old."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from service.batches.queries import batch_record
from service.core.auth import AuthUser
from service.core.db import _init_connection
from service.core.migrate import MIGRATIONS_DIR, apply_migrations

pytestmark = pytest.mark.asyncio(loop_scope="session")

FIRST_EDITING = "0151"


def _migrations_before(first: str, directory: Path) -> Path:
    directory.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] < first:
            shutil.copy(path, directory / path.name)
    return directory


async def _world_before_editing(conn: asyncpg.Connection) -> dict[str, object]:
    producer = await conn.fetchval(
        "INSERT INTO organizations (kind, name, address, city) VALUES "
        "('producer', 'Dapur Uni', 'Jl. Raya', 'Padang') RETURNING id"
    )
    facility = await conn.fetchval(
        """INSERT INTO organizations (kind, name, address, city, licence_no, licence_valid_until)
           VALUES ('facility', 'IGMP', 'Puspiptek', 'Tangerang Selatan', 'BAPETEN/IU/1/2020',
                   '2030-06-30') RETURNING id"""
    )
    user = await conn.fetchval(
        "INSERT INTO users (name, role, organization_id) VALUES ('QA', 'qa', $1) RETURNING id",
        facility,
    )
    irradiator = await conn.fetchval(
        "INSERT INTO irradiators (facility_id, name, source_type, activity_kci) VALUES ($1, "
        "'Co-60 conveyor', 'cobalt-60', 450) RETURNING id",
        facility,
    )
    dose_map = await conn.fetchval(
        """INSERT INTO dose_maps (irradiator_id, name, loading_pattern, reference_position,
               ratio_min, ratio_max, expanded_uncertainty_pct, study_ref, performed_on,
               created_by)
           VALUES ($1, 'Tote', 'dua tote', 'sisi luar', 0.9, 1.3, 4, 'PQ-1', '2025-07-14', $2)
           RETURNING id""",
        irradiator,
        user,
    )
    product = await conn.fetchval(
        """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
               base_shelf_life_days, reference_temp_c, storage_temp_c, packaging, hs_code)
           VALUES ($1, 'Ayam potong', 'meat_poultry', 'extend_shelf_life', 1.5, 5, 4, 4, 'air',
                   '020714') RETURNING id""",
        producer,
    )
    batch = await conn.fetchval(
        """INSERT INTO batches (code, product_id, producer_id, facility_id, lot, production_date,
               quantity, unit, status, created_by)
           VALUES ('7KQ2M9XW4V', $1, $2, $3, 'L-01', '2026-10-01', 100, 'kg', 'treated', $4)
           RETURNING id""",
        product,
        producer,
        facility,
        user,
    )
    ended = datetime(2026, 10, 2, 9, tzinfo=UTC)
    await conn.execute(
        """INSERT INTO treatments (batch_id, irradiator_id, run_id, started_at, ended_at,
               dose_min_kgy, dose_max_kgy, dur, legal_max_dose_kgy, product_min_dose_kgy,
               conforming, recorded_by)
           VALUES ($1, $2, 'RUN-1', $3, $4, 2.0, 2.6, 1.3, 3, 1.5, true, $5)""",
        batch,
        irradiator,
        ended - timedelta(hours=2),
        ended,
        user,
    )
    return {
        "facility": facility,
        "product": product,
        "batch": batch,
        "dose_map": dose_map,
        "user": user,
    }


async def test_the_editing_migrations_keep_every_record_as_it_was(fresh_dsn: str, tmp_path: Path):
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await _init_connection(conn)
        await apply_migrations(conn, _migrations_before(FIRST_EDITING, tmp_path / "old"))
        ids = await _world_before_editing(conn)
        applied = await apply_migrations(conn)
        assert applied[:4] == [
            "0151_product_versions.sql",
            "0152_licence_periods_and_irradiator_copies.sql",
            "0153_dose_map_versions.sql",
            "0154_admin_log_edits.sql",
        ]

        version = await conn.fetchrow(
            "SELECT * FROM product_versions WHERE product_id = $1", ids["product"]
        )
        assert (version["version"], version["name"], version["hs_code"]) == (
            1,
            "Ayam potong",
            "020714",
        )
        admin = AuthUser(id=ids["user"], name="Admin", role="admin", organization_id=None)  # type: ignore[arg-type]
        record = await batch_record(conn, ids["batch"], admin)  # type: ignore[arg-type]
        assert record is not None
        assert (record.product_version, record.product.version) == (1, 1)
        assert record.treatment is not None
        assert record.treatment.irradiator.name == "Co-60 conveyor"
        assert record.treatment.irradiator.activity_kci == 450

        periods = await conn.fetch(
            "SELECT licence_no, valid_from, valid_until FROM facility_licences "
            "WHERE facility_id = $1",
            ids["facility"],
        )
        assert [tuple(p) for p in periods] == [("BAPETEN/IU/1/2020", None, date(2030, 6, 30))]
        dose_map = await conn.fetchrow(
            "SELECT version, replaces_id FROM dose_maps WHERE id = $1", ids["dose_map"]
        )
        assert tuple(dose_map) == (1, None)

        # from now on: a version bump is recorded, and the batch still reads its own
        await conn.execute(
            "UPDATE products SET name = 'Ayam kampung', version = version + 1 WHERE id = $1",
            ids["product"],
        )
        record = await batch_record(conn, ids["batch"], admin)  # type: ignore[arg-type]
        assert record is not None and record.product.name == "Ayam potong"
        assert (
            await conn.fetchval(
                "SELECT name FROM product_versions WHERE product_id = $1 AND version = 2",
                ids["product"],
            )
            == "Ayam kampung"
        )
        # a renewal written by hand is a period too
        await conn.execute(
            "UPDATE organizations SET licence_no = 'BAPETEN/IU/2/2030', "
            "licence_valid_until = '2035-06-30' WHERE id = $1",
            ids["facility"],
        )
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM facility_licences WHERE facility_id = $1", ids["facility"]
            )
            == 2
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("DELETE FROM facility_licences")
        # the admin log takes the new actions and still the old ones
        for action in ("user.enabled", "product.versioned", "product.amended", "user.created"):
            await conn.execute(
                """INSERT INTO admin_audit_log (actor_name, action, subject_type, subject_id,
                       subject_name) VALUES ('test', $1, 'user', 'x', 'x')""",
                action,
            )
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                """INSERT INTO admin_audit_log (actor_name, action, subject_type, subject_id,
                       subject_name) VALUES ('test', 'user.renamed', 'user', 'x', 'x')"""
            )
    finally:
        await conn.close()
