"""The audit log: one event per transition, hash-chained, and append-only in the database."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from tests.integration.batch_steps import batch_in
from tests.integration.world import WHOLE_LOG_READER, World

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _rederive(batch_id: str, event: dict) -> str:
    """The hash of SPEC §2, computed independently of the service's code from the API's answer."""
    at = datetime.fromisoformat(event["at"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    document = {
        "batch_id": batch_id,
        "seq": event["seq"],
        "kind": event["kind"],
        "at": at,
        "actor": event["actor"],
        "data": event["data"],
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(bytes.fromhex(event["prev_hash"]) + canonical.encode()).hexdigest()


async def _events(client, world: World, batch_id: str) -> dict:  # type: ignore[no-untyped-def]
    response = await client.get(
        f"/api/v1/batches/{batch_id}/events", headers=world.producer.headers
    )
    assert response.status_code == 200
    return response.json()


async def test_one_event_per_transition_with_its_actor(client, world: World):
    batch_id = await batch_in(client, world, "recalled")
    log = await _events(client, world, batch_id)
    assert log["chain_valid"] is True
    items = log["items"]
    assert [e["seq"] for e in items] == [1, 2, 3, 4, 5]
    assert [(e["kind"], e["actor"]["role"]) for e in items] == [
        ("registered", "producer"),
        ("received", "operator"),
        ("treated", "operator"),
        ("released", "qa"),
        ("recalled", "producer"),
    ]
    assert items[0]["actor"] == {
        "id": str(world.producer.id),
        "name": world.producer.name,
        "role": "producer",
    }
    assert items[0]["prev_hash"] == "00" * 32
    for previous, event in itertools.pairwise(items):
        assert event["prev_hash"] == previous["hash"]
    assert items[2]["data"]["dose_min_kgy"] == 2.1 and items[2]["data"]["conforming"] is True
    assert items[4]["data"] == {"reason": "Kemasan bocor"}
    for event in items:
        assert _rederive(batch_id, event) == event["hash"]


@pytest.mark.parametrize("status", ["cancelled", "rejected"])
async def test_terminal_paths_are_logged(client, world: World, status):
    batch_id = await batch_in(client, world, status)
    log = await _events(client, world, batch_id)
    assert log["items"][-1]["kind"] == status
    assert log["chain_valid"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE batch_events SET kind = 'forged' WHERE batch_id = $1",
        "UPDATE batch_events SET data = '{}' WHERE batch_id = $1 AND seq = 1",
        "DELETE FROM batch_events WHERE batch_id = $1",
    ],
)
async def test_the_database_refuses_to_change_events(client, world: World, pool, statement):
    batch_id = UUID(await batch_in(client, world, "received"))
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement, batch_id)
        assert (
            await conn.fetchval("SELECT count(*) FROM batch_events WHERE batch_id = $1", batch_id)
            == 2
        )


async def test_the_database_refuses_to_truncate_events(pool):
    async with pool.acquire() as conn, conn.transaction():
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("TRUNCATE batch_events CASCADE")


async def test_a_forged_event_breaks_the_chain(client, world: World, pool):
    batch_id = await batch_in(client, world, "received")
    log = await _events(client, world, batch_id)
    async with pool.acquire() as conn:
        # an INSERT is allowed (that is how events are written) but cannot produce a valid hash
        # without recomputing it, which a forger who edits data in place cannot do
        await conn.execute(
            """INSERT INTO batch_events (batch_id, seq, kind, at, data, prev_hash, hash)
               VALUES ($1, 3, 'released', now(), '{}', $2, $3)""",
            UUID(batch_id),
            bytes.fromhex(log["items"][-1]["hash"]),
            b"\x00" * 32,
        )
    assert (await _events(client, world, batch_id))["chain_valid"] is False


async def test_events_of_another_organizations_batch_are_404(client, world: World):
    batch_id = await batch_in(client, world, "registered")
    response = await client.get(
        f"/api/v1/batches/{batch_id}/events", headers=world.other_producer.headers
    )
    assert response.status_code == 404
    regulator = await client.get(
        f"/api/v1/batches/{batch_id}/events", headers=world.regulator.headers
    )
    assert regulator.status_code == 200


async def test_awkward_numbers_and_text_survive_jsonb(client, world: World, pool):
    """The chain is re-derived from what jsonb gives back: numbers and text must hash the same."""
    from service.batches.events import append_event, event_log
    from service.core.auth import AuthUser

    batch_id = UUID(await batch_in(client, world, "registered"))
    actor = AuthUser(world.admin.id, "Admin “Ω” ünïcode", "admin", None)
    data = {
        "floats": [0.1 + 0.2, 1e-7, 5e-324, 1.7976931348623157e308, 1e16, 123456789.125, -0.0],
        "ints": [0, -1, 2**62],
        "text": 'Rendang "Padang" — ½ kg\t\\ 🌶',
        "nested": {"z": None, "a": True},
    }
    async with pool.acquire() as conn, conn.transaction():
        await append_event(conn, batch_id, "note", actor, data)
        await append_event(conn, batch_id, "label_issue", None, {"issued": 3, "total": 3})
    async with pool.acquire() as conn:
        log = await event_log(conn, batch_id, WHOLE_LOG_READER)
    assert log.chain_valid
    assert [e.kind for e in log.items] == ["registered", "note", "label_issue"]
    assert log.items[2].actor is None
