"""Customers (SPEC §13.1): a producer's own, 404 across producers, 403 for other roles,
regulators read all; formats refused with 400 naming the field; the default market."""

from __future__ import annotations

import pytest

from tests.integration.batches.shipments.shipment_steps import (
    VALID_GLN,
    WRONG_CHECK_DIGIT_GLN,
    create_customer,
    customer_body,
    field_named,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_producer_records_reads_and_lists_its_customers(client, world: World):
    created = await create_customer(client, world.producer, gln=VALID_GLN, kind="distributor")
    assert created["organization_id"] == str(world.producer_org)
    assert created["gln"] == VALID_GLN
    assert created["market"] == "ID"
    one = await client.get(f"/api/v1/customers/{created['id']}", headers=world.producer.headers)
    assert one.status_code == 200
    assert one.json() == created
    listed = await client.get("/api/v1/customers?limit=200", headers=world.producer.headers)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["items"]] == [created["id"]]
    assert listed.json()["next_cursor"] is None


async def test_the_list_pages_with_a_cursor(client, world: World):
    made = [(await create_customer(client, world.producer))["id"] for _ in range(3)]
    first = (await client.get("/api/v1/customers?limit=2", headers=world.producer.headers)).json()
    assert [c["id"] for c in first["items"]] == made[::-1][:2]
    rest = await client.get(
        f"/api/v1/customers?limit=2&cursor={first['next_cursor']}", headers=world.producer.headers
    )
    assert [c["id"] for c in rest.json()["items"]] == made[:1]
    assert rest.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("country", "market"),
    [("DE", "EU"), ("FR", "EU"), ("SA", "GCC"), ("OM", "GCC"), ("JP", "JP"), ("ID", "ID"),
     ("TH", None)],
)  # fmt: skip
async def test_a_customer_ships_to_its_country_or_its_union(
    client, world: World, country: str, market: str | None
):
    customer = await create_customer(client, world.producer, country=country)
    assert customer["market"] == market


async def test_another_producers_customer_is_not_found(client, world: World):
    customer = await create_customer(client, world.producer)
    other = world.other_producer.headers
    assert (
        await client.get(f"/api/v1/customers/{customer['id']}", headers=other)
    ).status_code == 404
    patched = await client.patch(
        f"/api/v1/customers/{customer['id']}", json={"name": "Diambil alih"}, headers=other
    )
    assert patched.status_code == 404
    listed = (await client.get("/api/v1/customers?limit=200", headers=other)).json()
    assert customer["id"] not in [c["id"] for c in listed["items"]]


async def test_regulators_read_every_customer_and_write_none(client, world: World):
    customer = await create_customer(client, world.producer)
    regulator = world.regulator.headers
    one = await client.get(f"/api/v1/customers/{customer['id']}", headers=regulator)
    assert one.status_code == 200
    assert one.json()["name"] == customer["name"]
    assert (await client.get("/api/v1/customers", headers=regulator)).status_code == 200
    assert (
        await client.post("/api/v1/customers", json=customer_body(), headers=regulator)
    ).status_code == 403
    patched = await client.patch(
        f"/api/v1/customers/{customer['id']}", json={"city": "Bukittinggi"}, headers=regulator
    )
    assert patched.status_code == 403


@pytest.mark.parametrize("role", ["operator", "qa"])
async def test_facility_staff_may_not_use_customers(client, world: World, role: str):
    customer = await create_customer(client, world.producer)
    headers = world.actors()[role].headers
    assert (await client.get("/api/v1/customers", headers=headers)).status_code == 403
    assert (
        await client.get(f"/api/v1/customers/{customer['id']}", headers=headers)
    ).status_code == 403
    assert (
        await client.post("/api/v1/customers", json=customer_body(), headers=headers)
    ).status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gln": WRONG_CHECK_DIGIT_GLN}, "gln"),
        ({"gln": "400000100000"}, "gln"),  # 12 digits
        ({"country": "XX"}, "country"),
        ({"country": "id"}, "country"),
        ({"country": "IDN"}, "country"),
        ({"whatsapp": "081234567890"}, "whatsapp"),
        ({"whatsapp": "+62 812 3456 7890"}, "whatsapp"),
        ({"whatsapp": "+0812345678"}, "whatsapp"),
        ({"email": "bukan-email"}, "email"),
        ({"kind": "wholesaler"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "Toko\u202eBaru"}, "name"),
        ({"city": "Padang\nBarat"}, "city"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_malformed_customers_are_refused_naming_the_field(
    client, world: World, changes: dict, field: str
):
    response = await client.post(
        "/api/v1/customers", json=customer_body(**changes), headers=world.producer.headers
    )
    assert response.status_code == 400, response.text
    assert field in field_named(response.json()), response.json()


async def test_a_missing_country_is_named(client, world: World):
    body = customer_body()
    del body["country"]
    response = await client.post("/api/v1/customers", json=body, headers=world.producer.headers)
    assert response.status_code == 400
    assert "country" in field_named(response.json())


async def test_a_merge_patch_changes_removes_and_keeps(client, world: World):
    customer = await create_customer(client, world.producer, gln=VALID_GLN)
    path = f"/api/v1/customers/{customer['id']}"
    response = await client.patch(
        path,
        json={"country": "DE", "city": "Hamburg", "gln": None, "whatsapp": None},
        headers=world.producer.headers,
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["country"], patched["city"], patched["market"]) == ("DE", "Hamburg", "EU")
    assert patched["gln"] is None and patched["whatsapp"] is None
    assert patched["email"] == customer["email"] and patched["name"] == customer["name"]
    assert (await client.get(path, headers=world.producer.headers)).json() == patched


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"name": None}, "name"),
        ({"country": None}, "country"),
        ({"country": "ZZ"}, "country"),
        ({"gln": WRONG_CHECK_DIGIT_GLN}, "gln"),
        ({"organization_id": "00000000-0000-4000-8000-000000000000"}, "organization_id"),
    ],
)
async def test_a_patch_is_checked_as_a_new_customer(client, world: World, patch: dict, field: str):
    customer = await create_customer(client, world.producer)
    response = await client.patch(
        f"/api/v1/customers/{customer['id']}", json=patch, headers=world.producer.headers
    )
    assert response.status_code == 400, response.text
    assert field in field_named(response.json())
    unchanged = await client.get(
        f"/api/v1/customers/{customer['id']}", headers=world.producer.headers
    )
    assert unchanged.json() == customer


async def test_organizations_carry_an_optional_gln(client, world: World):
    body = {"kind": "producer", "name": f"Keripik {world.tag}", "address": "Jl. Uji 1",
            "city": "Bogor"}  # fmt: skip
    headers = world.admin.headers
    created = await client.post("/api/v1/organizations", json=body | {"gln": VALID_GLN},
                                headers=headers)  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["gln"] == VALID_GLN
    plain = await client.post("/api/v1/organizations", json=body, headers=headers)
    assert plain.json()["gln"] is None
    wrong = await client.post(
        "/api/v1/organizations", json=body | {"gln": WRONG_CHECK_DIGIT_GLN}, headers=headers
    )
    assert wrong.status_code == 400
    assert "gln" in field_named(wrong.json())
