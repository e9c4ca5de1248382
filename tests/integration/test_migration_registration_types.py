"""Upgrading a database whose products predate the registration types: every product keeps its
number and every other field, gets the number's scheme, and the rules then judge the old ones."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from service.batches.products.registration import registration_rule_failures
from service.core.migrate import MIGRATIONS_DIR, apply_migrations

pytestmark = pytest.mark.asyncio(loop_scope="session")

REGISTRATION_TYPES = "0101"

# (name, category, purpose, min dose, base days, reference °C, storage °C, packaging, number,
#  water activity, validated days) as the schema before 0101 held them
OLD_PRODUCTS = [
    ("Rendang steril", "ready_meal_sterile", "sterilisation", 45, 5, 30, 30, "vacuum",
     "P-IRT206367401004527", None, 540),
    ("Tuna beku", "fish_seafood", "reduce_pathogens", 1.5, 270, -18, -18, "vacuum",
     "MD224510001234", None, None),
    ("Bumbu kering", "spices_herbs", "reduce_microbial_load", 6.5, 365, 30, 30, "air",
     "P-IRT206367401004627", 0.45, None),
    ("Ayam potong", "meat_poultry", "extend_shelf_life", 1.5, 5, 8, 4, "air", None, None, None),
    ("Udang impor", "fish_seafood", "extend_shelf_life", 1.5, 10, 2, 2, "air",
     "ML812345678901", None, None),
    # written by hand some day, in no stored form: kept as it is
    ("Kerupuk", "dry_goods", "disinfestation", 0.5, 180, 30, 30, "air",
     "BPOM RI MD 224510001234567", 0.3, None),
]  # fmt: skip


def _migrations_before(first_new: str, directory: Path) -> Path:
    directory.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] < first_new:
            shutil.copy(path, directory / path.name)
    return directory


async def test_old_products_keep_their_numbers_and_get_their_scheme(
    fresh_dsn: str, tmp_path: Path
) -> None:
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await apply_migrations(conn, _migrations_before(REGISTRATION_TYPES, tmp_path / "old"))
        org = await conn.fetchval(
            "INSERT INTO organizations (kind, name, address, city) VALUES "
            "('producer', 'Dapur Uni', 'Jl. Raya', 'Padang') RETURNING id"
        )
        for row in OLD_PRODUCTS:
            await conn.execute(
                """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
                       base_shelf_life_days, reference_temp_c, storage_temp_c, packaging,
                       registration_no, water_activity, validated_shelf_life_days,
                       validated_study_ref)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                           CASE WHEN $12::int IS NULL THEN NULL ELSE 'BATAN-PAIR/2019' END)""",
                org,
                *row,
            )
        before = {r["name"]: dict(r) for r in await conn.fetch("SELECT * FROM products")}

        applied = await apply_migrations(conn)
        assert "0101_registration_types.sql" in applied

        after = {r["name"]: dict(r) for r in await conn.fetch("SELECT * FROM products")}
        assert after.keys() == before.keys()  # every row is still there
        for name, row in after.items():
            # (`version` comes with product versions, a later migration)
            kept = {k: v for k, v in row.items() if k not in ("registration_type", "version")}
            assert kept == before[name]
        assert {name: row["registration_type"] for name, row in after.items()} == {
            "Rendang steril": "P-IRT",
            "Tuna beku": "MD",
            "Bumbu kering": "P-IRT",
            "Ayam potong": None,
            "Udang impor": "ML",
            "Kerupuk": None,
        }
        # the rules judge the old rows as they stand: only the sterile meal's P-IRT fails
        judged = {
            name: [f.rule for f in registration_rule_failures(row, today=date(2026, 12, 10))]
            for name, row in after.items()
        }
        assert judged == {
            "Rendang steril": ["pirt_sterile_meal"],
            "Tuna beku": [],
            "Bumbu kering": [],
            "Ayam potong": [],
            "Udang impor": [],
            "Kerupuk": [],
        }
        # from now on a number is stored in one of the forms, and the scheme follows an edit
        with pytest.raises(asyncpg.CheckViolationError, match="products_registration_no_form"):
            await conn.execute(
                "UPDATE products SET registration_no = 'MD 2245 1000 1234' WHERE name = 'Tuna beku'"
            )
        scheme = await conn.fetchval(
            "UPDATE products SET registration_no = 'PSAT-PDUK1234567890' "
            "WHERE name = 'Kerupuk' RETURNING registration_type"
        )
        assert scheme == "PSAT"
    finally:
        await conn.close()
