"""Product creation and the public estimate under radura-sl/3: each refusal with its code and
bilingual message, several listed at once, the new fields and their 400s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.batch_steps import chicken, create_product, rendang
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

ESTIMATE = "/api/v1/shelf-life/estimate"


async def _post(client, world: World, body: dict):  # type: ignore[no-untyped-def]
    return await client.post("/api/v1/products", json=body, headers=world.producer.headers)


def sambal(**changes: Any) -> dict[str, Any]:
    """Sambal in a sealed jar at 30 °C: processed produce, S0 30 d at 30 °C."""
    return {
        "name": "Sambal bawang dalam stoples",
        "category": "processed_produce",
        "purpose": "extend_shelf_life",
        "min_dose_kgy": 2.0,
        "base_shelf_life_days": 30,
        "reference_temp_c": 30,
        "storage_temp_c": 30,
        "packaging": "hermetic",
    } | changes


def pepes(**changes: Any) -> dict[str, Any]:
    """Pepes ikan, processed fish in vacuum, kept at 9 °C."""
    return {
        "name": "Pepes ikan vakum",
        "category": "processed_fish",
        "purpose": "reduce_pathogens",
        "min_dose_kgy": 2.0,
        "base_shelf_life_days": 6,
        "reference_temp_c": 9,
        "storage_temp_c": 9,
        "packaging": "vacuum",
    } | changes


@pytest.mark.parametrize(
    ("body", "code", "field", "fragment_id"),
    [
        (
            chicken(category="fish_seafood", reference_temp_c=2, storage_temp_c=12),
            "raw_food_requires_chilling",
            "storage_temp_c",
            "Ikan dan hasil laut mentah harus disimpan dingin, paling tinggi 10 °C",
        ),
        (pepes(), "vacuum_requires_chilling", "storage_temp_c", "paling tinggi 8 °C"),
        (
            sambal(ph=4.9),
            "reduced_oxygen_uncontrolled",
            "packaging",
            "aw ≤ 0,85 atau pH ≤ 4,6",
        ),
        (
            rendang(packaging="hermetic"),
            "study_not_applicable",
            "validated_shelf_life_days",
            "kemasan hermetis (kedap udara), studi dengan kemasan vakum",
        ),
        (
            chicken(min_dose_kgy=1.2),
            "dose_below_purpose_minimum",
            "process_validation_ref",
            "Dosis serap minimum tervalidasi 1,2 kGy di bawah dosis serap minimum yang lazim",
        ),
    ],
    ids=["raw-fish", "vacuum-9c", "jar-30c", "sterile-study", "low-dose"],
)
async def test_each_refusal_at_product_creation(
    client, world: World, body, code, field, fragment_id
):
    response = await _post(client, world, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == code
    assert problem["type"].endswith("/" + code)
    [error] = problem["errors"]
    assert (error["code"], error["field"]) == (code, field)
    assert fragment_id in error["explanation"]["id"]
    assert error["message"] == error["explanation"]["en"] == problem["explanation"]["en"]
    listed = await client.get("/api/v1/products", headers=world.producer.headers)
    assert listed.json()["items"] == []


async def test_several_refusals_are_listed_at_once_in_spec_order(client, world: World):
    # raw chicken in vacuum at 30 °C, validated at 1.2 kGy without a process validation
    body = chicken(packaging="vacuum", reference_temp_c=30, storage_temp_c=30, min_dose_kgy=1.2)
    response = await _post(client, world, body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "raw_food_requires_chilling"
    assert [(e["code"], e["field"]) for e in problem["errors"]] == [
        ("raw_food_requires_chilling", "storage_temp_c"),
        ("reduced_oxygen_uncontrolled", "packaging"),
        ("dose_below_purpose_minimum", "process_validation_ref"),
    ]
    assert problem["errors"][2]["typical_min_dose_kgy"] == 1.5
    for error in problem["errors"]:
        assert error["message"] in problem["detail"]


async def test_a_process_validation_backs_a_dose_below_the_typical_minimum(client, world: World):
    product = await create_product(
        client,
        world.producer,
        chicken(min_dose_kgy=1.2, process_validation_ref="BRIN-PV-2025-03", hs_code="020714"),
    )
    assert (product["process_validation_ref"], product["hs_code"]) == ("BRIN-PV-2025-03", "020714")
    # at or above the typical minimum none is needed; mango's row has none (its 0.75 kGy
    # maximum is below the typical 1.5)
    await create_product(client, world.producer, chicken(min_dose_kgy=1.5))
    mango = chicken(
        name="Mangga arumanis",
        category="mango",
        min_dose_kgy=0.5,
        base_shelf_life_days=10,
        reference_temp_c=12,
        storage_temp_c=12,
    )
    await create_product(client, world.producer, mango)


async def test_a_hermetic_product_with_a_control_and_its_study_is_accepted(client, world: World):
    study = {
        "validated_shelf_life_days": 60,
        "validated_study_ref": "Uji tantang PAIR-BRIN 2025/07",
        "validated_study_temp_c": 30,
        "validated_study_dose_kgy": 2.0,
        "validated_study_packaging": "hermetic",
    }
    product = await create_product(client, world.producer, sambal(ph=4.5, **study))
    assert product["packaging"] == "hermetic"
    assert product["validated_study_temp_c"] == 30.0
    assert product["validated_study_dose_kgy"] == 2.0
    assert product["validated_study_packaging"] == "hermetic"
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert stored.json() == product


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"validated_study_temp_c": None}, "validated_study_temp_c"),
        ({"validated_study_dose_kgy": None}, "validated_study_dose_kgy"),
        ({"validated_study_packaging": None}, "validated_study_packaging"),
        ({"validated_study_packaging": "jar"}, "validated_study_packaging"),
        ({"validated_study_temp_c": 61}, "validated_study_temp_c"),
        ({"hs_code": "03061"}, "hs_code"),
        ({"hs_code": "03061712345"}, "hs_code"),
        ({"hs_code": "0306.17"}, "hs_code"),
        ({"hs_code": "030617\n"}, "hs_code"),
        ({"process_validation_ref": "x" * 121}, "process_validation_ref"),
        ({"process_validation_ref": "PV\t1"}, "process_validation_ref"),
        ({"packaging": "jar"}, "packaging"),
    ],
)
async def test_new_fields_format_failures_are_400_naming_the_field(
    client, world: World, changes, field
):
    body = {k: v for k, v in rendang(**changes).items() if v is not None}
    response = await _post(client, world, body)
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_study_conditions_without_a_study_are_a_400(client, world: World):
    response = await _post(client, world, chicken(validated_study_temp_c=4))
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["validated_shelf_life_days"]


async def test_a_sterile_meal_may_be_hermetic(client, world: World):
    body = rendang(packaging="hermetic", validated_study_packaging="hermetic")
    product = await create_product(client, world.producer, body)
    assert product["packaging"] == "hermetic"
    refused = await _post(client, world, rendang(packaging="air", validated_study_packaging="air"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "sterile_meal_requirements"
    assert refused.json()["errors"] == [
        {"field": "packaging", "message": "must be vacuum or hermetic"}
    ]


# --- the public estimate ----------------------------------------------------------------------


def _estimate_body(product: dict[str, Any], dose_min_kgy: float, **extra: Any) -> dict[str, Any]:
    body = {k: v for k, v in product.items() if k not in ("name",)}
    return body | {"dose_min_kgy": dose_min_kgy, "production_date": "2026-03-02"} | extra


async def test_the_estimate_lists_every_refusal(client):
    body = _estimate_body(
        chicken(packaging="vacuum", reference_temp_c=30, storage_temp_c=30, min_dose_kgy=1.2),
        2.0,
    )
    response = await client.post(ESTIMATE, json=body)
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == [
        "raw_food_requires_chilling",
        "reduced_oxygen_uncontrolled",
        "dose_below_purpose_minimum",
    ]
    # only `min_dose_kgy` is held to the purpose's minimum: without it, two reasons
    del body["min_dose_kgy"]
    response = await client.post(ESTIMATE, json=body)
    assert [e["code"] for e in response.json()["errors"]] == [
        "raw_food_requires_chilling",
        "reduced_oxygen_uncontrolled",
    ]


async def test_the_estimate_holds_the_minimum_dose_to_the_purpose(client):
    low = _estimate_body(chicken(reference_temp_c=4, storage_temp_c=4, min_dose_kgy=0.05), 3.0)
    response = await client.post(ESTIMATE, json=low)
    assert response.status_code == 422
    assert response.json()["code"] == "dose_below_purpose_minimum"
    assert "0,05 kGy" in response.json()["explanation"]["id"]
    backed = await client.post(ESTIMATE, json=low | {"process_validation_ref": "PV-7"})
    assert backed.status_code == 200
    # SPEC §4: chicken S0 5 d at 4 °C, stored at 4 °C, 3.0 kGy → E = 10
    assert backed.json()["extended_days"] == 10
    assert backed.json()["model"] == "radura-sl/3"


async def test_the_estimate_applies_a_study_only_inside_its_conditions(client):
    # chicken S0 5 d at 4 °C, a 30-day study at 4 °C, 3.0 kGy, air (DOMAIN §8.4)
    product = chicken(
        reference_temp_c=4,
        storage_temp_c=4,
        validated_shelf_life_days=30,
        validated_study_ref="Uji simpan 2025/11",
        validated_study_temp_c=4,
        validated_study_dose_kgy=3.0,
        validated_study_packaging="air",
    )
    inside = await client.post(ESTIMATE, json=_estimate_body(product, 3.0))
    assert inside.json()["extended_days"] == 30
    assert inside.json()["rules"] == ["dose_credit_capped", "validated_study"]
    # 0.5 kGy: outside the study's dose; no credit below 1.0 kGy → min(5, 30) = 5
    low = await client.post(ESTIMATE, json=_estimate_body(product, 0.5))
    assert low.json()["extended_days"] == 5
    assert low.json()["rules"] == ["no_credit_low_dose", "study_not_applicable"]
    assert "0.50 kGy below the study's 3.0 kGy" in low.json()["explanation"]["en"]
    assert low.json()["inputs"]["validated_study_dose_kgy"] == 3.0
