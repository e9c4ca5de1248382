"""HTTP endpoints of shipments: ship a released batch, cancel a shipment, and read them forward
(a batch's customers) and backward (a customer's batches)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.batches import ReasonBody
from schemas.common import Page
from schemas.shipments import Shipment, ShipmentCreate
from service.batches import actions
from service.batches.customers import BUYER_READERS
from service.batches.customers import queries as customer_queries
from service.batches.shipments import certificate, queries, shipping
from service.batches.transitions import load_batch
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, next_cursor

AuthRequest = Request[AuthUser, None, State]
READERS = roles(*BUYER_READERS)
PDF = "application/pdf"


class ShipmentsController(Controller):
    path = "/api/v1"
    tags = ["shipments"]

    @post(
        "/batches/{batch_id:uuid}/shipments",
        operation_id="shipBatch",
        opt=actions.route_roles("ship"),
        status_code=201,
    )
    async def ship_batch(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[ShipmentCreate],
    ) -> Response[Shipment]:
        """Record a shipment of a released batch to one of the producer's customers. `unit` must
        be the batch's; the shipments of a batch that are not cancelled never exceed the
        quantity the facility received (422 `shipment_exceeds_batch`, checked under the batch's
        lock). `market` defaults to the customer's country, or the union it belongs to (DE →
        `EU`); a market without a row is 422 `market_unknown`; `ID` for a customer abroad is
        422 `market_not_home` (the goods leave the country). A market other than `ID` must
        admit the batch by its rules (category and purpose, dose by the market's metric, source
        energy, the facility's approval on the treatment's date): else 422
        `market_not_permitted` with `failed: [{rule, detail, source, confidence}]`. A batch not
        released, or
        recalled, ships nothing (409 `batch_not_released`, `batch_recalled`). `serial_from` and
        `serial_to` are positions in the batch's serials in issue order, from 0, both included,
        as `labels.pdf?from=` counts: they must be issued (422 `serial_range_not_issued`) and
        not gone with another shipment (422 `serial_range_shipped`)."""
        shipment = await shipping.ship(db, request.user, batch_id, data)
        return Response(shipment, status_code=201)

    @get("/batches/{batch_id:uuid}/shipments", operation_id="listBatchShipments", opt=READERS)
    async def list_batch_shipments(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[Shipment]:
        """Where the batch went (one step forward): its shipments, newest first, cancelled ones
        included with their reason."""
        await load_batch(db, batch_id, request.user)
        rows = await queries.list_shipments(
            db, request.user, batch_id=batch_id, limit=limit, cursor=cursor
        )
        return Page([queries.to_shipment(r) for r in rows[:limit]], next_cursor(rows, limit))

    @get(
        "/customers/{customer_id:uuid}/shipments",
        operation_id="listCustomerShipments",
        opt=READERS,
    )
    async def list_customer_shipments(
        self,
        request: AuthRequest,
        db: Db,
        customer_id: FromPath[UUID],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[Shipment]:
        """What a customer received (one step back): its shipments, newest first."""
        if await customer_queries.get_customer(db, customer_id, request.user) is None:
            raise NotFound("customer")
        rows = await queries.list_shipments(
            db, request.user, customer_id=customer_id, limit=limit, cursor=cursor
        )
        return Page([queries.to_shipment(r) for r in rows[:limit]], next_cursor(rows, limit))

    @get("/shipments/{shipment_id:uuid}", operation_id="getShipment", opt=READERS)
    async def get_shipment(
        self, request: AuthRequest, db: Db, shipment_id: FromPath[UUID]
    ) -> Shipment:
        """One shipment."""
        shipment = await queries.get_shipment(db, shipment_id, request.user)
        if shipment is None:
            raise NotFound("shipment")
        return shipment

    @get(
        "/shipments/{shipment_id:uuid}/certificate.pdf",
        operation_id="getShipmentCertificate",
        opt=READERS,
        media_type=PDF,
    )
    async def get_shipment_certificate(
        self, request: AuthRequest, db: Db, shipment_id: FromPath[UUID]
    ) -> Response[bytes]:
        """The export certificate of a shipment: one A4 page in English (with the market's
        statutory words in its own language where the markets table has them) stating its
        number, shipper, consignee and market, product and HS code, lot and quantity, the
        treatment (facility, licence and approval, irradiator and source energy, dates, D_min,
        D_max and the overall average dose where the dose map knows it, against the market's
        limit by its metric), the market check and a statement of conformity with Codex CXS 106
        and CXC 19. Its number is given once and kept. Its QR holds `/c/{number}?s=…`, where
        anyone checks that it is genuine. A recalled batch's certificate says RECALLED. 409
        `shipment_cancelled` for a cancelled shipment; 422 `market_not_permitted` (with
        `failed`) when the market's rules, as they stand now, do not admit the batch."""
        state = request.app.state
        number, pdf = await certificate.shipment_certificate(
            db, shipment_id, request.user, state.signing_keys, state.settings.public_base_url
        )
        return Response(
            pdf,
            media_type=PDF,
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )

    @post(
        "/shipments/{shipment_id:uuid}/cancel",
        operation_id="cancelShipment",
        opt=roles("producer"),
        status_code=200,
    )
    async def cancel_shipment(
        self,
        request: AuthRequest,
        db: Db,
        shipment_id: FromPath[UUID],
        data: JSONBody[ReasonBody],
    ) -> Shipment:
        """Cancel a mistaken shipment with a reason. It is never deleted: it stays in the lists
        as cancelled, no longer counts against the batch's quantity, and the batch's audit log
        records the cancellation. A second cancel is 409 `shipment_cancelled`; a shipment of a
        recalled batch is 409 `batch_recalled` (the recall's record of whom it reaches)."""
        return await shipping.cancel(db, request.user, shipment_id, data.reason)
