"""What the batch page shows of a batch's shipments: the list, the quantity left to ship, and
the ship form's choices (the producer's customers, the markets). The batch page and the ship
form's own page both gather it here, from the same queries as the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from schemas.batches import BatchRecord
from schemas.customers import Customer
from schemas.markets import Market
from schemas.shipments import Shipment
from service.accounts.markets.queries import list_markets
from service.batches import actions
from service.batches.customers import BUYER_READERS
from service.batches.customers import queries as customer_queries
from service.batches.shipments import queries
from service.core.auth import AuthUser

# the batch page lists this many; the API (and the trace report) hold them all
LISTED = 50
SHIP_FIELDS = (
    "customer_id",
    "shipped_at",
    "quantity",
    "unit",
    "document_no",
    "market",
    "serial_from",
    "serial_to",
)


@dataclass(frozen=True, slots=True)
class ShippingView:
    shipments: list[Shipment]
    more: bool  # more shipments than listed
    limit: float  # what all shipments together may reach
    shipped: float  # what the shipments not cancelled add up to
    may_ship: bool  # the ship form is offered
    customers: list[Customer] = field(default_factory=list)
    markets: list[Market] = field(default_factory=list)

    @property
    def available(self) -> float:
        return max(self.limit - self.shipped, 0.0)


def may_ship(user: AuthUser, record: BatchRecord) -> bool:
    """The ship form is the producer's, on a released batch (the action table's `ship`, as
    the API's rule says)."""
    return actions.refusal(user, actions.BatchFacts(record.status), "ship") is None


def batch_limit(record: BatchRecord) -> float:
    return record.receipt.quantity_received if record.receipt else record.quantity


async def shipping_view(
    conn: asyncpg.Connection, user: AuthUser, record: BatchRecord
) -> ShippingView | None:
    """None for a user who may not read shipments (facility staff)."""
    if user.role not in BUYER_READERS:
        return None
    rows = await queries.list_shipments(conn, user, batch_id=record.id, limit=LISTED, cursor=None)
    shipped = await queries.shipped_quantity(conn, record.id)
    offer = may_ship(user, record)
    customers: list[Customer] = []
    markets: list[Market] = []
    if offer and user.organization_id is not None:
        customers = await customer_queries.all_customers(conn, user.organization_id)
        markets = (await list_markets(conn, limit=200, after=None))[:200]
    return ShippingView(
        shipments=[queries.to_shipment(r) for r in rows[:LISTED]],
        more=len(rows) > LISTED,
        limit=batch_limit(record),
        shipped=shipped,
        may_ship=offer,
        customers=customers,
        markets=markets,
    )


def ship_form_defaults(record: BatchRecord) -> dict[str, Any]:
    """A fresh ship form: the batch's unit (the only one allowed), the rest empty (an empty time
    means now)."""
    return {"unit": record.unit}
