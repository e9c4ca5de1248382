"""GET /api/v1/batches/{id}/scans: a batch's scans per day and verdict, for its owner and BPOM."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from schemas.verify import BatchScans, ScanDay
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.verify import queries

VERDICTS = ("genuine", "expired", "recalled", "suspect", "invalid")


class BatchScansController(Controller):
    path = "/api/v1/batches"
    tags = ["batches"]

    @get(
        "/{batch_id:uuid}/scans",
        operation_id="getBatchScans",
        opt=roles("producer", "regulator", "admin"),
    )
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
        """Scans of a batch's labels per day (Asia/Jakarta) and per verdict.

        Scans reach the log within about a second of the scan.
        """
        user = request.user
        owner = await queries.batch_owner(db, batch_id)
        # another producer's batch is as unknown as a batch that does not exist
        if owner is None or (user.role == "producer" and owner != user.organization_id):
            raise NotFound("batch")
        threshold: int = request.app.state.verifier.clone_threshold
        rows = await queries.scans_per_day(db, batch_id, since, until)
        serials = await queries.serial_figures(db, batch_id, threshold)
        days: dict[date, dict[str, int]] = {}
        by_verdict = dict.fromkeys(VERDICTS, 0)
        for row in rows:
            counts = days.setdefault(row["day"], dict.fromkeys(VERDICTS, 0))
            counts[row["verdict"]] = counts.get(row["verdict"], 0) + row["n"]
            by_verdict[row["verdict"]] = by_verdict.get(row["verdict"], 0) + row["n"]
        return BatchScans(
            batch_id=batch_id,
            total=sum(by_verdict.values()),
            by_verdict=by_verdict,
            distinct_serials=serials["distinct_serials"],
            suspect_serials=serials["suspect_serials"],
            first_at=min((r["first_at"] for r in rows), default=None),
            last_at=max((r["last_at"] for r in rows), default=None),
            days=[
                ScanDay(
                    date=day,
                    total=sum(counts.values()),
                    genuine=counts["genuine"],
                    expired=counts["expired"],
                    recalled=counts["recalled"],
                    suspect=counts["suspect"],
                    invalid=counts["invalid"],
                )
                for day, counts in sorted(days.items())
            ],
        )
