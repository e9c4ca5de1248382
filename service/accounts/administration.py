"""The administrator's changes to organizations, irradiators and the food-category table, each in
one transaction with its entry in the admin audit log; and the list of users. The API and the
console both call these (users are created in `users.py`, disabled and invited in `people.py`)."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from schemas.accounts import (
    Irradiator,
    IrradiatorCreate,
    Organization,
    OrganizationCreate,
    PurposeLimit,
    PurposeLimitChange,
    UserLine,
)
from service.accounts import queries, rules
from service.accounts.admin_log import record_admin_change
from service.core.auth import AuthUser
from service.core.errors import NotFound
from service.core.pagination import page_clause


async def create_organization(
    conn: asyncpg.Connection, actor: AuthUser, data: OrganizationCreate
) -> Organization:
    async with conn.transaction():
        organization = await queries.insert_organization(conn, data)
        await record_admin_change(
            conn,
            actor,
            "organization.created",
            "organization",
            organization.id,
            organization.name,
            {"kind": organization.kind, "city": organization.city},
        )
    return organization


async def create_irradiator(
    conn: asyncpg.Connection, actor: AuthUser, data: IrradiatorCreate
) -> Irradiator:
    """An irradiator at a facility, if its source is lawful (Codex energy limits)."""
    async with conn.transaction():
        facility = await queries.get_organization(conn, data.facility_id)
        rules.check_irradiator(data, facility)
        irradiator = await queries.insert_irradiator(conn, data)
        await record_admin_change(
            conn,
            actor,
            "irradiator.created",
            "irradiator",
            irradiator.id,
            irradiator.name,
            {"facility_id": irradiator.facility_id, "source_type": irradiator.source_type},
        )
    return irradiator


async def change_purpose_limit(
    conn: asyncpg.Connection,
    actor: AuthUser,
    category: str,
    purpose: str,
    change: PurposeLimitChange,
) -> PurposeLimit:
    """Correct one (category, purpose) row of the Annex I table; the entry keeps the values
    before and after. 404 when the category does not allow the purpose at all."""
    async with conn.transaction():
        before = await conn.fetchrow(
            """SELECT max_dose_kgy, source, confirmed, typical_min_dose_kgy,
                      typical_min_dose_source
               FROM food_category_purposes WHERE category = $1 AND purpose = $2 FOR UPDATE""",
            category,
            purpose,
        )
        if before is None:
            raise NotFound("category and purpose")
        await conn.execute(
            """UPDATE food_category_purposes SET max_dose_kgy = $3, source = $4, confirmed = $5
               WHERE category = $1 AND purpose = $2""",
            category,
            purpose,
            change.max_dose_kgy,
            change.source,
            change.confirmed,
        )
        await record_admin_change(
            conn,
            actor,
            "food_category.limit_changed",
            "food_category",
            f"{category}/{purpose}",
            f"{category} · {purpose}",
            {
                "before": {k: before[k] for k in ("max_dose_kgy", "source", "confirmed")},
                "after": msgspec.to_builtins(change),
            },
        )
    return PurposeLimit(
        purpose,
        change.max_dose_kgy,
        change.source,
        change.confirmed,
        before["typical_min_dose_kgy"],
        before["typical_min_dose_source"],
    )


async def list_users(conn: asyncpg.Connection, *, limit: int, cursor: str | None) -> list[UserLine]:
    """Every user, newest first, with the organization's name; `limit + 1` rows."""
    args: list[Any] = [limit + 1]
    after = page_clause(cursor, args, alias="u")
    rows = await conn.fetch(
        f"""SELECT u.id, u.name, u.role, u.organization_id, o.name AS organization_name, u.email,
                   u.password_hash IS NOT NULL AS has_password, u.disabled_at, u.created_at
            FROM users u LEFT JOIN organizations o ON o.id = u.organization_id
            WHERE {after} ORDER BY u.created_at DESC, u.id DESC LIMIT $1""",
        *args,
    )
    return [msgspec.convert(dict(r), UserLine) for r in rows]
