"""Serials for one released batch: issued in bulk with COPY, read back in order."""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from uuid import UUID

import asyncpg

from labels.codes import random_code, random_codes
from schemas.label_issue import LabelsIssued
from service.batches import actions
from service.batches.events import append_event
from service.batches.idempotency import IdempotentRequest, request_fingerprint
from service.batches.transitions import load_batch
from service.core.auth import AuthUser
from service.core.db import connection
from service.core.errors import RuleViolation

_SERIALS_IN_ISSUE_ORDER = (
    "SELECT serial FROM label_serials WHERE batch_id = $1 ORDER BY issued_at, serial"
)

# COPY of up to 100 000 serials in one request: longer than a request's usual statement
_COPY_TIMEOUT_S = 60.0

# A drawn serial may clash with one issued before: in this batch, or (GS1 names a pack by GTIN
# and serial alone, SPEC §5.1) in another batch of the same GTIN. Among 32^10 codes that is
# rare, but never allowed: a clash draws again, this many times at most.
_MAX_ATTEMPTS = 5

# One PDF holds at most this many labels (memory and time per request stay bounded); `from`
# and `count` page through a batch with more.
MAX_LABELS_PER_PDF = 10_000
# No batch has more serials than this, whatever its quantity.
MAX_SERIALS_PER_BATCH = 1_000_000
# Packs counted in pieces may get a tenth more serials than packs, for misprints and spares.
SPARE_FRACTION = 0.10


def serial_limit(quantity: float, unit: str) -> int:
    """How many serials a batch may have in all: its pieces plus a tenth (rounded up), and
    1 000 000 in any case (a batch weighed in kg has only that bound)."""
    if unit == "pcs":
        return min(math.ceil(quantity * (1 + SPARE_FRACTION) - 1e-9), MAX_SERIALS_PER_BATCH)
    return MAX_SERIALS_PER_BATCH


async def issued_count(conn: asyncpg.Connection, batch_id: UUID) -> int:
    total: int = await conn.fetchval(
        "SELECT count(*) FROM label_serials WHERE batch_id = $1", batch_id
    )
    return total


async def issue_serials(
    conn: asyncpg.Connection, user: AuthUser, batch_id: UUID, count: int
) -> LabelsIssued:
    """Issue `count` new serials for a released batch inside the caller's transaction: the
    batch row is locked, so a recall cannot slip in between the check and the serials, and the
    issue is recorded as an event of the batch."""
    batch = await load_batch(conn, batch_id, user, for_update=True)
    actions.require(user, actions.BatchFacts(batch["status"]), "labels")
    limit = serial_limit(batch["quantity"], batch["unit"])
    issued_before = await issued_count(conn, batch_id)
    if issued_before + count > limit:
        raise RuleViolation(
            "serial_limit",
            f"This batch may have at most {limit} serials (its quantity plus a tenth "
            f"for pieces, 1 000 000 in any case); {issued_before} are issued already.",
            limit=limit,
            issued=issued_before,
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
    """Add `count` new random serials to the batch inside the caller's transaction, unique in
    the batch and among all serials of its product's GTIN; returns the batch's total after."""
    gtin = await conn.fetchval(
        "SELECT p.gtin FROM batches b JOIN products p ON p.id = b.product_id WHERE b.id = $1",
        batch_id,
    )
    for _ in range(_MAX_ATTEMPTS):
        serials = set(random_codes(count))
        while len(serials) < count:
            serials.add(random_code())
        try:
            async with conn.transaction():  # a savepoint: a clash retries only this COPY
                await conn.copy_records_to_table(
                    "label_serials",
                    records=[(batch_id, serial, gtin) for serial in serials],
                    columns=["batch_id", "serial", "gtin"],
                    timeout=_COPY_TIMEOUT_S,
                )
            break
        except asyncpg.UniqueViolationError:
            continue
    else:  # pragma: no cover - would need five clashes in a row
        raise RuntimeError("could not draw unique serials")
    return await issued_count(conn, batch_id)


async def serials_page(
    conn: asyncpg.Connection, batch_id: UUID, first: int, count: int | None
) -> list[str]:
    """Serials `first` … `first + count - 1` of the batch in issue order; with no `count`, all
    from `first` on, refused (422 `too_many_labels`) when that is more than one PDF holds."""
    limit = MAX_LABELS_PER_PDF + 1 if count is None else count
    rows = await conn.fetch(_SERIALS_IN_ISSUE_ORDER + " OFFSET $2 LIMIT $3", batch_id, first, limit)
    if len(rows) > MAX_LABELS_PER_PDF:
        total = await issued_count(conn, batch_id)
        raise RuleViolation(
            "too_many_labels",
            f"One PDF holds at most {MAX_LABELS_PER_PDF} labels and this batch has {total} "
            f"serials from {first} on; ask for them page by page with ?from=&count= "
            f"(count at most {MAX_LABELS_PER_PDF}).",
            max_labels=MAX_LABELS_PER_PDF,
            serials=total,
        )
    if first and not rows:
        total = await issued_count(conn, batch_id)
        raise RuleViolation(
            "from_out_of_range",
            f"from={first} is past the last of this batch's {total} serials (counted from 0).",
            serials=total,
        )
    return [row["serial"] for row in rows]


async def iter_serials(pool: asyncpg.Pool, batch_id: UUID) -> AsyncGenerator[str, None]:
    """Every serial of the batch in issue order, through a server-side cursor."""
    async with connection(pool) as conn, conn.transaction(readonly=True):
        async for record in conn.cursor(
            _SERIALS_IN_ISSUE_ORDER,
            batch_id,
            prefetch=2000,
        ):
            yield record["serial"]
