"""GET /api/v1/exports/batches.csv: rows, columns, role scope, quoting and formula guards."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from service.batches.export.batches_csv import COLUMNS
from tests.integration.batch_steps import batch_in, chicken, create_product, register
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")
URL = "/api/v1/exports/batches.csv"


async def _rows(client, actor, **params) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = await client.get(URL, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    reader = csv.DictReader(io.StringIO(response.text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


async def test_a_released_batch_has_every_column(client, world: World):
    batch_id = await batch_in(client, world, "released")
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    ).json()
    rows = [r for r in await _rows(client, world.producer) if r["code"] == record["code"]]
    assert len(rows) == 1
    row = rows[0]
    assert row["lot"] == record["lot"]
    assert row["product"] == "Ayam potong kemasan"
    assert row["producer"] == record["producer"]["name"]
    assert row["facility"] == record["facility"]["name"]
    assert row["irradiator"] == "Co-60 conveyor" and row["source_type"] == "cobalt-60"
    assert row["production_date"] == record["production_date"]
    assert float(row["dose_min_kgy"]) == 2.1 and float(row["dose_max_kgy"]) == 2.6
    assert row["purpose"] == "extend_shelf_life"
    assert row["qa_officer"] == world.qa.name and row["qa_decision"] == "released"
    assert row["best_before"] == record["best_before"]
    assert row["status"] == "released"
    assert row["received_at"].endswith("+07:00")  # times in Asia/Jakarta


async def test_scope_by_role(client, world: World):
    mine = await batch_in(client, world, "registered")
    other_product = await create_product(client, world.other_producer, chicken())
    response = await client.post(
        "/api/v1/batches",
        json={
            "product_id": other_product["id"],
            "facility_id": str(world.facility),
            "lot": "OTHER-1",
            "production_date": date.today().isoformat(),
            "quantity": 3,
            "unit": "kg",
        },
        headers=world.other_producer.headers,
    )
    theirs = response.json()["id"]
    codes = {}
    for batch_id in (mine, theirs):
        codes[batch_id] = (
            await client.get(f"/api/v1/batches/{batch_id}", headers=world.admin.headers)
        ).json()["code"]
    producer_codes = {r["code"] for r in await _rows(client, world.producer)}
    assert codes[mine] in producer_codes and codes[theirs] not in producer_codes
    for actor in (world.regulator, world.admin):
        seen = {r["code"] for r in await _rows(client, actor)}
        assert {codes[mine], codes[theirs]} <= seen
    for actor in (world.operator, world.qa):
        response = await client.get(URL, headers=actor.headers)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(URL)).status_code == 401


async def test_date_range_is_on_production_date(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    old = date.today() - timedelta(days=40)
    recent = date.today() - timedelta(days=3)
    await register(client, world, product_id, lot="OLD", production_date=old.isoformat())
    await register(client, world, product_id, lot="RECENT", production_date=recent.isoformat())
    lots = {
        r["lot"]
        for r in await _rows(
            client, world.producer, **{"from": (old + timedelta(days=1)).isoformat()}
        )
    }
    assert "RECENT" in lots and "OLD" not in lots
    lots = {
        r["lot"]
        for r in await _rows(
            client, world.producer, **{"from": old.isoformat(), "to": old.isoformat()}
        )
    }
    assert lots == {"OLD"}
    backwards = await client.get(
        URL,
        params={"from": recent.isoformat(), "to": old.isoformat()},
        headers=world.producer.headers,
    )
    assert backwards.status_code == 400
    nonsense = await client.get(URL, params={"from": "yesterday"}, headers=world.producer.headers)
    assert nonsense.status_code == 400


async def test_quoting_and_formula_injection(client, world: World):
    nasty = '=HYPERLINK("http://evil.example","klik"), "Ayam"; enak'
    product_id = (await create_product(client, world.producer, chicken(name=nasty)))["id"]
    await register(client, world, product_id, lot="-2-3")
    response = await client.get(URL, headers=world.producer.headers)
    assert '"\'=HYPERLINK(""http://evil.example"",""klik""), ""Ayam""; enak"' in response.text
    rows = [r for r in csv.DictReader(io.StringIO(response.text)) if r["lot"] == "'-2-3"]
    assert len(rows) == 1
    assert rows[0]["product"] == "'" + nasty


async def test_a_formula_after_leading_whitespace_is_defused(client, world: World):
    batch_id = await batch_in(client, world, "released")
    reason = '\n =HYPERLINK("http://evil.example","klik")'
    recalled = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": reason},
        headers=world.regulator.headers,
    )
    assert recalled.status_code == 200, recalled.text
    code = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)).json()[
        "code"
    ]
    rows = [r for r in await _rows(client, world.producer) if r["code"] == code]
    assert [r["recall_reason"] for r in rows] == ["'" + reason]


async def test_many_rows_stream_in_order(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    for i in range(450):  # more than two chunks of the stream
        await register(
            client,
            world,
            product_id,
            lot=f"BULK-{i}",
            production_date=(date.today() - timedelta(days=i % 30)).isoformat(),
        )
    rows = [r for r in await _rows(client, world.producer) if r["lot"].startswith("BULK-")]
    assert len(rows) == 450
    dates = [r["production_date"] for r in rows]
    assert dates == sorted(dates)


async def test_the_export_is_produced_page_by_page_holding_no_connection_between(
    client, world: World, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    """The body is read and written a page of rows at a time, never all at once, and between two
    pages (while a client reads) no pooled connection is held: a pool of one stays free."""
    from service.batches.export import batches_csv as export
    from service.core.auth import AuthUser
    from service.core.db import create_pool
    from service.core.download_gate import DownloadGate

    monkeypatch.setattr(export, "PAGE_ROWS", 4)
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    for i in range(10):
        await register(client, world, product_id, lot=f"CH-{i}")
    producer = AuthUser(world.producer.id, world.producer.name, "producer", world.producer_org)
    gate = DownloadGate()
    ticket = gate.admit(world.producer_org)
    one = await create_pool(database_url, max_size=1)
    try:
        pages = export.pages_of(await export.export_batch_ids(one, producer, None, None))
        first = await export.export_rows(one, pages[0])
        chunks = []
        async for chunk in export.csv_chunks(gate, ticket, one, pages, first):
            chunks.append(chunk)
            # the client reads this chunk: the pool's only connection is free meanwhile
            async with one.acquire(timeout=0.5) as conn:
                assert await conn.fetchval("SELECT 1") == 1
    finally:
        ticket.release()
        await one.close()
    assert len(chunks) == 3
    assert sum(chunk.count("\r\n") for chunk in chunks) == 10 + 1
    assert gate.admitted == 0
