"""Bounded serials and PDFs: a batch's serial cap, at most 10 000 labels per PDF, paging."""

from __future__ import annotations

import csv
import io

import asyncpg
import pytest

from service.batches.labelling.serials import MAX_LABELS_PER_PDF
from tests.integration.batch_steps import batch_in
from tests.integration.test_labels_api import pdf_pages, released_batch
from tests.integration.world import World
from tests.unit.labels.samples import decode_all

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _issue(client, world: World, batch_id: str, count: int):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": count}, headers=world.producer.headers
    )


async def test_a_batch_of_pieces_gets_its_quantity_plus_a_tenth_and_no_more(
    client, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")  # 120 pcs: at most 132 serials
    assert (await _issue(client, world, batch_id, 130)).status_code == 201
    refused = await _issue(client, world, batch_id, 3)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "serial_limit"
    assert body["limit"] == 132 and body["issued"] == 130
    last = await _issue(client, world, batch_id, 2)
    assert last.status_code == 201 and last.json()["total"] == 132


async def test_a_hundred_and_twenty_pieces_never_take_a_hundred_thousand_serials(
    client, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    refused = await _issue(client, world, batch_id, 100_000)
    assert refused.status_code == 422 and refused.json()["code"] == "serial_limit"


async def test_one_pdf_holds_at_most_ten_thousand_labels(
    client, world: World, pool: asyncpg.Pool
) -> None:
    batch = await released_batch(client, world, gtin=False)
    url = f"/api/v1/batches/{batch['id']}/labels.pdf"
    # more serials than one PDF holds, written straight in SQL (the API would cap this batch)
    async with pool.acquire() as conn:
        await conn.execute(
            """INSERT INTO label_serials (batch_id, serial)
               SELECT $1::uuid, upper(substr(md5(i::text || $1::text), 1, 10))
               FROM generate_series(1, $2) AS i""",
            batch["id"],
            MAX_LABELS_PER_PDF + 1,
        )
    whole = await client.get(url, headers=world.producer.headers)
    assert whole.status_code == 422, whole.text
    assert whole.json()["code"] == "too_many_labels"
    assert "from=" in whole.json()["detail"]
    too_many = await client.get(f"{url}?count=10001", headers=world.producer.headers)
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["field"] == "count"
    copies = await client.get(f"{url}?copies=10001", headers=world.producer.headers)
    assert copies.status_code == 400
    negative = await client.get(f"{url}?from=-1&count=1", headers=world.producer.headers)
    assert negative.status_code == 400


async def test_from_and_count_page_through_the_serials_in_issue_order(client, world: World) -> None:
    batch = await released_batch(client, world, gtin=False)
    assert (await _issue(client, world, batch["id"], 5)).status_code == 201
    listing = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.csv", headers=world.producer.headers
    )
    uris = [row[1] for row in list(csv.reader(io.StringIO(listing.text)))[1:]]
    assert len(uris) == 5
    page = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.pdf?layout=a4-3x8&from=1&count=3",
        headers=world.producer.headers,
    )
    assert page.status_code == 200, page.text
    assert set(decode_all(pdf_pages(page.content)[0])) == set(uris[1:4])
    rest = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.pdf?layout=a4-3x8&from=3",
        headers=world.producer.headers,
    )
    assert set(decode_all(pdf_pages(rest.content)[0])) == set(uris[3:])
    past_the_end = await client.get(
        f"/api/v1/batches/{batch['id']}/labels.pdf?from=5", headers=world.producer.headers
    )
    assert past_the_end.status_code == 422
    assert past_the_end.json()["code"] == "from_out_of_range"
