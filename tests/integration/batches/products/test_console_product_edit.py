"""The product edit page (`/app/products/{id}/edit`) over plain HTTP with a cookie jar: filled
with the product, posted unchanged, empty and wrong (every problem at once), refused by a rule,
right (a new version, or evidence in place); another producer's product and the wrong role."""

from __future__ import annotations

import html
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import chicken, create_product, fresh_gtin13, register
from tests.integration.batches.products.test_console_products import (
    english,
    field_error,
    input_value,
)
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    return await signed_in(client, pool, world.producer.id)  # Bahasa Indonesia, the default


def _form(page: str) -> dict[str, str]:
    """What the browser would post back untouched: every input of the form as shown."""
    names = (
        "name", "min_dose_kgy", "base_shelf_life_days", "reference_temp_c", "storage_temp_c",
        "registration_no", "net_content", "water_activity", "ph", "validated_shelf_life_days",
        "validated_study_ref", "validated_study_temp_c", "validated_study_dose_kgy",
        "process_validation_ref", "hs_code",
    )  # fmt: skip
    return {name: input_value(page, name) for name in names} | {"packaging": "air"}


async def _product(client, world: World) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return await create_product(
        client, world.producer, chicken(gtin=fresh_gtin13(), min_dose_kgy=1.75, water_activity=0.98)
    )


async def test_the_form_shows_the_product_and_an_untouched_post_changes_nothing(
    client, world: World, producer: Browser
):
    product = await _product(client, world)
    path = f"/app/products/{product['id']}/edit"
    page = await producer.get(path)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert input_value(page.text, "name") == "Ayam potong kemasan"
    assert input_value(page.text, "min_dose_kgy") == "1,75"  # a decimal comma in Indonesian
    assert input_value(page.text, "water_activity") == "0,98"
    assert 'id="category"' not in page.text and 'id="gtin"' not in page.text
    assert product["gtin"] in text and "Ubah produk" in text
    untouched = await producer.submit(path, _form(page.text))
    assert untouched.status_code == 303, untouched.text
    assert "Tidak ada yang diubah." in (await producer.get(untouched.headers["location"])).text
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert stored.json() == product


async def test_a_change_to_the_label_makes_a_new_version(client, world: World, producer: Browser):
    product = await _product(client, world)
    batch = await register(client, world, product["id"])
    path = f"/app/products/{product['id']}/edit"
    form = _form((await producer.get(path)).text) | {"name": "Ayam kampung", "storage_temp_c": "4"}
    saved = await producer.submit(path, form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/app/products/{product['id']}"
    page = html.unescape((await producer.get(saved.headers["location"])).text)
    assert "Ayam kampung disimpan sebagai versi 2" in page
    assert "versi 1" in page  # the batch registered before keeps its version
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert (stored.json()["version"], stored.json()["storage_temp_c"]) == (2, 4.0)
    record = await client.get(f"/api/v1/batches/{batch['id']}", headers=world.producer.headers)
    assert record.json()["product"]["name"] == "Ayam potong kemasan"
    # the batch list shows the batch under its own version's name, and finds it by either name
    for q in ("potong kemasan", "kampung"):
        found = await producer.get("/app/batches", params={"q": q})
        assert batch["code"] in found.text, q
    assert "Ayam potong kemasan" in (await producer.get("/app/batches")).text


async def test_evidence_alone_is_added_to_the_current_version(
    client, world: World, producer: Browser
):
    product = await _product(client, world)
    path = f"/app/products/{product['id']}/edit"
    form = _form((await producer.get(path)).text) | {"hs_code": "020714"}
    assert (await producer.submit(path, form)).status_code == 303
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert (stored.json()["version"], stored.json()["hs_code"]) == (1, "020714")


async def test_every_problem_shows_after_one_post_with_the_input_kept(
    client, world: World, producer: Browser
):
    product = await _product(client, world)
    path = f"/app/products/{product['id']}/edit"
    await english(producer)
    form = _form((await producer.get(path)).text) | {
        "name": "",
        "storage_temp_c": "99",
        "min_dose_kgy": "banyak",
        "registration_no": "MD 12",
    }
    answer = await producer.submit(path, form)
    assert answer.status_code == 400
    assert field_error(answer.text, "name") == "This field is required."
    assert field_error(answer.text, "storage_temp_c") == "Enter a value of at most 60."
    assert field_error(answer.text, "min_dose_kgy") == "Enter a number, such as 2,5."
    assert field_error(answer.text, "registration_no").startswith("Enter MD or ML")
    assert input_value(answer.text, "min_dose_kgy") == "banyak"
    # posted empty: every required field at once, nothing stored
    empty = await producer.submit(path, {})
    assert empty.status_code == 400
    for field in ("name", "min_dose_kgy", "base_shelf_life_days", "storage_temp_c"):
        assert field_error(empty.text, field), field
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert stored.json() == product


async def test_a_rule_refuses_on_the_field_it_is_about(client, world: World, producer: Browser):
    product = await _product(client, world)
    path = f"/app/products/{product['id']}/edit"
    await english(producer)
    form = _form((await producer.get(path)).text) | {"storage_temp_c": "25"}
    answer = await producer.submit(path, form)
    assert answer.status_code == 422
    assert "10 °C or colder" in field_error(answer.text, "storage_temp_c")
    assert input_value(answer.text, "storage_temp_c") == "25"
    # the preview button answers the page with the preview, saving nothing
    preview = await producer.submit(path, form | {"action": "preview"})
    assert preview.status_code == 200 and 'id="preview"' in preview.text


async def test_another_producers_product_and_other_roles(client, pool, world: World):
    product = await _product(client, world)
    path = f"/app/products/{product['id']}/edit"
    stranger = await signed_in(client, pool, world.other_producer.id)
    assert (await stranger.get(path)).status_code == 404
    assert (await stranger.submit(path, {"name": "Milik kami"}, form_page="/app/")).status_code == (
        404
    )
    for actor in (world.operator, world.regulator, world.admin):
        browser = await signed_in(client, pool, actor.id)
        assert (await browser.get(path)).status_code == 403, actor.role
