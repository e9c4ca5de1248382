"""SQL for products."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.products import EVIDENCE_FIELDS, VERSIONED_FIELDS, Product, ProductCreate
from service.accounts.network.scope import is_network, network_products
from service.core.auth import AuthUser
from service.core.pagination import page_clause

# a product with the Annex I maximum of its (category, purpose)
_PRODUCT = """
SELECT p.*, fcp.max_dose_kgy AS legal_max_dose_kgy
FROM products p
JOIN food_category_purposes fcp ON fcp.category = p.category AND fcp.purpose = p.purpose
"""


def _owned_by(user: AuthUser, args: list[Any]) -> str:
    """Producers see their own products; regulators and admins see all; a market network the
    products of the producers in it."""
    if user.role in ("admin", "regulator"):
        return "TRUE"
    if is_network(user):
        return network_products(user, args)
    args.append(user.organization_id)
    return f"p.organization_id = ${len(args)}"


def to_product(row: asyncpg.Record) -> Product:
    return msgspec.convert(dict(row), Product)


async def insert_product(
    conn: asyncpg.Connection,
    organization_id: UUID,
    data: ProductCreate,
    *,
    gtin: str | None,
    registration_no: str | None,
    legal_max_dose_kgy: float,
) -> Product:
    row = await conn.fetchrow(
        """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
               base_shelf_life_days, reference_temp_c, storage_temp_c, packaging, gtin,
               registration_no, net_content, water_activity, ph, validated_shelf_life_days,
               validated_study_ref, validated_study_temp_c, validated_study_dose_kgy,
               validated_study_packaging, process_validation_ref, hs_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21)
           RETURNING *""",
        organization_id,
        data.name,
        data.category,
        data.purpose,
        data.min_dose_kgy,
        data.base_shelf_life_days,
        data.reference_temp_c,
        data.storage_temp_c,
        data.packaging,
        gtin,
        registration_no,
        data.net_content,
        data.water_activity,
        data.ph,
        data.validated_shelf_life_days,
        data.validated_study_ref,
        data.validated_study_temp_c,
        data.validated_study_dose_kgy,
        data.validated_study_packaging,
        data.process_validation_ref,
        data.hs_code,
    )
    return msgspec.convert(dict(row) | {"legal_max_dose_kgy": legal_max_dose_kgy}, Product)


async def get_product(
    conn: asyncpg.Connection, product_id: UUID, user: AuthUser
) -> asyncpg.Record | None:
    args: list[Any] = [product_id]
    owned = _owned_by(user, args)
    return await conn.fetchrow(_PRODUCT + f"WHERE p.id = $1 AND {owned}", *args)


async def product_for_update(
    conn: asyncpg.Connection, product_id: UUID, organization_id: UUID
) -> asyncpg.Record | None:
    """The organization's product with its Annex I row, locked until the transaction ends."""
    return await conn.fetchrow(
        _PRODUCT + "WHERE p.id = $1 AND p.organization_id = $2 FOR UPDATE OF p",
        product_id,
        organization_id,
    )


async def amend_evidence(
    conn: asyncpg.Connection, product_id: UUID, changes: dict[str, Any]
) -> asyncpg.Record:
    """Write the evidence fields in `changes` (names from schemas.products.EVIDENCE_FIELDS);
    returns the product as get_product reads it."""
    assert changes and set(changes) <= set(EVIDENCE_FIELDS)
    columns = list(changes)
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=2))
    await conn.execute(
        f"UPDATE products SET {assignments} WHERE id = $1",
        product_id,
        *(changes[column] for column in columns),
    )
    row = await conn.fetchrow(_PRODUCT + "WHERE p.id = $1", product_id)
    assert row is not None
    return row


async def insert_version(
    conn: asyncpg.Connection, product_id: UUID, version: int, changes: dict[str, Any]
) -> asyncpg.Record:
    """The product's next version: the current one with `changes` (names from
    schemas.products.VERSIONED_FIELDS). Guarded by the version it follows, and recorded in
    product_versions by the table's trigger (migration 0151); returns the product as
    get_product reads it."""
    assert changes and set(changes) <= set(VERSIONED_FIELDS)
    columns = list(changes)
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=3))
    updated = await conn.execute(
        f"""UPDATE products SET {assignments}, version = version + 1
            WHERE id = $1 AND version = $2""",
        product_id,
        version,
        *(changes[column] for column in columns),
    )
    assert updated == "UPDATE 1"  # the caller holds the row's lock
    row = await conn.fetchrow(_PRODUCT + "WHERE p.id = $1", product_id)
    assert row is not None
    return row


async def list_products(
    conn: asyncpg.Connection, user: AuthUser, *, limit: int, cursor: str | None
) -> list[asyncpg.Record]:
    args: list[Any] = [limit + 1]
    owned = _owned_by(user, args)
    after = page_clause(cursor, args, alias="p")
    return await conn.fetch(
        _PRODUCT + f"WHERE {owned} AND {after} ORDER BY p.created_at DESC, p.id DESC LIMIT $1",
        *args,
    )


async def recent_batches(
    conn: asyncpg.Connection, product_id: UUID, *, limit: int
) -> list[asyncpg.Record]:
    """A product's latest batches (the caller has checked the product is the user's)."""
    return await conn.fetch(
        """SELECT id, code, lot, status, production_date, best_before, product_version
           FROM batches
           WHERE product_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2""",
        product_id,
        limit,
    )
