"""SQL for customers, each read with the market its shipments go to by default."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.customers import Customer, CustomerCreate
from service.core.auth import AuthUser
from service.core.pagination import page_clause

# the customer's default market: its country's union (EU, GCC), else the country if it is a market
_CUSTOMER = """
SELECT c.*, COALESCE(mm.market, m.code) AS market
FROM customers c
LEFT JOIN market_members mm ON mm.country = c.country
LEFT JOIN markets m ON m.code = c.country
"""


def owned_by(user: AuthUser, args: list[Any], alias: str = "c") -> str:
    """SQL condition: the customers `user` may read. A producer reads its own; a regulator or
    an admin reads all (other roles never reach here: the routes refuse them)."""
    if user.role in ("admin", "regulator"):
        return "TRUE"
    args.append(user.organization_id)
    return f"{alias}.organization_id = ${len(args)}"


def to_customer(row: asyncpg.Record) -> Customer:
    return msgspec.convert(dict(row), Customer)


async def insert_customer(
    conn: asyncpg.Connection, user: AuthUser, data: CustomerCreate
) -> Customer:
    new_id: UUID = await conn.fetchval(
        """INSERT INTO customers (organization_id, name, kind, country, city, gln, email,
                                  whatsapp, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id""",
        user.organization_id,
        data.name,
        data.kind,
        data.country,
        data.city,
        data.gln,
        data.email,
        data.whatsapp,
        user.id,
    )
    row = await conn.fetchrow(_CUSTOMER + "WHERE c.id = $1", new_id)
    return to_customer(row)


async def get_customer(
    conn: asyncpg.Connection, customer_id: UUID, user: AuthUser
) -> Customer | None:
    args: list[Any] = [customer_id]
    owned = owned_by(user, args)
    row = await conn.fetchrow(_CUSTOMER + f"WHERE c.id = $1 AND {owned}", *args)
    return to_customer(row) if row else None


async def customer_for_update(
    conn: asyncpg.Connection, customer_id: UUID, organization_id: UUID
) -> Customer | None:
    """The organization's customer, locked until the transaction ends."""
    row = await conn.fetchrow(
        _CUSTOMER + "WHERE c.id = $1 AND c.organization_id = $2 FOR UPDATE OF c",
        customer_id,
        organization_id,
    )
    return to_customer(row) if row else None


async def update_customer(
    conn: asyncpg.Connection, customer_id: UUID, data: CustomerCreate
) -> Customer:
    """Write every field of `data` (the customer as amended)."""
    await conn.execute(
        """UPDATE customers SET name = $2, kind = $3, country = $4, city = $5, gln = $6,
                  email = $7, whatsapp = $8, updated_at = clock_timestamp()
           WHERE id = $1""",
        customer_id,
        data.name,
        data.kind,
        data.country,
        data.city,
        data.gln,
        data.email,
        data.whatsapp,
    )
    row = await conn.fetchrow(_CUSTOMER + "WHERE c.id = $1", customer_id)
    return to_customer(row)


async def list_customers(
    conn: asyncpg.Connection, user: AuthUser, *, limit: int, cursor: str | None
) -> list[asyncpg.Record]:
    """Customers, newest first; `limit + 1` rows at most (see pagination.next_cursor)."""
    args: list[Any] = [limit + 1]
    owned = owned_by(user, args)
    after = page_clause(cursor, args, alias="c")
    return await conn.fetch(
        _CUSTOMER + f"WHERE {owned} AND {after} ORDER BY c.created_at DESC, c.id DESC LIMIT $1",
        *args,
    )


async def all_customers(conn: asyncpg.Connection, organization_id: UUID) -> list[Customer]:
    """Every customer of a producer, by name (for the console's choice of customer)."""
    rows = await conn.fetch(
        _CUSTOMER + "WHERE c.organization_id = $1 ORDER BY lower(c.name), c.id", organization_id
    )
    return [to_customer(r) for r in rows]
