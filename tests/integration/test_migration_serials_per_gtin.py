"""Upgrading a database whose serials were unique only per batch: every serial gets its
product's GTIN; a serial two batches of one GTIN already share is named in a NOTICE and kept,
and from then on no new serial of the GTIN may take it."""

from __future__ import annotations

import shutil
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from service.core.migrate import MIGRATIONS_DIR, apply_migrations

pytestmark = pytest.mark.asyncio(loop_scope="session")

SERIALS_PER_GTIN = "0135"
GTIN = "08991234567891"


def _migrations_before(first_new: str, directory: Path) -> Path:
    directory.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] < first_new:
            shutil.copy(path, directory / path.name)
    return directory


async def _batches(conn: asyncpg.Connection, gtin: str | None, lots: list[str]) -> list[UUID]:
    producer = await conn.fetchval(
        "INSERT INTO organizations (kind, name, address, city) VALUES "
        "('producer', 'Dapur Uni', 'Jl. Raya', 'Padang') RETURNING id"
    )
    facility = await conn.fetchval(
        "INSERT INTO organizations (kind, name, address, city) VALUES "
        "('facility', 'IGMP', 'Puspiptek', 'Serpong') RETURNING id"
    )
    user = await conn.fetchval(
        "INSERT INTO users (name, role, organization_id) VALUES ('Uni', 'producer', $1) "
        "RETURNING id",
        producer,
    )
    product = await conn.fetchval(
        """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
               base_shelf_life_days, reference_temp_c, storage_temp_c, packaging, gtin)
           VALUES ($1, 'Ayam potong', 'meat_poultry', 'extend_shelf_life', 1.5, 5, 8, 4, 'air',
                   $2)
           RETURNING id""",
        producer,
        gtin,
    )
    batches = []
    for number, lot in enumerate(lots):
        batches.append(
            await conn.fetchval(
                """INSERT INTO batches (code, product_id, producer_id, facility_id, lot,
                       production_date, quantity, unit, created_by, status)
                   VALUES ($1, $2, $3, $4, $5, '2026-01-05', 120, 'pcs', $6, 'released')
                   RETURNING id""",
                f"{gtin or 'V'}{number}"[-10:].rjust(10, "0"),
                product,
                producer,
                facility,
                lot,
                user,
            )
        )
    return batches


async def _issue(conn: asyncpg.Connection, batch_id: UUID, *serials: str) -> None:
    for serial in serials:
        await conn.execute(
            "INSERT INTO label_serials (batch_id, serial) VALUES ($1, $2)", batch_id, serial
        )


async def test_a_serial_shared_within_a_gtin_is_reported_and_kept(
    fresh_dsn: str, tmp_path: Path
) -> None:
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, _migrations_before(SERIALS_PER_GTIN, tmp_path / "old"))
        first, second, third, fourth = await _batches(conn, GTIN, ["L1", "L2", "L3", "L4"])
        await _issue(conn, first, "AAAAAAAAAA", "BBBBBBBBBB")
        await _issue(conn, second, "AAAAAAAAAA", "CCCCCCCCCC")
        await _issue(conn, third, "AAAAAAAAAA")
        # without a GTIN a shared serial is no collision: /v/{code}/{serial} names the batch
        short_first, short_second = await _batches(conn, None, ["L1", "L2"])
        await _issue(conn, short_first, "AAAAAAAAAA")
        await _issue(conn, short_second, "AAAAAAAAAA")
        notices: list[str] = []
        conn.add_log_listener(lambda _c, message: notices.append(message.message))

        assert "0135_serials_unique_per_gtin.sql" in await apply_migrations(conn)

        (notice,) = [n for n in notices if "same GTIN" in n]
        assert "1 collision(s)" in notice
        assert f"GTIN {GTIN} serial AAAAAAAAAA in batches {first}, {second}, {third}" in notice
        assert "BBBBBBBBBB" not in notice and "CCCCCCCCCC" not in notice
        rows = await conn.fetch(
            "SELECT batch_id, serial, gtin, gtin_clash FROM label_serials ORDER BY batch_id"
        )
        assert len(rows) == 7  # every serial kept
        kept = {(r["batch_id"], r["serial"]): (r["gtin"], r["gtin_clash"]) for r in rows}
        assert kept[(first, "AAAAAAAAAA")] == (GTIN, False)  # the first issued stays unique
        assert kept[(second, "AAAAAAAAAA")] == (GTIN, True)
        assert kept[(third, "AAAAAAAAAA")] == (GTIN, True)
        assert kept[(second, "CCCCCCCCCC")] == (GTIN, False)
        assert kept[(short_second, "AAAAAAAAAA")] == (None, False)
        # no new serial of the GTIN may take a value issued before, the shared one included
        for serial in ("AAAAAAAAAA", "BBBBBBBBBB"):
            with pytest.raises(asyncpg.UniqueViolationError, match="label_serials_gtin_serial"):
                await conn.execute(
                    "INSERT INTO label_serials (batch_id, serial, gtin) VALUES ($1, $2, $3)",
                    fourth,
                    serial,
                    GTIN,
                )
    finally:
        await conn.close()


async def test_without_collisions_nothing_is_reported(fresh_dsn: str, tmp_path: Path) -> None:
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, _migrations_before(SERIALS_PER_GTIN, tmp_path / "old"))
        first, second = await _batches(conn, GTIN, ["L1", "L2"])
        await _issue(conn, first, "AAAAAAAAAA")
        await _issue(conn, second, "BBBBBBBBBB")
        notices: list[str] = []
        conn.add_log_listener(lambda _c, message: notices.append(message.message))
        await apply_migrations(conn)
        assert not [n for n in notices if "same GTIN" in n]
        assert await conn.fetchval("SELECT count(*) FROM label_serials WHERE gtin = $1", GTIN) == 2
        assert await conn.fetchval("SELECT count(*) FROM label_serials WHERE gtin_clash") == 0
    finally:
        await conn.close()
