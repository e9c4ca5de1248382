"""Registration types through the API and the console (SPEC §3.2 "Registration types"): PSAT for
plant-origin fresh food, P-IRT refused where BPOM requires MD, TR outside the service, products
stored before the rules, and the number printed as BPOM prints it on labels, scans and
certificates."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pypdfium2 as pdfium
import pytest
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from service.batches.products.registration import registration_rule_failures
from tests.integration.batch_steps import (
    batch_body,
    batch_in,
    chicken,
    create_product,
    rendang,
)
from tests.integration.batches.products.test_console_products import english, field_error
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

CODE = "registration_type_not_allowed"


def _body(name: str, category: str, dose: float, days: int, temp_c: float, **more: Any) -> dict:
    return {
        "name": name,
        "category": category,
        "purpose": "extend_shelf_life",
        "min_dose_kgy": dose,
        "base_shelf_life_days": days,
        "reference_temp_c": temp_c,
        "storage_temp_c": temp_c,
        "packaging": "air",
    } | more


MANGO = _body("Mangga gedong", "mango", 0.5, 14, 13)
FRESH_FISH = _body("Ikan kembung segar", "fish_seafood", 1.5, 10, 2)
FROZEN_VEGETABLES = _body("Sayur campur beku", "processed_produce", 2.0, 180, -18)
# by hand: 5 days × (1 + 1.0 kGy / 4) = 6.25 → the model dates it 6 days at 30 °C (1.0 kGy is
# below shelf life's typical 1.5 kGy, so the process validation is named)
WARM_VEGETABLES = _body(
    "Sayur bumbu", "processed_produce", 1.0, 5, 30, process_validation_ref="PV-IGMP-2026-07"
)
DRIED_FISH = _body("Ikan asin", "processed_fish", 3.0, 60, 30, water_activity=0.8)
PIRT = "P-IRT 2063674010045-27"


def _pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.replace("\u00a0", " ").split())


async def _post(client: AsyncTestClient, world: World, body: dict) -> Any:
    return await client.post("/api/v1/products", json=body, headers=world.producer.headers)


async def test_psat_is_accepted_for_mango_and_stored_without_grouping(client, world: World):
    product = await create_product(
        client, world.producer, MANGO | {"registration_no": "PSAT PD 1234-5678"}
    )
    assert product["registration_no"] == "PSAT-PD12345678"


async def test_psat_is_refused_for_fresh_fish_which_carries_no_number(client, world: World):
    response = await _post(client, world, FRESH_FISH | {"registration_no": "PSAT PL 12345678"})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == CODE
    assert [e["rule"] for e in problem["errors"]] == ["psat_plant_origin_only"]
    assert "plant origin" in problem["detail"]
    # without a number it is fine: fresh fish carries none
    assert (await _post(client, world, FRESH_FISH)).status_code == 201


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (rendang(), "pirt_sterile_meal"),
        (FROZEN_VEGETABLES, "pirt_frozen"),
        (chicken(), "pirt_animal_not_dried"),
        (WARM_VEGETABLES, "pirt_under_7_days_warm"),
    ],
    ids=["sterile-meal", "frozen", "fresh-chicken", "six-days-at-30C"],
)
async def test_p_irt_is_refused_where_bpom_requires_md(client, world: World, body, rule):
    response = await _post(client, world, body | {"registration_no": PIRT})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == CODE
    assert problem["registration_type"] == "P-IRT"
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("registration_no", rule)]
    assert problem["detail"].startswith("P-IRT")
    if rule == "pirt_under_7_days_warm":
        assert problem["errors"][0]["days"] == 6
    # the same product with an MD number is accepted: only the scheme was wrong
    md = await _post(client, world, body | {"registration_no": "MD 2245 1000 1234"})
    assert md.status_code == 201, md.text


async def test_p_irt_is_allowed_for_dried_fish(client, world: World):
    product = await create_product(client, world.producer, DRIED_FISH | {"registration_no": PIRT})
    assert product["registration_no"] == "P-IRT206367401004527"
    # the same fish, not dried, is refused
    wet = await _post(client, world, DRIED_FISH | {"registration_no": PIRT, "water_activity": 0.9})
    assert wet.status_code == 422 and wet.json()["code"] == CODE


@pytest.mark.parametrize("number", ["TR 123456789", "POM TR 123 456 789", "TR-0425-1234"])
async def test_a_tr_number_is_a_400_saying_traditional_medicines_are_outside(
    client, world: World, number: str
):
    response = await _post(client, world, DRIED_FISH | {"registration_no": number})
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "registration_no"
    assert "traditional medicines are outside this service" in error["message"]


async def test_a_psat_number_of_the_wrong_shape_stays_a_400_naming_the_field(client, world: World):
    response = await _post(client, world, MANGO | {"registration_no": "PSAT PD 1234567"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["registration_no"]
    assert "traditional" not in response.text


async def _stored_before_the_rules(pool: asyncpg.Pool, world: World, number: str) -> str:
    """A sterile rendang stored with `number` as the API accepted it before the rules."""
    product_id = await pool.fetchval(
        """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
               base_shelf_life_days, reference_temp_c, storage_temp_c, packaging,
               registration_no, validated_shelf_life_days, validated_study_ref)
           VALUES ($1, 'Rendang lama', 'ready_meal_sterile', 'sterilisation', 45, 5, 30, 30,
                   'vacuum', $2, 540, 'BATAN-PAIR/2019') RETURNING id""",
        world.producer_org,
        number,
    )
    return str(product_id)


async def test_a_new_batch_of_a_product_stored_before_the_rules_is_refused(
    client, world: World, pool: asyncpg.Pool
):
    legacy = await _stored_before_the_rules(pool, world, "P-IRT206367401004527")
    product = await client.get(f"/api/v1/products/{legacy}", headers=world.producer.headers)
    assert product.json()["registration_no"] == "P-IRT206367401004527"  # kept as it was
    response = await client.post(
        "/api/v1/batches", json=batch_body(world, legacy), headers=world.producer.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == CODE
    assert "edit the product" in response.json()["detail"]
    assert [e["rule"] for e in response.json()["errors"]] == ["pirt_sterile_meal"]
    # another producer still gets the 404 of a product that is not theirs
    theirs = await client.post(
        "/api/v1/batches", json=batch_body(world, legacy), headers=world.other_producer.headers
    )
    assert theirs.status_code == 404
    # the same rendang stored with an MD number gets its batch
    fine = await _stored_before_the_rules(pool, world, "MD224510001234")
    response = await client.post(
        "/api/v1/batches", json=batch_body(world, fine), headers=world.producer.headers
    )
    assert response.status_code == 201, response.text


@pytest.fixture
async def producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Browser:
    browser = await signed_in(client, pool, world.producer.id)
    await english(browser)
    return browser


async def test_the_console_says_an_old_product_needs_a_valid_number_and_refuses_its_batch(
    producer: Browser, world: World, pool: asyncpg.Pool
):
    legacy = await _stored_before_the_rules(pool, world, "P-IRT206367401004527")
    page = (await producer.get(f"/app/products/{legacy}")).text
    assert "This registration number is not allowed for this product" in page
    assert "a new batch is refused until the product is edited" in page
    assert "P-IRT may not be used for a commercially sterile meal" in page
    assert "<dt>P-IRT number</dt><dd>P-IRT No. 206367401004527</dd>" in page

    form = {k: str(v) for k, v in batch_body(world, legacy).items()}
    answer = await producer.submit("/app/batches/new", form)
    assert answer.status_code == 422
    assert "registration number is not allowed" in field_error(answer.text, "product_id")

    fine = await _stored_before_the_rules(pool, world, "MD224510001234")
    page = (await producer.get(f"/app/products/{fine}")).text
    assert "not allowed for this product" not in page
    assert "<dt>Marketing authorisation number</dt><dd>BPOM RI MD 224510001234</dd>" in page


async def test_the_console_form_names_every_rule_and_the_tr_refusal(producer: Browser):
    frozen_fish = {
        "name": "Tuna beku",
        "category": "fish_seafood",
        "purpose": "extend_shelf_life",
        "min_dose_kgy": "1,5",
        "base_shelf_life_days": "270",
        "reference_temp_c": "-18",
        # the minus sign, as the console prints it, copied back into the form
        "storage_temp_c": "\u221218",
        "packaging": "air",
        "registration_no": PIRT,
    }
    answer = await producer.submit("/app/products/new", frozen_fish)
    assert answer.status_code == 422
    message = field_error(answer.text, "registration_no")
    assert "P-IRT may not be used for frozen food" in message
    assert "only when dried (water activity at most 0.85)" in message
    answer = await producer.submit("/app/products/new", frozen_fish | {"registration_no": "TR 1"})
    assert answer.status_code == 400
    assert field_error(answer.text, "registration_no") == (
        "Traditional medicines (jamu, TR numbers) are outside this service: it records "
        "irradiated food only."
    )
    new_form = (await producer.get("/app/products/new")).text
    assert "PSAT PD, PL or PDUK and 8 to 20 digits" in new_form


async def test_label_scan_page_and_certificate_print_bpom_ri_md(client, world: World):
    product = await create_product(
        client, world.producer, chicken(registration_no="MD 2245 1000 1234")
    )
    batch_id = await batch_in(client, world, "released", product["id"])
    headers = world.producer.headers

    label = await client.get(
        f"/api/v1/batches/{batch_id}/labels.pdf?layout=a4-2x5&copies=1", headers=headers
    )
    assert label.status_code == 200, label.text
    text = _pdf_text(label.content)
    assert "BPOM RI MD 224510001234" in text
    assert "No. Reg" not in text

    await client.post(f"/api/v1/batches/{batch_id}/labels", json={"count": 1}, headers=headers)
    listing = await client.get(f"/api/v1/batches/{batch_id}/labels.csv", headers=headers)
    uri = list(csv.reader(io.StringIO(listing.text)))[1][1]
    parts = urlsplit(uri)
    path = f"{parts.path}?{parts.query}"
    page = await client.get(path)
    assert page.status_code == 200
    shown = page.text.replace("\u00a0", " ")
    assert "<dt>Nomor izin edar</dt><dd>BPOM RI MD 224510001234</dd>" in shown
    answer = await client.get(path, headers={"Accept": "application/json"})
    assert answer.json()["product"]["registration_no"] == "MD224510001234"  # as stored

    certificate = await client.get(f"/api/v1/batches/{batch_id}/certificate.pdf", headers=headers)
    assert certificate.status_code == 200
    text = _pdf_text(certificate.content)
    assert "Nomor izin edar" in text and "BPOM RI MD 224510001234" in text


async def test_every_demo_product_carries_a_number_the_rules_allow(database_url, pool, settings):
    from service.batches.labelling.keys import SigningKeys
    from service.demo.batches import PRODUCTS
    from service.demo.seed import seed_demo

    await seed_demo(database_url, SigningKeys(settings), settings.public_base_url)
    names = {key: body["name"] for key, body in PRODUCTS.items()}
    rows = {
        row["name"]: row
        for row in await pool.fetch(
            "SELECT * FROM products WHERE name = ANY($1::text[])", list(names.values())
        )
    }
    assert rows.keys() == set(names.values())
    assert rows[names["rendang"]]["registration_no"] == "MD224510001234"  # sterile: MD
    assert rows[names["fish"]]["registration_no"] is None  # frozen tuna: KKP, no BPOM number
    for row in rows.values():
        assert registration_rule_failures(row, today=today_in_jakarta()) == [], row["name"]
