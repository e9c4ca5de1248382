"""Dose maps of an irradiator: who may record and read them, their SQL and their endpoints."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.common import Page
from schemas.dose_maps import DoseMap, DoseMapCreate, DoseMapUsed
from service.accounts.admin_log import record_admin_change
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, next_cursor, page_clause

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


class DoseMapsController(Controller):
    path = "/api/v1/irradiators/{irradiator_id:uuid}/dose-maps"
    tags = ["accounts"]

    @post(operation_id="createDoseMap", opt=roles("admin", "qa"))
    async def create_dose_map(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        irradiator_id: FromPath[UUID],
        data: JSONBody[DoseMapCreate],
    ) -> DoseMap:
        """Record a dose map (performance qualification) of an irradiator: the ratios of the
        product's lowest and highest dose to the reference position's, and the dosimetry
        system's expanded uncertainty. Admin, or a QA officer of the irradiator's facility."""
        await _require_irradiator(db, irradiator_id, request.user)
        async with db.transaction():
            row = await db.fetchrow(
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
                request.user.id,
            )
            if request.user.role == "admin":  # a facility's own QA work is not administration
                await record_admin_change(
                    db,
                    request.user,
                    "dose_map.created",
                    "dose_map",
                    row["id"],
                    data.name,
                    {"irradiator_id": irradiator_id},
                )
        return msgspec.convert(dict(row), DoseMap)

    @get(operation_id="listDoseMaps", opt=roles("admin", "operator", "qa", "regulator"))
    async def list_dose_maps(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        irradiator_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[DoseMap]:
        """The irradiator's dose maps, newest first (a treatment names one by `dose_map_id`)."""
        await _require_irradiator(db, irradiator_id, request.user)
        args: list[Any] = [irradiator_id, limit + 1]
        after = page_clause(cursor, args)
        rows = await db.fetch(
            f"""SELECT {_COLUMNS} FROM dose_maps WHERE irradiator_id = $1 AND {after}
                ORDER BY created_at DESC, id DESC LIMIT $2""",
            *args,
        )
        items = [msgspec.convert(dict(r), DoseMap) for r in rows[:limit]]
        return Page(items, next_cursor(rows, limit))
