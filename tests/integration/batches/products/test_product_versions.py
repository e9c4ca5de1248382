"""PATCH /api/v1/products/{id} of what a label prints: a new product version (SPEC §3.2
"Editing"). A batch keeps the version it was registered with, and its record, release, labels
and scan page read that version; the rules hold for the new version; the admin log keeps each
change before and after; id, GTIN, category and purpose never change."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from tests.integration.batch_steps import (
    chicken,
    create_product,
    fresh_gtin13,
    receive,
    register,
    treat,
)
from tests.integration.world import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="session")

# what the producer prints differently from version 2 on
EDIT = {"name": "Ayam potong premium", "net_content": "450 g", "storage_temp_c": 4}


async def _patch(client, actor: Actor, product_id: str, body: Any):  # type: ignore[no-untyped-def]
    return await client.patch(f"/api/v1/products/{product_id}", json=body, headers=actor.headers)


async def _record(client, world: World, batch_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    answer = await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _release(client, world: World, batch_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    answer = await client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _log(client, world: World, product_id: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = await client.get("/api/v1/admin-audit-log?limit=200", headers=world.regulator.headers)
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["items"] if e["subject_id"] == product_id]


async def _scan_json(client, world: World, batch_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What a shopper's phone reads from the batch's first serial label."""
    issued = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 1}, headers=world.producer.headers
    )
    assert issued.status_code == 201, issued.text
    listing = await client.get(
        f"/api/v1/batches/{batch_id}/labels.csv", headers=world.producer.headers
    )
    [_, (_serial, uri)] = list(csv.reader(io.StringIO(listing.text)))
    parts = urlsplit(uri)
    scanned = await client.get(
        f"{parts.path}?{parts.query}", headers={"Accept": "application/json"}
    )
    assert scanned.status_code == 200, scanned.text
    return scanned.json()


async def test_a_batch_keeps_its_version_everywhere_and_a_new_batch_takes_the_new_one(
    client, world: World
):
    product = await create_product(
        client, world.producer, chicken(gtin=fresh_gtin13(), net_content="500 g")
    )
    assert product["version"] == 1
    before = await register(client, world, product["id"])
    assert before["product_version"] == 1
    await receive(client, world, before["id"])
    await treat(client, world, before["id"])

    edited = await _patch(client, world.producer, product["id"], EDIT)
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert {k: edited.json()[k] for k in EDIT} == EDIT | {"storage_temp_c": 4.0}
    assert edited.json()["id"] == product["id"] and edited.json()["gtin"] == product["gtin"]
    current = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert current.json() == edited.json()

    after = await register(client, world, product["id"])
    assert after["product_version"] == 2
    await receive(client, world, after["id"])
    await treat(client, world, after["id"])

    # released after the edit, the earlier batch is still dated by its own version (8 °C)
    old = await _release(client, world, before["id"])
    new = await _release(client, world, after["id"])
    assert old["product"]["version"] == 1 and new["product"]["version"] == 2
    assert old["product"]["name"] == "Ayam potong kemasan"
    assert old["product"]["net_content"] == "500 g"
    assert new["product"]["name"] == EDIT["name"]
    assert old["shelf_life"]["storage_temp_c"] == 8.0
    assert new["shelf_life"]["storage_temp_c"] == 4.0
    assert (await _record(client, world, before["id"]))["product"] == old["product"]

    # the label and the scan page read the batch's version
    old_svg = await client.get(
        f"/api/v1/batches/{before['id']}/label.svg", headers=world.producer.headers
    )
    new_svg = await client.get(
        f"/api/v1/batches/{after['id']}/label.svg", headers=world.producer.headers
    )
    assert "Ayam potong kemasan" in old_svg.text and EDIT["name"] not in old_svg.text
    assert "Simpan pada suhu maksimal 8\u00a0°C" in old_svg.text
    assert EDIT["name"] in new_svg.text and "maksimal 4\u00a0°C" in new_svg.text
    assert (await _scan_json(client, world, before["id"]))["product"]["name"] == (
        "Ayam potong kemasan"
    )
    assert (await _scan_json(client, world, after["id"]))["product"]["name"] == EDIT["name"]


async def test_the_admin_log_keeps_each_version_before_and_after(client, world: World):
    product = await create_product(client, world.producer, chicken())
    first = await _patch(client, world.producer, product["id"], {"name": "Ayam kampung"})
    second = await _patch(
        client, world.producer, product["id"], {"water_activity": 0.95, "hs_code": "020714"}
    )
    assert (first.json()["version"], second.json()["version"]) == (2, 3)
    newest, oldest = await _log(client, world, product["id"])
    assert oldest["action"] == newest["action"] == "product.versioned"
    assert oldest["actor_id"] == str(world.producer.id)
    assert oldest["subject_name"] == "Ayam kampung"
    assert oldest["details"] == {
        "before": {"name": "Ayam potong kemasan", "version": 1},
        "after": {"name": "Ayam kampung", "version": 2},
    }
    # evidence in a patch with a printed field goes with the new version
    assert newest["details"] == {
        "before": {"water_activity": None, "hs_code": None, "version": 2},
        "after": {"water_activity": 0.95, "hs_code": "020714", "version": 3},
    }


