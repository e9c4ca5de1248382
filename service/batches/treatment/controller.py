"""HTTP endpoints of the facility's work on a batch: receipt, treatment, QA release and reject."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.batches import (
    BatchRecord,
    BatchReleased,
    ReasonBody,
    ReceiptCreate,
    ReceiptRecorded,
    TreatmentCreate,
    TreatmentRecorded,
)
from service.batches import actions, lifecycle
from service.batches.controller import batch_record
from service.core.auth import AuthUser
from service.core.db import Db

AuthRequest = Request[AuthUser, None, State]


class FacilityController(Controller):
    path = "/api/v1/batches/{batch_id:uuid}"
    tags = ["facility"]

    @post("/receipt", operation_id="receiveBatch", opt=actions.route_roles("receive"))
    async def receive_batch(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[ReceiptCreate],
    ) -> ReceiptRecorded:
        """Record that the facility received the batch."""
        return await lifecycle.receive_batch(db, request.user, batch_id, data)

    @post("/treatment", operation_id="recordTreatment", opt=actions.route_roles("treat"))
    async def record_treatment(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[TreatmentCreate],
    ) -> TreatmentRecorded:
        """Record the batch's one treatment with its routine dosimeter readings (at least two).
        With `dose_map_id` D_min and D_max are the reference readings × the map's ratios (and
        any `min` / `max` readings); without, they come from `min` and `max` positions only
        (else 422 `dose_map_required`). They are judged, less / plus the map's expanded
        uncertainty, against the product's validated minimum and the legal maximum; a
        non-conforming treatment is recorded all the same but cannot be released. A batch is
        never treated twice (409 `already_treated`)."""
        return await lifecycle.record_treatment(db, request.user, batch_id, data)

    @post(
        "/release",
        operation_id="releaseBatch",
        opt=actions.route_roles("release"),
        status_code=200,
    )
    async def release_batch(
        self, request: AuthRequest, db: Db, batch_id: FromPath[UUID]
    ) -> BatchReleased:
        """QA release of a treated batch: its best-before date is computed (radura-sl/3) from the
        product, the treatment's D_min and its dose map's uncertainty, and fixed. Refused for a
        non-conforming treatment (422 `treatment_nonconforming`), one performed after the
        facility's BAPETEN licence lapsed (422 `facility_licence_expired`), a product the model
        will not date (422 `raw_food_requires_chilling`, `vacuum_requires_chilling`,
        `reduced_oxygen_uncontrolled`, `study_not_applicable`, `study_conditions_missing`,
        `dose_below_purpose_minimum`, `no_shelf_life`: `errors` lists every reason) and for the
        officer who recorded the treatment (403 `four_eyes`). `warnings` lists
        `best_before_passed` when the fixed date is already before today in Asia/Jakarta (every
        scan of the labels will say it is out of date); the release is not refused for it."""
        warnings = await lifecycle.release_batch(db, request.user, batch_id)
        record = await batch_record(db, batch_id, request.user)
        return BatchReleased(**msgspec.structs.asdict(record), warnings=warnings)

    @post("/reject", operation_id="rejectBatch", opt=actions.route_roles("reject"), status_code=200)
    async def reject_batch(
        self,
        request: AuthRequest,
        db: Db,
        batch_id: FromPath[UUID],
        data: JSONBody[ReasonBody],
    ) -> BatchRecord:
        """QA rejection of a treated batch, with the reason. It is never treated again."""
        await lifecycle.reject_batch(db, request.user, batch_id, data.reason)
        return await batch_record(db, batch_id, request.user)
