"""Creating and amending a producer's customers: the API and the console both call these."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from schemas.customers import CUSTOMER_FIELDS, Customer, CustomerCreate, CustomerPatch
from service.batches.customers import queries
from service.batches.rules import invalid_field
from service.core.auth import AuthUser
from service.core.errors import NotFound


async def create_customer(
    conn: asyncpg.Connection, user: AuthUser, data: CustomerCreate
) -> Customer:
    assert user.organization_id is not None  # producers only (the route's guard)
    return await queries.insert_customer(conn, user, data)


def amended(customer: Customer, patch: CustomerPatch) -> CustomerCreate:
    """The customer with the patch applied, checked as a new one would be (400 naming a field)."""
    fields = {field: getattr(customer, field) for field in CUSTOMER_FIELDS} | patch.changes()
    fields = {field: value for field, value in fields.items() if value is not None}
    try:
        return msgspec.convert(fields, CustomerCreate)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).rpartition(" - at `$.")
        raise invalid_field(path.rstrip("`") or "body", message or str(exc)) from None


async def amend_customer(
    conn: asyncpg.Connection, user: AuthUser, customer_id: UUID, patch: CustomerPatch
) -> Customer:
    """Apply a merge patch to one of the producer's customers; another's is 404."""
    assert user.organization_id is not None  # producers only (the route's guard)
    async with conn.transaction():
        customer = await queries.customer_for_update(conn, customer_id, user.organization_id)
        if customer is None:
            raise NotFound("customer")
        return await queries.update_customer(conn, customer_id, amended(customer, patch))


async def replace_customer(
    conn: asyncpg.Connection, user: AuthUser, customer_id: UUID, data: CustomerCreate
) -> Customer:
    """Write every field of one of the producer's customers (the console's edit form sends them
    all); another's is 404."""
    assert user.organization_id is not None  # producers only (the route's guard)
    async with conn.transaction():
        if await queries.customer_for_update(conn, customer_id, user.organization_id) is None:
            raise NotFound("customer")
        return await queries.update_customer(conn, customer_id, data)
