"""The export-market check over HTTP (SPEC §13.3): facility approvals and their validity dates,
a shipment abroad refused with every failed rule, and a product's markets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.batch_steps import create_product
from tests.integration.batches.shipments.shipment_steps import (
    approve,
    create_customer,
    ship,
    spice_batch,
    spices,
)
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_shipment_to_the_eu_needs_the_facilitys_approval_on_the_treatment_date(
    client, world: World
):
    batch = await spice_batch(client, world, ratio_average=1.05)  # 8.1 × 1.05 = 8.5 kGy
    customer = await create_customer(client, world.producer, country="DE", city="Hamburg")
    refused = await ship(client, world.producer, batch["batch_id"], customer["id"])
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert (problem["code"], problem["market"]) == ("market_not_permitted", "EU")
    assert [f["rule"] for f in problem["failed"]] == ["facility_approval"]
    assert problem["failed"][0]["source"].startswith("Directive 1999/2/EC")
    assert problem["failed"][0]["confidence"] == "H"
    assert problem["errors"][0]["field"] == "market"

    treated_on = batch["treated_on"]
    # an approval that ended the day before, or starts the day after, does not count
    ended = await approve(
        client, world, treated_on - timedelta(days=400), treated_on - timedelta(1)
    )
    assert ended.status_code == 201, ended.text
    later = await approve(client, world, treated_on + timedelta(1), treated_on + timedelta(400))
    assert later.status_code == 201, later.text
    # another market's approval does not count either
    usa = await approve(client, world, treated_on, treated_on, market="US", kind="fda_registration")
    assert usa.status_code == 201, usa.text
    again = await ship(client, world.producer, batch["batch_id"], customer["id"])
    assert again.status_code == 422 and again.json()["code"] == "market_not_permitted"

    # valid on exactly the treatment's date: the batch ships
    today_only = await approve(client, world, treated_on, treated_on)
    assert today_only.status_code == 201, today_only.text
    approval = today_only.json()
    assert (approval["market"], approval["kind"], approval["organization_id"]) == (
        "EU",
        "eu_facility_list",
        str(world.facility),
    )
    shipped = await ship(client, world.producer, batch["batch_id"], customer["id"])
    assert shipped.status_code == 201, shipped.text
    assert shipped.json()["market"] == "EU"

    # Japan admits potatoes only, whatever the approvals
    japan = await ship(client, world.producer, batch["batch_id"], customer["id"], market="JP")
    assert japan.status_code == 422
    assert [f["rule"] for f in japan.json()["failed"]] == ["category_purpose"]
    # home: BPOM's rules, which the released batch meets
    home = await create_customer(client, world.producer)
    assert (await ship(client, world.producer, batch["batch_id"], home["id"])).status_code == 201


async def test_without_the_maps_average_ratio_the_average_dose_is_unknown(client, world: World):
    batch = await spice_batch(client, world, ratio_average=None)
    treated_on = batch["treated_on"]
    approved = await approve(client, world, treated_on - timedelta(1), treated_on + timedelta(1))
    assert approved.status_code == 201
    customer = await create_customer(client, world.producer, country="FR", city="Lyon")
    refused = await ship(client, world.producer, batch["batch_id"], customer["id"])
    assert refused.status_code == 422, refused.text
    failed = refused.json()["failed"]
    assert [f["rule"] for f in failed] == ["dose_limit"]
    assert failed[0]["detail"].startswith("average_dose_unknown")


async def test_a_products_markets(client, world: World):
    product = await create_product(client, world.producer, spices(hs_code=None))
    url = f"/api/v1/products/{product['id']}/markets"
    before = await client.get(url, headers=world.producer.headers)
    assert before.status_code == 200, before.text
    by_market = {m["market"]: m for m in before.json()["items"]}
    # before a released batch: category, purpose and HS code only; abroad, a product without
    # its HS code goes nowhere (SPEC §13.3), at home it needs none
    assert by_market["ID"] == {"market": "ID", "allowed": True, "failed": []}
    for market in ("EU", "US"):
        assert not by_market[market]["allowed"]
        assert [f["rule"] for f in by_market[market]["failed"]] == ["hs_code"], market
        assert by_market[market]["failed"][0]["source"].startswith("Harmonized System")
    assert not by_market["JP"]["allowed"] and not by_market["MY"]["allowed"]
    assert by_market["JP"]["failed"][0]["rule"] == "category_purpose"
    amended = await client.patch(
        f"/api/v1/products/{product['id']}",
        json={"hs_code": "090422"},
        headers=world.producer.headers,
    )
    assert amended.status_code == 200, amended.text
    classified = await client.get(url, headers=world.producer.headers)
    by_market = {m["market"]: m for m in classified.json()["items"]}
    assert by_market["EU"]["allowed"] and by_market["US"]["allowed"]

    batch = await spice_batch(client, world, ratio_average=1.05)
    after = await client.get(
        f"/api/v1/products/{batch['product_id']}/markets", headers=world.regulator.headers
    )
    eu = {m["market"]: m for m in after.json()["items"]}["EU"]
    assert not eu["allowed"]
    assert [f["rule"] for f in eu["failed"]] == ["facility_approval"]
    other = await client.get(url, headers=world.other_producer.headers)
    assert other.status_code == 404


async def test_approvals_are_an_administrators_and_checked(client, world: World):
    body = {
        "market": "EU",
        "kind": "eu_facility_list",
        "reference": "EU list ID-IRR-001",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
    }
    url = f"/api/v1/organizations/{world.facility}/approvals"
    for role in ("producer", "operator", "qa", "regulator"):
        response = await client.post(url, json=body, headers=world.actors()[role].headers)
        assert response.status_code == 403, role
    admin = world.admin.headers
    backwards = body | {"valid_from": "2027-01-01"}
    response = await client.post(url, json=backwards, headers=admin)
    assert response.status_code == 400 and "valid_until" in response.text
    response = await client.post(url, json=body | {"kind": "halal"}, headers=admin)
    assert response.status_code == 400
    response = await client.post(url, json=body | {"market": "XX"}, headers=admin)
    assert response.status_code == 422 and response.json()["code"] == "market_unknown"
    producer_url = f"/api/v1/organizations/{world.producer_org}/approvals"
    response = await client.post(producer_url, json=body, headers=admin)
    assert response.status_code == 422 and response.json()["code"] == "not_a_facility"
    unknown = "/api/v1/organizations/00000000-0000-4000-8000-000000000000/approvals"
    assert (await client.post(unknown, json=body, headers=admin)).status_code == 404
    created = await client.post(url, json=body, headers=admin)
    assert created.status_code == 201, created.text
    log = (await client.get("/api/v1/admin-audit-log", headers=admin)).json()
    assert log["items"][0]["action"] == "organization.approval_added"
    assert log["items"][0]["details"]["reference"] == "EU list ID-IRR-001"
