"""The batch audit log: append-only events, hash-chained per batch (SPEC §2).

hash = sha256(prev_hash ‖ canonical JSON of the event), where the first event's prev_hash is 32
zero bytes and the canonical JSON is the UTF-8, key-sorted, whitespace-free encoding of

    {"batch_id": str, "seq": int, "kind": str, "at": "YYYY-MM-DDTHH:MM:SS.ffffffZ",
     "actor": {"id": str|null, "name": str|null, "role": str|null} | null, "data": {...}}

so anyone holding the rows (or the GET …/events answer) can re-derive every hash.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import ActorRef, Event, EventLog
from service.batches.customers import BUYER_READERS
from service.core.auth import AuthUser

GENESIS_HASH = bytes(32)

# the previous event, with the batch row locked so two writers cannot take the same seq
_LAST_EVENT = """
SELECT e.seq, e.hash
FROM batches b
LEFT JOIN LATERAL (
    SELECT seq, hash FROM batch_events WHERE batch_id = b.id ORDER BY seq DESC LIMIT 1
) e ON TRUE
WHERE b.id = $1
FOR UPDATE OF b
"""

_INSERT_EVENT = """
INSERT INTO batch_events (batch_id, seq, kind, at, actor_id, actor_name, actor_role, data,
                          prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
"""


def _jsonb_stable(value: Any) -> Any:
    """The value as it will read back from jsonb, so a stored event hashes as it did when written.

    jsonb keeps numbers as `numeric`: -0.0 comes back as 0.0, and a float written with an exponent
    (1e16) comes back as an integer."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("event data must not hold NaN or infinity")
        if value == 0:
            return 0.0
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)
        return value
    if isinstance(value, dict):
        return {str(k): _jsonb_stable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonb_stable(v) for v in value]
    return value


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_event(
    batch_id: UUID, seq: int, kind: str, at: datetime, actor: ActorRef | None, data: Any
) -> bytes:
    document = {
        "batch_id": str(batch_id),
        "seq": seq,
        "kind": kind,
        "at": _timestamp(at),
        "actor": None
        if actor is None
        else {
            "id": None if actor.id is None else str(actor.id),
            "name": actor.name,
            "role": actor.role,
        },
        "data": data,
    }
    return msgspec.json.encode(document, order="sorted")


def event_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(prev_hash + canonical).digest()


async def append_event(
    conn: asyncpg.Connection,
    batch_id: UUID,
    kind: str,
    actor: AuthUser | None,
    data: dict[str, Any] | None = None,
    *,
    first: bool = False,
) -> None:
    """Append one event to the batch's chain, inside the caller's transaction.

    Locks the batch row (FOR UPDATE), so concurrent appends to one batch queue up; the transition
    that caused the event normally holds that lock already. `first` skips the look-up for the
    event that registers a new batch."""
    if first:
        seq, prev_hash = 1, GENESIS_HASH
    else:
        last = await conn.fetchrow(_LAST_EVENT, batch_id)
        if last is None:
            raise LookupError(f"no batch {batch_id}")
        seq = (last["seq"] or 0) + 1
        prev_hash = bytes(last["hash"]) if last["hash"] is not None else GENESIS_HASH
    await conn.execute(
        _INSERT_EVENT,
        *sealed_event(batch_id, seq, prev_hash, kind, actor, data, datetime.now(UTC)),
    )


def sealed_event(
    batch_id: UUID,
    seq: int,
    prev_hash: bytes,
    kind: str,
    actor: AuthUser | None,
    data: dict[str, Any] | None,
    at: datetime,
) -> tuple[Any, ...]:
    """The ten column values of an event row, in table order, with its hash computed."""
    actor_ref = None if actor is None else ActorRef(actor.id, actor.name, actor.role)
    stable_data = _jsonb_stable(msgspec.to_builtins(data or {}))
    digest = event_hash(prev_hash, canonical_event(batch_id, seq, kind, at, actor_ref, stable_data))
    return (
        batch_id,
        seq,
        kind,
        at,
        actor_ref.id if actor_ref else None,
        actor_ref.name if actor_ref else None,
        actor_ref.role if actor_ref else None,
        stable_data,
        prev_hash,
        digest,
    )


def _event(row: asyncpg.Record) -> Event:
    actor = None
    if row["actor_id"] is not None or row["actor_name"] is not None:
        actor = ActorRef(row["actor_id"], row["actor_name"], row["actor_role"])
    return Event(
        seq=row["seq"],
        kind=row["kind"],
        at=row["at"],
        actor=actor,
        data=row["data"],
        prev_hash=bytes(row["prev_hash"]).hex(),
        hash=bytes(row["hash"]).hex(),
    )


def chain_is_valid(batch_id: UUID, rows: list[asyncpg.Record]) -> bool:
    """Every event links to the one before and hashes to what it stores; seq runs 1, 2, 3…"""
    prev_hash = GENESIS_HASH
    for expected_seq, row in enumerate(rows, start=1):
        if row["seq"] != expected_seq or bytes(row["prev_hash"]) != prev_hash:
            return False
        event = _event(row)
        canonical = canonical_event(
            batch_id, row["seq"], row["kind"], row["at"], event.actor, row["data"]
        )
        if event_hash(prev_hash, canonical) != bytes(row["hash"]):
            return False
        prev_hash = bytes(row["hash"])
    return True


# The facility's staff and a market network read the log without its shipping events: a
# shipment names its customer and its delivery note, which only BUYER_READERS read.
SHIPPING_KINDS = frozenset({"shipped", "shipment_cancelled"})


async def event_log(conn: asyncpg.Connection, batch_id: UUID, reader: AuthUser) -> EventLog:
    """The batch's log as `reader` may read it; `chain_valid` is always the whole chain's."""
    rows = await conn.fetch("SELECT * FROM batch_events WHERE batch_id = $1 ORDER BY seq", batch_id)
    readable = (
        rows
        if reader.role in BUYER_READERS
        else [row for row in rows if row["kind"] not in SHIPPING_KINDS]
    )
    return EventLog(items=[_event(r) for r in readable], chain_valid=chain_is_valid(batch_id, rows))
