"""GET /api/v1/batches/{id}/scans: a batch's scans per day and verdict, for its owner and BPOM."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from schemas.verify import BatchScans
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.verify.scans.stats import batch_scans, check_scan_reader

SCAN_READERS = roles("producer", "regulator", "admin", "market_network")


class BatchScansController(Controller):
    path = "/api/v1/batches"
    tags = ["batches"]

    @get("/{batch_id:uuid}/scans", operation_id="getBatchScans", opt=SCAN_READERS)
    async def batch_scans(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        batch_id: FromPath[UUID],
        since: Annotated[
            date | None, QueryParameter(name="from", description="First day (Asia/Jakarta).")
        ] = None,
        until: Annotated[
            date | None, QueryParameter(name="to", description="Last day (Asia/Jakarta).")
        ] = None,
    ) -> BatchScans:
        """Scans of a batch's labels per day (Asia/Jakarta) and per verdict, with the number of
        distinct clients each day.

        Scans reach the log within about a second of the scan.
        """
        await check_scan_reader(db, batch_id, request.user)
        threshold: int = request.app.state.verifier.clone_threshold
        return await batch_scans(db, batch_id, clone_threshold=threshold, since=since, until=until)
