"""The whole life of a batch over HTTP, and every refusal on the way (SPEC §2, §3.2, §3.3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.integration.batch_steps import (
    batch_in,
    chicken,
    create_product,
    fresh_gtin13,
    receive,
    register,
    rendang,
    treat,
    treatment_body,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_producer_operator_qa_and_recall_journey(client, world: World):
    # producer registers a product and a batch
    gtin = fresh_gtin13()
    product = await create_product(
        client, world.producer, chicken(gtin=gtin, reference_temp_c=4, storage_temp_c=4)
    )
    assert product["gtin"] == "0" + gtin
    batch = await register(client, world, product["id"])
    assert batch["status"] == "registered"
    assert len(batch["code"]) == 10 and not set(batch["code"]) & set("ILOU")

    # the facility receives it and records the treatment
    received = await receive(client, world, batch["id"])
    assert received["status"] == "received"
    treatment = await treat(client, world, batch["id"], 2.4, 2.9, 2.6)
    assert treatment["status"] == "treated"
    assert treatment["dose_min_kgy"] == 2.4 and treatment["dose_max_kgy"] == 2.9
    assert treatment["dur"] == pytest.approx(2.9 / 2.4)
    assert treatment["conforming"] is True and treatment["nonconformities"] == []
    assert treatment["recorded_by"]["id"] == str(world.operator.id)

    # a QA officer who did not record the treatment releases it
    response = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert response.status_code == 200, response.text
    released = response.json()
    assert released["status"] == "released"
    assert released["release"]["by"]["id"] == str(world.qa.id)
    shelf_life = released["shelf_life"]
    assert shelf_life["model"] == "radura-sl/3"
    assert shelf_life["inputs"]["dose_min_kgy"] == 2.4
    production = date.fromisoformat(batch["production_date"])
    assert (
        released["best_before"]
        == (production + timedelta(days=shelf_life["extended_days"])).isoformat()
    )
    # stored at 4 °C, within the chill limit: floor(5 · min(2, 1 + 2.4/3)) = floor(9.0)
    assert shelf_life["extended_days"] == 9

    # the producer recalls it
    response = await client.post(
        f"/api/v1/batches/{batch['id']}/recall",
        json={"reason": "Kemasan bocor di gudang distributor"},
        headers=world.producer.headers,
    )
    assert response.status_code == 200, response.text
    recalled = response.json()
    assert recalled["status"] == "recalled"
    assert recalled["recall"]["reason"] == "Kemasan bocor di gudang distributor"

    # the whole record, and the audit chain of five events
    record = (
        await client.get(f"/api/v1/batches/{batch['id']}", headers=world.regulator.headers)
    ).json()
    assert record["product"]["id"] == product["id"]
    assert record["facility"]["id"] == str(world.facility)
    assert record["receipt"]["quantity_received"] == 120
    assert [d["dose_kgy"] for d in record["treatment"]["dosimeters"]] == [2.4, 2.9, 2.6]
    assert record["labels"] == {"serials_issued": 0}
    events = (
        await client.get(f"/api/v1/batches/{batch['id']}/events", headers=world.producer.headers)
    ).json()
    assert [e["kind"] for e in events["items"]] == [
        "registered",
        "received",
        "treated",
        "released",
        "recalled",
    ]
    assert events["chain_valid"] is True


async def test_product_dose_above_the_legal_maximum_is_refused(client, world: World):
    response = await client.post(
        "/api/v1/products", json=chicken(min_dose_kgy=4.0), headers=world.producer.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "dose_above_legal_maximum"


async def test_under_dose_treatment_is_recorded_but_cannot_be_released(client, world: World):
    product = await create_product(client, world.producer, chicken(min_dose_kgy=2.0))
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    treatment = await treat(client, world, batch["id"], 1.7, 2.4)
    assert treatment["conforming"] is False
    assert treatment["nonconformities"] == ["dose_below_minimum"]
    response = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "treatment_nonconforming"
    assert response.json()["nonconformities"] == ["dose_below_minimum"]
    # the QA officer rejects it instead
    response = await client.post(
        f"/api/v1/batches/{batch['id']}/reject",
        json={"reason": "D_min di bawah dosis minimum tervalidasi"},
        headers=world.qa.headers,
    )
    assert response.status_code == 200
    assert response.json()["rejection"]["reason"] == "D_min di bawah dosis minimum tervalidasi"


async def test_over_dose_treatment_is_nonconforming(client, world: World):
    product = await create_product(client, world.producer, chicken())
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    treatment = await treat(client, world, batch["id"], 2.0, 3.4)
    assert treatment["nonconformities"] == ["dose_above_legal_maximum"]
    assert treatment["legal_max_dose_kgy"] == 3.0


async def test_four_eyes_the_qa_who_recorded_the_treatment_cannot_release(client, world: World):
    product = await create_product(client, world.producer, chicken())
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    await treat(client, world, batch["id"], by=world.qa)  # QA doing operator work
    for action, body in (("release", None), ("reject", {"reason": "tidak boleh sendiri"})):
        response = await client.post(
            f"/api/v1/batches/{batch['id']}/{action}", json=body, headers=world.qa.headers
        )
        assert response.status_code == 403
        assert response.json()["code"] == "four_eyes"
    response = await client.post(
        f"/api/v1/batches/{batch['id']}/release", headers=world.second_qa.headers
    )
    assert response.status_code == 200


@pytest.mark.parametrize("status", ["treated", "released", "rejected", "recalled"])
async def test_a_batch_is_never_treated_twice(client, world: World, status):
    batch_id = await batch_in(client, world, status)
    response = await client.post(
        f"/api/v1/batches/{batch_id}/treatment",
        json=treatment_body(world),
        headers=world.operator.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_treated"
    assert response.json()["current_status"] == status


async def test_release_of_a_cancelled_batch_is_a_conflict(client, world: World):
    batch_id = await batch_in(client, world, "cancelled")
    response = await client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "status_conflict" and body["current_status"] == "cancelled"


async def test_another_producers_batch_is_not_found(client, world: World):
    batch_id = await batch_in(client, world, "released")
    other = world.other_producer.headers
    assert (await client.get(f"/api/v1/batches/{batch_id}", headers=other)).status_code == 404
    response = await client.post(
        f"/api/v1/batches/{batch_id}/recall", json={"reason": "bukan milik saya"}, headers=other
    )
    assert response.status_code == 404
    # nor may another facility touch it
    response = await client.post(
        f"/api/v1/batches/{batch_id}/receipt",
        json={"quantity_received": 1},
        headers=world.other_operator.headers,
    )
    assert response.status_code == 404


async def test_sterile_rendang_is_dated_by_its_validated_study(client, world: World):
    product = await create_product(client, world.producer, rendang())
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    await treat(client, world, batch["id"], 46.2, 52.8)
    response = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert response.status_code == 200, response.text
    assert response.json()["shelf_life"]["extended_days"] == 540
