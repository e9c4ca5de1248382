"""Customer and shipment pages over plain HTTP with a cookie jar: each form posted empty, wrong
and right; a rule's refusal on the form with its figures; the ship form on the batch page;
cancelling with a reason; tenants and roles."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import batch_in
from tests.integration.batches.products.test_console_products import (
    english,
    field_error,
    input_value,
)
from tests.integration.batches.shipments.shipment_steps import (
    VALID_GLN,
    WRONG_CHECK_DIGIT_GLN,
    create_customer,
    recall,
    ship,
    shipped,
)
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    browser = await signed_in(client, pool, world.producer.id)
    await english(browser)
    return browser


def _customer_form(**changes: str) -> dict[str, str]:
    return {
        "name": "Toko Oleh-Oleh Uni",
        "kind": "retailer",
        "country": "ID",
        "city": "Padang",
        "gln": "",
        "email": "",
        "whatsapp": "",
    } | changes


# --- customers ------------------------------------------------------------------------------


async def test_the_customer_form_posted_empty_names_each_field(producer: Browser) -> None:
    answer = await producer.submit("/app/customers", {}, form_page="/app/customers")
    assert answer.status_code == 400
    assert field_error(answer.text, "name") == "This field is required."
    assert field_error(answer.text, "kind") == "Choose the kind of customer."
    assert field_error(answer.text, "country") == "Choose a country."


async def test_the_customer_form_posted_wrong_keeps_the_input(producer: Browser) -> None:
    answer = await producer.submit(
        "/app/customers",
        _customer_form(gln=WRONG_CHECK_DIGIT_GLN, whatsapp="0812 3456", email="tanpa-at"),
        form_page="/app/customers",
    )
    assert answer.status_code == 400
    page = answer.text
    assert field_error(page, "gln").startswith("The check digit of this GLN does not match")
    assert field_error(page, "whatsapp").startswith("Enter the number with its country code")
    assert field_error(page, "email").startswith("Enter an email address")
    assert input_value(page, "gln") == WRONG_CHECK_DIGIT_GLN
    assert input_value(page, "name") == "Toko Oleh-Oleh Uni"


async def test_a_customer_saved_from_the_form_and_edited(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    answer = await producer.submit(
        "/app/customers",
        _customer_form(country="DE", city="Hamburg", gln=VALID_GLN, whatsapp="+49 (40) 123-4567"),
        form_page="/app/customers",
    )
    assert answer.status_code == 303, answer.text
    path = answer.headers["location"]
    page = (await producer.get(path)).text
    assert "Toko Oleh-Oleh Uni" in page and "Germany" in page and ">EU<" in page
    customer_id = path.rsplit("/", 1)[-1]
    stored = (
        await client.get(f"/api/v1/customers/{customer_id}", headers=world.producer.headers)
    ).json()
    assert stored["whatsapp"] == "+49401234567"  # grouping dropped, as E.164 writes it
    edited = await producer.submit(path, _customer_form(name="Toko Uni Hamburg", country="DE"))
    assert edited.status_code == 303
    stored = (
        await client.get(f"/api/v1/customers/{customer_id}", headers=world.producer.headers)
    ).json()
    assert (stored["name"], stored["gln"], stored["whatsapp"]) == ("Toko Uni Hamburg", None, None)
    wrong = await producer.submit(path, _customer_form(country=""))
    assert wrong.status_code == 400
    assert field_error(wrong.text, "country") == "Choose a country."


async def test_customers_of_another_producer_are_not_found(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    theirs = await create_customer(client, world.other_producer)
    assert (await producer.get(f"/app/customers/{theirs['id']}")).status_code == 404
    answer = await producer.submit(
        f"/app/customers/{theirs['id']}", _customer_form(), form_page="/app/customers"
    )
    assert answer.status_code == 404
    assert theirs["name"] not in (await producer.get("/app/customers")).text


async def test_a_regulator_reads_customers_without_forms(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    customer = await create_customer(client, world.producer)
    regulator = await signed_in(client, pool, world.regulator.id)
    await english(regulator)
    listing = await regulator.get("/app/customers")
    assert listing.status_code == 200
    assert customer["name"] in listing.text and 'action="/app/customers' not in listing.text
    one = await regulator.get(f"/app/customers/{customer['id']}")
    assert one.status_code == 200 and '<form method="post" action="/app/customers' not in one.text
    refused = await regulator.submit(
        f"/app/customers/{customer['id']}", _customer_form(), form_page="/app/customers"
    )
    assert refused.status_code == 403


async def test_facility_staff_get_no_customer_pages(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    operator = await signed_in(client, pool, world.operator.id)
    assert (await operator.get("/app/customers")).status_code == 403


# --- shipping -------------------------------------------------------------------------------


async def test_the_batch_page_offers_the_ship_form_and_lists_shipments(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer, name="Toko Uni Padang")
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert 'id="shipments"' in page
    assert f'action="/app/batches/{batch_id}/shipments"' in page
    assert "Toko Uni Padang" in page  # a choice of customer
    answer = await producer.submit(
        f"/app/batches/{batch_id}/shipments",
        {"customer_id": customer["id"], "quantity": "40", "unit": "pcs", "document_no": "SJ-1"},
        form_page=f"/app/batches/{batch_id}",
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/app/batches/{batch_id}#shipments"
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert "Shipment to Toko Uni Padang (Indonesia) recorded." in page
    assert "40 of 120 pieces shipped." in page
    assert "SJ-1" in page and "Shipped" in page
    listed = (
        await client.get(f"/api/v1/batches/{batch_id}/shipments", headers=world.producer.headers)
    ).json()["items"]
    assert [(s["quantity"], s["market"]) for s in listed] == [(40, "ID")]


async def test_the_ship_form_posted_empty_and_wrong(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    await create_customer(client, world.producer)
    path = f"/app/batches/{batch_id}/shipments"
    empty = await producer.submit(path, {"unit": "pcs"}, form_page=path)
    assert empty.status_code == 400
    assert field_error(empty.text, "customer_id") == "Choose a customer."
    assert field_error(empty.text, "quantity") == "Enter the quantity shipped."
    customer = await create_customer(client, world.producer)
    wrong = await producer.submit(
        path,
        {"customer_id": customer["id"], "quantity": "2,5", "unit": "pcs", "serial_from": "4"},
        form_page=path,
    )
    assert wrong.status_code == 400
    assert field_error(wrong.text, "quantity") == "Enter a whole number of pieces."
    assert input_value(wrong.text, "quantity") == "2,5"


async def test_a_refusal_by_the_quantity_rule_names_the_figures(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    await shipped(client, world.producer, batch_id, customer["id"], quantity=100)
    path = f"/app/batches/{batch_id}/shipments"
    answer = await producer.submit(
        path, {"customer_id": customer["id"], "quantity": "30", "unit": "pcs"}, form_page=path
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "quantity") == (
        "The batch has 120 pieces; 100 are shipped already, so at most 20 more can go."
    )
    assert input_value(answer.text, "quantity") == "30"


async def test_an_unknown_market_is_refused_on_its_field(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer, country="TH", city="Bangkok")
    path = f"/app/batches/{batch_id}/shipments"
    answer = await producer.submit(
        path, {"customer_id": customer["id"], "quantity": "3", "unit": "pcs"}, form_page=path
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "market") == "No market is recorded for TH: choose a market."


async def test_the_home_market_is_no_way_around_a_customer_abroad(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")  # chicken, which the EU refuses
    path = f"/app/batches/{batch_id}/shipments"
    for country, city in (("NL", "Rotterdam"), ("TH", "Bangkok")):
        customer = await create_customer(client, world.producer, country=country, city=city)
        answer = await producer.submit(
            path,
            {"customer_id": customer["id"], "quantity": "3", "unit": "pcs", "market": "ID"},
            form_page=path,
        )
        assert answer.status_code == 422, country
        assert field_error(answer.text, "market") == (
            f"The customer is abroad ({country}): this shipment goes to the customer's market, "
            "not Indonesia's. Choose it, or leave the market empty."
        )
        api = await ship(client, world.producer, batch_id, customer["id"], market="ID")
        assert api.status_code == 422 and api.json()["code"] == "market_not_home"
        assert api.json()["errors"][0]["field"] == "market"
    # a customer at home ships at home, named or not
    home = await create_customer(client, world.producer)
    assert (
        await ship(client, world.producer, batch_id, home["id"], market="ID")
    ).status_code == 201


async def test_a_market_that_does_not_admit_the_batch_is_refused_on_its_field(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")  # chicken
    customer = await create_customer(client, world.producer, country="NL", city="Rotterdam")
    path = f"/app/batches/{batch_id}/shipments"
    answer = await producer.submit(
        path, {"customer_id": customer["id"], "quantity": "3", "unit": "pcs"}, form_page=path
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "market") == (
        "EU does not admit this batch; the rules it fails: category_purpose. The product's "
        "markets say why."
    )


async def test_a_recalled_batch_offers_no_ship_form(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "recalled")
    customer = await create_customer(client, world.producer)
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert f'action="/app/batches/{batch_id}/shipments"' not in page
    path = f"/app/batches/{batch_id}/shipments"
    answer = await producer.submit(
        path,
        {"customer_id": customer["id"], "quantity": "3", "unit": "pcs"},
        form_page=f"/app/batches/{batch_id}",
    )
    assert answer.status_code == 409
    assert "This batch is recalled: it ships nothing." in answer.text


async def test_a_recalled_batch_offers_no_cancel_of_its_shipments(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"])
    await recall(client, world, batch_id)
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert f'href="/app/shipments/{shipment["id"]}/cancel"' not in page
    path = f"/app/shipments/{shipment['id']}/cancel"
    said = "its shipments are the record of whom the recall reaches"
    form = await producer.get(path)
    assert said in form.text and f'action="{path}"' not in form.text
    # a cancel sent anyway (a page opened before the recall) is refused with the same words
    answer = await producer.submit(
        path, {"reason": "Salah ketik"}, form_page=f"/app/batches/{batch_id}"
    )
    assert answer.status_code == 409
    assert said in answer.text


async def test_a_shipment_is_cancelled_with_a_reason(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"], quantity=120)
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert f'href="/app/shipments/{shipment["id"]}/cancel"' in page
    path = f"/app/shipments/{shipment['id']}/cancel"
    empty = await producer.submit(path, {"reason": ""})
    assert empty.status_code == 400
    assert field_error(empty.text, "reason") == "Write why the shipment is cancelled."
    done = await producer.submit(path, {"reason": "Salah pelanggan"})
    assert done.status_code == 303
    page = (await producer.get(f"/app/batches/{batch_id}")).text
    assert "Salah pelanggan" in page and "0 of 120 pieces shipped." in page
    assert "Shipment cancelled" in page  # the timeline
    again = await producer.submit(
        path, {"reason": "Sekali lagi"}, form_page=f"/app/batches/{batch_id}"
    )
    assert again.status_code == 409


async def test_shipments_of_another_producer_are_not_found(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"])
    other = await signed_in(client, pool, world.other_producer.id)
    assert (await other.get(f"/app/shipments/{shipment['id']}/cancel")).status_code == 404
    assert (await other.get(f"/app/batches/{batch_id}/shipments")).status_code == 404
    answer = await other.submit(
        f"/app/batches/{batch_id}/shipments",
        {"customer_id": customer["id"], "quantity": "1", "unit": "pcs"},
        form_page="/app/customers",
    )
    assert answer.status_code == 404
    cancel = await other.submit(
        f"/app/shipments/{shipment['id']}/cancel", {"reason": "Bukan milik saya"},
        form_page="/app/customers",
    )  # fmt: skip
    assert cancel.status_code == 404


async def test_a_regulator_sees_shipments_but_no_ship_form(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer, name="Distributor Sumbar")
    await shipped(client, world.producer, batch_id, customer["id"])
    regulator = await signed_in(client, pool, world.regulator.id)
    page = (await regulator.get(f"/app/batches/{batch_id}")).text
    assert "Distributor Sumbar" in page
    assert f'action="/app/batches/{batch_id}/shipments"' not in page
    assert '/cancel"' not in page
    operator = await signed_in(client, pool, world.operator.id)
    assert 'id="shipments"' not in (await operator.get(f"/app/batches/{batch_id}")).text


async def test_a_quantity_that_is_no_number_asks_for_one(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    """ "inf" and "NaN" parse as floats; neither is an amount (and an infinite one passes the
    lower bound): the field asks for a number, and nothing is shipped."""
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    path = f"/app/batches/{batch_id}/shipments"
    for typed in ("inf", "NaN", "-Infinity", "\u2212inf"):
        answer = await producer.submit(
            path, {"customer_id": customer["id"], "quantity": typed, "unit": "pcs"}, form_page=path
        )
        assert answer.status_code == 400, typed
        assert field_error(answer.text, "quantity") == "Enter a number, such as 2,5.", typed
    listed = await client.get(
        f"/api/v1/batches/{batch_id}/shipments", headers=world.producer.headers
    )
    assert listed.json()["items"] == []
