"""The in-place amendment of a product's evidence (SPEC §3.2 editing). The study's conditions,
the process-validation reference and the HS code change nothing printed on a label, so they amend
the current version itself, each change in the admin log with before and after; every other field
changes by a new version (`versions`), and id, GTIN, category and purpose never change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import today_in_jakarta
from schemas.products import EVIDENCE_FIELDS, IMMUTABLE_FIELDS, Product, ProductCreate
from service.accounts.admin_log import record_admin_change
from service.accounts.queries import purpose_limit
from service.batches import rules
from service.batches.products import queries as product_queries
from service.core.auth import AuthUser
from service.core.errors import NotFound, RuleViolation


def refuse_immutable(given: list[str]) -> None:
    """422 `immutable_field` naming the identity fields a patch names: a product with another
    GTIN, category or purpose is another product."""
    immutable = [field for field in given if field in IMMUTABLE_FIELDS]
    if immutable:
        raise RuleViolation(
            "immutable_field",
            f"{', '.join(immutable)} of a product never change: register a new product instead.",
            fields=immutable,
            errors=[{"field": field, "message": "never changes"} for field in immutable],
        )


def as_product_body(row: asyncpg.Record, changes: dict[str, Any]) -> ProductCreate:
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
    conn: asyncpg.Connection, user: AuthUser, product_id: UUID, changes: dict[str, Any]
) -> Product:
    """Amend the evidence fields in `changes` (None removes one) in one transaction with their
    admin-log entry; the amended product must pass the product rules as a new one would
    (radura-sl/3's refusals included). Another organization's product is 404."""
    assert set(changes) <= set(EVIDENCE_FIELDS)
    assert user.organization_id is not None  # producers only (the route's guard)
    async with conn.transaction():
        row = await product_queries.product_for_update(conn, product_id, user.organization_id)
        if row is None:
            raise NotFound("product")
        changed = {field: value for field, value in changes.items() if row[field] != value}
        if not changed:
            return product_queries.to_product(row)
        amended = as_product_body(row, changed)
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
                "version": row["version"],
                "before": {field: row[field] for field in changed},
                "after": changed,
            },
        )
    return product_queries.to_product(updated)
