"""The regulator's desk over plain HTTP with a cookie jar: search by code, lot, GTIN and producer
name; every batch page, read only but for recall; the overview; the CSV export the session
downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import (
    batch_in,
    chicken,
    create_product,
    fresh_gtin13,
    receive,
    register,
    treat,
)
from tests.integration.batches.products.test_console_products import english, field_error
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def regulator(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    browser = await signed_in(client, pool, world.regulator.id)
    await english(browser)
    return browser


def _found(page: str, batch: dict[str, Any]) -> bool:
    return f'href="/app/batches/{batch["id"]}"' in page


async def _search(browser: Browser, q: str) -> str:
    answer = await browser.get("/app/batches", params={"q": q})
    assert answer.status_code == 200
    return answer.text


async def test_search_by_code_lot_gtin_and_producer_name(
    regulator: Browser, client, pool, world: World
):
    gtin = fresh_gtin13()
    product = await create_product(client, world.producer, chicken(gtin=gtin))
    ours = await register(client, world, product["id"])
    other_product = await create_product(client, world.other_producer, chicken())
    theirs = await client.post(
        "/api/v1/batches",
        json={"product_id": other_product["id"], "facility_id": str(world.facility),
              "lot": f"X{world.tag}", "production_date": "2026-01-05", "quantity": 3,
              "unit": "kg"},
        headers=world.other_producer.headers,
    )  # fmt: skip
    assert theirs.status_code == 201
    other = theirs.json()

    by_lot = await _search(regulator, ours["lot"].lower())
    assert _found(by_lot, ours) and not _found(by_lot, other)
    by_code = await _search(regulator, ours["code"][:7])
    assert _found(by_code, ours)
    # the digits under the barcode, as a GTIN-13 and as the stored GTIN-14
    for typed in (gtin, "0" + gtin, f"{gtin[:3]} {gtin[3:]}"):
        by_gtin = await _search(regulator, typed)
        assert _found(by_gtin, ours) and not _found(by_gtin, other), typed
    by_producer = await _search(regulator, f"sambal mak {world.tag}")
    assert _found(by_producer, other) and not _found(by_producer, ours)
    assert f"Sambal Mak {world.tag}" in by_producer  # the producer is named in the list
    nothing = await _search(regulator, f"zz-{world.tag}-none")
    assert "No batches match." in nothing

    # a producer's search never reaches another producer's batches, by name or by GTIN
    producer = await signed_in(client, pool, world.other_producer.id)
    assert not _found(await _search(producer, f"rendang uni {world.tag}"), ours)
    assert not _found(await _search(producer, gtin), ours)
    own = await signed_in(client, pool, world.producer.id)
    assert _found(await _search(own, gtin), ours)


async def test_search_input_that_is_too_long_or_odd_is_not_a_500(regulator: Browser):
    assert (await regulator.get("/app/batches", params={"q": "x" * 101})).status_code == 400
    for odd in ("%", "_", "\\", "' OR 1=1 --", "0000000000000", "８９９"):
        assert (await regulator.get("/app/batches", params={"q": odd})).status_code == 200, odd


async def test_regulator_batch_page_is_read_only_but_for_recall(
    regulator: Browser, client, world: World
):
    released = await batch_in(client, world, "released")
    page = await regulator.get(f"/app/batches/{released}")
    assert page.status_code == 200
    assert f'href="/app/batches/{released}/recall"' in page.text
    assert f"/app/batches/{released}/cancel" not in page.text
    # no form on the page acts on the batch but the recall link; the producer's own actions
    # are refused to a regulator who posts them anyway
    assert f'action="/app/batches/{released}/' not in page.text
    for action in ("cancel", "labels"):
        token = await regulator.csrf_token(f"/app/batches/{released}")
        answer = await regulator.http.post(
            f"/app/batches/{released}/{action}", data={"_csrf_token": token, "count": "5"}
        )
        assert answer.status_code == 403, (action, answer.status_code)

    confirm = await regulator.get(f"/app/batches/{released}/recall")
    assert confirm.status_code == 200
    empty = await regulator.submit(
        f"/app/batches/{released}/recall", {"reason": ""}, form_page=confirm.url.path
    )
    assert empty.status_code == 400 and field_error(empty.text, "reason")
    done = await regulator.submit(
        f"/app/batches/{released}/recall",
        {"reason": "Temuan inspeksi BPOM: label tidak sesuai"},
        form_page=confirm.url.path,
    )
    assert done.status_code == 303
    record = await client.get(f"/api/v1/batches/{released}", headers=world.producer.headers)
    assert record.json()["status"] == "recalled"
    assert record.json()["recall"]["by"]["role"] == "regulator"
    # a batch not released cannot be recalled: the page says so instead of offering it
    registered = await batch_in(client, world, "registered")
    not_yet = await regulator.get(f"/app/batches/{registered}/recall")
    assert "not available now" in not_yet.text


async def test_overview_counts_facilities_outcomes_and_is_for_regulators(
    regulator: Browser, client, pool, world: World
):
    product = await create_product(client, world.producer, chicken())
    low = await register(client, world, product["id"])
    await receive(client, world, low["id"])
    await treat(client, world, low["id"], 1.2, 2.0)  # D_min below the product's 1.5 kGy
    rejected = await batch_in(client, world, "rejected", product["id"])
    recalled = await batch_in(client, world, "recalled", product["id"])

    answer = await regulator.get("/app/overview")
    assert answer.status_code == 200
    page = answer.text
    # this test's facility, with its three batches this month
    row = page.split(f'<th scope="row">Iradiator {world.tag}</th>', 1)[1].split("</tr>", 1)[0]
    assert row.count("<td>3</td>") == 1 and "<strong>3</strong>" in row
    nonconforming = page.split('id="nonconforming"', 1)[1].split("</section>", 1)[0]
    assert f'href="/app/batches/{low["id"]}"' in nonconforming
    assert "D_min below the product's minimum dose" in nonconforming
    rejects = page.split('id="rejects"', 1)[1].split("</section>", 1)[0]
    assert f'href="/app/batches/{rejected}"' in rejects and "AM-1 terbaca rendah" in rejects
    recalls = page.split('id="recalls"', 1)[1].split("</section>", 1)[0]
    assert f'href="/app/batches/{recalled}"' in recalls and "Kemasan bocor" in recalls
    assert 'action="/api/v1/exports/batches.csv"' in page

    admin = await signed_in(client, pool, world.admin.id)
    assert (await admin.get("/app/overview")).status_code == 200
    for actor in (world.producer, world.operator, world.qa):
        browser = await signed_in(client, pool, actor.id)
        assert (await browser.get("/app/overview")).status_code == 403, actor.role


async def test_export_link_downloads_the_csv_with_the_session(
    regulator: Browser, client, world: World
):
    product = await create_product(client, world.producer, chicken())
    old = await register(client, world, product["id"], production_date="2025-03-01")
    new = await register(client, world, product["id"])
    answer = await regulator.get(
        "/api/v1/exports/batches.csv", params={"from": "2025-02-01", "to": "2025-03-31"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lots = {row["lot"] for row in csv.DictReader(io.StringIO(answer.text))}
    assert old["lot"] in lots and new["lot"] not in lots
    wrong = await regulator.get("/api/v1/exports/batches.csv", params={"from": "kemarin"})
    assert wrong.status_code == 400
    # the session reads; it never writes through the API
    token = await regulator.csrf_token("/app/")
    posted = await regulator.http.post(
        f"/api/v1/batches/{new['id']}/cancel", data={"_csrf_token": token}
    )
    assert posted.status_code == 401


async def test_the_search_form_as_sent_with_any_status(regulator: Browser, client, world: World):
    # the form's "any status" option sends an empty `status`, which means no filter
    batch = await register(
        client, world, (await create_product(client, world.producer, chicken()))["id"]
    )
    answer = await regulator.get("/app/batches", params={"q": batch["lot"], "status": ""})
    assert answer.status_code == 200 and _found(answer.text, batch)
    filtered = await regulator.get("/app/batches", params={"q": batch["lot"], "status": "released"})
    assert filtered.status_code == 200 and not _found(filtered.text, batch)
    assert (await regulator.get("/app/batches", params={"status": "lost"})).status_code == 400
