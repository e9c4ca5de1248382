"""Batch pages over plain HTTP with a cookie jar: registration posted empty, wrong and right, the
list's filter and search, the batch page, cancel, recall and serial issue with their refusals
(another producer's batch → 404 page, wrong role → 403 page, wrong state → 409 page)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from tests.integration.batch_steps import batch_body, batch_in, chicken, create_product, register
from tests.integration.batches.products.test_console_products import (
    english,
    field_error,
    input_value,
)
from tests.integration.console import Browser, signed_in
from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import World
from tests.unit.labels.samples import LONG_FACILITY, LONG_PRODUCT


@pytest.fixture
async def producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    browser = await signed_in(client, pool, world.producer.id)
    await english(browser)
    return browser


async def _status(client: AsyncTestClient, world: World, batch_id: str) -> str:
    answer = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    status: str = answer.json()["status"]
    return status


# --- registration ---------------------------------------------------------------------------


async def test_registration_posted_empty_names_every_field(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    await create_product(client, world.producer, chicken())
    answer = await producer.submit("/app/batches/new", {})
    assert answer.status_code == 400
    for field, message in (
        ("product_id", "Choose a product."),
        ("facility_id", "Choose an irradiation facility."),
        ("lot", "This field is required."),
        ("production_date", "This field is required."),
        ("quantity", "This field is required."),
        ("unit", "This field is required."),
    ):
        assert field_error(answer.text, field) == message, field


async def test_registration_with_wrong_values_keeps_the_input(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    product = await create_product(client, world.producer, chicken())
    tomorrow = (today_in_jakarta() + timedelta(days=2)).isoformat()
    form = {
        "product_id": product["id"],
        "facility_id": str(world.facility),
        "lot": "lot 7!",
        "production_date": "2026-01-01",
        "quantity": "12,5",
        "unit": "pcs",
    }
    answer = await producer.submit("/app/batches/new", form)
    assert answer.status_code == 400
    assert field_error(answer.text, "lot") == "Use 1 to 20 letters, digits or dashes."
    assert input_value(answer.text, "lot") == "lot 7!"
    # the pieces rule is the API's own cross-field check
    answer = await producer.submit("/app/batches/new", form | {"lot": "L-7"})
    assert field_error(answer.text, "quantity") == "Enter a whole number of pieces."
    answer = await producer.submit(
        "/app/batches/new", form | {"lot": "L-7", "unit": "kg", "production_date": tomorrow}
    )
    assert field_error(answer.text, "production_date") == "The date must not be in the future."
    # the chosen product stays selected
    assert f'<option value="{product["id"]}" selected>' in answer.text


async def test_registration_of_another_producers_product_or_a_known_lot_is_422(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    theirs = await create_product(client, world.other_producer, chicken())
    ours = await create_product(client, world.producer, chicken())
    form = {
        "facility_id": str(world.facility),
        "lot": "L-DUP",
        "production_date": today_in_jakarta().isoformat(),
        "quantity": "10",
        "unit": "pcs",
    }
    answer = await producer.submit("/app/batches/new", form | {"product_id": theirs["id"]})
    assert answer.status_code == 422
    assert field_error(answer.text, "product_id") == "Choose one of the options."
    answer = await producer.submit(
        "/app/batches/new",
        form | {"product_id": ours["id"], "facility_id": str(world.regulator_org)},
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "facility_id") == "Choose one of the options."
    await register(client, world, ours["id"], lot="L-DUP")
    answer = await producer.submit("/app/batches/new", form | {"product_id": ours["id"]})
    assert answer.status_code == 422
    assert field_error(answer.text, "lot") == "This lot is already registered for this product."


async def test_registration_with_three_problems_shows_all_three_after_one_submit(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    """A wrong number, a date in the future and a lot registered already: one submit names all
    three (SPEC §10: errors in one round), and keeps what was typed."""
    product = await create_product(client, world.producer, chicken())
    await register(client, world, product["id"], lot="L-TIGA")
    tomorrow = (today_in_jakarta() + timedelta(days=2)).isoformat()
    form = {
        "product_id": product["id"],
        "facility_id": str(world.facility),
        "lot": "L-TIGA",
        "production_date": tomorrow,
        "quantity": "dua belas",
        "unit": "pcs",
    }
    answer = await producer.submit("/app/batches/new", form)
    assert answer.status_code == 400
    assert field_error(answer.text, "quantity") == "Enter a number, such as 2,5."
    assert field_error(answer.text, "production_date") == "The date must not be in the future."
    assert field_error(answer.text, "lot") == "This lot is already registered for this product."
    assert input_value(answer.text, "quantity") == "dua belas"
    # another producer's lot of the same name is none of this form's business
    theirs = await create_product(client, world.other_producer, chicken())
    registered = await client.post(
        "/api/v1/batches",
        json=batch_body(world, theirs["id"], lot="L-LAIN"),
        headers=world.other_producer.headers,
    )
    assert registered.status_code == 201, registered.text
    answer = await producer.submit(
        "/app/batches/new", form | {"product_id": theirs["id"], "lot": "L-LAIN"}
    )
    assert answer.status_code == 400
    assert "This lot is already registered" not in answer.text


async def test_registration_right_redirects_to_the_new_batch(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    product = await create_product(client, world.producer, chicken(name="Sambal Bawang"))
    form = {
        "product_id": product["id"],
        "facility_id": str(world.facility),
        "lot": "SB-2611",
        "production_date": today_in_jakarta().isoformat(),
        "quantity": "2,5",
        "unit": "kg",
    }
    answer = await producer.submit("/app/batches/new", form)
    assert answer.status_code == 303
    batch_id = answer.headers["location"].rsplit("/", 1)[1]
    stored = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    assert stored.json()["quantity"] == 2.5 and stored.json()["lot"] == "SB-2611"
    page = await producer.get(answer.headers["location"])
    assert f"Batch {stored.json()['code']} registered." in page.text
    assert "Sambal Bawang · lot SB-2611" in page.text
    # only the action a registered batch allows: cancel, not recall or labels
    assert f'href="/app/batches/{batch_id}/cancel"' in page.text
    assert "/recall" not in page.text and 'name="count"' not in page.text


async def test_registration_sent_twice_registers_one_batch(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    product = await create_product(client, world.producer, chicken())
    page = await producer.get("/app/batches/new")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.text)
    assert key
    token = await producer.csrf_token("/app/batches/new")
    form = {
        "product_id": product["id"],
        "facility_id": str(world.facility),
        "lot": "TAP-2",
        "production_date": today_in_jakarta().isoformat(),
        "quantity": "10",
        "unit": "pcs",
        "idempotency_key": key[1],
        "_csrf_token": token,
    }
    first = await producer.http.post("/app/batches/new", data=form)
    again = await producer.http.post("/app/batches/new", data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    listed = await client.get(
        f"/api/v1/batches?product_id={product['id']}", headers=world.producer.headers
    )
    assert len(listed.json()["items"]) == 1
    changed = await producer.http.post("/app/batches/new", data=form | {"lot": "TAP-3"})
    assert changed.status_code == 422
    assert "This form was sent already." in changed.text


# --- the list -------------------------------------------------------------------------------


async def test_list_filters_by_status_and_searches_code_lot_and_product(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    sambal = await create_product(client, world.producer, chicken(name="Sambal Roa Pedas"))
    rendang = await create_product(client, world.producer, chicken(name="Rendang Paru"))
    first = await register(client, world, sambal["id"], lot="ROA-01")
    second = await register(client, world, rendang["id"], lot="PARU-01")
    await client.post(f"/api/v1/batches/{second['id']}/cancel", headers=world.producer.headers)
    theirs = await create_product(client, world.other_producer, chicken(name="Sambal Roa Lain"))

    async def listed(query: str) -> set[str]:
        answer = await producer.get(f"/app/batches?{query}")
        assert answer.status_code == 200
        return set(re.findall(r'href="/app/batches/([0-9a-f-]{36})"', answer.text))

    assert {first["id"], second["id"]} <= await listed("")
    assert await listed("q=roa") == {first["id"]}  # part of the product's name, any case
    assert await listed("q=paru-") == {second["id"]}  # the start of a lot, any case
    assert await listed(f"q={first['code'][:6].lower()}") == {first["id"]}  # start of a code
    assert await listed("q=ROA&status=cancelled") == set()
    assert second["id"] in await listed("status=cancelled")
    assert first["id"] not in await listed("status=cancelled")
    assert await listed("q=100%25_") == set()  # LIKE wildcards are taken literally
    assert theirs["id"] not in await listed("q=Lain")
    bad = await producer.get("/app/batches?status=lost")
    assert bad.status_code == 400


# --- the batch page -------------------------------------------------------------------------


async def test_another_producers_batch_is_a_404_page_everywhere(
    client: AsyncTestClient, pool: asyncpg.Pool, producer: Browser, world: World
) -> None:
    product = await create_product(client, world.other_producer, chicken())
    response = await client.post(
        "/api/v1/batches",
        json={
            "product_id": product["id"],
            "facility_id": str(world.facility),
            "lot": "THEIRS-1",
            "production_date": today_in_jakarta().isoformat(),
            "quantity": 5,
            "unit": "pcs",
        },
        headers=world.other_producer.headers,
    )
    theirs = response.json()["id"]
    for path in ("", "/cancel", "/recall"):
        answer = await producer.get(f"/app/batches/{theirs}{path}")
        assert answer.status_code == 404, path
        assert "text/html" in answer.headers["content-type"]
        assert "THEIRS-1" not in answer.text
    token = await producer.csrf_token("/app/")
    for action, data in (("cancel", {}), ("recall", {"reason": "uji"}), ("labels", {"count": "1"})):
        answer = await producer.http.post(
            f"/app/batches/{theirs}/{action}", data=data | {"_csrf_token": token}
        )
        assert answer.status_code == 404, action
    theirs_now = await client.get(f"/api/v1/batches/{theirs}", headers=world.other_producer.headers)
    assert theirs_now.json()["status"] == "registered"
    # an operator of another facility does not see the batch either
    stranger = await signed_in(client, pool, world.other_operator.id)
    assert (await stranger.get(f"/app/batches/{theirs}")).status_code == 404


async def test_released_batch_page_shows_record_timeline_label_and_downloads(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    answer = await producer.get(f"/app/batches/{batch_id}")
    assert answer.status_code == 200
    page = answer.text
    assert "The audit log is intact" in page
    for step in ("Registered", "Received at the facility", "Treatment recorded", "Released by QA"):
        assert step in page
    assert "Dosimeter readings" in page and "AM-0" in page
    assert "How this date was computed" in page
    # the inline label preview is the API's own SVG
    label = await client.get(
        f"/api/v1/batches/{batch_id}/label.svg", headers=world.producer.headers
    )
    assert label.text.split("?>")[-1].strip()[:200] in page
    # every layout is listed; only those whose stickers hold this label have a link
    for layout in ("a4-3x8", "a4-2x5", "thermal-80x50", "thermal-58x40"):
        assert f"/api/v1/batches/{batch_id}/labels.pdf?layout={layout}" in page
    for layout in ("thermal-50x30", "thermal-40x30"):
        assert f'<code class="hint">{layout}</code></th>' in page
        assert f"labels.pdf?layout={layout}" not in page
    assert page.count("Does not fit: this label needs a larger sticker.") == 2
    # each PDF downloads under its own name
    code = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)).json()[
        "code"
    ]
    assert f'download="radura-{code}-a4-3x8.pdf"' in page
    assert f'download="radura-{code}-thermal-58x40-300dpi.pdf"' in page
    assert "No serials are issued yet" in page
    assert f"/api/v1/batches/{batch_id}/label.png" in page
    assert f"/api/v1/batches/{batch_id}/labels.csv" in page
    assert f"/api/v1/batches/{batch_id}/labels.xlsx" in page
    # the links work with the session cookie alone
    pdf = await producer.get(f"/api/v1/batches/{batch_id}/labels.pdf?layout=a4-3x8")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # a released batch may be recalled and labelled, never cancelled
    assert f"/app/batches/{batch_id}/recall" in page and 'name="count"' in page
    assert f"/app/batches/{batch_id}/cancel" not in page


async def test_one_label_is_counted_in_the_singular(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    """English counts one sticker, sheet and serial without a plural "s"; Bahasa Indonesia has
    one form for every number."""
    batch_id = await batch_in(client, world, "released")
    issued = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 1}, headers=world.producer.headers
    )
    assert issued.status_code == 201
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert "1 sticker on 1 A4 sheet<" in page
    assert "1 sticker on the roll" in page
    assert "1 stickers" not in page and "1 A4 sheets" not in page
    await producer.submit("/app/language", {"lang": "id", "next": "/app/"}, form_page="/app/")
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert "1 stiker pada 1 lembar A4<" in page and "1 stiker pada gulungan" in page


async def test_the_batch_page_offers_only_layouts_that_hold_its_label_and_counts_stickers(
    client: AsyncTestClient, pool: asyncpg.Pool, producer: Browser, world: World
) -> None:
    product = await create_product(client, world.producer, chicken(name=LONG_PRODUCT))
    batch_id = await batch_in(client, world, "released", product["id"])
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE organizations SET name = $2 WHERE id = $1", world.facility, LONG_FACILITY
        )
    issued = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 30}, headers=world.producer.headers
    )
    assert issued.status_code == 201
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    # 120-character names: 50×30 and 40×30 mm are listed but not offered
    for layout in ("thermal-50x30", "thermal-40x30"):
        assert f'<code class="hint">{layout}</code></th>' in page
        assert f"labels.pdf?layout={layout}" not in page
    assert page.count("Does not fit: this label needs a larger sticker.") == 2
    # 58×40 mm leaves the producer off: it holds them with a 300 dpi printer's smaller modules
    assert "labels.pdf?layout=thermal-58x40&amp;dpi=203" not in page
    assert "labels.pdf?layout=thermal-58x40&amp;dpi=300" in page
    # one sticker per serial: 30 on 2 sheets of 24 (70×37 mm) or 3 of 10 (105×57 mm), or a roll
    assert "30 stickers on 2 A4 sheets" in page
    # each layout by what it is, its code beside it for the API's `layout=`
    assert "A4 sheet of 24 stickers<br>" in page and "A4 sheet of 10 stickers<br>" in page
    assert page.count("Roll for a label printer<br>") == 4  # 80×50, 58×40, 50×30, 40×30
    assert "30 stickers on 3 A4 sheets" in page
    assert "30 stickers on the roll" in page
    for layout in ("a4-3x8", "a4-2x5"):
        assert f"/api/v1/batches/{batch_id}/labels.pdf?layout={layout}" in page
    assert f"/api/v1/batches/{batch_id}/labels.pdf?layout=thermal-80x50&amp;dpi=203" in page
    assert f"/api/v1/batches/{batch_id}/labels.pdf?layout=thermal-80x50&amp;dpi=300" in page
    # the preview: the first layout that holds the label, as the API draws it
    assert "printed on a 70 × 37 mm sticker (a4-3x8)" in page
    preview = await client.get(
        f"/api/v1/batches/{batch_id}/label.svg?layout=a4-3x8", headers=world.producer.headers
    )
    assert preview.status_code == 200
    assert preview.text.split("?>")[-1].strip()[:200] in page
    pdf = await producer.get(f"/api/v1/batches/{batch_id}/labels.pdf?layout=a4-2x5")
    assert pdf.status_code == 200
    assert pdf.headers["content-disposition"].endswith('-a4-2x5.pdf"')


async def test_scans_chart_counts_phones_and_marks_suspect_serials(
    client: AsyncTestClient, pool: asyncpg.Pool, producer: Browser, world: World, data_dir: Any
) -> None:
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    path = label_path(server_keyring(data_dir), batch, batch.serials[0])
    for phone in range(7):  # seven phones on seven networks (clients are counted by network)
        address = f"198.51.{phone}.7"
        await client.get(path, headers={"Accept": "application/json", "X-Client-Address": address})
    client.blocking_portal.call(client.app.state.verifier.scan_log.flush)
    answer = await producer.get(f"/app/batches/{batch.batch_id}")
    page = answer.text
    svg = re.search(r"<svg [^>]*class=\"chart\".*?</svg>", page, re.S)
    assert svg, "no chart"
    chart = ET.fromstring(svg.group(0))
    ns = "{http://www.w3.org/2000/svg}"
    assert chart.get("role") == "img" and chart.find(f"{ns}title") is not None
    assert len(chart.findall(f"{ns}rect")) == 1  # one day with scans
    assert len(chart.findall(f"{ns}circle")) == 1  # and it had suspect scans
    # the table beside the chart: 7 scans from 7 phones, 2 of them suspect
    assert re.search(r"<td>7</td><td>7</td><td>2</td>", page)
    assert batch.serials[0] in page and "7 phones" in page
    dashboard = await producer.get("/app/")
    assert batch.serials[0] in dashboard.text


# --- cancel, recall, labels -----------------------------------------------------------------


async def test_cancel_asks_first_then_cancels(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "registered")
    confirm = await producer.get(f"/app/batches/{batch_id}/cancel")
    assert confirm.status_code == 200 and "Cancel this batch?" in confirm.text
    assert await _status(client, world, batch_id) == "registered"
    answer = await producer.submit(f"/app/batches/{batch_id}/cancel", {})
    assert answer.status_code == 303 and answer.headers["location"] == f"/app/batches/{batch_id}"
    assert await _status(client, world, batch_id) == "cancelled"
    page = await producer.get(answer.headers["location"])
    assert "The batch is cancelled." in page.text
    # a second cancel is a state conflict: the 409 page
    again = await producer.submit(f"/app/batches/{batch_id}/cancel", {}, form_page="/app/")
    assert again.status_code == 409
    assert "text/html" in again.headers["content-type"]


async def test_recall_needs_a_reason_then_every_scan_shows_it(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    confirm = await producer.get(f"/app/batches/{batch_id}/recall")
    assert "Recall this batch?" in confirm.text and 'name="reason"' in confirm.text
    empty = await producer.submit(f"/app/batches/{batch_id}/recall", {"reason": "  "})
    assert empty.status_code == 400
    assert field_error(empty.text, "reason") == "Write the reason for the recall."
    short = await producer.submit(f"/app/batches/{batch_id}/recall", {"reason": "no"})
    assert short.status_code == 400
    assert field_error(short.text, "reason") == "Enter at least 3 characters."
    assert "no</textarea>" in short.text
    answer = await producer.submit(
        f"/app/batches/{batch_id}/recall", {"reason": "Kemasan bocor pada lot ini"}
    )
    assert answer.status_code == 303
    assert await _status(client, world, batch_id) == "recalled"
    page = await producer.get(answer.headers["location"])
    assert "The batch is recalled." in page.text and "Kemasan bocor pada lot ini" in page.text
    dashboard = await producer.get("/app/")
    assert "Kemasan bocor pada lot ini" in dashboard.text


async def test_recall_of_a_registered_batch_is_a_409_page(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "registered")
    confirm = await producer.get(f"/app/batches/{batch_id}/recall")
    assert "this action is not available now" in confirm.text
    answer = await producer.submit(
        f"/app/batches/{batch_id}/recall", {"reason": "Uji konflik"}, form_page="/app/"
    )
    assert answer.status_code == 409
    assert await _status(client, world, batch_id) == "registered"


async def test_serial_issue_posted_empty_wrong_and_right(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    path = f"/app/batches/{batch_id}/labels"
    form_page = f"/app/batches/{batch_id}"
    for count, message in (
        ("", "This field is required."),
        ("lima puluh", "Enter a whole number."),
        ("0", "Enter a value of at least 1."),
        ("100001", "Enter a value of at most 100,000."),
    ):
        answer = await producer.submit(path, {"count": count}, form_page=form_page)
        assert answer.status_code == 400, count
        assert field_error(answer.text, "count") == message, count
    answer = await producer.submit(path, {"count": "50"}, form_page=form_page)
    assert answer.status_code == 303
    record = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    assert record.json()["labels"]["serials_issued"] == 50
    page = await producer.get(answer.headers["location"])
    assert "Serials issued: 50; the batch now has 50." in page.text
    # the same form sent twice (a double tap, a reload) issues once
    page = await producer.get(form_page)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.text)
    assert key
    token = await producer.csrf_token(form_page)
    form = {"count": "7", "idempotency_key": key[1], "_csrf_token": token}
    first = await producer.http.post(path, data=form)
    again = await producer.http.post(path, data=form)
    assert first.status_code == again.status_code == 303
    record = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    assert record.json()["labels"]["serials_issued"] == 57
    assert "nothing more was issued" in (await producer.get(again.headers["location"])).text
    other_count = await producer.http.post(path, data=form | {"count": "8"})
    assert other_count.status_code == 422
    assert field_error(other_count.text, "count").startswith("This form was sent already.")
    # 120 pieces may have 132 serials: the batch page comes back with the rule, what is left
    # and the count as typed, next to the field
    too_many = await producer.submit(path, {"count": "100"}, form_page=form_page)
    assert too_many.status_code == 422
    assert field_error(too_many.text, "count") == (
        "This batch may have at most 132 serials: its pieces plus a tenth. 57 are issued "
        "already, so you can issue at most 75 more."
    )
    assert input_value(too_many.text, "count") == "100"
    assert '<figure class="label-preview">' in too_many.text  # the whole batch page
    await producer.submit("/app/language", {"lang": "id", "next": "/app/"}, form_page="/app/")
    too_many = await producer.submit(path, {"count": "100"}, form_page=form_page)
    assert field_error(too_many.text, "count") == (
        "Bets ini boleh memiliki paling banyak 132 nomor seri: jumlah buahnya ditambah "
        "sepersepuluh. 57 sudah diterbitkan, jadi Anda dapat menerbitkan paling banyak 75 lagi."
    )
    record = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    assert record.json()["labels"]["serials_issued"] == 57  # nothing issued by the refusals
    # a batch that is not released has no serials: 409 page
    registered = await batch_in(client, world, "registered")
    refused = await producer.submit(
        f"/app/batches/{registered}/labels", {"count": "5"}, form_page="/app/"
    )
    assert refused.status_code == 409
    assert "Label hanya diterbitkan untuk bets yang sudah diluluskan." in refused.text


async def test_a_refused_serial_form_shows_the_whole_batch_page_again(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    """The page shown again with the serial form's error is the batch page as it was: the label
    preview, the downloads and the scans stay, and the count stays as typed."""
    batch_id = await batch_in(client, world, "released")
    form_page = f"/app/batches/{batch_id}"
    shown = (await producer.get(form_page)).text
    answer = await producer.submit(
        f"/app/batches/{batch_id}/labels", {"count": "0"}, form_page=form_page
    )
    assert answer.status_code == 400
    assert field_error(answer.text, "count") == "Enter a value of at least 1."
    assert input_value(answer.text, "count") == "0"
    for part in (
        '<figure class="label-preview">',
        f"/api/v1/batches/{batch_id}/labels.pdf?layout=a4-3x8",
        'id="scans-title"',
        f'href="/app/batches/{batch_id}/recall"',
    ):
        assert part in shown, part
        assert part in answer.text, part


async def test_facility_and_regulator_roles_get_403_pages_for_producer_actions(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await batch_in(client, world, "registered")
    operator = await signed_in(client, pool, world.operator.id)
    assert (await operator.get(f"/app/batches/{batch_id}")).status_code == 200  # may read it
    assert (await operator.get("/app/batches/new")).status_code == 403
    assert (await operator.get(f"/app/batches/{batch_id}/cancel")).status_code == 403
    for action in ("cancel", "recall", "labels"):
        answer = await operator.submit(
            f"/app/batches/{batch_id}/{action}",
            {"reason": "x" * 5, "count": "1"},
            form_page="/app/",
        )
        assert answer.status_code == 403, action
        assert "text/html" in answer.headers["content-type"]
    regulator = await signed_in(client, pool, world.regulator.id)
    answer = await regulator.submit(f"/app/batches/{batch_id}/cancel", {}, form_page="/app/")
    assert answer.status_code == 403
    # every role has a dashboard; only a producer is offered to register
    for browser in (operator, regulator):
        dashboard = await browser.get("/app/")
        assert dashboard.status_code == 200
        assert 'href="/app/batches/new"' not in dashboard.text
    assert await _status(client, world, batch_id) == "registered"
