"""Shipping a released batch to a customer and cancelling a mistaken shipment: the rules of
SPEC §13.1, which the API, the console and the demo seeder all go through.

Every shipment of a batch is written under the batch row's lock (`SELECT … FOR UPDATE`), so two
concurrent shipments that together exceed the batch cannot both pass the quantity rule: the
second waits for the first to commit, then counts it. Each shipment and each cancellation
appends an event to the batch's hash-chained audit log in the same transaction."""

from __future__ import annotations

import math
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.shipments import Shipment, ShipmentCreate
from service.accounts.markets.queries import resolve_market
from service.batches import actions
from service.batches.customers import queries as customer_queries
from service.batches.events import append_event
from service.batches.market_fit import batch_failures
from service.batches.markets_check import HOME_MARKET
from service.batches.shipments import queries
from service.core.auth import AuthUser
from service.core.errors import Conflict, NotFound, RuleViolation

# kg are summed as floats: 0.1 + 0.2 must not exceed a batch of 0.3 kg
_QUANTITY_TOLERANCE = 1e-9


def _transaction(conn: asyncpg.Connection) -> AbstractAsyncContextManager[Any]:
    """A transaction, unless the caller holds one (the demo seeder does)."""
    return nullcontext() if conn.is_in_transaction() else conn.transaction()


def _refused(code: str, field: str, detail: str, **extra: Any) -> RuleViolation:
    """A 422 that names its rule (`code`) and the field it is about."""
    return RuleViolation(code, detail, errors=[{"field": field, "message": detail}], **extra)


def check_status(status: str) -> None:
    """Only a released batch ships (the action table's `ship`): a recalled one never again,
    the others not yet. The role is the route's to check, as the demo seeder ships too."""
    if status != actions.ACTIONS["ship"].from_status:
        raise actions.status_conflict(status, "ship")


def batch_limit(batch: asyncpg.Record) -> float:
    """What all shipments together may reach: the quantity the facility received, or the
    registered quantity before a receipt."""
    received = batch["quantity_received"]
    return float(received if received is not None else batch["quantity"])


async def ship(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, data: ShipmentCreate
) -> Shipment:
    """Record a shipment of a released batch to one of the producer's customers."""
    async with _transaction(conn):
        batch = await queries.batch_for_shipping(conn, batch_id, user)
        if batch is None:
            raise NotFound("batch")
        check_status(batch["status"])
        customer = await customer_queries.get_customer(conn, data.customer_id, user)
        if customer is None or customer.organization_id != batch["producer_id"]:
            raise NotFound("customer")
        if data.unit != batch["unit"]:
            raise _refused(
                "unit_mismatch",
                "unit",
                f"The batch is counted in {batch['unit']}; ship it in {batch['unit']}.",
                batch_unit=batch["unit"],
            )
        asked = data.market or customer.country
        market = await resolve_market(conn, asked)
        if market is None:
            raise _refused(
                "market_unknown",
                "market",
                f"No market is recorded for {asked}.",
                market=asked,
            )
        if market == HOME_MARKET and customer.country != HOME_MARKET:
            # goods delivered abroad leave the country: naming the home market would skip
            # the check of the market they really go to
            raise _refused(
                "market_not_home",
                "market",
                f"The customer is in {customer.country}: this shipment goes abroad, so its "
                "market is the customer's (leave market out to take it).",
                customer_country=customer.country,
            )
        await check_market_admits(conn, batch_id, market)
        # to the minute, as a person enters a time (the console's datetime-local field)
        released_at = batch["released_at"]
        if released_at is not None and data.shipped_at < released_at.replace(
            second=0, microsecond=0
        ):
            raise _refused(
                "shipped_before_release",
                "shipped_at",
                "A batch ships only after its release; the shipment's time is before it.",
                released_at=released_at.isoformat(),
            )
        if data.serial_from is not None and data.serial_to is not None:
            await _check_serial_range(conn, batch, data.serial_from, data.serial_to)
        await _check_quantity(conn, batch, data.quantity)
        shipment = await queries.insert_shipment(
            conn, batch_id, batch["producer_id"], user, data, market
        )
        await append_event(conn, batch_id, "shipped", user, _event_data(shipment))
    return shipment


