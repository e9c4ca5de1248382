"""Upgrading a database that holds a batch released under radura-sl/1: the migrations of dose
maps, licences and radura-sl/2 leave its stored result and date exactly as they were."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest

from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.batches.queries import batch_record
from service.core.auth import AuthUser
from service.core.db import _init_connection
from service.core.migrate import MIGRATIONS_DIR, apply_migrations
from service.shelf_life import estimate_shelf_life, rederive

pytestmark = pytest.mark.asyncio(loop_scope="session")

LAST_BEFORE_SL2 = "0021"

# Strawberries kept at 3 °C, 0.6 kGy: radura-sl/1 gave floor(14 · 1.2) = 16 days; radura-sl/2
# gives the base, 14.
STRAWBERRIES = ShelfLifeInputs(
    category="fresh_produce",
    purpose="extend_shelf_life",
    base_shelf_life_days=14,
    reference_temp_c=3.0,
    storage_temp_c=3.0,
    packaging="air",
    dose_min_kgy=0.6,
    production_date=date(2026, 10, 1),
)


def _migrations_up_to(last: str, directory: Path) -> Path:
    directory.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] <= last:
            shutil.copy(path, directory / path.name)
    return directory


async def _release_under_sl1(
    conn: asyncpg.Connection,
) -> tuple[object, ShelfLifeResult, dict[str, Any]]:
    """A batch as radura-sl/1's release left it, written with the schema of its time."""
    org = await conn.fetchval(
        "INSERT INTO organizations (kind, name, address, city) VALUES "
        "('producer', 'Kebun Stroberi', 'Jl. Raya', 'Bandung') RETURNING id"
    )
    facility = await conn.fetchval(
        "INSERT INTO organizations (kind, name, address, city) VALUES "
        "('facility', 'IGMP', 'Puspiptek', 'Tangerang Selatan') RETURNING id"
    )
    user = await conn.fetchval(
        "INSERT INTO users (name, role, organization_id) VALUES ('QA', 'qa', $1) RETURNING id",
        facility,
    )
    irradiator = await conn.fetchval(
        "INSERT INTO irradiators (facility_id, name, source_type) VALUES ($1, 'Co-60', "
        "'cobalt-60') RETURNING id",
        facility,
    )
    product = await conn.fetchval(
        """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
               base_shelf_life_days, reference_temp_c, storage_temp_c, packaging)
           VALUES ($1, 'Stroberi segar', 'fresh_produce', 'extend_shelf_life', 0.5, 14, 3, 3,
                   'air') RETURNING id""",
        org,
    )
    stored = estimate_shelf_life(STRAWBERRIES, "radura-sl/1")
    # as radura-sl/1 stored it: its inputs had no uncertainty field yet
    stored_json = msgspec.to_builtins(stored)
    del stored_json["inputs"]["expanded_uncertainty_pct"]
    batch = await conn.fetchval(
        """INSERT INTO batches (code, product_id, producer_id, facility_id, lot, production_date,
               quantity, unit, status, created_by, shelf_life, best_before, released_by,
               released_at)
           VALUES ('7KQ2M9XW4T', $1, $2, $3, 'STR-01', $4, 100, 'kg', 'released', $5, $6, $7,
                   $5, now()) RETURNING id""",
        product,
        org,
        facility,
        STRAWBERRIES.production_date,
        user,
        stored_json,
        stored.best_before,
    )
    ended = datetime(2026, 10, 2, 9, tzinfo=UTC)
    await conn.execute(
        """INSERT INTO treatments (batch_id, irradiator_id, run_id, started_at, ended_at,
               dose_min_kgy, dose_max_kgy, dur, legal_max_dose_kgy, product_min_dose_kgy,
               conforming, recorded_by)
           VALUES ($1, $2, 'RUN-1', $3, $4, 0.6, 0.8, 0.8 / 0.6, 2.5, 0.5, true, $5)""",
        batch,
        irradiator,
        ended - timedelta(hours=2),
        ended,
        user,
    )
    return batch, stored, stored_json


async def test_a_batch_released_under_sl1_keeps_its_result(fresh_dsn: str, tmp_path: Path):
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await _init_connection(conn)
        await apply_migrations(conn, _migrations_up_to(LAST_BEFORE_SL2, tmp_path / "old"))
        batch_id, stored, stored_json = await _release_under_sl1(conn)
        assert stored.model == "radura-sl/1" and stored.extended_days == 16

        applied = await apply_migrations(conn)
        assert applied and all(name[:4] > LAST_BEFORE_SL2 for name in applied)

        admin = AuthUser(id=batch_id, name="Admin", role="admin", organization_id=None)  # type: ignore[arg-type]
        record = await batch_record(conn, batch_id, admin)  # type: ignore[arg-type]
        assert record is not None and record.shelf_life is not None
        assert record.shelf_life.model == "radura-sl/1"
        assert record.shelf_life.extended_days == 16
        assert record.best_before == stored.best_before == date(2026, 10, 17)
        raw = await conn.fetchval("SELECT shelf_life FROM batches WHERE id = $1", batch_id)
        assert raw == stored_json  # not a byte of the stored result was rewritten
        # its own version re-derives it exactly; the current model would have said 14 days
        assert rederive(record.shelf_life) == stored
        assert estimate_shelf_life(record.shelf_life.inputs).extended_days == 14
        # the treatment recorded before dose maps: no map, no uncertainty, doses unchanged
        assert record.treatment is not None
        assert record.treatment.dose_map is None
        assert record.treatment.expanded_uncertainty_pct == 0
        assert record.treatment.dose_min_corrected_kgy == record.treatment.dose_min_kgy == 0.6
        assert record.facility.country == "Indonesia" and record.facility.licence_no is None
    finally:
        await conn.close()