async def test_a_patch_that_changes_nothing_makes_no_version(client, world: World):
    product = await create_product(client, world.producer, chicken())
    same = await _patch(
        client, world.producer, product["id"], {"name": product["name"], "storage_temp_c": 8}
    )
    assert same.status_code == 200
    assert same.json() == product
    assert await _log(client, world, product["id"]) == []


async def test_evidence_alone_amends_the_current_version_in_place(client, world: World):
    product = await create_product(client, world.producer, chicken())
    await _patch(client, world.producer, product["id"], {"name": "Ayam kampung"})
    batch = await register(client, world, product["id"])
    amended = await _patch(client, world.producer, product["id"], {"hs_code": "020714"})
    assert amended.json()["version"] == 2
    record = await _record(client, world, batch["id"])
    assert (record["product"]["version"], record["product"]["hs_code"]) == (2, "020714")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"min_dose_kgy": 7.5}, "dose_above_legal_maximum"),
        ({"storage_temp_c": 25}, "raw_food_requires_chilling"),
        ({"min_dose_kgy": 1.0}, "dose_below_purpose_minimum"),
        ({"registration_no": "P-IRT 206317401012325"}, "registration_type_not_allowed"),
        ({"version": 5}, "immutable_field"),
        ({"legal_max_dose_kgy": 9, "name": "Ayam"}, "immutable_field"),
    ],
)
async def test_the_rules_hold_for_the_new_version(client, world: World, body, code):
    product = await create_product(client, world.producer, chicken())
    refused = await _patch(client, world.producer, product["id"], body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert stored.json() == product
    assert await _log(client, world, product["id"]) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"storage_temp_c": 61}, "storage_temp_c"),
        ({"packaging": "jar"}, "packaging"),
        ({"registration_no": "MD 12"}, "registration_no"),
        ({"registration_no": "TR 123456789"}, "registration_no"),
        ({"name": "Ayam\u202e"}, "name"),
        # a study needs its reference: 400 naming the field left inconsistent
        ({"validated_shelf_life_days": 9}, "validated_study_ref"),
    ],
)
async def test_a_malformed_edit_is_a_400_naming_the_field(client, world: World, body, field):
    product = await create_product(client, world.producer, chicken())
    response = await _patch(client, world.producer, product["id"], body)
    assert response.status_code == 400, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_only_the_owning_producer_may_edit(client, world: World):
    product = await create_product(client, world.producer, chicken())
    body = {"name": "Ayam curian"}
    assert (await _patch(client, world.other_producer, product["id"], body)).status_code == 404
    assert (await _patch(client, world.producer, str(uuid.uuid4()), body)).status_code == 404
    for actor in (world.operator, world.qa, world.regulator, world.admin):
        assert (await _patch(client, actor, product["id"], body)).status_code == 403, actor.role
    stored = await client.get(f"/api/v1/products/{product['id']}", headers=world.producer.headers)
    assert stored.json() == product


async def test_concurrent_edits_make_one_version_each(client, world: World):
    product = await create_product(client, world.producer, chicken())
    names = [f"Ayam {i}" for i in range(4)]
    answers = await asyncio.gather(
        *(_patch(client, world.producer, product["id"], {"name": name}) for name in names)
    )
    assert sorted(a.json()["version"] for a in answers) == [2, 3, 4, 5]
    assert len(await _log(client, world, product["id"])) == 4


async def test_a_number_the_rules_refuse_is_mended_by_a_new_version(
    client, world: World, pool: asyncpg.Pool
):
    # a frozen fish product stored with a P-IRT number before the registration rules
    async with pool.acquire() as conn:
        product_id = await conn.fetchval(
            """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
                   base_shelf_life_days, reference_temp_c, storage_temp_c, packaging,
                   registration_no)
               VALUES ($1, 'Tuna beku', 'fish_seafood', 'reduce_pathogens', 1.5, 180, -18, -18,
                       'air', 'P-IRT206317401012325') RETURNING id""",
            world.producer_org,
        )
    refused = await client.post(
        "/api/v1/batches",
        json={
            "product_id": str(product_id),
            "facility_id": str(world.facility),
            "lot": f"T{world.tag}",
            "production_date": "2026-01-05",
            "quantity": 40,
            "unit": "kg",
        },
        headers=world.producer.headers,
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "registration_type_not_allowed"
    mended = await _patch(
        client, world.producer, str(product_id), {"registration_no": "MD 2245 1000 1234"}
    )
    assert mended.status_code == 200, mended.text
    assert (mended.json()["version"], mended.json()["registration_no"]) == (2, "MD224510001234")
    batch = await register(client, world, str(product_id), unit="kg", quantity=40)
    assert batch["product_version"] == 2
