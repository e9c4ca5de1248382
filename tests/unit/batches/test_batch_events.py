"""The hash chain of the audit log, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.batches import ActorRef
from service.batches.events import (
    GENESIS_HASH,
    _jsonb_stable,
    canonical_event,
    chain_is_valid,
    event_hash,
)


def _chain(batch_id: UUID, kinds: list[str], data: list[dict[str, Any]] | None = None):  # type: ignore[no-untyped-def]
    rows = []
    prev = GENESIS_HASH
    at = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    actor_id = uuid4()
    for seq, kind in enumerate(kinds, start=1):
        payload = (data or [{}] * len(kinds))[seq - 1]
        actor = ActorRef(actor_id, "Dewi Lestari", "qa")
        digest = event_hash(prev, canonical_event(batch_id, seq, kind, at, actor, payload))
        rows.append(
            {
                "seq": seq,
                "kind": kind,
                "at": at,
                "actor_id": actor_id,
                "actor_name": "Dewi Lestari",
                "actor_role": "qa",
                "data": payload,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
        at += timedelta(minutes=7)
    return rows


def test_an_intact_chain_is_valid():
    batch_id = uuid4()
    assert chain_is_valid(batch_id, _chain(batch_id, ["registered", "received", "treated"]))
    assert chain_is_valid(batch_id, [])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda rows: rows[1].update(data={"quantity_received": 9999}),
        lambda rows: rows[1].update(kind="cancelled"),
        lambda rows: rows[1].update(actor_name="Someone Else"),
        lambda rows: rows[1].update(at=rows[1]["at"] + timedelta(microseconds=1)),
        lambda rows: rows.pop(1),
        lambda rows: rows.reverse(),
        lambda rows: rows[2].update(seq=4),
    ],
)
def test_any_change_breaks_the_chain(tamper):
    batch_id = uuid4()
    rows = _chain(
        batch_id,
        ["registered", "received", "treated"],
        [{}, {"quantity_received": 120}, {"dose_min_kgy": 2.1}],
    )
    tamper(rows)
    assert not chain_is_valid(batch_id, rows)


def test_a_chain_belongs_to_its_batch():
    batch_id = uuid4()
    rows = _chain(batch_id, ["registered"])
    assert not chain_is_valid(uuid4(), rows)


def test_canonical_json_is_sorted_and_compact():
    canonical = canonical_event(
        UUID(int=1),
        1,
        "registered",
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        ActorRef(UUID(int=2), "Siti", "producer"),
        {"b": 1, "a": [2.5, "x"]},
    )
    assert canonical == (
        b'{"actor":{"id":"00000000-0000-0000-0000-000000000002","name":"Siti","role":"producer"},'
        b'"at":"2026-01-02T03:04:05.000006Z","batch_id":"00000000-0000-0000-0000-000000000001",'
        b'"data":{"a":[2.5,"x"],"b":1},"kind":"registered","seq":1}'
    )


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_back_from_jsonb_hash_the_same(value):
    """jsonb keeps numbers as numeric; the stored value is what its text reads back as."""
    import msgspec

    stable = _jsonb_stable({"x": value})["x"]
    text = msgspec.json.encode(stable)
    # numeric's text form of the number, then JSON-decoded as PostgreSQL's jsonb output would be
    from decimal import Decimal

    numeric = Decimal(text.decode())
    as_jsonb = format(numeric, "f") if "e" in text.decode().lower() else text.decode()
    assert msgspec.json.encode(msgspec.json.decode(as_jsonb)) == text
