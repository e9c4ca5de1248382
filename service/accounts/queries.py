"""SQL for organizations, users, irradiators and food categories."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.accounts import (
    FoodCategory,
    Irradiator,
    IrradiatorCreate,
    Organization,
    OrganizationCreate,
    PurposeLimit,
    User,
    UserCreate,
)
from service.core.pagination import page_clause


async def insert_organization(conn: asyncpg.Connection, data: OrganizationCreate) -> Organization:
    row = await conn.fetchrow(
        """INSERT INTO organizations (kind, name, address, city, province, phone, nib,
                                      licence_no, licence_valid_until, country)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *""",
        data.kind,
        data.name,
        data.address,
        data.city,
        data.province,
        data.phone,
        data.nib,
        data.licence_no,
        data.licence_valid_until,
        data.country,
    )
    return msgspec.convert(dict(row), Organization)


async def get_organization(conn: asyncpg.Connection, org_id: UUID) -> Organization | None:
    row = await conn.fetchrow("SELECT * FROM organizations WHERE id = $1", org_id)
    return msgspec.convert(dict(row), Organization) if row else None


async def list_organizations(
    conn: asyncpg.Connection, *, kind: str | None, limit: int, cursor: str | None
) -> list[asyncpg.Record]:
    args: list[Any] = [kind, limit + 1]
    after = page_clause(cursor, args)
    return await conn.fetch(
        f"""SELECT * FROM organizations WHERE ($1::text IS NULL OR kind = $1) AND {after}
            ORDER BY created_at DESC, id DESC LIMIT $2""",
        *args,
    )


async def list_facilities(
    conn: asyncpg.Connection, *, limit: int, cursor: str | None
) -> list[asyncpg.Record]:
    args: list[Any] = [limit + 1]
    after = page_clause(cursor, args)
    return await conn.fetch(
        f"""SELECT id, name, address, city, province, licence_no, licence_valid_until, country,
                   created_at FROM organizations
            WHERE kind = 'facility' AND {after}
            ORDER BY created_at DESC, id DESC LIMIT $1""",
        *args,
    )


async def insert_user(conn: asyncpg.Connection, data: UserCreate) -> User:
    row = await conn.fetchrow(
        """INSERT INTO users (name, role, organization_id, email) VALUES ($1, $2, $3, $4)
           RETURNING *""",
        data.name,
        data.role,
        data.organization_id,
        data.email,
    )
    return msgspec.convert(dict(row), User)


async def insert_irradiator(conn: asyncpg.Connection, data: IrradiatorCreate) -> Irradiator:
    row = await conn.fetchrow(
        """INSERT INTO irradiators (facility_id, name, source_type, activity_kci, max_energy_mev)
           VALUES ($1, $2, $3, $4, $5) RETURNING *""",
        data.facility_id,
        data.name,
        data.source_type,
        data.activity_kci,
        data.max_energy_mev,
    )
    return msgspec.convert(dict(row), Irradiator)


async def list_irradiators(
    conn: asyncpg.Connection, *, facility_id: UUID | None, limit: int, cursor: str | None
) -> list[asyncpg.Record]:
    args: list[Any] = [facility_id, limit + 1]
    after = page_clause(cursor, args)
    return await conn.fetch(
        f"""SELECT * FROM irradiators WHERE ($1::uuid IS NULL OR facility_id = $1) AND {after}
            ORDER BY created_at DESC, id DESC LIMIT $2""",
        *args,
    )


async def list_food_categories(conn: asyncpg.Connection) -> list[FoodCategory]:
    categories = await conn.fetch(
        "SELECT code, name_id, name_en FROM food_categories ORDER BY code"
    )
    limits = await conn.fetch(
        f"SELECT category, {_PURPOSE_LIMIT} FROM food_category_purposes ORDER BY category, purpose"
    )
    by_category: dict[str, list[PurposeLimit]] = {}
    for r in limits:
        by_category.setdefault(r["category"], []).append(_purpose_limit(r))
    return [
        FoodCategory(c["code"], c["name_id"], c["name_en"], by_category.get(c["code"], []))
        for c in categories
    ]


_PURPOSE_LIMIT = (
    "purpose, max_dose_kgy, source, confirmed, typical_min_dose_kgy, typical_min_dose_source"
)


def _purpose_limit(row: asyncpg.Record) -> PurposeLimit:
    return PurposeLimit(
        row["purpose"],
        row["max_dose_kgy"],
        row["source"],
        row["confirmed"],
        row["typical_min_dose_kgy"],
        row["typical_min_dose_source"],
    )


async def purpose_limit(
    conn: asyncpg.Connection, category: str, purpose: str
) -> PurposeLimit | None:
    """The Annex I row of (category, purpose) with its typical minimum, or None when the
    category does not allow the purpose."""
    row = await conn.fetchrow(
        f"""SELECT {_PURPOSE_LIMIT} FROM food_category_purposes
            WHERE category = $1 AND purpose = $2""",
        category,
        purpose,
    )
    return None if row is None else _purpose_limit(row)


async def category_exists(conn: asyncpg.Connection, category: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM food_categories WHERE code = $1", category))
