"""HTTP endpoints of the facility's work on a batch: receipt, treatment, QA release and reject."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody

from schemas.batches import (
    ActorRef,
    BatchRecord,
    Dosimeter,
    IrradiatorRef,
    ReasonBody,
    ReceiptCreate,
    ReceiptRecorded,
    TreatmentCreate,
    TreatmentRecorded,
)
from service.batches import rules
from service.batches import treatment_queries as queries
from service.batches.controller import batch_record
from service.batches.events import append_event
from service.batches.transitions import load_batch, move, require_status
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import Forbidden, RuleViolation
from service.shelf_life.model import estimate_shelf_life

AuthRequest = Request[AuthUser, None, object]
# QA officers in a small facility also do operator work (SPEC §3.3)
FACILITY_STAFF = roles("operator", "qa")


def _actor(user: AuthUser) -> ActorRef:
    return ActorRef(user.id, user.name, user.role)


async def _check_four_eyes(db: asyncpg.Connection, batch_id: UUID, user: AuthUser) -> asyncpg.Record:
    """The treatment of the batch, if `user` did not record it (403 four_eyes otherwise)."""
    treatment = await queries.treatment_of(db, batch_id)
    assert treatment is not None  # a treated batch has its treatment (same transaction)
    if treatment["recorded_by"] == user.id:
        raise Forbidden(
            "four_eyes",
            "The QA officer who decides on a batch must not be the one who recorded its treatment.",
        )
    return treatment


class FacilityController(Controller):
    path = "/api/v1/batches/{batch_id:uuid}"
    tags = ["facility"]

    @post("/receipt", operation_id="receiveBatch", opt=FACILITY_STAFF)
    async def receive_batch(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[ReceiptCreate],
    ) -> ReceiptRecorded:
        """Record that the facility received the batch."""
        user = request.user
        async with db.transaction():
            batch = await load_batch(db, batch_id, user)
            require_status(batch, "receive")
            moved = await move(db, batch_id, "receive")
            receipt = await queries.insert_receipt(db, batch_id, data, user_id=user.id)
            await append_event(
                db,
                batch_id,
                "received",
                user,
                {
                    "quantity_received": data.quantity_received,
                    "condition": data.condition,
                    "received_at": receipt["received_at"],
                },
            )
        return ReceiptRecorded(
            quantity_received=receipt["quantity_received"],
            condition=receipt["condition"],
            notes=receipt["notes"],
            received_at=receipt["received_at"],
            received_by=_actor(user),
            batch_id=batch_id,
            status=moved["status"],
        )

    @post("/treatment", operation_id="recordTreatment", opt=FACILITY_STAFF)
    async def record_treatment(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[TreatmentCreate],
    ) -> TreatmentRecorded:
        """Record the batch's one treatment with its routine dosimeter readings. D_min, D_max and
        DUR are computed and judged against the product's validated minimum and the legal
        maximum; a non-conforming treatment is recorded all the same but cannot be released."""
        user = request.user
        batch = await load_batch(db, batch_id, user)
        require_status(batch, "treat")
        irradiator = await queries.irradiator(db, data.irradiator_id)
        if irradiator is None or irradiator["facility_id"] != batch["facility_id"]:
            raise RuleViolation(
                "irradiator_not_at_facility",
                "The irradiator must be one of the facility the batch was sent to.",
            )
        product = await queries.product_limits(db, batch["product_id"])
        verdict = rules.judge_doses(
            [d.dose_kgy for d in data.dosimeters],
            product_min_dose_kgy=product["min_dose_kgy"],
            legal_max_dose_kgy=product["legal_max_dose_kgy"],
        )
        async with db.transaction():
            moved = await move(db, batch_id, "treat")
            row = await queries.insert_treatment(
                db,
                batch_id,
                data,
                verdict,
                product_min_dose_kgy=product["min_dose_kgy"],
                legal_max_dose_kgy=product["legal_max_dose_kgy"],
                user_id=user.id,
            )
            await append_event(
                db,
                batch_id,
                "treated",
                user,
                {
                    "irradiator_id": data.irradiator_id,
                    "run_id": data.run_id,
                    "started_at": data.started_at,
                    "ended_at": data.ended_at,
                    "dose_min_kgy": verdict.dose_min_kgy,
                    "dose_max_kgy": verdict.dose_max_kgy,
                    "dur": verdict.dur,
                    "conforming": verdict.conforming,
                    "nonconformities": verdict.nonconformities,
                    "dosimeters": len(data.dosimeters),
                },
            )
        return msgspec.convert(
            dict(row)
            | {
                "irradiator": IrradiatorRef(irradiator["id"], irradiator["name"],
                                            irradiator["source_type"]),
                "dosimeters": [msgspec.convert(msgspec.to_builtins(d), Dosimeter)
                               for d in data.dosimeters],
                "recorded_by": _actor(user),
                "status": moved["status"],
            },
            TreatmentRecorded,
            from_attributes=True,
        )

    @post("/release", operation_id="releaseBatch", opt=roles("qa"), status_code=200)
    async def release_batch(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> BatchRecord:
        """QA release of a treated batch: its best-before date is computed (radura-sl/1) from the
        product and the measured D_min, and fixed. Refused for a non-conforming treatment (422
        `treatment_nonconforming`) and for the officer who recorded the treatment (403
        `four_eyes`)."""
        user = request.user
        batch = await load_batch(db, batch_id, user)
        require_status(batch, "release")
        treatment = await _check_four_eyes(db, batch_id, user)
        if not treatment["conforming"]:
            raise RuleViolation(
                "treatment_nonconforming",
                "A batch whose treatment does not conform cannot be released; reject it.",
                nonconformities=list(treatment["nonconformities"]),
            )
        product = await queries.product_limits(db, batch["product_id"])
        inputs = rules.shelf_life_inputs(
            product,
            dose_min_kgy=treatment["dose_min_kgy"],
            production_date=batch["production_date"],
        )
        try:
            shelf_life = estimate_shelf_life(inputs)
        except ValueError as exc:  # stored rows are validated; this guards against a bad edit
            raise RuleViolation("shelf_life_not_computable", str(exc)) from None
        async with db.transaction():
            await move(
                db,
                batch_id,
                "release",
                "shelf_life = $4, best_before = $5, released_by = $6, released_at = now()",
                (shelf_life, shelf_life.best_before, user.id),
            )
            await append_event(
                db,
                batch_id,
                "released",
                user,
                {
                    "model": shelf_life.model,
                    "extended_days": shelf_life.extended_days,
                    "best_before": shelf_life.best_before,
                    "rules": shelf_life.rules,
                },
            )
        return await batch_record(db, batch_id, user)

    @post("/reject", operation_id="rejectBatch", opt=roles("qa"), status_code=200)
    async def reject_batch(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[ReasonBody],
    ) -> BatchRecord:
        """QA rejection of a treated batch, with the reason. It is never treated again."""
        user = request.user
        batch = await load_batch(db, batch_id, user)
        require_status(batch, "reject")
        await _check_four_eyes(db, batch_id, user)
        async with db.transaction():
            await move(
                db,
                batch_id,
                "reject",
                "rejected_by = $4, rejected_at = now(), reject_reason = $5",
                (user.id, data.reason),
            )
            await append_event(db, batch_id, "rejected", user, {"reason": data.reason})
        return await batch_record(db, batch_id, user)
