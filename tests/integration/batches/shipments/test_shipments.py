"""Shipments (SPEC §13.1): a released batch ships to the producer's customers within its
quantity; a cancelled shipment stays on record and frees its quantity; every shipment and
cancellation is an event of the batch's audit log; forward and backward lists; tenants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import pytest

from service.batches.shipments.queries import shipped_quantity
from tests.integration.batch_steps import batch_in, chicken, create_product, register
from tests.integration.batches.shipments.shipment_steps import (
    approve,
    create_customer,
    field_named,
    recall,
    ship,
    shipment_body,
    shipped,
    spice_batch,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _events(client, world: World, batch_id: str) -> dict:  # type: ignore[no-untyped-def]
    response = await client.get(
        f"/api/v1/batches/{batch_id}/events", headers=world.producer.headers
    )
    return response.json()


async def test_a_released_batch_ships_and_the_audit_log_says_so(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer, country="ID", city="Padang")
    shipment = await shipped(
        client, world.producer, batch_id, customer["id"], quantity=40, document_no="INV-77"
    )
    assert shipment["batch_id"] == batch_id
    assert (shipment["customer_id"], shipment["customer_name"]) == (
        customer["id"],
        customer["name"],
    )
    assert (shipment["quantity"], shipment["unit"], shipment["document_no"]) == (
        40,
        "pcs",
        "INV-77",
    )
    assert shipment["market"] == "ID"
    assert shipment["status"] == "shipped" and shipment["cancelled_at"] is None
    log = await _events(client, world, batch_id)
    assert log["chain_valid"]
    event = log["items"][-1]
    assert event["kind"] == "shipped"
    assert event["data"]["shipment_id"] == shipment["id"]
    assert event["data"]["customer_id"] == customer["id"]
    assert (event["data"]["quantity"], event["data"]["market"]) == (40, "ID")
    assert customer["name"] not in str(event)  # the log names the customer by id only


@pytest.mark.parametrize(
    ("asked", "market"), [("SA", "GCC"), ("GCC", "GCC"), ("JP", "JP"), ("DE", "EU")]
)
async def test_a_named_market_resolves_like_a_country(client, world: World, asked, market):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    # chicken goes to none of these markets: the refusal names the market it resolved to
    response = await ship(client, world.producer, batch_id, customer["id"], market=asked)
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["market"]) == ("market_not_permitted", market)


async def test_a_german_customer_ships_to_the_union(client, world: World):
    customer = await create_customer(client, world.producer, country="DE", city="Hamburg")
    batch_id = await batch_in(client, world, "released")
    response = await ship(client, world.producer, batch_id, customer["id"])
    assert response.status_code == 422 and response.json()["market"] == "EU"
    batch = await spice_batch(client, world, ratio_average=1.05)
    on = batch["treated_on"]
    assert (await approve(client, world, on, on)).status_code == 201
    shipment = await shipped(client, world.producer, batch["batch_id"], customer["id"])
    assert shipment["market"] == "EU"


@pytest.mark.parametrize(("country", "market"), [("TH", None), ("ID", "XX"), ("ID", "EUR")])
async def test_a_market_without_a_row_is_refused(client, world: World, country, market):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer, country=country)
    extra = {"market": market} if market else {}
    response = await ship(client, world.producer, batch_id, customer["id"], **extra)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "market_unknown"
    assert field_named(response.json()) == {"market"}


async def test_shipments_never_exceed_what_the_facility_received(client, world: World):
    batch_id = await batch_in(client, world, "released")  # 120 pcs received
    customer = await create_customer(client, world.producer)
    await shipped(client, world.producer, batch_id, customer["id"], quantity=100)
    over = await ship(client, world.producer, batch_id, customer["id"], quantity=21)
    assert over.status_code == 422
    problem = over.json()
    assert problem["code"] == "shipment_exceeds_batch"
    assert (problem["limit"], problem["shipped"], problem["available"]) == (120, 100, 20)
    assert field_named(problem) == {"quantity"}
    await shipped(client, world.producer, batch_id, customer["id"], quantity=20)


async def test_a_cancelled_shipment_stays_and_frees_its_quantity(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    first = await shipped(client, world.producer, batch_id, customer["id"], quantity=120)
    assert (
        await ship(client, world.producer, batch_id, customer["id"], quantity=1)
    ).status_code == 422
    cancelled = await client.post(
        f"/api/v1/shipments/{first['id']}/cancel",
        json={"reason": "Salah pelanggan"},
        headers=world.producer.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Salah pelanggan"
    assert body["cancelled_at"] is not None
    again = await client.post(
        f"/api/v1/shipments/{first['id']}/cancel",
        json={"reason": "Sekali lagi"},
        headers=world.producer.headers,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "shipment_cancelled"
    await shipped(client, world.producer, batch_id, customer["id"], quantity=120)
    listed = (
        await client.get(f"/api/v1/batches/{batch_id}/shipments", headers=world.producer.headers)
    ).json()
    assert [(s["status"], s["quantity"]) for s in listed["items"]] == [
        ("shipped", 120),
        ("cancelled", 120),
    ]
    log = await _events(client, world, batch_id)
    kinds = [e["kind"] for e in log["items"]]
    assert kinds[-3:] == ["shipped", "shipment_cancelled", "shipped"]
    assert log["items"][-2]["data"] == {"shipment_id": first["id"], "reason": "Salah pelanggan"}
    assert log["chain_valid"]


async def test_the_database_never_deletes_or_rewrites_a_shipment(client, world: World, pool):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"])
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM shipments WHERE id = $1", shipment["id"])
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("UPDATE shipments SET quantity = 1 WHERE id = $1", shipment["id"])


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("registered", "batch_not_released"),
        ("treated", "batch_not_released"),
        ("rejected", "batch_not_released"),
        ("recalled", "batch_recalled"),
    ],
)
async def test_only_a_released_batch_ships(client, world: World, status: str, code: str):
    batch_id = await batch_in(client, world, status)
    customer = await create_customer(client, world.producer)
    response = await ship(client, world.producer, batch_id, customer["id"])
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert response.json()["current_status"] == status


async def test_a_recalled_batch_ships_no_more(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    await shipped(client, world.producer, batch_id, customer["id"])
    await recall(client, world, batch_id)
    response = await ship(client, world.producer, batch_id, customer["id"])
    assert response.status_code == 409
    assert response.json()["code"] == "batch_recalled"


async def test_a_recalled_batchs_shipments_stay_as_the_recall_found_them(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"], quantity=80)
    await recall(client, world, batch_id)
    cancel = await client.post(
        f"/api/v1/shipments/{shipment['id']}/cancel",
        json={"reason": "Salah ketik"},
        headers=world.producer.headers,
    )
    assert cancel.status_code == 409, cancel.text
    assert (cancel.json()["code"], cancel.json()["current_status"]) == (
        "batch_recalled",
        "recalled",
    )
    # the shipment and the recall's figures are as they were
    kept = await client.get(f"/api/v1/shipments/{shipment['id']}", headers=world.producer.headers)
    assert kept.json()["status"] == "shipped"
    reached = await client.get(f"/api/v1/batches/{batch_id}/recall", headers=world.producer.headers)
    assert [c["quantity"] for c in reached.json()["customers"]] == [80]


async def test_the_unit_must_be_the_batchs(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    response = await ship(client, world.producer, batch_id, customer["id"], unit="kg")
    assert response.status_code == 422
    assert response.json()["code"] == "unit_mismatch"
    assert field_named(response.json()) == {"unit"}


async def test_a_shipment_before_the_release_is_refused(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    earlier = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    response = await ship(client, world.producer, batch_id, customer["id"], shipped_at=earlier)
    assert response.status_code == 422
    assert response.json()["code"] == "shipped_before_release"
    assert field_named(response.json()) == {"shipped_at"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": 2.5}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "10"}, "quantity"),
        ({"unit": "box"}, "unit"),
        ({"shipped_at": "2026-01-01T10:00:00"}, "shipped_at"),  # no offset
        ({"shipped_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, "shipped_at"),
        ({"customer_id": "toko"}, "customer_id"),
        ({"market": "eu"}, "market"),
        ({"document_no": "SJ\n01"}, "document_no"),
        ({"serial_from": 3}, "serial_to"),
        ({"serial_to": 3}, "serial_from"),
        ({"serial_from": 5, "serial_to": 4}, "serial_to"),
        ({"serial_from": -1, "serial_to": 4}, "serial_from"),
        ({"carrier": "JNE"}, "carrier"),
    ],
)
async def test_malformed_shipments_are_refused_naming_the_field(
    client, world: World, changes: dict, field: str
):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    response = await client.post(
        f"/api/v1/batches/{batch_id}/shipments",
        json=shipment_body(customer["id"]) | changes,
        headers=world.producer.headers,
    )
    assert response.status_code == 400, response.text
    assert field in field_named(response.json()), response.json()


async def test_a_missing_customer_is_named(client, world: World):
    batch_id = await batch_in(client, world, "released")
    body = shipment_body("x")
    del body["customer_id"]
    response = await client.post(
        f"/api/v1/batches/{batch_id}/shipments", json=body, headers=world.producer.headers
    )
    assert response.status_code == 400
    assert "customer_id" in field_named(response.json())


async def test_serial_ranges_must_be_issued_and_ship_once(client, world: World):
    batch_id = await batch_in(client, world, "released")
    issued = await client.post(
        f"/api/v1/batches/{batch_id}/labels", json={"count": 30}, headers=world.producer.headers
    )
    assert issued.status_code == 201
    customer = await create_customer(client, world.producer)
    first = await shipped(
        client, world.producer, batch_id, customer["id"], quantity=10, serial_from=0, serial_to=9
    )
    assert (first["serial_from"], first["serial_to"]) == (0, 9)
    overlap = await ship(
        client, world.producer, batch_id, customer["id"], quantity=5, serial_from=9, serial_to=13
    )
    assert overlap.status_code == 422
    assert overlap.json()["code"] == "serial_range_shipped"
    beyond = await ship(
        client, world.producer, batch_id, customer["id"], quantity=5, serial_from=28, serial_to=30
    )
    assert beyond.status_code == 422
    assert beyond.json()["code"] == "serial_range_not_issued"
    assert field_named(beyond.json()) == {"serial_to"}
    await shipped(
        client, world.producer, batch_id, customer["id"], quantity=5, serial_from=10, serial_to=14
    )


async def test_another_producers_batches_customers_and_shipments_are_not_found(
    client, world: World
):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"])
    other = world.other_producer
    other_customer = await create_customer(client, other)
    # someone else's batch, even with one's own customer
    assert (await ship(client, other, batch_id, other_customer["id"])).status_code == 404
    # one's own batch to someone else's customer
    own_batch = await batch_in(
        client, world, "released",
        product_id=(await create_product(client, world.producer, chicken()))["id"],
    )  # fmt: skip
    wrong_customer = await ship(client, world.producer, own_batch, other_customer["id"])
    assert wrong_customer.status_code == 404
    assert "customer" in wrong_customer.json()["detail"]
    for path in (
        f"/api/v1/batches/{batch_id}/shipments",
        f"/api/v1/customers/{customer['id']}/shipments",
        f"/api/v1/shipments/{shipment['id']}",
    ):
        assert (await client.get(path, headers=other.headers)).status_code == 404, path
    cancel = await client.post(
        f"/api/v1/shipments/{shipment['id']}/cancel",
        json={"reason": "Bukan milik saya"},
        headers=other.headers,
    )
    assert cancel.status_code == 404


async def test_regulators_read_every_shipment_and_change_none(client, world: World):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"])
    headers = world.regulator.headers
    forward = await client.get(f"/api/v1/batches/{batch_id}/shipments", headers=headers)
    assert [s["id"] for s in forward.json()["items"]] == [shipment["id"]]
    back = await client.get(f"/api/v1/customers/{customer['id']}/shipments", headers=headers)
    assert [s["id"] for s in back.json()["items"]] == [shipment["id"]]
    assert (
        await client.get(f"/api/v1/shipments/{shipment['id']}", headers=headers)
    ).json() == shipment
    assert (await ship(client, world.regulator, batch_id, customer["id"])).status_code == 403
    cancel = await client.post(
        f"/api/v1/shipments/{shipment['id']}/cancel", json={"reason": "Uji"}, headers=headers
    )
    assert cancel.status_code == 403


@pytest.mark.parametrize("role", ["operator", "qa"])
async def test_facility_staff_neither_ship_nor_read_shipments(client, world: World, role: str):
    batch_id = await batch_in(client, world, "released")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, batch_id, customer["id"])
    actor = world.actors()[role]
    assert (await ship(client, actor, batch_id, customer["id"])).status_code == 403
    for path in (
        f"/api/v1/batches/{batch_id}/shipments",
        f"/api/v1/customers/{customer['id']}/shipments",
        f"/api/v1/shipments/{shipment['id']}",
    ):
        assert (await client.get(path, headers=actor.headers)).status_code == 403, path
    # nor through the batch's audit log, which they read without its shipping events
    events = await client.get(f"/api/v1/batches/{batch_id}/events", headers=actor.headers)
    assert events.status_code == 200 and events.json()["chain_valid"]
    assert "shipped" not in {e["kind"] for e in events.json()["items"]}
    for secret in (customer["id"], shipment["id"], shipment["document_no"]):
        assert secret not in events.text, secret
    # those who may read shipments read them there too
    for reader in (world.producer, world.regulator, world.admin):
        log = await client.get(f"/api/v1/batches/{batch_id}/events", headers=reader.headers)
        shipping = [e for e in log.json()["items"] if e["kind"] == "shipped"]
        assert [e["data"]["shipment_id"] for e in shipping] == [shipment["id"]], reader.role


async def test_back_from_a_customer_to_every_batch_it_received(client, world: World):
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    customer = await create_customer(client, world.producer, kind="distributor")
    others = await create_customer(client, world.producer)
    batches = [await batch_in(client, world, "released", product_id=product_id) for _ in range(3)]
    for batch_id in batches:
        await shipped(client, world.producer, batch_id, customer["id"], quantity=5)
    await shipped(client, world.producer, batches[0], others["id"], quantity=5)
    path = f"/api/v1/customers/{customer['id']}/shipments"
    first = (await client.get(f"{path}?limit=2", headers=world.producer.headers)).json()
    rest = (
        await client.get(
            f"{path}?limit=2&cursor={first['next_cursor']}", headers=world.producer.headers
        )
    ).json()
    assert rest["next_cursor"] is None
    received = [s["batch_id"] for s in first["items"] + rest["items"]]
    assert received == batches[::-1]
    assert {s["customer_id"] for s in first["items"] + rest["items"]} == {customer["id"]}


async def test_before_receipt_the_registered_quantity_is_the_limit(client, world: World):
    """The rule's other half: a batch not yet received would count its registered quantity;
    such a batch cannot ship at all, so only the refusal for its status is seen."""
    product_id = (await create_product(client, world.producer, chicken()))["id"]
    batch = await register(client, world, product_id, quantity=50)
    customer = await create_customer(client, world.producer)
    response = await ship(client, world.producer, batch["id"], customer["id"], quantity=10)
    assert response.status_code == 409
    assert response.json()["code"] == "batch_not_released"


async def test_tenths_of_a_kilogram_add_up_to_the_kilogram(client, pool, world: World):
    """Quantities are summed as decimals: ten shipments of 0.1 kg are the whole 1 kg, not
    0.9999999999999999 (which would leave 1.1e-16 kg "to go")."""
    batch_id = await batch_in(client, world, "released")
    async with pool.acquire() as conn:
        await conn.execute("UPDATE batches SET unit = 'kg', quantity = 1 WHERE id = $1", batch_id)
        await conn.execute(
            "UPDATE receipts SET quantity_received = 1 WHERE batch_id = $1", batch_id
        )
    customer = await create_customer(client, world.producer)
    for _ in range(10):
        await shipped(client, world.producer, batch_id, customer["id"], quantity=0.1, unit="kg")
    kg = {"quantity": 0.001, "unit": "kg"}
    refused = await ship(client, world.producer, batch_id, customer["id"], **kg)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"].endswith("1 are shipped already, so at most 0 more can go.")
    async with pool.acquire() as conn:
        assert await shipped_quantity(conn, UUID(batch_id)) == 1.0
