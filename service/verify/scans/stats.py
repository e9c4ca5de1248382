"""A batch's scan statistics, for its owner and BPOM: the API's scans endpoint and the batch page
both read them here."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from schemas.verify import BatchScans, ScanDay
from service.accounts.network.scope import is_network, network_batches
from service.core.auth import AuthUser
from service.core.errors import NotFound
from service.verify import queries

VERDICTS = ("genuine", "expired", "recalled", "suspect", "invalid")


async def check_scan_reader(conn: asyncpg.Connection, batch_id: UUID, user: AuthUser) -> None:
    """Another producer's batch is as unknown as a batch that does not exist (404); so is, to a
    market network, a batch outside it (`network.scope`)."""
    if is_network(user):
        args: list[Any] = [batch_id]
        where = network_batches(user, args)
        if not await conn.fetchval(
            f"SELECT EXISTS (SELECT 1 FROM batches b WHERE b.id = $1 AND {where})", *args
        ):
            raise NotFound("batch")
        return
    owner = await queries.batch_owner(conn, batch_id)
    if owner is None or (user.role == "producer" and owner != user.organization_id):
        raise NotFound("batch")


async def batch_scans(
    conn: asyncpg.Connection,
    batch_id: UUID,
    *,
    clone_threshold: int,
    since: date | None = None,
    until: date | None = None,
) -> BatchScans:
    """Scans per day (Asia/Jakarta) and verdict, distinct clients per day, and serial figures.

    The caller has checked that the user may read the batch's scans."""
    rows = await queries.scans_per_day(conn, batch_id, since, until)
    serials = await queries.serial_figures(conn, batch_id, clone_threshold)
    by_verdict = {verdict: sum(row[verdict] for row in rows) for verdict in VERDICTS}
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
                date=row["day"],
                total=sum(row[verdict] for verdict in VERDICTS),
                distinct_clients=row["clients"],
                genuine=row["genuine"],
                expired=row["expired"],
                recalled=row["recalled"],
                suspect=row["suspect"],
                invalid=row["invalid"],
            )
            for row in rows
        ],
    )
