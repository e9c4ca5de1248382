"""Batch registration, idempotency, lists, cancel, receipt and the treatment record's rules."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from labels.codes import is_code
from tests.integration.batch_steps import (
    batch_body,
    batch_in,
    chicken,
    create_product,
    receipt_body,
    register,
    treatment_body,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _product(client, world: World) -> str:  # type: ignore[no-untyped-def]
    return (await create_product(client, world.producer, chicken()))["id"]


def _fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json().get("errors", [])]


async def test_registration_gives_a_random_crockford_code(client, world: World):
    product_id = await _product(client, world)
    codes = {(await register(client, world, product_id))["code"] for _ in range(5)}
    assert len(codes) == 5
    assert all(is_code(code) for code in codes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lot": "L 1"}, "lot"),
        ({"lot": "L1\n"}, "lot"),
        ({"lot": "A" * 21}, "lot"),
        ({"lot": ""}, "lot"),
        ({"unit": "box"}, "unit"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 2.5}, "quantity"),
        # the smallest float was a batch of 5e-324 kg; a gram is the least that is a batch
        ({"quantity": 5e-324, "unit": "kg"}, "quantity"),
        ({"quantity": 0.0009, "unit": "kg"}, "quantity"),
        ({"quantity": 0.5, "unit": "pcs"}, "quantity"),
        ({"quantity": 1e308}, "quantity"),
        ({"production_date": "2026-13-01"}, "production_date"),
        ({"production_date": "1999-12-31"}, "production_date"),
        ({"facility_id": "not-a-uuid"}, "facility_id"),
    ],
)
async def test_registration_format_failures_are_400(client, world: World, changes, field):
    product_id = await _product(client, world)
    response = await client.post(
        "/api/v1/batches",
        json=batch_body(world, product_id, **changes),
        headers=world.producer.headers,
    )
    assert response.status_code == 400, response.text
    assert field in _fields(response)


async def test_production_date_may_not_be_in_the_future_in_jakarta(client, world: World):
    product_id = await _product(client, world)
    today_jakarta = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    response = await client.post(
        "/api/v1/batches",
        json=batch_body(
            world, product_id, production_date=(today_jakarta + timedelta(days=1)).isoformat()
        ),
        headers=world.producer.headers,
    )
    assert response.status_code == 400
    assert _fields(response) == ["production_date"]
    batch = await register(client, world, product_id, production_date=today_jakarta.isoformat())
    assert batch["production_date"] == today_jakarta.isoformat()


async def test_kilograms_may_be_fractional(client, world: World):
    batch = await register(client, world, await _product(client, world), quantity=12.5, unit="kg")
    assert batch["quantity"] == 12.5
    gram = await register(
        client, world, await _product(client, world), lot="G1", quantity=0.001, unit="kg"
    )
    assert gram["quantity"] == 0.001


async def test_a_lot_is_unique_per_product(client, world: World):
    product_id = await _product(client, world)
    await register(client, world, product_id, lot="RDG-001")
    response = await client.post(
        "/api/v1/batches",
        json=batch_body(world, product_id, lot="RDG-001"),
        headers=world.producer.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_lot"
    # the same lot of another product is fine
    await register(client, world, await _product(client, world), lot="RDG-001")


async def test_references_the_producer_cannot_use_are_404(client, world: World):
    product_id = await _product(client, world)
    other = await client.post(
        "/api/v1/batches", json=batch_body(world, product_id), headers=world.other_producer.headers
    )
    assert other.status_code == 404
    for facility_id in (
        world.producer_org,
        world.regulator_org,
        "00000000-0000-4000-8000-000000000000",
    ):
        response = await client.post(
            "/api/v1/batches",
            json=batch_body(world, product_id, facility_id=str(facility_id)),
            headers=world.producer.headers,
        )
        assert response.status_code == 404, facility_id


async def test_idempotency_key_replays_the_first_response(client, world: World):
    product_id = await _product(client, world)
    body = batch_body(world, product_id)
    headers = world.producer.headers | {"Idempotency-Key": f"reg-{world.tag}"}
    first = await client.post("/api/v1/batches", json=body, headers=headers)
    # the same body with its keys in another order is the same request
    again = await client.post("/api/v1/batches", json=dict(reversed(body.items())), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    listed = await client.get(
        "/api/v1/batches", params={"product_id": product_id}, headers=world.producer.headers
    )
    assert len(listed.json()["items"]) == 1
    other_body = await client.post(
        "/api/v1/batches", json=body | {"quantity": 121}, headers=headers
    )
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    # another user's key space is its own
    other_user = await client.post(
        "/api/v1/batches",
        json=batch_body(world, product_id),
        headers=world.producer.headers | {"Idempotency-Key": "another"},
    )
    assert other_user.status_code == 201


async def test_concurrent_retries_with_one_key_register_one_batch(client, world: World):
    product_id = await _product(client, world)
    body = batch_body(world, product_id)
    headers = world.producer.headers | {"Idempotency-Key": f"race-{world.tag}"}
    responses = await asyncio.gather(
        *(client.post("/api/v1/batches", json=body, headers=headers) for _ in range(4))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1


async def test_a_bad_idempotency_key_is_a_400(client, world: World):
    product_id = await _product(client, world)
    response = await client.post(
        "/api/v1/batches",
        json=batch_body(world, product_id),
        headers=world.producer.headers | {"Idempotency-Key": "x" * 201},
    )
    assert response.status_code == 400


async def test_list_filters_and_pages(client, world: World):
    product_id = await _product(client, world)
    other_product = await _product(client, world)
    registered = [(await register(client, world, product_id))["id"] for _ in range(3)]
    cancelled = await batch_in(client, world, "cancelled", product_id=other_product)

    async def ids(**params) -> list[str]:  # type: ignore[no-untyped-def]
        found, cursor = [], None
        while True:
            query = params | {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (
                await client.get("/api/v1/batches", params=query, headers=world.producer.headers)
            ).json()
            found += [b["id"] for b in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                return found

    assert await ids(product_id=product_id) == registered[::-1]
    assert await ids(status="cancelled") == [cancelled]
    assert await ids() == [cancelled, *registered[::-1]]
    assert await ids(status="released") == []
    # the facility sees what was sent to it; another facility nothing
    facility = await client.get("/api/v1/batches", headers=world.operator.headers)
    assert {b["id"] for b in facility.json()["items"]} == {*registered, cancelled}
    elsewhere = await client.get("/api/v1/batches", headers=world.other_operator.headers)
    assert elsewhere.json()["items"] == []
    bad = await client.get(
        "/api/v1/batches", params={"status": "lost"}, headers=world.producer.headers
    )
    assert bad.status_code == 400


async def test_cancel_only_a_registered_batch(client, world: World):
    batch_id = await batch_in(client, world, "registered")
    response = await client.post(
        f"/api/v1/batches/{batch_id}/cancel", headers=world.producer.headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_at"] is not None
    again = await client.post(f"/api/v1/batches/{batch_id}/cancel", headers=world.producer.headers)
    assert again.status_code == 409
    assert again.json()["current_status"] == "cancelled"
    received = await batch_in(client, world, "received")
    late = await client.post(f"/api/v1/batches/{received}/cancel", headers=world.producer.headers)
    assert late.status_code == 409
    assert late.json()["current_status"] == "received"


async def test_receipt_rules(client, world: World):
    batch_id = await batch_in(client, world, "registered")
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for body, field in (
        ({"quantity_received": 0}, "quantity_received"),
        ({"quantity_received": 5e-324}, "quantity_received"),
        ({"quantity_received": 5, "received_at": future}, "received_at"),
        ({"quantity_received": 5, "received_at": "2026-01-01T10:00:00"}, "received_at"),
        ({"quantity_received": 5, "received_at": "0001-01-01T00:00:00+05:00"}, "received_at"),
        ({"quantity_received": 5, "notes": "Suhu\x1b[2J 4 °C"}, "notes"),
        ({"quantity_received": 5, "notes": "Suhu 4 °C\x00"}, "notes"),
        ({"quantity_received": 5, "notes": "Suhu\r4 °C"}, "notes"),
        ({"quantity_received": 5, "condition": "baik\x07"}, "condition"),
    ):
        response = await client.post(
            f"/api/v1/batches/{batch_id}/receipt", json=body, headers=world.operator.headers
        )
        assert response.status_code == 400, body
        assert field in _fields(response)
    received_at = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    response = await client.post(
        f"/api/v1/batches/{batch_id}/receipt",
        json={
            "quantity_received": 118,
            "condition": "2 karton penyok",
            "notes": "Suhu 4 °C\nOK\r\n\tsegel utuh",  # notes may run over lines
            "received_at": received_at.isoformat(),
        },
        headers=world.qa.headers,  # a QA officer may receive too
    )
    assert response.status_code == 201, response.text
    assert response.json()["received_by"]["role"] == "qa"
    assert datetime.fromisoformat(response.json()["received_at"]) == received_at
    twice = await client.post(
        f"/api/v1/batches/{batch_id}/receipt",
        json={"quantity_received": 1},
        headers=world.operator.headers,
    )
    assert twice.status_code == 409


async def test_treatment_format_failures_are_400(client, world: World):
    batch_id = await batch_in(client, world, "received")
    now = datetime.now(UTC)
    one = treatment_body(world, 2.0)
    one["dosimeters"] = one["dosimeters"][:1]
    cases = [
        (
            treatment_body(world, 2.0, 2.5, ended_at=(now + timedelta(hours=1)).isoformat()),
            "ended_at",
        ),
        (
            treatment_body(
                world,
                2.0,
                2.5,
                started_at=now.isoformat(),
                ended_at=(now - timedelta(hours=1)).isoformat(),
            ),
            "ended_at",
        ),
        (one, "dosimeters"),
        (treatment_body(world, 2.0, 0.0), "dose_kgy"),
        (treatment_body(world, 2.0, 250), "dose_kgy"),
        (treatment_body(world, 2.0, 2.5, started_at="2026-01-01T01:00:00"), "started_at"),
        (treatment_body(world, 2.0, 2.5, passes=0), "passes"),
    ]
    duplicate = treatment_body(world, 2.0, 2.5)
    duplicate["dosimeters"][1]["dosimeter_id"] = duplicate["dosimeters"][0]["dosimeter_id"]
    cases.append((duplicate, "dosimeters"))
    for body, field in cases:
        response = await client.post(
            f"/api/v1/batches/{batch_id}/treatment", json=body, headers=world.operator.headers
        )
        assert response.status_code == 400, (field, response.text)
        assert any(field in f for f in _fields(response)), (field, response.text)


@pytest.mark.parametrize("whose", ["other_facility", "unknown"])
async def test_an_irradiator_not_of_the_facility_is_not_found(client, world: World, whose):
    # another facility's irradiator answers like an unknown one (SPEC §1: existence not revealed)
    irradiator_id = world.other_irradiator if whose == "other_facility" else uuid.uuid4()
    batch_id = await batch_in(client, world, "received")
    response = await client.post(
        f"/api/v1/batches/{batch_id}/treatment",
        json=treatment_body(world, irradiator_id=str(irradiator_id)),
        headers=world.operator.headers,
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"] == "No such irradiator."
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.operator.headers)
    ).json()
    assert record["status"] == "received" and record["treatment"] is None


async def test_a_treatment_cannot_start_before_the_receipt(client, world: World):
    batch_id = await batch_in(client, world, "registered")
    received_at = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    await client.post(
        f"/api/v1/batches/{batch_id}/receipt",
        json=receipt_body(received_at=received_at.isoformat()),
        headers=world.operator.headers,
    )
    started_at = received_at - timedelta(minutes=1)
    early = treatment_body(
        world,
        started_at=started_at.isoformat(),
        ended_at=(received_at + timedelta(hours=1)).isoformat(),
    )
    response = await client.post(
        f"/api/v1/batches/{batch_id}/treatment", json=early, headers=world.operator.headers
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "treatment_before_receipt"
    assert datetime.fromisoformat(problem["started_at"]) == started_at
    assert datetime.fromisoformat(problem["received_at"]) == received_at
    assert received_at.isoformat() in problem["detail"]
    # starting the moment it was received is fine
    on_time = treatment_body(
        world,
        started_at=received_at.isoformat(),
        ended_at=(received_at + timedelta(hours=1)).isoformat(),
    )
    response = await client.post(
        f"/api/v1/batches/{batch_id}/treatment", json=on_time, headers=world.operator.headers
    )
    assert response.status_code == 201, response.text


async def test_treatment_before_receipt_is_a_conflict(client, world: World):
    batch_id = await batch_in(client, world, "registered")
    response = await client.post(
        f"/api/v1/batches/{batch_id}/treatment",
        json=treatment_body(world),
        headers=world.operator.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "status_conflict"
    assert response.json()["current_status"] == "registered"


async def test_the_record_holds_everything(client, world: World):
    batch_id = await batch_in(client, world, "released")
    record = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.operator.headers)
    ).json()
    assert record["status"] == "released"
    assert record["product"]["category"] == "meat_poultry"
    assert record["producer"]["id"] == str(world.producer_org)
    assert record["facility"]["id"] == str(world.facility)
    assert record["receipt"]["received_by"]["id"] == str(world.operator.id)
    treatment = record["treatment"]
    assert treatment["irradiator"]["id"] == str(world.irradiator)
    assert [d["position"] for d in treatment["dosimeters"]] == ["min", "max"]
    assert treatment["recorded_by"]["name"] == world.operator.name
    assert record["release"]["by"]["name"] == world.qa.name
    assert record["shelf_life"]["best_before"] == record["best_before"]
    assert record["recall"] is None and record["rejection"] is None
    assert date.fromisoformat(record["best_before"]) > date.fromisoformat(record["production_date"])


async def test_release_stores_the_inputs_so_the_date_never_moves(client, world: World, pool):
    batch_id = await batch_in(client, world, "released")
    first = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.qa.headers)).json()
    # even if someone edited the product behind the API's back, the released date stays
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE products SET base_shelf_life_days = 50 WHERE id = $1",
            __import__("uuid").UUID(first["product"]["id"]),
        )
    again = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.qa.headers)).json()
    assert again["best_before"] == first["best_before"]
    assert again["shelf_life"] == first["shelf_life"]
    assert again["shelf_life"]["inputs"]["base_shelf_life_days"] == 5


async def test_a_reason_is_readable_text_over_one_or_more_lines(client, world: World):
    batch_id = await batch_in(client, world, "released")
    url = f"/api/v1/batches/{batch_id}/recall"
    for reason in ("Kemasan\x1b[2J bocor", "Kemasan bocor\x00", "Kemasan\u202e bocor", "     "):
        response = await client.post(url, json={"reason": reason}, headers=world.producer.headers)
        assert response.status_code == 400, (reason, response.text)
        assert "reason" in _fields(response)
    reason = "Kemasan bocor.\nLot ditarik dari toko."
    response = await client.post(url, json={"reason": reason}, headers=world.producer.headers)
    assert response.status_code == 200, response.text
    assert response.json()["recall"]["reason"] == reason


async def test_a_receipt_may_not_be_dated_before_the_production_date(client, world: World):
    jakarta = ZoneInfo("Asia/Jakarta")
    made = datetime.now(jakarta).date() - timedelta(days=10)
    product_id = await _product(client, world)
    batch_id = (await register(client, world, product_id, production_date=made.isoformat()))["id"]
    url = f"/api/v1/batches/{batch_id}/receipt"
    # 23:30 in Jakarta the day before production is 16:30 UTC that day: before, by a Jakarta day
    evening_before = datetime.combine(made - timedelta(days=1), time(23, 30), jakarta)
    too_early = await client.post(
        url,
        json={"quantity_received": 120, "received_at": evening_before.isoformat()},
        headers=world.operator.headers,
    )
    assert too_early.status_code == 422, too_early.text
    assert too_early.json()["code"] == "receipt_before_production"
    assert too_early.json()["production_date"] == made.isoformat()
    # 00:30 on the production day in Jakarta is 17:30 UTC the day before, and is allowed; it also
    # lies days before the batch's registration (entered late), which stays allowed
    just_after = datetime.combine(made, time(0, 30), jakarta).astimezone(UTC)
    assert just_after.date() == made - timedelta(days=1)
    received = await client.post(
        url,
        json={"quantity_received": 120, "received_at": just_after.isoformat()},
        headers=world.operator.headers,
    )
    assert received.status_code == 201, received.text
    assert datetime.fromisoformat(received.json()["received_at"]) == just_after
