"""Serials for one released batch: issued in bulk with COPY, read back in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg

from labels.codes import random_code, random_codes
from schemas.label_issue import LabelsIssued
from service.batches.events import append_event
from service.batches.idempotency import IdempotentRequest, request_fingerprint
from service.batches.transitions import load_batch
from service.core.auth import AuthUser
from service.core.errors import Conflict

_SERIALS_IN_ISSUE_ORDER = (
    "SELECT serial FROM label_serials WHERE batch_id = $1 ORDER BY issued_at, serial"
)

# a collision among 32^10 codes is astronomically rare, but a batch must never get a duplicate
_MAX_ATTEMPTS = 5


async def issue_serials(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, count: int
) -> LabelsIssued:
    """Issue `count` new serials for a released batch inside the caller's transaction: the
    batch row is locked, so a recall cannot slip in between the check and the serials, and the
    issue is recorded as an event of the batch."""
    batch = await load_batch(conn, batch_id, user, for_update=True)
    if batch["status"] != "released":
        raise Conflict(
            "batch_not_released",
            f"Serials are issued only for a released batch; this one is {batch['status']}.",
            current_status=batch["status"],
        )
    total = await insert_serials(conn, batch_id, count)
    await append_event(conn, batch_id, "labels_issued", user, {"count": count, "total": total})
    return LabelsIssued(issued=count, total=total)


ISSUE_SCOPE = "issue_labels"


async def issue_serials_once(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, count: int, key: str | None
) -> tuple[LabelsIssued, bool]:
    """issue_serials in its own transaction, at most once per idempotency `key` (an API header,
    or the console form's hidden field, so a double tap on a phone issues nothing twice).
    Returns the answer and whether it is the first one, repeated."""
    keyed = (
        IdempotentRequest(
            user.id,
            ISSUE_SCOPE,
            key,
            request_fingerprint({"batch_id": str(batch_id), "count": count}),
        )
        if key
        else None
    )
    async with conn.transaction():
        if keyed and (first := await keyed.first_response(conn)):
            return LabelsIssued(**first.body), True
        issued = await issue_serials(conn, user, batch_id, count)
        if keyed:
            await keyed.remember(conn, 201, issued)
    return issued, False


async def insert_serials(conn: asyncpg.Connection, batch_id: UUID, count: int) -> int:
    """Add `count` new random serials to the batch inside the caller's transaction; returns the
    batch's total afterwards."""
    for _ in range(_MAX_ATTEMPTS):
        serials = set(random_codes(count))
        while len(serials) < count:
            serials.add(random_code())
        try:
            async with conn.transaction():  # a savepoint: a clash retries only this COPY
                await conn.copy_records_to_table(
                    "label_serials",
                    records=[(batch_id, serial) for serial in serials],
                    columns=["batch_id", "serial"],
                )
            break
        except asyncpg.UniqueViolationError:
            continue
    else:  # pragma: no cover - would need five clashes in a row
        raise RuntimeError("could not draw unique serials")
    total: int = await conn.fetchval(
        "SELECT count(*) FROM label_serials WHERE batch_id = $1", batch_id
    )
    return total


async def all_serials(conn: asyncpg.Connection, batch_id: UUID) -> list[str]:
    """Every serial of the batch in issue order, on the caller's connection: a request that
    already holds one must never wait on the pool for a second (a pool of N would deadlock
    under N such requests)."""
    rows = await conn.fetch(
        _SERIALS_IN_ISSUE_ORDER,
        batch_id,
    )
    return [row["serial"] for row in rows]


async def iter_serials(pool: asyncpg.Pool, batch_id: UUID) -> AsyncIterator[str]:
    """Every serial of the batch in issue order, through a server-side cursor."""
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        async for record in conn.cursor(
            _SERIALS_IN_ISSUE_ORDER,
            batch_id,
            prefetch=2000,
        ):
            yield record["serial"]
