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
                                      licence_no, licence_valid_until, country, gln)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *""",
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
        data.gln,
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


async def irradiators_with_facilities(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every irradiator with its facility's name and city, by facility."""
    return await conn.fetch(
        """SELECT i.id, i.name, i.source_type, i.activity_kci, i.max_energy_mev,
                  i.created_at, o.name AS facility_name, o.city AS facility_city
           FROM irradiators i JOIN organizations o ON o.id = i.facility_id
           ORDER BY o.name, i.created_at"""
    )


async def facility_dose_maps(conn: asyncpg.Connection, facility_id: UUID) -> list[asyncpg.Record]:
    """The dose maps of a facility's irradiators, by irradiator, newest first: the newest
    version of each map only, since a treatment may name no other."""
    return await conn.fetch(
        """SELECT m.id, m.name, m.study_ref, i.name AS irradiator_name FROM dose_maps m
           JOIN irradiators i ON i.id = m.irradiator_id
           WHERE i.facility_id = $1
             AND NOT EXISTS (SELECT 1 FROM dose_maps n WHERE n.replaces_id = m.id)
           ORDER BY i.name, m.created_at DESC""",
        facility_id,
    )


async def user_summary(conn: asyncpg.Connection, user_id: UUID) -> asyncpg.Record | None:
    """A user's name, email, role and whether they are disabled."""
    return await conn.fetchrow(
        "SELECT id, name, email, role, disabled_at FROM users WHERE id = $1", user_id
    )


async def account_of(conn: asyncpg.Connection, user_id: UUID) -> asyncpg.Record | None:
    """A user's email and organization name, for their own account page."""
    return await conn.fetchrow(
        """SELECT u.email, o.name AS organization FROM users u
           LEFT JOIN organizations o ON o.id = u.organization_id WHERE u.id = $1""",
        user_id,
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


# --- edits (SPEC §3.2 "Editing"): the caller holds the row's lock and names checked columns ---

_EDITABLE = {
    "organizations": frozenset(
        {"name", "address", "city", "province", "phone", "nib", "country", "licence_no",
         "licence_valid_from", "licence_valid_until"}
    ),
    "irradiators": frozenset({"name", "source_type", "activity_kci", "max_energy_mev"}),
    "users": frozenset({"name", "role"}),
}  # fmt: skip


async def row_for_update(
    conn: asyncpg.Connection, table: str, row_id: UUID
) -> asyncpg.Record | None:
    """The row of an organization, irradiator or user, locked until the transaction ends."""
    assert table in _EDITABLE
    return await conn.fetchrow(f"SELECT * FROM {table} WHERE id = $1 FOR UPDATE", row_id)


async def editable_row(conn: asyncpg.Connection, table: str, row_id: UUID) -> asyncpg.Record | None:
    """The row of an organization, irradiator or user as its edit form shows it (no lock)."""
    assert table in _EDITABLE
    return await conn.fetchrow(f"SELECT * FROM {table} WHERE id = $1", row_id)


async def irradiator_heading(
    conn: asyncpg.Connection, irradiator_id: UUID
) -> asyncpg.Record | None:
    """An irradiator's name, source and facility, as its dose-map pages head them."""
    return await conn.fetchrow(
        """SELECT i.id, i.name, i.source_type, o.name AS facility_name
           FROM irradiators i JOIN organizations o ON o.id = i.facility_id WHERE i.id = $1""",
        irradiator_id,
    )


async def update_row(
    conn: asyncpg.Connection, table: str, row_id: UUID, changes: dict[str, Any]
) -> asyncpg.Record:
    """Write `changes` to the row; returns the row as stored."""
    assert changes and set(changes) <= _EDITABLE[table]
    columns = list(changes)
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=2))
    row = await conn.fetchrow(
        f"UPDATE {table} SET {assignments} WHERE id = $1 RETURNING *",
        row_id,
        *(changes[column] for column in columns),
    )
    assert row is not None
    return row


async def licence_periods(conn: asyncpg.Connection, facility_id: UUID) -> list[asyncpg.Record]:
    """Every licence period of a facility, newest first."""
    return await conn.fetch(
        """SELECT licence_no, valid_from, valid_until, recorded_at FROM facility_licences
           WHERE facility_id = $1 ORDER BY recorded_at DESC, id DESC""",
        facility_id,
    )


async def user_line(conn: asyncpg.Connection, user_id: UUID) -> asyncpg.Record | None:
    """A user as the administrator's list shows it."""
    return await conn.fetchrow(
        """SELECT u.id, u.name, u.role, u.organization_id, o.name AS organization_name, u.email,
                  u.password_hash IS NOT NULL AS has_password, u.disabled_at, u.created_at
           FROM users u LEFT JOIN organizations o ON o.id = u.organization_id
           WHERE u.id = $1""",
        user_id,
    )
