"""PATCH /api/v1/products/{id}: the in-place amendment of a product's evidence, and the release
of a product created before radura-sl/3 — refused, amended, then released. (A change of what is
printed makes a new version: test_product_versions.)"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from tests.integration.batch_steps import batch_in, chicken, create_product, rendang
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

CONDITIONS = {
    "validated_study_temp_c": 4,
    "validated_study_dose_kgy": 2.0,
    "validated_study_packaging": "air",
}


async def _patch(client, actor, product_id: str, body: Any):  # type: ignore[no-untyped-def]
    return await client.patch(f"/api/v1/products/{product_id}", json=body, headers=actor.headers)


async def _log_entries(client, world: World, product_id: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = await client.get("/api/v1/admin-audit-log?limit=200", headers=world.regulator.headers)
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["items"] if e["subject_id"] == product_id]


async def _old_product(pool: asyncpg.Pool, world: World, **columns: Any) -> str:
    """A product stored before radura-sl/3, straight in SQL as such a row looks."""
    fields = {
        "organization_id": world.producer_org,
        "name": "Ayam potong lama",
        "category": "meat_poultry",
        "purpose": "extend_shelf_life",
        "min_dose_kgy": 1.5,
        "base_shelf_life_days": 5,
        "reference_temp_c": 4,
        "storage_temp_c": 4,
        "packaging": "air",
    } | columns
    names = ", ".join(fields)
    places = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    async with pool.acquire() as conn:
        product_id = await conn.fetchval(
            f"INSERT INTO products ({names}) VALUES ({places}) RETURNING id", *fields.values()
        )
    return str(product_id)


async def _release(client, world: World, batch_id: str):  # type: ignore[no-untyped-def]
    return await client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers)


async def test_an_old_study_without_conditions_is_refused_then_amended_then_released(
    client, world: World, pool
):
    # a 9-day study recorded before its conditions existed
    product_id = await _old_product(
        pool, world, validated_shelf_life_days=9, validated_study_ref="Uji simpan ayam 2024/02"
    )
    batch_id = await batch_in(client, world, "treated", product_id)  # D_min 2.1 kGy
    refused = await _release(client, world, batch_id)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "study_conditions_missing"
    assert refused.json()["errors"][0]["field"] == "validated_study_temp_c"
    page = await client.get(f"/api/v1/batches/{batch_id}", headers=world.qa.headers)
    assert page.json()["status"] == "treated"

    # the producer completes the study's conditions in place
    amended = await _patch(client, world.producer, product_id, CONDITIONS)
    assert amended.status_code == 200, amended.text
    product = amended.json()
    assert product["id"] == product_id
    assert (product["validated_study_temp_c"], product["validated_study_dose_kgy"]) == (4.0, 2.0)
    assert product["validated_study_packaging"] == "air"
    assert product["validated_shelf_life_days"] == 9  # nothing else moved
    [entry] = await _log_entries(client, world, product_id)
    assert entry["action"] == "product.amended" and entry["subject_type"] == "product"
    assert entry["actor_id"] == str(world.producer.id)
    assert entry["details"] == {
        "version": 1,  # the version amended in place
        "before": {
            "validated_study_temp_c": None,
            "validated_study_dose_kgy": None,
            "validated_study_packaging": None,
        },
        "after": {
            "validated_study_temp_c": 4.0,
            "validated_study_dose_kgy": 2.0,
            "validated_study_packaging": "air",
        },
    }

    # D_min 2.1 ≥ the study's 2.0 at 4 °C in air: the study applies, E = 9 days
    released = await _release(client, world, batch_id)
    assert released.status_code == 200, released.text
    shelf_life = released.json()["shelf_life"]
    assert shelf_life["model"] == "radura-sl/3"
    assert shelf_life["extended_days"] == 9
    assert shelf_life["rules"] == ["dose_credit", "validated_study"]
    assert shelf_life["inputs"]["validated_study_temp_c"] == 4.0


async def test_an_old_dose_below_the_purposes_minimum_is_released_once_validated(
    client, world: World, pool
):
    product_id = await _old_product(pool, world, min_dose_kgy=1.0)
    batch_id = await batch_in(client, world, "treated", product_id)
    refused = await _release(client, world, batch_id)
    assert refused.status_code == 422
    assert refused.json()["code"] == "dose_below_purpose_minimum"
    amended = await _patch(
        client, world.producer, product_id, {"process_validation_ref": "BRIN-PV-2024-11"}
    )
    assert amended.status_code == 200, amended.text
    assert (await _release(client, world, batch_id)).status_code == 200


@pytest.mark.parametrize(
    ("columns", "codes"),
    [
        (
            {"category": "fish_seafood", "purpose": "reduce_pathogens", "storage_temp_c": 25},
            ["raw_food_requires_chilling"],
        ),
        (
            {
                "category": "ready_meal_sterile",
                "purpose": "sterilisation",
                "min_dose_kgy": 2.0,
                "reference_temp_c": 30,
                "storage_temp_c": 30,
                "packaging": "vacuum",
                "validated_shelf_life_days": 540,
                "validated_study_ref": "BATAN 2019",
                "validated_study_temp_c": 30,
                "validated_study_dose_kgy": 45,
                "validated_study_packaging": "vacuum",
            },
            # treated at 2.1 kGy, far from sterilising; and 2.0 kGy was never a sterilising
            # minimum: both listed, in SPEC §4's order
            ["study_not_applicable", "dose_below_purpose_minimum"],
        ),
    ],
    ids=["raw-fish-25c", "sterile-meal-not-sterilised"],
)
async def test_an_old_product_is_checked_by_radura_sl3_at_release(
    client, world: World, pool, columns, codes
):
    product_id = await _old_product(pool, world, **columns)
    batch_id = await batch_in(client, world, "treated", product_id)
    refused = await _release(client, world, batch_id)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == codes[0]
    assert [e["code"] for e in refused.json()["errors"]] == codes


async def test_the_evidence_fields_are_amended_in_place_and_null_removes_one(client, world: World):
    product = await create_product(client, world.producer, chicken(hs_code="020714"))
    changed = await _patch(
        client, world.producer, product["id"], {"hs_code": None, "process_validation_ref": "PV-2"}
    )
    assert changed.status_code == 200
    assert changed.json()["hs_code"] is None
    assert changed.json()["process_validation_ref"] == "PV-2"
    assert changed.json()["version"] == product["version"] == 1  # in place: no new version
    assert (
        changed.json()
        == (
            await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
        ).json()
    )
    [entry] = await _log_entries(client, world, product["id"])
    assert entry["details"] == {
        "version": 1,
        "before": {"hs_code": "020714", "process_validation_ref": None},
        "after": {"hs_code": None, "process_validation_ref": "PV-2"},
    }
    # a patch that changes nothing writes nothing
    same = await _patch(client, world.producer, product["id"], {"process_validation_ref": "PV-2"})
    assert same.status_code == 200
    assert (await _patch(client, world.producer, product["id"], {})).status_code == 200
    assert len(await _log_entries(client, world, product["id"])) == 1


@pytest.mark.parametrize("field", ["id", "gtin", "category", "purpose"])
async def test_identity_fields_are_immutable(client, world: World, field):
    product = await create_product(client, world.producer, chicken())
    value = {"id": str(uuid.uuid4()), "gtin": "8991234567891"}.get(field, "fish_seafood")
    response = await _patch(
        client, world.producer, product["id"], {field: value, "hs_code": "020714"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "immutable_field"
    assert response.json()["fields"] == [field]


async def test_an_amendment_must_leave_a_product_the_rules_accept(client, world: World):
    meal = await create_product(client, world.producer, rendang())
    # a study at 25 °C does not cover a label of 30 °C: the sterile meal would get no date
    response = await _patch(client, world.producer, meal["id"], {"validated_study_temp_c": 25})
    assert response.status_code == 422
    assert response.json()["code"] == "study_not_applicable"
    # removing one condition of a study leaves it incomplete: 400 naming it
    response = await _patch(client, world.producer, meal["id"], {"validated_study_dose_kgy": None})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["validated_study_dose_kgy"]
    stored = await client.get(f"/api/v1/products/{meal['id']}", headers=world.producer.headers)
    assert stored.json() == meal
    assert await _log_entries(client, world, meal["id"]) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hs_code": "12345"}, "hs_code"),
        ({"validated_study_packaging": "jar"}, "validated_study_packaging"),
        ({"process_validation_ref": ""}, "process_validation_ref"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_a_malformed_patch_is_a_400_naming_the_field(client, world: World, body, field):
    product = await create_product(client, world.producer, chicken())
    response = await _patch(client, world.producer, product["id"], body)
    assert response.status_code == 400, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    not_an_object = await _patch(client, world.producer, product["id"], ["hs_code"])
    assert not_an_object.status_code == 400


async def test_only_the_owning_producer_may_amend(client, world: World):
    product = await create_product(client, world.producer, chicken())
    theirs = await _patch(client, world.other_producer, product["id"], {"hs_code": "020714"})
    assert theirs.status_code == 404
    unknown = await _patch(client, world.producer, str(uuid.uuid4()), {"hs_code": "020714"})
    assert unknown.status_code == 404
    for actor in (world.operator, world.qa, world.regulator, world.admin):
        response = await _patch(client, actor, product["id"], {"hs_code": "020714"})
        assert response.status_code == 403, actor.role
    anonymous = await client.patch(f"/api/v1/products/{product['id']}", json={"hs_code": "0207"})
    assert anonymous.status_code == 401
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert stored.json()["hs_code"] is None


async def test_the_console_names_every_reason_a_release_is_refused(client, world: World, pool):
    # the QA officer's release of an old product with both gaps: the page names each rule in
    # the officer's language (Bahasa Indonesia by default), not a bare "422"
    import html

    from tests.integration.console import signed_in

    product_id = await _old_product(
        pool,
        world,
        min_dose_kgy=1.0,
        validated_shelf_life_days=9,
        validated_study_ref="Uji simpan ayam 2024/02",
    )
    batch_id = await batch_in(client, world, "treated", product_id)
    qa = await signed_in(client, pool, world.qa.id)
    refused = await qa.submit(
        f"/app/batches/{batch_id}/release", {}, form_page=f"/app/batches/{batch_id}"
    )
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "Studi umur simpan (Uji simpan ayam 2024/02) belum mencatat kondisinya" in text
    assert "Dosis serap minimum tervalidasi 1,0 kGy di bawah" in text
