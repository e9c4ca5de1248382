"""Webhooks end to end: endpoints, the outbox written with the change, signed deliveries to a
real HTTP server on a loopback port, retries, roles and ownership, and the SSRF rules."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import time
from collections.abc import Iterator
from uuid import UUID

import asyncpg
import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from service.batches.lifecycle import recall_batch
from service.core.auth import AuthUser
from service.webhooks.outbox import outbox_depth
from tests.integration.batch_steps import batch_in
from tests.integration.webhook_steps import (
    of_batch,
    register_endpoint,
    until_received,
    verified,
)
from tests.integration.world import Actor, World
from tests.webhook_receiver import Receiver, running_receiver

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


async def _delete_all(client, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    """Regulators receive every batch's events: stop this test's endpoints reaching others'."""
    listed = await client.get("/api/v1/webhooks", params={"limit": 200}, headers=actor.headers)
    for endpoint in listed.json()["items"]:
        await client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=actor.headers)


async def test_released_and_recalled_arrive_signed_to_each_organization_concerned(
    client, world: World, receiver: Receiver
) -> None:
    secrets = {}
    for who, actor in (
        ("producer", world.producer),
        ("facility", world.qa),
        ("regulator", world.regulator),
        ("other", world.other_producer),
    ):
        created = await register_endpoint(client, actor, f"{receiver.url}/{who}")
        assert created["secret"].startswith("whsec_")
        assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 24
        secrets[who] = created["secret"]
    try:
        batch_id = await batch_in(client, world, "recalled")
        got = await until_received(receiver, batch_id, 6)  # 2 events × 3 organizations
        await asyncio.sleep(0.5)  # and nothing more
        got = of_batch(receiver, batch_id)
        by_path = {(r.path.rsplit("/", 1)[-1], json.loads(r.body)["type"]): r for r in got}
        assert len(got) == 6
        assert set(by_path) == {
            (who, event)
            for who in ("producer", "facility", "regulator")
            for event in ("batch.released", "batch.recalled")
        }
        for (who, event), received in by_path.items():
            payload = verified(secrets[who], received)
            assert payload["type"] == event
            assert payload["data"]["batch_id"] == batch_id
            assert received.headers["webhook-id"].startswith("msg_")
            assert received.headers["content-type"] == "application/json"
        recalled = verified(secrets["producer"], by_path[("producer", "batch.recalled")])
        assert recalled["data"]["reason"] == "Kemasan bocor"
        assert recalled["data"]["status"] == "recalled"
        released = verified(secrets["producer"], by_path[("producer", "batch.released")])
        assert released["data"]["best_before"]
        # another secret does not verify it
        with pytest.raises(WebhookVerificationError):
            verified(secrets["facility"], by_path[("producer", "batch.released")])
        # the same message to two organizations carries one id; a recall names its customers
        # to the producer only, in a message of its own
        assert (
            by_path[("producer", "batch.released")].headers["webhook-id"]
            == by_path[("regulator", "batch.released")].headers["webhook-id"]
        )
        assert (
            by_path[("facility", "batch.recalled")].headers["webhook-id"]
            == by_path[("regulator", "batch.recalled")].headers["webhook-id"]
            != by_path[("producer", "batch.recalled")].headers["webhook-id"]
        )
        assert recalled["data"]["customers"] == [] and recalled["data"]["customers_count"] == 0
        facility_recalled = verified(secrets["facility"], by_path[("facility", "batch.recalled")])
        assert "customers" not in facility_recalled["data"]
    finally:
        await _delete_all(client, world.regulator)


async def test_the_delivery_log_lists_attempts(client, world: World, receiver: Receiver) -> None:
    endpoint = await register_endpoint(client, world.producer, receiver.url, ["batch.rejected"])
    batch_id = await batch_in(client, world, "rejected")
    await until_received(receiver, batch_id, 1)
    await asyncio.sleep(0.2)
    log = await client.get(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=world.producer.headers
    )
    assert log.status_code == 200, log.text
    [delivery] = log.json()["items"]
    assert log.json()["next_cursor"] is None
    assert delivery["event_type"] == "batch.rejected"
    assert delivery["status"] == "delivered"
    assert delivery["next_attempt_at"] is None
    [attempt] = delivery["attempts"]
    assert attempt["http_status"] == 204 and attempt["error"] is None
    # the secret is never shown again
    listed = await client.get("/api/v1/webhooks", headers=world.producer.headers)
    assert listed.status_code == 200
    assert listed.json() == {"items": [listed.json()["items"][0]], "next_cursor": None}
    assert [e["id"] for e in listed.json()["items"]] == [endpoint["id"]]
    assert "secret" not in listed.text and "whsec_" not in listed.text


