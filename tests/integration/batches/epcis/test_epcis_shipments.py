"""EPCIS 2.0 over HTTP with shipments: each shipment's shipping event, a cancelled one's error
declaration, in a batch's document and once in the events query's pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import asyncpg
import pytest

from labels.gtin import normalize_gtin
from tests.epcis_reference import reference_hashes, refuse_downloads
from tests.epcis_schema import schema_errors
from tests.integration.batch_steps import batch_in, chicken, create_product, fresh_gtin13
from tests.integration.batches.shipments.shipment_steps import (
    VALID_GLN,
    create_customer,
    shipped,
)
from tests.integration.world import Actor, World

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    # the reference tool reads its bundled context through a deprecated importlib call
    pytest.mark.filterwarnings("ignore:open_text is deprecated:DeprecationWarning"),
]
BASE = "https://radura.test"  # the test settings' public base URL
EVENTS = "/api/v1/epcis/events"
REASON = "Salah pelanggan"


class Shipped:
    """A released GTIN batch with 4 serials, shipped twice: positions 1 to 2 to a customer with
    a GLN, 5 pcs to one without, which is then cancelled."""

    def __init__(self, batch_id: str, gtin14: str, customers: list[dict[str, Any]]) -> None:
        self.batch_id, self.gtin14, self.customers = batch_id, gtin14, customers


async def _shipped_batch(client, world: World) -> Shipped:  # type: ignore[no-untyped-def]
    gtin = fresh_gtin13()
    product = await create_product(client, world.producer, chicken(gtin=gtin))
    batch_id = await batch_in(client, world, "released", product["id"])
    issued = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 4}, headers=world.producer.headers
    )
    assert issued.status_code == 201, issued.text
    with_gln = await create_customer(client, world.producer, gln=VALID_GLN)
    without = await create_customer(client, world.producer)
    await shipped(
        client,
        world.producer,
        batch_id,
        with_gln["id"],
        quantity=2,
        serial_from=1,
        serial_to=2,
    )
    mistaken = await shipped(client, world.producer, batch_id, without["id"], quantity=5)
    cancelled = await client.post(
        f"/api/v1/shipments/{mistaken['id']}/cancel",
        json={"reason": REASON},
        headers=world.producer.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    return Shipped(batch_id, normalize_gtin(gtin), [with_gln, without])


async def _document(client, batch_id: str, actor: Actor) -> tuple[list[dict[str, Any]], str]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/batches/{batch_id}/epcis", headers=actor.headers)
    assert response.status_code == 200, response.text
    document = response.json()
    assert schema_errors(document) == []
    return document["epcisBody"]["eventList"], response.text


def _to_the_millisecond(shown: str, stored: datetime) -> bool:
    return timedelta(0) <= stored - datetime.fromisoformat(shown) < timedelta(milliseconds=1)


def _shipping(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("bizStep") == "shipping"]


async def test_shipments_are_shipping_events_and_a_cancellation_an_error_declaration(
    client, world: World, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
):
    refuse_downloads(monkeypatch)
    batch = await _shipped_batch(client, world)
    events, text = await _document(client, batch.batch_id, world.producer)

    # the life cycle, then the two shipments and the cancellation, in the order recorded
    assert [(e.get("bizStep"), e["disposition"]) for e in events] == [
        ("commissioning", "active"),
        ("receiving", "in_progress"),
        ("sensor_reporting", "in_progress"),
        ("inspecting", "conformant"),
        ("shipping", "in_transit"),
        ("shipping", "in_transit"),
        ("shipping", "in_transit"),
    ]
    recorded = [datetime.fromisoformat(e["recordTime"]) for e in events]
    assert recorded == sorted(recorded)
    ranged, mistaken, declared = events[4:]

    async with pool.acquire() as conn:
        producer_gln = await conn.fetchval(
            "SELECT gln FROM organizations WHERE id = $1", world.producer_org
        )
        serials = await conn.fetch(
            "SELECT serial FROM label_serials WHERE batch_id = $1 ORDER BY issued_at, serial",
            UUID(batch.batch_id),
        )
        rows = await conn.fetch(
            "SELECT shipped_at FROM shipments WHERE batch_id = $1 ORDER BY created_at",
            UUID(batch.batch_id),
        )
        audit = await conn.fetch(
            """SELECT at FROM batch_events
               WHERE batch_id = $1 AND kind IN ('shipped', 'shipment_cancelled') ORDER BY seq""",
            UUID(batch.batch_id),
        )
    producer_party = (
        f"https://id.gs1.org/417/{producer_gln}"
        if producer_gln
        else f"{BASE}/organizations/{world.producer_org}"
    )
    lot_class = events[0]["quantityList"][0]["epcClass"]
    for event, row in zip((ranged, mistaken), rows, strict=True):
        assert event["action"] == "OBSERVE"
        assert _to_the_millisecond(event["eventTime"], row["shipped_at"])
        assert event["sourceList"] == [{"type": "owning_party", "source": producer_party}]
        assert "bizLocation" not in event
    # a customer with a GLN is its PGLN, one without its URI
    assert ranged["destinationList"] == [
        {"type": "owning_party", "destination": f"https://id.gs1.org/417/{VALID_GLN}"}
    ]
    without = batch.customers[1]["id"]
    assert mistaken["destinationList"] == [
        {"type": "owning_party", "destination": f"{BASE}/customers/{without}"}
    ]
    # the shipped range lists the packs at positions 1 and 2 in issue order; the lot's class
    # carries each shipment's own quantity
    assert ranged["epcList"] == [
        f"{BASE}/01/{batch.gtin14}/21/{s['serial'].strip()}" for s in serials[1:3]
    ]
    assert ranged["quantityList"] == [{"epcClass": lot_class, "quantity": 2.0}]
    assert "epcList" not in mistaken
    assert mistaken["quantityList"] == [{"epcClass": lot_class, "quantity": 5.0}]

    # the cancellation is the mistaken event again, declared an error when it was recorded
    assert "errorDeclaration" not in ranged and "errorDeclaration" not in mistaken
    assert declared["eventID"] == mistaken["eventID"] != ranged["eventID"]
    assert {k: v for k, v in declared.items() if k not in ("recordTime", "errorDeclaration")} == {
        k: v for k, v in mistaken.items() if k != "recordTime"
    }
    assert declared["errorDeclaration"] == {
        "declarationTime": declared["recordTime"],
        "reason": "did_not_occur",
        "rdfs:comment": REASON,
    }
    # each recorded when the batch's audit log took it, as every other step
    for event, entry in zip((ranged, mistaken, declared), audit, strict=True):
        assert _to_the_millisecond(event["recordTime"], entry["at"])

    # every id, the shipping ones among them, as GS1's reference tool computes it
    _, ids = reference_hashes(text)
    assert ids == [e["eventID"] for e in events]


async def _query(client, actor: Actor, **params: Any) -> tuple[list[dict[str, Any]], str | None]:  # type: ignore[no-untyped-def]
    response = await client.get(EVENTS, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    document = response.json()
    assert schema_errors(document) == []
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    link = response.headers.get("link")
    if link is None:
        return events, None
    return events, parse_qs(urlsplit(link.split(";")[0].strip("<>")).query)["cursor"][0]


async def _all_pages(client, actor: Actor, **params: Any) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    events, cursor = await _query(client, actor, **params)
    while cursor is not None:
        page, cursor = await _query(client, actor, cursor=cursor, **params)
        assert page, "a next link never leads to an empty page"
        events += page
    return events


async def test_the_events_query_pages_shipping_events_once(client, world: World):
    batches = [await _shipped_batch(client, world) for _ in range(2)]
    own = [e for b in batches for e in (await _document(client, b.batch_id, world.producer))[0]]
    own.sort(key=lambda e: datetime.fromisoformat(e["recordTime"]))
    assert len(own) == 14 and len(_shipping(own)) == 6

    # by record time, each event once, whatever the page size: a page may end between a
    # shipment and its cancellation
    for limit in (1, 2, 3, 5):
        assert await _all_pages(client, world.producer, limit=limit) == own
    # a window by record time takes a shipment's events by their own record times
    [_, second, third] = _shipping(own)[:3]
    window = await _all_pages(
        client,
        world.producer,
        since=second["recordTime"],
        until=own[own.index(third) + 1]["recordTime"],
    )
    assert window == [second, third]

    # a regulator reads every shipment; the facility sees the batches but not who bought them,
    # as it reads no shipments; another producer nothing
    since = own[0]["recordTime"]
    seen = await _all_pages(client, world.regulator, since=since, limit=200)
    assert [e for e in seen if e in own] == own
    facility = await _all_pages(client, world.qa, limit=200)
    assert facility == [e for e in own if e.get("bizStep") != "shipping"]
    assert _shipping((await _document(client, batches[0].batch_id, world.qa))[0]) == []
    assert await _all_pages(client, world.other_producer) == []
