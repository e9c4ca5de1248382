"""Dose maps of an irradiator: who may record, version and read them, and their SQL (the endpoints
are in `dose_maps_controller`). A map changes by a new version (SPEC §3.2 "Editing"): a new map
that replaces it, while the old one stays as the treatments that used it used it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.exceptions import ValidationException

from schemas.common import Page
from schemas.dose_maps import DoseMap, DoseMapCreate, DoseMapPatch, DoseMapUsed
from service.accounts.admin_log import record_admin_change
from service.core.auth import AuthUser
from service.core.errors import Conflict, NotFound, RuleViolation
from service.core.pagination import next_cursor, page_clause

_COLUMNS = (
    "id, irradiator_id, name, loading_pattern, reference_position, ratio_min, ratio_max, "
    "expanded_uncertainty_pct, study_ref, performed_on, created_at, version, replaces_id, "
    "ratio_average"
)
# the newer version of map `m`, if any
_REPLACED_BY = "(SELECT n.id FROM dose_maps n WHERE n.replaces_id = m.id) AS replaced_by_id"
_MAP_FIELDS = tuple(DoseMapCreate.__struct_fields__)
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
    """The map a treatment names, if it belongs to the treatment's irradiator; 422
    `dose_map_replaced` (naming the newest version) for a map a newer version replaces."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, {_REPLACED_BY} FROM dose_maps m WHERE id = $1 AND irradiator_id = $2",
        dose_map_id,
        irradiator_id,
    )
    if row is None:
        return None
    if row["replaced_by_id"] is not None:
        newest: UUID = await conn.fetchval(
            """WITH RECURSIVE chain AS (
                   SELECT id FROM dose_maps WHERE replaces_id = $1
                   UNION ALL
                   SELECT n.id FROM dose_maps n JOIN chain ON n.replaces_id = chain.id)
               SELECT id FROM chain c
               WHERE NOT EXISTS (SELECT 1 FROM dose_maps n WHERE n.replaces_id = c.id)""",
            dose_map_id,
        )
        raise RuleViolation(
            "dose_map_replaced",
            f"Dose map {row['name']} (version {row['version']}) has been replaced by a newer "
            f"version: name {newest} instead.",
            current_dose_map_id=str(newest),
        )
    return msgspec.convert(dict(row), DoseMapUsed)


async def create_dose_map(
    conn: asyncpg.Connection, user: AuthUser, irradiator_id: UUID, data: DoseMapCreate
) -> DoseMap:
    """Record a dose map of an irradiator the user may see (404 otherwise); an admin's is
    written to the administration log in the same transaction."""
    await _require_irradiator(conn, irradiator_id, user)
    async with conn.transaction():
        row = await _insert_map(conn, irradiator_id, data, user)
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


async def _insert_map(
    conn: asyncpg.Connection,
    irradiator_id: UUID,
    data: DoseMapCreate,
    user: AuthUser,
    *,
    version: int = 1,
    replaces_id: UUID | None = None,
) -> asyncpg.Record:
    """Store a map, the first version or the one after `replaces_id`, with every field of
    `data`: one INSERT, so no version can leave a field out."""
    return await conn.fetchrow(
        f"""INSERT INTO dose_maps (irradiator_id, name, loading_pattern, reference_position,
                ratio_min, ratio_max, expanded_uncertainty_pct, study_ref, performed_on,
                created_by, version, replaces_id, ratio_average)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            RETURNING {_COLUMNS}""",
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
        version,
        replaces_id,
        data.ratio_average,
    )


async def new_dose_map_version(
    conn: asyncpg.Connection,
    user: AuthUser,
    irradiator_id: UUID,
    dose_map_id: UUID,
    patch: DoseMapPatch,
) -> DoseMap:
    """The map's next version: the map with the patch, as a new map that replaces it (the
    same rules as a new map, 400 naming a field), in one transaction with its admin-log entry
    (before and after). A patch that changes nothing returns the map as it is. A map already
    replaced answers 409 `dose_map_replaced`: a version follows the newest one only."""
    await _require_irradiator(conn, irradiator_id, user)
    async with conn.transaction():
        row = await conn.fetchrow(
            f"""SELECT {_COLUMNS}, {_REPLACED_BY} FROM dose_maps m
                WHERE id = $1 AND irradiator_id = $2 FOR UPDATE""",
            dose_map_id,
            irradiator_id,
        )
        if row is None:
            raise NotFound("dose map")
        changed = {f: v for f, v in patch.changes().items() if row[f] != v}
        if not changed:
            return msgspec.convert(dict(row), DoseMap)
        if row["replaced_by_id"] is not None:
            raise Conflict(
                "dose_map_replaced",
                "This dose map has been replaced by a newer version: edit that one.",
                current_dose_map_id=str(row["replaced_by_id"]),
            )
        try:
            data = msgspec.convert({f: row[f] for f in _MAP_FIELDS} | changed, DoseMapCreate)
        except msgspec.ValidationError as exc:
            raise _invalid(str(exc)) from None
        # the average's ratio is carried into the next version, or set as the patch sets it
        created = await _insert_map(
            conn, irradiator_id, data, user, version=row["version"] + 1, replaces_id=dose_map_id
        )
        await record_admin_change(
            conn,
            user,
            "dose_map.versioned",
            "dose_map",
            created["id"],
            data.name,
            {
                "irradiator_id": irradiator_id,
                "before": {f: row[f] for f in changed} | {"version": row["version"]},
                "after": changed | {"version": created["version"]},
            },
        )
    return msgspec.convert(dict(created), DoseMap)


def _invalid(error: str) -> ValidationException:
    """msgspec's error about the patched map as a 400 naming the field."""
    message, _, path = error.rpartition(" - at `$.")
    if message:
        field = path.rstrip("`")
    else:
        field, _, message = error.partition(": ")
    return ValidationException(
        f"Invalid value for {field}.", extra=[{"key": field, "message": message or error}]
    )


async def list_dose_maps(
    conn: asyncpg.Connection, user: AuthUser, irradiator_id: UUID, limit: int, cursor: str | None
) -> Page[DoseMap]:
    """The dose maps of an irradiator the user may see (404 otherwise), newest first."""
    await _require_irradiator(conn, irradiator_id, user)
    args: list[Any] = [irradiator_id, limit + 1]
    after = page_clause(cursor, args, alias="m")
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS}, {_REPLACED_BY} FROM dose_maps m
            WHERE irradiator_id = $1 AND {after}
            ORDER BY created_at DESC, id DESC LIMIT $2""",
        *args,
    )
    items = [msgspec.convert(dict(r), DoseMap) for r in rows[:limit]]
    return Page(items, next_cursor(rows, limit))
