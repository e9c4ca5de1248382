"""POST/GET /api/v1/products and every rule of SPEC §3.2."""

from __future__ import annotations

import pytest

from labels.gtin import gtin_check_digit
from tests.integration.batch_steps import chicken, create_product, fresh_gtin13, rendang
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _post(client, world: World, body: dict):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/products", json=body, headers=world.producer.headers)


def _field_names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json().get("errors", [])]


async def test_create_read_and_list(client, world: World):
    product = await create_product(client, world.producer, chicken(net_content="500 g"))
    assert product["organization_id"] == str(world.producer_org)
    assert product["legal_max_dose_kgy"] == 3.0
    assert product["net_content"] == "500 g"
    response = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert response.json() == product
    listed = await client.get("/api/v1/products", headers=world.producer.headers)
    assert [p["id"] for p in listed.json()["items"]] == [product["id"]]
    # a regulator sees it, another producer does not
    regulator = await client.get(
        f"/api/v1/products/{product['id']}", headers=world.regulator.headers
    )
    assert regulator.status_code == 200
    other = await client.get(
        f"/api/v1/products/{product['id']}", headers=world.other_producer.headers
    )
    assert other.status_code == 404
    other_list = await client.get("/api/v1/products", headers=world.other_producer.headers)
    assert other_list.json()["items"] == []


async def test_list_is_cursor_paginated(client, world: World):
    ids = [
        (await create_product(client, world.producer, chicken(name=f"Ayam {i}")))["id"]
        for i in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await client.get("/api/v1/products", params=params, headers=world.producer.headers)
        ).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]


@pytest.mark.parametrize(
    ("given", "digits"),
    [("96385074", 8), ("036000291452", 12), ("4006381333931", 13), ("10614141000415", 14)],
)
async def test_gtin_is_stored_as_14_digits(client, world: World, given: str, digits: int):
    # the sample GTINs are shared by every test run: give each a fresh body with the same length
    body = given[:-4] + world.tag[:3].translate(str.maketrans("abcdef", "123456"))
    body = (body + "0")[: digits - 1]
    gtin = body + str(gtin_check_digit(body))
    product = await create_product(client, world.producer, chicken(gtin=gtin))
    assert product["gtin"] == gtin.rjust(14, "0")


@pytest.mark.parametrize(
    "gtin", ["8991234567894", "123456789", "12345678901", "899123456789X", "८९९१२३४५६७८९५"]
)
async def test_a_bad_gtin_is_a_400_naming_the_field(client, world: World, gtin: str):
    response = await _post(client, world, chicken(gtin=gtin))
    assert response.status_code == 400
    assert _field_names(response) == ["gtin"]


async def test_a_gtin_is_unique_across_products(client, world: World):
    gtin = fresh_gtin13()
    await create_product(client, world.producer, chicken(gtin=gtin))
    # the same GTIN written as GTIN-14, by another producer
    response = await client.post(
        "/api/v1/products", json=chicken(gtin="0" + gtin), headers=world.other_producer.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_gtin"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("MD224510001234", "MD224510001234"),
        ("MD 2245 1000 1234", "MD224510001234"),
        ("ML-8123-4567-8901", "ML812345678901"),
        ("P-IRT 206317401012325", "P-IRT206317401012325"),
        ("P-IRT 2063174010123-25", "P-IRT206317401012325"),
    ],
)
async def test_registration_numbers_are_stored_normalized(client, world, given, stored):
    # dried (dendeng ayam): P-IRT admits a meat product only when dried
    body = chicken(registration_no=given, water_activity=0.8)
    product = await create_product(client, world.producer, body)
    assert product["registration_no"] == stored


@pytest.mark.parametrize(
    "registration_no",
    [
        "MD12345678901",
        "MD1234567890123",
        "MK224510001234",
        "P-IRT12345678901234",
        "PIRT" + "1" * 15,
        "MD 2245  1000 1234",
        "md224510001234",
        "MD224510001234\n",
    ],
)
async def test_a_bad_registration_number_is_a_400(client, world, registration_no):
    response = await _post(client, world, chicken(registration_no=registration_no))
    assert response.status_code == 400
    assert _field_names(response) == ["registration_no"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"base_shelf_life_days": 0}, "base_shelf_life_days"),
        ({"base_shelf_life_days": 3651}, "base_shelf_life_days"),
        ({"storage_temp_c": -41}, "storage_temp_c"),
        ({"reference_temp_c": 61}, "reference_temp_c"),
        ({"min_dose_kgy": 0}, "min_dose_kgy"),
        ({"min_dose_kgy": 1e300}, "min_dose_kgy"),
        ({"water_activity": 1.2}, "water_activity"),
        ({"ph": 15}, "ph"),
        ({"packaging": "tin"}, "packaging"),
        ({"purpose": "make_it_glow"}, "purpose"),
        ({"validated_shelf_life_days": 30}, "validated_study_ref"),
        ({"name": ""}, "name"),
        ({"name": "Ayam\x00"}, "name"),
    ],
)
async def test_format_and_range_failures_are_400_naming_the_field(client, world, changes, field):
    response = await _post(client, world, chicken(**changes))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in _field_names(response)


async def test_unknown_fields_and_missing_fields_are_400(client, world: World):
    assert (await _post(client, world, chicken(colour="red"))).status_code == 400
    body = chicken()
    del body["packaging"]
    assert (await _post(client, world, body)).status_code == 400


