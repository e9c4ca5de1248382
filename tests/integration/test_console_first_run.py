"""A new producer's first week in the console: the first steps on the dashboard until a week
after the first labels, "Register a batch" without a product leading to the product form,
operators and QA officers landing on their queues, and the dashboard's numbers linking to their
lists."""

from __future__ import annotations

import re

import asyncpg
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import batch_in, chicken, create_product, register
from tests.integration.batches.products.test_console_products import english
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

STEP = re.compile(r'<li data-step="(\w+)" data-state="(\w+)">')


async def _producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Browser:
    browser = await signed_in(client, pool, world.producer.id)
    await english(browser)
    return browser


def _product_select(page: str) -> str:
    select = re.search(r'<select id="product_id".*?</select>', page, re.S)
    assert select, "no product list"
    return select.group(0)


async def _steps(browser: Browser) -> tuple[dict[str, str], str]:
    answer = await browser.get("/app/")
    assert answer.status_code == 200
    return dict(STEP.findall(answer.text)), answer.text


async def test_a_new_producer_is_led_step_by_step_until_labels_are_issued(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    producer = await _producer(client, pool, world)
    steps, text = await _steps(producer)
    assert steps == {"product": "next", "batch": "later", "send": "later", "labels": "later"}
    assert "Your first steps" in text
    assert '<a href="/app/products/new">Register a product</a>' in text
    assert '<a href="/app/batches/new">Register a batch</a>' not in text  # not before a product

    product_id = (await create_product(client, world.producer, chicken()))["id"]
    steps, text = await _steps(producer)
    assert steps == {"product": "done", "batch": "next", "send": "later", "labels": "later"}
    assert '<a href="/app/batches/new">Register a batch</a>' in text

    batch = await register(client, world, product_id)
    facility = await pool.fetchval("SELECT name FROM organizations WHERE id = $1", world.facility)
    steps, text = await _steps(producer)
    assert steps == {"product": "done", "batch": "done", "send": "next", "labels": "later"}
    assert f"Write code {batch['code']} on the box and send it to {facility}." in text

    released = await batch_in(client, world, "released", product_id)
    steps, text = await _steps(producer)
    # the newest batch still registered is the one to send
    assert steps == {"product": "done", "batch": "done", "send": "done", "labels": "next"}
    assert f"Write code {batch['code']} on the box" in text
    assert f'<a href="/app/batches/{released}">Print the labels</a>' in text

    answer = await client.post(
        f"/api/v1/batches/{released}/labels", json={"count": 2}, headers=world.producer.headers
    )
    assert answer.status_code in (200, 201), answer.text
    # every step ticked, for a week: the producer sees the last one done
    steps, text = await _steps(producer)
    assert steps == {"product": "done", "batch": "done", "send": "done", "labels": "done"}
    assert "All done: your first labels are issued." in text
    # a week and a day later the list has left the dashboard
    await pool.execute(
        "UPDATE label_serials SET issued_at = issued_at - interval '8 days' WHERE batch_id = $1",
        released,
    )
    steps, text = await _steps(producer)
    assert steps == {}
    assert "Your first steps" not in text


async def test_the_labels_step_waits_for_a_release(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    producer = await _producer(client, pool, world)
    await batch_in(client, world, "treated")
    steps, text = await _steps(producer)
    assert steps == {"product": "done", "batch": "done", "send": "done", "labels": "later"}
    assert ">Print the labels</a>" not in text


async def test_indonesian_first_steps_say_bets(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    producer = await signed_in(client, pool, world.producer.id)
    answer = await producer.submit(
        "/app/language", {"lang": "id", "next": "/app/"}, form_page="/app/"
    )
    assert answer.status_code == 303
    await create_product(client, world.producer, chicken())
    text = (await producer.get("/app/")).text
    assert "Langkah pertama Anda" in text
    assert '<a href="/app/batches/new">Daftarkan bets</a>' in text
    steps = text.split('id="first-steps"')[1].split("</section>")[0]
    assert "batch" not in re.sub(r"<[^>]*>", "", steps)


async def test_register_a_batch_without_a_product_leads_to_the_product_form(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    producer = await _producer(client, pool, world)
    answer = await producer.get("/app/batches/new")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/products/new"
    form = await producer.get("/app/products/new")
    assert "A batch is always of one of your products: register it first." in form.text
    # with a product, the registration form itself, that product chosen: there is no other
    only = await create_product(client, world.producer, chicken())
    answer = await producer.get("/app/batches/new")
    assert answer.status_code == 200
    assert 'name="lot"' in answer.text
    assert f'<option value="{only["id"]}" selected>' in _product_select(answer.text)
    # with two, the producer chooses
    await create_product(client, world.producer, chicken())
    answer = await producer.get("/app/batches/new")
    assert " selected>" not in _product_select(answer.text)


async def test_operators_and_qa_officers_land_on_their_queues(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    registered = await batch_in(client, world, "registered")
    treated = await batch_in(client, world, "treated")
    operator = await signed_in(client, pool, world.operator.id)
    await english(operator)
    first = await operator.get("/app/")
    incoming = await operator.get("/app/incoming")
    assert first.status_code == 200
    assert f"/app/batches/{registered}/receipt" in first.text
    assert (
        re.search(r"<h1>[^<]*</h1>", first.text)[0]
        == re.search(  # type: ignore[index]
            r"<h1>[^<]*</h1>", incoming.text
        )[0]
    )  # type: ignore[index]
    assert 'id="by-status"' not in first.text

    qa = await signed_in(client, pool, world.qa.id)
    await english(qa)
    first = await qa.get("/app/")
    review = await qa.get("/app/review")
    assert first.status_code == 200
    assert str(treated) in first.text
    assert (
        re.search(r"<h1>[^<]*</h1>", first.text)[0]
        == re.search(  # type: ignore[index]
            r"<h1>[^<]*</h1>", review.text
        )[0]
    )  # type: ignore[index]
    assert 'id="by-status"' not in first.text

    # a regulator keeps the dashboard
    regulator = await signed_in(client, pool, world.regulator.id)
    assert 'id="by-status"' in (await regulator.get("/app/")).text


async def test_each_dashboard_number_links_to_its_list(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    recalled = await batch_in(client, world, "recalled", product_id)
    released = await batch_in(client, world, "released", product_id)
    registered = (await register(client, world, product_id))["id"]
    producer = await _producer(client, pool, world)
    text = (await producer.get("/app/")).text
    tile = r'<a href="/app/batches\?status=(\w+)"><span class="tile-number">(\d+)</span>'
    tiles = dict(re.findall(tile, text))
    assert tiles == {
        "registered": "1",
        "received": "0",
        "treated": "0",
        "released": "1",
        "rejected": "0",
        "cancelled": "0",
        "recalled": "1",
    }
    # the recalls and best-before sections count and link to their lists too
    recalls = text.split('id="recalls"')[1]
    assert re.search(r'href="/app/batches\?status=recalled"><span class="tile-number">1<', recalls)
    soon = text.split('id="soon"')[1]
    assert re.search(r'href="/app/batches\?status=released"><span class="tile-number">1<', soon)
    # each list holds the batches counted
    for status, batch_id in (
        ("registered", registered),
        ("released", released),
        ("recalled", recalled),
    ):
        listed = (await producer.get(f"/app/batches?status={status}")).text
        assert set(re.findall(r'href="/app/batches/([0-9a-f-]{36})"', listed)) == {batch_id}
