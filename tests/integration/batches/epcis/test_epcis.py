"""EPCIS 2.0 over HTTP: a batch's document, who may read it, and the events query."""

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
from tests.integration.world import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="session")
BASE = "https://radura.test"  # the test settings' public base URL
EVENTS = "/api/v1/epcis/events"


async def _document(client, batch_id: str, actor: Actor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/batches/{batch_id}/epcis", headers=actor.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert schema_errors(document) == []
    return document


async def _released_then_recalled(client, world: World, pool: asyncpg.Pool) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A GTIN product's batch: released, 3 label serials issued, recalled; (id, GTIN-14)."""
    gtin = fresh_gtin13()
    product = await create_product(client, world.producer, chicken(gtin=gtin))
    batch_id = await batch_in(client, world, "released", product["id"])
    issued = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 3}, headers=world.producer.headers
    )
    assert issued.status_code == 201, issued.text
    recalled = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": "Kemasan bocor"},
        headers=world.producer.headers,
    )
    assert recalled.status_code == 200, recalled.text
    return batch_id, normalize_gtin(gtin)


def _times(events: list[dict[str, Any]], name: str = "eventTime") -> list[datetime]:
    return [datetime.fromisoformat(e[name]) for e in events]


def _to_the_millisecond(shown: str, stored: str) -> bool:
    at = datetime.fromisoformat(stored) - datetime.fromisoformat(shown)
    return timedelta(0) <= at < timedelta(milliseconds=1)


async def test_a_released_then_recalled_batch(client, world: World, pool: asyncpg.Pool):
    batch_id, gtin14 = await _released_then_recalled(client, world, pool)
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    ).json()
    events = (await _document(client, batch_id, world.producer))["epcisBody"]["eventList"]

    assert [(e.get("bizStep"), e["disposition"]) for e in events] == [
        ("commissioning", "active"),
        ("receiving", "in_progress"),
        ("sensor_reporting", "in_progress"),
        ("inspecting", "conformant"),
        (None, "recalled"),
    ]
    # in the order Radura recorded them; each when it happened in the world: the receipt at
    # its own time (a day before it was recorded), the treatment at its end
    recorded = _times(events, "recordTime")
    assert recorded == sorted(recorded) and len(set(recorded)) == len(recorded)
    assert _to_the_millisecond(events[1]["eventTime"], record["receipt"]["received_at"])
    assert _to_the_millisecond(events[2]["eventTime"], record["treatment"]["ended_at"])
    assert recorded[1] - _times(events)[1] > timedelta(hours=23)
    # registered, released and recalled when they were recorded, to the transaction's clock
    assert _to_the_millisecond(events[0]["eventTime"], record["created_at"])
    assert _to_the_millisecond(events[3]["eventTime"], record["release"]["at"])
    assert _to_the_millisecond(events[4]["eventTime"], record["recall"]["at"])

    # the lot is a class named by its GS1 Digital Link; the serials issued before the recall
    # are instances named by GTIN and serial alone
    batch_uri = f"{BASE}/01/{gtin14}/10/{record['lot']}"
    assert all(e["quantityList"][0]["epcClass"] == batch_uri for e in events)
    async with pool.acquire() as conn:
        serials = await conn.fetch(
            "SELECT serial FROM label_serials WHERE batch_id = $1", UUID(batch_id)
        )
    assert len(serials) == 3
    assert sorted(events[4]["epcList"]) == sorted(
        f"{BASE}/01/{gtin14}/21/{s['serial']}" for s in serials
    )
    assert all("epcList" not in e for e in events[:4])  # no serial existed yet

    # places: the producer registers and recalls, the facility does the rest
    producer = f"{BASE}/organizations/{record['producer']['id']}"
    facility = f"{BASE}/organizations/{record['facility']['id']}"
    assert [e["bizLocation"]["id"] for e in events] == [producer] + [facility] * 3 + [producer]

    # one AbsorbedDose report per stored dosimeter reading, in gray
    [element] = events[2]["sensorElementList"]
    stored = record["treatment"]["dosimeters"]
    assert len(element["sensorReport"]) == len(stored) == 2
    for report, dosimeter in zip(element["sensorReport"], stored, strict=True):
        assert report["type"] == "AbsorbedDose" and report["uom"] == "A95"
        assert report["value"] / 1000 == pytest.approx(dosimeter["dose_kgy"], rel=1e-12)
        assert report["deviceID"] == f"{facility}/dosimeters/{dosimeter['dosimeter_id']}"
    for name, stored_name in (("startTime", "started_at"), ("endTime", "ended_at")):
        shown = element["sensorMetadata"][name]
        assert _to_the_millisecond(shown, record["treatment"][stored_name])