@pytest.mark.parametrize(
    "changes",
    [
        {"category": "mango", "purpose": "sterilisation"},
        {"category": "bulbs_tubers", "purpose": "extend_shelf_life"},
        {"category": "moon_cheese"},
    ],
)
async def test_a_purpose_the_category_does_not_allow_is_a_422(client, world, changes):
    response = await _post(client, world, chicken(**changes))
    assert response.status_code == 422
    assert response.json()["code"] == "purpose_not_allowed"


async def test_the_minimum_dose_may_equal_the_legal_maximum(client, world: World):
    product = await create_product(client, world.producer, chicken(min_dose_kgy=3.0))
    assert product["min_dose_kgy"] == 3.0
    response = await _post(client, world, chicken(min_dose_kgy=3.01))
    assert response.status_code == 422
    assert response.json()["code"] == "dose_above_legal_maximum"
    assert response.json()["legal_max_dose_kgy"] == 3.0


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"min_dose_kgy": 30}, ["min_dose_kgy"]),
        ({"packaging": "map"}, ["packaging"]),
        (
            {
                "validated_shelf_life_days": None,
                "validated_study_ref": None,
                "validated_study_temp_c": None,
                "validated_study_dose_kgy": None,
                "validated_study_packaging": None,
            },
            ["validated_shelf_life_days"],
        ),
        ({"validated_shelf_life_days": 600}, ["validated_shelf_life_days"]),
        ({"min_dose_kgy": 10, "packaging": "air"}, ["min_dose_kgy", "packaging"]),
    ],
)
async def test_sterile_meal_rules(client, world: World, changes, fields):
    body = {k: v for k, v in rendang(**changes).items() if v is not None}
    response = await _post(client, world, body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "sterile_meal_requirements"
    assert [e["field"] for e in response.json()["errors"]] == fields


async def test_a_sterile_meal_with_its_study_is_accepted(client, world: World):
    product = await create_product(client, world.producer, rendang(validated_shelf_life_days=548))
    assert product["category"] == "ready_meal_sterile"
    assert product["legal_max_dose_kgy"] == 60.0


async def test_a_sterile_meal_above_the_legal_maximum(client, world: World):
    response = await _post(client, world, rendang(min_dose_kgy=61))
    assert response.status_code == 422
    assert response.json()["code"] == "dose_above_legal_maximum"


async def test_an_unknown_product_is_404(client, world: World):
    response = await client.get(
        "/api/v1/products/00000000-0000-4000-8000-000000000000", headers=world.producer.headers
    )
    assert response.status_code == 404
    not_a_uuid = await client.get("/api/v1/products/not-a-uuid", headers=world.producer.headers)
    assert not_a_uuid.status_code in (400, 404)


def _tuna(**changes: object) -> dict:
    """Tuna whose 270 days were established frozen at −18 °C."""
    return {
        "name": "Tuna loin",
        "category": "fish_seafood",
        "purpose": "reduce_pathogens",
        "min_dose_kgy": 1.5,
        "base_shelf_life_days": 270,
        "reference_temp_c": -18,
        "storage_temp_c": -18,
        "packaging": "air",
    } | changes


def _spice(**changes: object) -> dict:
    """Dried spice, no dose credit: Q10 = 3 takes two thirds off per 10 °C above the reference."""
    return {
        "name": "Lada hitam bubuk",
        "category": "spices_herbs",
        "purpose": "reduce_microbial_load",
        "min_dose_kgy": 6.5,
        "base_shelf_life_days": 2,
        "reference_temp_c": 20,
        "storage_temp_c": 30,
        "packaging": "air",
    } | changes


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        # the square-root model: a base established below −10 °C says nothing above it, B = 0
        (_tuna(storage_temp_c=4), "temp_adjust_sqrt"),
        # 2 days at 20 °C keep 2/3 of a day at 30 °C
        (_spice(), "temp_adjust_q10"),
    ],
    ids=["frozen-base-sold-chilled", "q10-below-one-day"],
)
async def test_a_product_with_no_shelf_life_is_refused(client, world: World, body, rule):
    response = await _post(client, world, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "no_shelf_life"
    assert rule in problem["rules"]
    # the model's own explanation says why, in both languages
    assert problem["explanation"]["en"].endswith("→ 0 days.")
    assert problem["explanation"]["en"] in problem["detail"]
    assert problem["explanation"]["id"].endswith("→ 0 hari.")
    listed = await client.get("/api/v1/products", headers=world.producer.headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [_tuna(), _spice(base_shelf_life_days=3)],
    ids=["frozen-sold-frozen", "q10-exactly-one-day"],
)
async def test_a_product_that_keeps_a_day_is_accepted(client, world: World, body):
    await create_product(client, world.producer, body)


async def test_a_warm_non_sterile_vacuum_pack_is_refused(client, world: World):
    # radura-sl/3: raw meat above 10 °C, and a vacuum pack at 10 °C or warmer without aw ≤ 0.85
    # or pH ≤ 4.6, are each refused; both are listed, in SPEC §4's order
    body = chicken(packaging="vacuum", reference_temp_c=30, storage_temp_c=30, min_dose_kgy=2.0)
    response = await _post(client, world, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "raw_food_requires_chilling"
    assert [e["code"] for e in problem["errors"]] == [
        "raw_food_requires_chilling",
        "reduced_oxygen_uncontrolled",
    ]
    assert "C. botulinum" in problem["errors"][1]["explanation"]["en"]
    for accepted in (
        body | {"storage_temp_c": 8, "reference_temp_c": 8},  # chilled: the 10-day cap applies
        body | {"storage_temp_c": 9, "reference_temp_c": 9, "water_activity": 0.95},  # aw < 0.97
        body | {"storage_temp_c": 30, "water_activity": 0.8},  # dried: aw ≤ 0.85
    ):
        await create_product(client, world.producer, accepted)
