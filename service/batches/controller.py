"""HTTP endpoints of a producer's batches: register, list, read, cancel, recall, audit log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from schemas.batches import Batch, BatchCreate, BatchRecord, BatchStatus, EventLog, ReasonBody
from schemas.common import Page
from schemas.recalls import RecallStatus
from service.batches import actions, lifecycle, queries
from service.batches.events import event_log
from service.batches.idempotency import IdempotencyKey
from service.batches.recall_status import recall_status
from service.batches.transitions import load_batch
from service.core.auth import ANY_ROLE, AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, next_cursor

AuthRequest = Request[AuthUser, None, State]


async def batch_record(db: asyncpg.Connection, batch_id: UUID, user: AuthUser) -> BatchRecord:
    record = await queries.batch_record(db, batch_id, user)
    if record is None:
        raise NotFound("batch")
    return record


class BatchesController(Controller):
    path = "/api/v1/batches"
    tags = ["batches"]

    @post(operation_id="registerBatch", opt=roles("producer"), status_code=201)
    async def register_batch(
        self,
        request: AuthRequest,
        db: Db,
        data: JSONBody[BatchCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Batch]:
        """Register a batch of one of the producer's products, to be sent to a facility. It gets
        a random 10-character code. With an `Idempotency-Key` header a retry returns the first
        response; the same key with another body answers 422 `idempotency_key_reused`."""
        batch, _ = await lifecycle.register_batch_once(db, request.user, data, idempotency_key)
        return Response(batch, status_code=201)

    @get(operation_id="listBatches", opt=ANY_ROLE)
    async def list_batches(
        self,
        request: AuthRequest,
        db: Db,
        status: Annotated[BatchStatus | None, QueryParameter()] = None,
        product_id: Annotated[UUID | None, QueryParameter()] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[Batch]:
        """Batches the caller may see, newest first: a producer's own, those sent to an operator's
        or QA officer's facility, or all for a regulator or admin."""
        rows = await queries.list_batches(
            db, request.user, status=status, product_id=product_id, limit=limit, cursor=cursor
        )
        return Page([queries.to_batch(r) for r in rows[:limit]], next_cursor(rows, limit))

    @get("/{batch_id:uuid}", operation_id="getBatch", opt=ANY_ROLE)
    async def get_batch(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> BatchRecord:
        """The whole record: product, producer, facility, receipt, treatment with its dosimeters,
        QA decision, shelf life, recall and the number of label serials issued."""
        return await batch_record(db, batch_id, request.user)

    @get("/{batch_id:uuid}/events", operation_id="listBatchEvents", opt=ANY_ROLE)
    async def list_events(self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]) -> EventLog:
        """The batch's audit log, oldest first, and whether its hash chain is intact."""
        await load_batch(db, batch_id, request.user)
        return await event_log(db, batch_id, request.user)

    @post(
        "/{batch_id:uuid}/cancel",
        operation_id="cancelBatch",
        opt=actions.route_roles("cancel"),
        status_code=200,
    )
    async def cancel_batch(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> BatchRecord:
        """Cancel a batch that the facility has not received yet."""
        await lifecycle.cancel_batch(db, request.user, batch_id)
        return await batch_record(db, batch_id, request.user)

    @get(
        "/{batch_id:uuid}/recall",
        operation_id="getBatchRecall",
        opt=actions.route_roles("recall"),
    )
    async def get_recall(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> RecallStatus:
        """What the recall reached: per customer the quantity received (its shipments summed),
        when its notice was sent and acknowledged; the share of the shipped quantity
        acknowledged; scans of the labels per day from the recall's day. A producer reads its
        own batches', regulators and admins every one."""
        return await recall_status(db, request.user, batch_id)

    @post(
        "/{batch_id:uuid}/recall",
        operation_id="recallBatch",
        opt=actions.route_roles("recall"),
        status_code=200,
    )
    async def recall_batch(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[ReasonBody],
    ) -> BatchRecord:
        """Recall a released batch. Every scan of its labels shows the recall and the reason."""
        user = request.user
        await lifecycle.recall_batch(
            db, user, batch_id, data.reason, box=request.app.state.mail_box
        )
        return await batch_record(db, batch_id, user)
