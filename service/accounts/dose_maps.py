"""Dose maps of an irradiator: who may record and read them, and their SQL (the endpoints are in
`dose_maps_controller`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.common import Page
from schemas.dose_maps import DoseMap, DoseMapCreate, DoseMapUsed
from service.accounts.admin_log import record_admin_change
from service.core.auth import AuthUser
from service.core.errors import NotFound
from service.core.pagination import next_cursor, page_clause

_COLUMNS = (
    "id, irradiator_id, name, loading_pattern, reference_position, ratio_min, ratio_max, "
    "expanded_uncertainty_pct, study_ref, performed_on, created_at"
)
# Facility staff see only their own facility's irradiators (another's answers 404, SPEC §1).
_FACILITY_ROLES = frozenset({"operator", "qa"})


async def _require_irradiator(
    conn: asyncpg.Connection, irradiator_id: UUID, user: AuthUser
) -> None:
    facility_id: UUID | None = await conn.fetchval(
        "SELECT facility_id FROM irradiators WHERE id = $1", irradiator_id
    )
    if facility_id is None:
        raise NotFound("irradiator")
    if user.role in _FACILITY_ROLES and facility_id != user.organization_id:
        raise NotFound("irradiator")


async def dose_map_for_treatment(
    conn: asyncpg.Connection, dose_map_id: UUID, irradiator_id: UUID
) -> DoseMapUsed | None:
    """The map a treatment names, if it belongs to the treatment's irradiator."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM dose_maps WHERE id = $1 AND irradiator_id = $2",
        dose_map_id,
        irradiator_id,
    )
    return msgspec.convert(dict(row), DoseMapUsed) if row else None


async def create_dose_map(
    conn: asyncpg.Connection, user: AuthUser, irradiator_id: UUID, data: DoseMapCreate
) -> DoseMap:
    """Record a dose map of an irradiator the user may see (404 otherwise); an admin's is
    written to the administration log in the same transaction."""
    await _require_irradiator(conn, irradiator_id, user)
    async with conn.transaction():
        row = await conn.fetchrow(
            f"""INSERT INTO dose_maps (irradiator_id, name, loading_pattern, reference_position,
                    ratio_min, ratio_max, expanded_uncertainty_pct, study_ref, performed_on,
                    created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {_COLUMNS}""",
            irradiator_id,
            data.name,
            data.loading_pattern,
            data.reference_position,
            data.ratio_min,
            data.ratio_max,
            data.expanded_uncertainty_pct,
            data.study_ref,
            data.performed_on,
            user.id,
        )
        if user.role == "admin":  # a facility's own QA work is not administration
            await record_admin_change(
                conn,
                user,
                "dose_map.created",
                "dose_map",
                row["id"],
                data.name,
                {"irradiator_id": irradiator_id},
            )
    return msgspec.convert(dict(row), DoseMap)


async def list_dose_maps(
    conn: asyncpg.Connection, user: AuthUser, irradiator_id: UUID, limit: int, cursor: str | None
) -> Page[DoseMap]:
    """The dose maps of an irradiator the user may see (404 otherwise), newest first."""
    await _require_irradiator(conn, irradiator_id, user)
    args: list[Any] = [irradiator_id, limit + 1]
    after = page_clause(cursor, args)
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM dose_maps WHERE irradiator_id = $1 AND {after}
            ORDER BY created_at DESC, id DESC LIMIT $2""",
        *args,
    )
    items = [msgspec.convert(dict(r), DoseMap) for r in rows[:limit]]
    return Page(items, next_cursor(rows, limit))
