"""PATCH /api/v1/products/{id}: the in-place amendment of a product's evidence (SPEC §3.2
editing). The study's conditions, the process-validation reference and the HS code change
nothing printed on a label, so they amend the product itself, each change in the admin log with
before and after; every other field changes by a new product version, and id, GTIN, category and
purpose never change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import today_in_jakarta
from schemas.products import (
    EVIDENCE_FIELDS,
    IMMUTABLE_FIELDS,
    Product,
    ProductCreate,
    ProductPatch,
)
from service.accounts.admin_log import record_admin_change
from service.accounts.queries import purpose_limit
from service.batches import product_queries, rules
from service.core.auth import AuthUser
from service.core.errors import NotFound, RuleViolation


def check_patch_fields(patch: ProductPatch) -> dict[str, Any]:
    """The evidence fields the patch sets (None removes one), or a 422 naming the fields an
    in-place amendment may not touch."""
    given = patch.given()
    immutable = [field for field in given if field in IMMUTABLE_FIELDS]
    if immutable:
        raise RuleViolation(
            "immutable_field",
            f"{', '.join(immutable)} of a product never change: register a new product instead.",
            fields=immutable,
            errors=[{"field": field, "message": "never changes"} for field in immutable],
        )
    versioned = [field for field in given if field not in EVIDENCE_FIELDS]
    if versioned:
        raise RuleViolation(
            "new_version_required",
            f"{', '.join(versioned)} change what is printed: they change by a new version of "
            "the product, so that batches already registered keep theirs. Only the study's "
            "conditions, process_validation_ref and hs_code are amended in place.",
            fields=versioned,
            errors=[
                {"field": field, "message": "changes by a new product version"}
                for field in versioned
            ],
        )
    return {field: getattr(patch, field) for field in given}


def _as_product_body(row: asyncpg.Record, changes: dict[str, Any]) -> ProductCreate:
    """The amended product as a creation body, checked by the same rules (400 naming a field
    left inconsistent, such as a study with only some of its conditions)."""
    fields = {field: row[field] for field in ProductCreate.__struct_fields__} | changes
    try:
        return msgspec.convert(fields, ProductCreate)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).rpartition(" - at `$.")
        field = path.rstrip("`") or "body"
        raise rules.invalid_field(field, message or str(exc)) from None


async def amend_product(
    conn: asyncpg.Connection, user: AuthUser, product_id: UUID, patch: ProductPatch
) -> Product:
    """Amend the evidence fields in one transaction with their admin-log entry; the amended
    product must pass the product rules as a new one would (radura-sl/3's refusals included).
    Another organization's product is 404."""
    changes = check_patch_fields(patch)
    assert user.organization_id is not None  # producers only (the route's guard)
    async with conn.transaction():
        row = await product_queries.product_for_update(conn, product_id, user.organization_id)
        if row is None:
            raise NotFound("product")
        changed = {field: value for field, value in changes.items() if row[field] != value}
        if not changed:
            return product_queries.to_product(row)
        amended = _as_product_body(row, changed)
        limit = await purpose_limit(conn, amended.category, amended.purpose)
        rules.check_product_rules(amended, limit.max_dose_kgy if limit else None)
        assert limit is not None
        rules.check_product_shelf_life(
            amended, today_in_jakarta(), typical_min_dose_kgy=limit.typical_min_dose_kgy
        )
        updated = await product_queries.amend_evidence(conn, product_id, changed)
        await record_admin_change(
            conn,
            user,
            "product.amended",
            "product",
            product_id,
            row["name"],
            {
                "before": {field: row[field] for field in changed},
                "after": changed,
            },
        )
    return product_queries.to_product(updated)