async def test_a_rejected_batch(client, world: World):
    batch_id = await batch_in(client, world, "rejected")
    events = (await _document(client, batch_id, world.qa))["epcisBody"]["eventList"]
    assert [(e.get("bizStep"), e["disposition"]) for e in events] == [
        ("commissioning", "active"),
        ("receiving", "in_progress"),
        ("sensor_reporting", "in_progress"),
        ("inspecting", "non_conformant"),
    ]
    # no GTIN: the short /v/ form names the batch
    assert events[0]["quantityList"][0]["epcClass"].startswith(f"{BASE}/v/")


@pytest.mark.filterwarnings("ignore:open_text is deprecated:DeprecationWarning")
async def test_served_ids_are_the_ones_gs1s_reference_tool_computes(
    client, world: World, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
):
    refuse_downloads(monkeypatch)
    recalled, _ = await _released_then_recalled(client, world, pool)  # serials, a GTIN
    rejected = await batch_in(client, world, "rejected")  # no GTIN
    served = []
    for batch_id in (recalled, rejected):
        response = await client.get(
            f"/api/v1/batches/{batch_id}/epcis", headers=world.producer.headers
        )
        events = response.json()["epcisBody"]["eventList"]
        _, ids = reference_hashes(response.text)
        assert ids == [e["eventID"] for e in events]
        served += events
    # commissioning, receiving, the treatment with its sensors, release, reject, the recall
    # with its serials
    assert len(served) == 9
    assert sum("sensorElementList" in e for e in served) == 2
    assert sum("epcList" in e for e in served) == 1


async def test_places_are_sglns_where_the_organizations_have_a_gln(
    client, world: World, pool: asyncpg.Pool
):
    glns = {world.producer_org: "8991234500003", world.facility: "8991234500010"}
    async with pool.acquire() as conn:
        for organization, gln in glns.items():
            await conn.execute("UPDATE organizations SET gln = $2 WHERE id = $1", organization, gln)
    batch_id = await batch_in(client, world, "released")
    events = (await _document(client, batch_id, world.producer))["epcisBody"]["eventList"]
    producer, facility = (f"https://id.gs1.org/414/{gln}" for gln in glns.values())
    assert [e["readPoint"]["id"] for e in events] == [producer] + [facility] * 3
    assert [e["bizLocation"]["id"] for e in events] == [producer] + [facility] * 3
    # the dosimeters stay the facility's own
    [report, *_] = events[2]["sensorElementList"][0]["sensorReport"]
    assert report["deviceID"].startswith(f"{BASE}/organizations/{world.facility}/dosimeters/")


async def test_ids_are_stable_and_differ_between_events(client, world: World):
    first = await batch_in(client, world, "released")
    second = await batch_in(client, world, "released")
    once = (await _document(client, first, world.producer))["epcisBody"]["eventList"]
    again = (await _document(client, first, world.regulator))["epcisBody"]["eventList"]
    assert once == again
    other = (await _document(client, second, world.producer))["epcisBody"]["eventList"]
    ids = [e["eventID"] for e in once + other]
    assert len(set(ids)) == len(ids) == 8
    assert all(i.startswith("ni:///sha-256;") and i.endswith("?ver=CBV2.0") for i in ids)


