"""PATCH /api/v1/products/{id}: editing a product (SPEC §3.2 "Editing").

A patch of evidence alone (the study's conditions, `process_validation_ref`, `hs_code`) amends
the current version in place (`amendments`). Any other change makes a new version carrying the
whole patch: batches keep the version they were registered with, so nothing already printed
changes meaning, and the product rules — the annex, sterile meals, radura-sl/3's refusals, the
registration schemes — apply to the new version as to a new product. Id, GTIN, category and
purpose never change (422 `immutable_field`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import today_in_jakarta
from schemas.products import EVIDENCE_FIELDS, Product, ProductPatch
from service.accounts.admin_log import record_admin_change
from service.accounts.queries import purpose_limit
from service.batches import rules
from service.batches.products import amendments, registration
from service.batches.products import queries as product_queries
from service.core.auth import AuthUser
from service.core.errors import NotFound


async def edit_product(
    conn: asyncpg.Connection, user: AuthUser, product_id: UUID, patch: ProductPatch
) -> Product:
    """Apply a merge patch: in place for evidence alone, else as a new version."""
    given = patch.given()
    amendments.refuse_immutable(given)
    changes = {field: getattr(patch, field) for field in given}
    if set(changes) <= set(EVIDENCE_FIELDS):
        return await amendments.amend_product(conn, user, product_id, changes)
    return await add_version(conn, user, product_id, changes)


async def add_version(
    conn: asyncpg.Connection, user: AuthUser, product_id: UUID, changes: dict[str, Any]
) -> Product:
    """The product with `changes` as its next version, in one transaction with its admin-log
    entry (before and after of each changed field); unchanged values make no version. The
    product row is locked, so two concurrent edits make two versions, one after the other."""
    assert user.organization_id is not None  # producers only (the route's guard)
    if "registration_no" in changes:
        changes = changes | {
            "registration_no": rules.normalize_registration_no(changes["registration_no"])
        }
    async with conn.transaction():
        row = await product_queries.product_for_update(conn, product_id, user.organization_id)
        if row is None:
            raise NotFound("product")
        changed = {field: value for field, value in changes.items() if row[field] != value}
        if not changed:
            return product_queries.to_product(row)
        edited = amendments.as_product_body(row, changed)
        limit = await purpose_limit(conn, edited.category, edited.purpose)
        rules.check_product_rules(edited, limit.max_dose_kgy if limit else None)
        assert limit is not None
        today = today_in_jakarta()
        rules.check_product_shelf_life(
            edited, today, typical_min_dose_kgy=limit.typical_min_dose_kgy
        )
        registration.check_registration_type(msgspec.structs.asdict(edited), today=today)
        updated = await product_queries.insert_version(conn, product_id, row["version"], changed)
        await record_admin_change(
            conn,
            user,
            "product.versioned",
            "product",
            product_id,
            updated["name"],
            {
                "before": {field: row[field] for field in changed} | {"version": row["version"]},
                "after": changed | {"version": updated["version"]},
            },
        )
    return product_queries.to_product(updated)
