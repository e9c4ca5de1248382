"""Upgrading a database whose dose maps predate the ratio bounds: maps inside them get a
validated constraint; a map outside them is named in a NOTICE and kept, the constraint left NOT
VALID, and the migration still succeeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import asyncpg
import pytest

from service.core.migrate import MIGRATIONS_DIR, apply_migrations

pytestmark = pytest.mark.asyncio(loop_scope="session")

RATIO_BOUNDS = "0111"
VALIDATED = "SELECT convalidated FROM pg_constraint WHERE conname = 'dose_maps_ratio_bounds'"


def _migrations_before(first_new: str, directory: Path) -> Path:
    directory.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] < first_new:
            shutil.copy(path, directory / path.name)
    return directory


async def _old_dose_maps(conn: asyncpg.Connection, ratios: list[tuple[float, float]]) -> None:
    facility = await conn.fetchval(
        "INSERT INTO organizations (kind, name, address, city) VALUES "
        "('facility', 'IGMP', 'Puspiptek', 'Serpong') RETURNING id"
    )
    user = await conn.fetchval(
        "INSERT INTO users (name, role, organization_id) VALUES ('Sri', 'operator', $1) "
        "RETURNING id",
        facility,
    )
    irradiator = await conn.fetchval(
        "INSERT INTO irradiators (facility_id, name, source_type, activity_kci) "
        "VALUES ($1, 'Merah Putih', 'cobalt-60', 200) RETURNING id",
        facility,
    )
    for number, (ratio_min, ratio_max) in enumerate(ratios):
        await conn.execute(
            """INSERT INTO dose_maps (irradiator_id, name, loading_pattern, reference_position,
                   ratio_min, ratio_max, expanded_uncertainty_pct, study_ref, performed_on,
                   created_by)
               VALUES ($1, $2, 'totes', 'R1', $3, $4, 4.6, 'PQ-1', '2025-01-10', $5)""",
            irradiator,
            f"map {number}",
            ratio_min,
            ratio_max,
            user,
        )


async def test_maps_inside_the_bounds_get_a_validated_constraint(
    fresh_dsn: str, tmp_path: Path
) -> None:
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, _migrations_before(RATIO_BOUNDS, tmp_path / "old"))
        await _old_dose_maps(conn, [(0.88, 1.12), (0.2, 5.0), (1.0, 1.0)])
        notices: list[str] = []
        conn.add_log_listener(lambda _c, message: notices.append(message.message))
        assert "0111_dose_map_ratio_bounds.sql" in await apply_migrations(conn)
        assert await conn.fetchval(VALIDATED) is True
        assert not [n for n in notices if "ratio bounds" in n]
        with pytest.raises(asyncpg.CheckViolationError, match="dose_maps_ratio_bounds"):
            await conn.execute("UPDATE dose_maps SET ratio_min = 0.19 WHERE name = 'map 0'")
    finally:
        await conn.close()


async def test_a_map_outside_the_bounds_is_reported_and_kept(
    fresh_dsn: str, tmp_path: Path
) -> None:
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, _migrations_before(RATIO_BOUNDS, tmp_path / "old"))
        await _old_dose_maps(conn, [(0.88, 1.12), (5e-324, 1.1), (0.9, 7.5)])
        notices: list[str] = []
        conn.add_log_listener(lambda _c, message: notices.append(message.message))
        assert "0111_dose_map_ratio_bounds.sql" in await apply_migrations(conn)
        assert await conn.fetchval(VALIDATED) is False  # left NOT VALID, not failed
        (notice,) = [n for n in notices if "ratio bounds" in n]
        assert "ratio_min 5e-324" in notice and "ratio_max 7.5" in notice
        assert "ratio_min 0.88" not in notice
        # every row is still there, and new rows are held to the bounds all the same
        assert await conn.fetchval("SELECT count(*) FROM dose_maps") == 3
        with pytest.raises(asyncpg.CheckViolationError, match="dose_maps_ratio_bounds"):
            await conn.execute("UPDATE dose_maps SET ratio_max = 5.5 WHERE name = 'map 0'")
    finally:
        await conn.close()