async def _pages(client, url: str, actor: Actor, limit: int) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The ids of every page of a list, following `next_cursor` (SPEC §3)."""
    pages, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await client.get(url, params=params, headers=actor.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body.keys() == {"items", "next_cursor"}
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_endpoints_and_deliveries_are_listed_a_page_at_a_time(
    client, world: World, receiver: Receiver
) -> None:
    events = ["batch.released", "batch.recalled"]
    added = [
        (await register_endpoint(client, world.producer, receiver.url, events))["id"]
        for _ in range(3)
    ]
    pages = await _pages(client, "/api/v1/webhooks", world.producer, limit=2)
    assert [len(page) for page in pages] == [2, 1]
    assert [i for page in pages for i in page] == added[::-1]  # newest first, none twice
    batch_id = await batch_in(client, world, "released")
    await until_received(receiver, batch_id, 3)
    deliveries = f"/api/v1/webhooks/{added[0]}/deliveries"
    recalled = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": "Kemasan bocor"},
        headers=world.producer.headers,
    )
    assert recalled.status_code == 200, recalled.text
    one_by_one = await _pages(client, deliveries, world.producer, limit=1)
    assert [len(page) for page in one_by_one] == [1, 1]
    both = await client.get(deliveries, headers=world.producer.headers)
    assert [d["id"] for d in both.json()["items"]] == [page[0] for page in one_by_one]
    assert [d["event_type"] for d in both.json()["items"]] == ["batch.recalled", "batch.released"]
    bad = await client.get(deliveries, params={"cursor": "x"}, headers=world.producer.headers)
    assert bad.status_code == 400


async def test_a_receiver_that_was_down_gets_the_message_when_it_returns(
    client, world: World, receiver: Receiver
) -> None:
    endpoint = await register_endpoint(client, world.producer, receiver.url, ["batch.released"])
    receiver.stop()
    batch_id = await batch_in(client, world, "released")
    deliveries_url = f"/api/v1/webhooks/{endpoint['id']}/deliveries"
    started = time.monotonic()
    attempts: list[dict] = []
    while time.monotonic() - started < 15 and len(attempts) < 3:
        await asyncio.sleep(0.1)
        log = await client.get(deliveries_url, headers=world.producer.headers)
        [delivery] = log.json()["items"]
        attempts = delivery["attempts"]
    assert len(attempts) >= 3, attempts
    assert delivery["status"] == "pending"
    for attempt in attempts:
        assert attempt["http_status"] is None and "ConnectError" in attempt["error"]
        assert attempt["next_attempt_at"] > attempt["attempted_at"]
    # the waits grow (exponential backoff, with jitter of at most half a step)
    receiver.start()
    [received] = await until_received(receiver, batch_id, 1)
    assert json.loads(received.body)["type"] == "batch.released"
    await asyncio.sleep(0.2)
    log = await client.get(deliveries_url, headers=world.producer.headers)
    [delivery] = log.json()["items"]
    assert delivery["status"] == "delivered"
    assert delivery["attempts"][-1]["http_status"] == 204


async def test_an_error_answer_is_retried_and_a_redirect_not_followed(
    client, world: World, receiver: Receiver
) -> None:
    await register_endpoint(client, world.producer, receiver.url, ["batch.released"])
    receiver.status = 307  # a redirect is a failure, never followed
    batch_id = await batch_in(client, world, "released")
    await until_received(receiver, batch_id, 2)
    receiver.status = 200
    started = time.monotonic()
    while time.monotonic() - started < 10:
        got = of_batch(receiver, batch_id)
        if len(got) >= 3:
            break
        await asyncio.sleep(0.05)
    # every retry is the same message: one id
    assert len({r.headers["webhook-id"] for r in of_batch(receiver, batch_id)}) == 1


async def test_a_recall_that_rolls_back_sends_nothing(
    client, world: World, pool: asyncpg.Pool, receiver: Receiver
) -> None:
    await register_endpoint(client, world.producer, receiver.url, ["batch.recalled"])
    batch_id = await batch_in(client, world, "released")
    producer = AuthUser(
        world.producer.id, world.producer.name, "producer", world.producer.organization_id
    )
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with conn.transaction():
                await recall_batch(conn, producer, UUID(batch_id), "Uji batal")
                # the outbox row is written in this transaction...
                queued = await conn.fetchval(
                    "SELECT count(*) FROM webhook_messages WHERE batch_id = $1 AND event_type = "
                    "'batch.recalled'",
                    UUID(batch_id),
                )
                assert queued == 1
                await conn.execute("SELECT 1 / 0")  # ...which then fails
        kept = await conn.fetchval(
            "SELECT count(*) FROM webhook_messages WHERE batch_id = $1 AND event_type = "
            "'batch.recalled'",
            UUID(batch_id),
        )
    assert kept == 0
    await asyncio.sleep(1.5)  # past a poll of the worker
    assert of_batch(receiver, batch_id) == []
    # the same recall committed is sent, once
    recalled = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": "Kemasan bocor"},
        headers=world.producer.headers,
    )
    assert recalled.status_code == 200, recalled.text
    [received] = await until_received(receiver, batch_id, 1)
    assert json.loads(received.body)["data"]["reason"] == "Kemasan bocor"


async def test_roles_and_ownership(client, world: World, receiver: Receiver) -> None:
    body = {"url": receiver.url, "events": ["batch.released"]}
    for actor in (world.operator, world.admin):
        refused = await client.post("/api/v1/webhooks", json=body, headers=actor.headers)
        assert refused.status_code == 403, (actor.role, refused.text)
        assert (await client.get("/api/v1/webhooks", headers=actor.headers)).status_code == 403
    unauthenticated = await client.post("/api/v1/webhooks", json=body)
    assert unauthenticated.status_code == 401
    mine = await register_endpoint(client, world.producer, receiver.url, ["batch.released"])
    # another organization neither sees, reads the log of, nor deletes it
    other = world.other_producer.headers
    assert mine["id"] not in (await client.get("/api/v1/webhooks", headers=other)).text
    for response in (
        await client.get(f"/api/v1/webhooks/{mine['id']}/deliveries", headers=other),
        await client.delete(f"/api/v1/webhooks/{mine['id']}", headers=other),
        await client.delete(f"/api/v1/webhooks/{mine['id']}", headers=world.regulator.headers),
    ):
        assert response.status_code == 404, response.text
    deleted = await client.delete(f"/api/v1/webhooks/{mine['id']}", headers=world.producer.headers)
    assert deleted.status_code == 204
    gone = await client.get(
        f"/api/v1/webhooks/{mine['id']}/deliveries", headers=world.producer.headers
    )
    assert gone.status_code == 404
    # a deleted endpoint receives nothing more
    batch_id = await batch_in(client, world, "released")
    await asyncio.sleep(1)
    assert of_batch(receiver, batch_id) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.com/h", "events": []}, "events"),
        ({"url": "https://example.com/h", "events": ["batch.eaten"]}, "events"),
        ({"url": "https://example.com/h", "events": ["scan.suspect", "scan.suspect"]}, "events"),
        ({"url": "https://example.com/h"}, "events"),
        ({"events": ["batch.released"]}, "url"),
        ({"url": "https://exa mple.com/", "events": ["batch.released"]}, "url"),
        ({"url": "https://example.com/h", "events": ["batch.released"], "x": 1}, "x"),
    ],
)
async def test_malformed_registrations_are_400_naming_the_field(
    client, world: World, body: dict, field: str
) -> None:
    response = await client.post("/api/v1/webhooks", json=body, headers=world.producer.headers)
    assert response.status_code == 400, response.text
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.text


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://hooks.example.com/x", "https_required"),
        ("ftp://hooks.example.com/x", "https_required"),
        ("https://127.0.0.1/x", "private_address"),
        ("https://10.1.2.3/x", "private_address"),
        ("https://192.168.0.10/x", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
        ("https://[::1]/x", "private_address"),
        ("https://[::ffff:127.0.0.1]/x", "private_address"),
        # 6to4 addresses carrying 127.0.0.1 and the cloud metadata address
        ("https://[2002:7f00:1::1]/", "private_address"),
        ("https://[2002:a9fe:a9fe::1]/latest/meta-data", "private_address"),
        ("https://[2a00:1450:4001:81d:0:5efe:7f00:1]/x", "private_address"),  # ISATAP
        ("https://0.0.0.0/x", "private_address"),
        ("https://224.0.0.1/x", "private_address"),
        ("https://localhost:8443/x", "private_address"),
        ("https://user:pw@203.0.113.9/x", "no_credentials"),
        ("https:///x", "host_required"),
        ("https://no-such-host.invalid/x", "unresolvable"),
    ],
)
async def test_ssrf_refusals_in_production_are_422_naming_url_and_rule(
    client, world: World, url: str, rule: str
) -> None:
    state = client.app.state
    allowing = state.webhook_settings
    state.webhook_settings = dataclasses.replace(allowing, allow_private=False)
    try:
        response = await client.post(
            "/api/v1/webhooks",
            json={"url": url, "events": ["batch.released"]},
            headers=world.producer.headers,
        )
    finally:
        state.webhook_settings = allowing
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["field"], problem["rule"]) == (
        "webhook_url_refused",
        "url",
        rule,
    )


async def test_outbox_depth_counts_undelivered(
    client, world: World, pool: asyncpg.Pool, receiver: Receiver
) -> None:
    receiver.stop()
    await register_endpoint(client, world.producer, receiver.url, ["batch.released"])
    async with pool.acquire() as conn:
        before = await outbox_depth(conn)
        batch_id = await batch_in(client, world, "released")
        assert await outbox_depth(conn) >= before + 1
        receiver.start()
        await until_received(receiver, batch_id, 1)
        await asyncio.sleep(0.3)
        pending = await conn.fetchval(
            """SELECT count(*) FROM webhook_deliveries d JOIN webhook_messages m
               ON m.id = d.message_id WHERE m.batch_id = $1 AND d.status = 'pending'""",
            UUID(batch_id),
        )
        assert pending == 0