async def check_market_admits(conn: asyncpg.Connection, batch_id: UUID, market: str) -> None:
    """A shipment abroad meets the market's rules (SPEC §13.3); the home market's are BPOM's,
    which a released batch already meets. Its export certificate is refused the same way."""
    failed = await batch_failures(conn, batch_id, market)
    if failed:
        raise _refused(
            "market_not_permitted",
            "market",
            f"{market} does not admit this batch: "
            + "; ".join(f"{f.rule}: {f.detail}" for f in failed),
            market=market,
            failed=[msgspec.to_builtins(f) for f in failed],
        )


async def _check_serial_range(
    conn: asyncpg.Connection, batch: asyncpg.Record, serial_from: int, serial_to: int
) -> None:
    issued = int(batch["serials_issued"])
    if serial_to >= issued:
        raise _refused(
            "serial_range_not_issued",
            "serial_to",
            f"The batch has {issued} serials (positions 0 to {issued - 1}); "
            f"position {serial_to} is not issued.",
            serials_issued=issued,
        )
    overlap = await queries.overlapping_range(conn, batch["id"], serial_from, serial_to)
    if overlap is not None:
        raise _refused(
            "serial_range_shipped",
            "serial_from",
            f"Positions {overlap['serial_from']} to {overlap['serial_to']} went with another "
            "shipment already.",
            shipment_id=str(overlap["id"]),
        )


async def _check_quantity(conn: asyncpg.Connection, batch: asyncpg.Record, quantity: float) -> None:
    limit = batch_limit(batch)
    shipped = await queries.shipped_quantity(conn, batch["id"])
    if shipped + quantity > limit * (1 + _QUANTITY_TOLERANCE):
        available = max(limit - shipped, 0.0)
        raise _refused(
            "shipment_exceeds_batch",
            "quantity",
            f"The batch has {limit:g} {batch['unit']}; {shipped:g} are shipped already, so at "
            f"most {available:g} more can go.",
            limit=limit,
            shipped=shipped,
            available=math.floor(available) if batch["unit"] == "pcs" else available,
        )


def _event_data(shipment: Shipment) -> dict[str, Any]:
    """What the audit log keeps of a shipment: the facts, the customer by id only."""
    data: dict[str, Any] = {
        "shipment_id": str(shipment.id),
        "customer_id": str(shipment.customer_id),
        "shipped_at": shipment.shipped_at.isoformat(),
        "quantity": shipment.quantity,
        "unit": shipment.unit,
        "market": shipment.market,
    }
    if shipment.document_no is not None:
        data["document_no"] = shipment.document_no
    if shipment.serial_from is not None:
        data["serial_from"] = shipment.serial_from
        data["serial_to"] = shipment.serial_to
    return data


async def cancel(
    conn: asyncpg.Connection, user: AuthUser, shipment_id: UUID, reason: str
) -> Shipment:
    """Cancel a mistaken shipment with a reason: it stays on record, no longer counts against
    the batch's quantity, and the batch's audit log says so. A second cancel is 409, and so is
    a cancel once the batch is recalled: its shipments are then the record of whom the recall
    reaches, and a buyer taken off it would drop out of the recall's figures."""
    async with _transaction(conn):
        shipment = await queries.get_shipment(conn, shipment_id, user)
        if shipment is None:
            raise NotFound("shipment")
        # the batch's lock first, as shipping takes it: the two never wait on each other
        if await queries.lock_batch(conn, shipment.batch_id) == "recalled":
            raise Conflict(
                "batch_recalled",
                "The batch is recalled: its shipments are the record of whom the recall "
                "reaches, and stay as they are.",
                current_status="recalled",
            )
        cancelled = await queries.cancel_shipment(conn, shipment_id, user, reason)
        if cancelled is None:
            raise Conflict(
                "shipment_cancelled",
                "The shipment is cancelled already.",
                current_status="cancelled",
            )
        await append_event(
            conn,
            shipment.batch_id,
            "shipment_cancelled",
            user,
            {"shipment_id": str(shipment_id), "reason": reason},
        )
    return cancelled