async def test_who_may_read_a_batch_document(client, world: World):
    batch_id = await batch_in(client, world, "treated")
    for role, actor in world.actors().items():
        response = await client.get(f"/api/v1/batches/{batch_id}/epcis", headers=actor.headers)
        assert response.status_code == 200, (role, response.text)
    for actor in (world.other_producer, world.other_operator):
        response = await client.get(f"/api/v1/batches/{batch_id}/epcis", headers=actor.headers)
        assert response.status_code == 404, response.text
    unknown = await client.get(
        "/api/v1/batches/00000000-0000-4000-8000-000000000000/epcis", headers=world.admin.headers
    )
    assert unknown.status_code == 404
    anonymous = await client.get(f"/api/v1/batches/{batch_id}/epcis")
    assert anonymous.status_code == 401


async def _query(client, actor: Actor, **params: Any) -> tuple[list[dict[str, Any]], str | None]:  # type: ignore[no-untyped-def]
    response = await client.get(EVENTS, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert schema_errors(document) == []
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    link = response.headers.get("link")
    if link is None:
        return events, None
    url, rel = link.split(";")
    assert rel.strip() == 'rel="next"' and url.startswith(f"<{BASE}{EVENTS}?")
    return events, parse_qs(urlsplit(url.strip("<>")).query)["cursor"][0]


async def _all_pages(client, actor: Actor, **params: Any) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    events, cursor = await _query(client, actor, **params)
    while cursor is not None:
        page, cursor = await _query(client, actor, cursor=cursor, **params)
        assert page, "a next link never leads to an empty page"
        events += page
    return events


async def test_the_events_query_pages_and_scopes(client, world: World, pool: asyncpg.Pool):
    recalled, _ = await _released_then_recalled(client, world, pool)
    rejected = await batch_in(client, world, "rejected")
    own = [
        e
        for batch_id in (recalled, rejected)
        for e in (await _document(client, batch_id, world.producer))["epcisBody"]["eventList"]
    ]
    own.sort(key=lambda e: datetime.fromisoformat(e["recordTime"]))

    # the producer's own: every event once, oldest first, two a page
    paged = await _all_pages(client, world.producer, limit=2)
    assert paged == own and len(paged) == 9
    # the facility's staff see the same batches; the other facility and producer nothing
    assert await _all_pages(client, world.qa, limit=200) == own
    assert await _all_pages(client, world.other_operator) == []
    assert await _all_pages(client, world.other_producer) == []
    # a regulator sees every batch, these among them
    since = own[0]["recordTime"]
    seen = {e["eventID"] for e in await _all_pages(client, world.regulator, since=since)}
    assert {e["eventID"] for e in own} <= seen

    # since is inclusive, until exclusive, both at the exported millisecond of the record time
    # (a step is found by when Radura stored it: a receipt dated last week is still new)
    window = await _all_pages(
        client, world.producer, since=own[2]["recordTime"], until=own[5]["recordTime"], limit=1
    )
    assert window == own[2:5]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"since": "2026-05-01T00:00:00"},  # no offset: which day would that be?
        {"until": "0.5"},  # a Unix time is not the ISO 8601 the API takes
        {"since": "2026-05-02T00:00:00+07:00", "until": "2026-05-01T00:00:00+07:00"},
        {"cursor": "not-a-cursor"},
        {"limit": 0},
        {"limit": 201},
    ],
)
async def test_bad_query_parameters_are_a_400(client, world: World, params: dict[str, Any]):
    response = await client.get(EVENTS, params=params, headers=world.producer.headers)
    assert response.status_code == 400, response.text
    assert any(name in response.text for name in params)  # the answer names the field


async def test_the_events_query_needs_a_token(client):
    assert (await client.get(EVENTS)).status_code == 401
