"""HTTP endpoints of a producer's customers: create, list, read, amend."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.common import Page
from schemas.customers import Customer, CustomerCreate, CustomerPatch
from service.batches.customers import BUYER_READERS, queries, records
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, next_cursor

AuthRequest = Request[AuthUser, None, State]
READERS = roles(*BUYER_READERS)


class CustomersController(Controller):
    path = "/api/v1/customers"
    tags = ["customers"]

    @post(operation_id="createCustomer", opt=roles("producer"), status_code=201)
    async def create_customer(
        self, request: AuthRequest, db: Db, data: JSONBody[CustomerCreate]
    ) -> Customer:
        """Record a customer of the producer: a distributor, retailer, marketplace, importer or
        other buyer, with its country (ISO 3166-1 alpha-2) and, where known, city, GLN (13
        digits with a valid check digit), email and WhatsApp number (E.164). `market` is where
        its shipments go unless a shipment names another: its country's union (`EU`, `GCC`)
        or the country."""
        return await records.create_customer(db, request.user, data)

    @get(operation_id="listCustomers", opt=READERS)
    async def list_customers(
        self, request: AuthRequest, db: Db, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[Customer]:
        """Customers, newest first: a producer's own, or all for a regulator or admin."""
        rows = await queries.list_customers(db, request.user, limit=limit, cursor=cursor)
        return Page([queries.to_customer(r) for r in rows[:limit]], next_cursor(rows, limit))

    @get("/{customer_id:uuid}", operation_id="getCustomer", opt=READERS)
    async def get_customer(
        self, request: AuthRequest, db: Db, customer_id: FromPath[UUID]
    ) -> Customer:
        """One customer."""
        customer = await queries.get_customer(db, customer_id, request.user)
        if customer is None:
            raise NotFound("customer")
        return customer

    @patch("/{customer_id:uuid}", operation_id="amendCustomer", opt=roles("producer"))
    async def amend_customer(
        self,
        request: AuthRequest,
        db: Db,
        customer_id: FromPath[UUID],
        data: JSONBody[CustomerPatch],
    ) -> Customer:
        """Change a customer (a JSON merge patch: a field left out stays, null removes an
        optional one). Shipments already recorded keep the market they were shipped to."""
        return await records.amend_customer(db, request.user, customer_id, data)
