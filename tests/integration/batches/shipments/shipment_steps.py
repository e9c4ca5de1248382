"""Customers and shipments over HTTP, shared by the shipment tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.batch_steps import create_product, receive, register, treatment_body
from tests.integration.world import Actor, World

_names = itertools.count(1)
JAKARTA = ZoneInfo("Asia/Jakarta")

# GS1's own example GLN (a valid check digit), and one with the last digit changed
VALID_GLN = "4000001000005"
WRONG_CHECK_DIGIT_GLN = "4000001000006"


def customer_body(**changes: Any) -> dict[str, Any]:
    return {
        "name": f"Toko Oleh-Oleh Minang {next(_names)}",
        "kind": "retailer",
        "country": "ID",
        "city": "Padang",
        "email": "belanja@tokominang.co.id",
        "whatsapp": "+6281234567890",
    } | changes


async def create_customer(client, actor: Actor, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/customers", json=customer_body(**changes), headers=actor.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def shipment_body(customer_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "shipped_at": datetime.now(UTC).isoformat(),
        "quantity": 10,
        "unit": "pcs",
        "document_no": "SJ-2026-0001",
    } | changes


async def ship(client, actor: Actor, batch_id: str, customer_id: str, **changes: Any):  # type: ignore[no-untyped-def]
    """POST a shipment; returns the response (the caller checks its status)."""
    return await client.post(
        f"/api/v1/batches/{batch_id}/shipments",
        json=shipment_body(customer_id, **changes),
        headers=actor.headers,
    )


async def shipped(client, actor: Actor, batch_id: str, customer_id: str, **changes: Any):  # type: ignore[no-untyped-def]
    """A shipment that must be recorded; returns its JSON."""
    response = await ship(client, actor, batch_id, customer_id, **changes)
    assert response.status_code == 201, response.text
    return response.json()


def field_named(problem: dict[str, Any]) -> set[str]:
    return {error["field"] for error in problem.get("errors", [])}


def spices(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Lada hitam bubuk",
        "category": "spices_herbs",
        "purpose": "reduce_microbial_load",
        "min_dose_kgy": 6.5,
        "base_shelf_life_days": 180,
        "reference_temp_c": 30,
        "storage_temp_c": 30,
        "packaging": "air",
        "hs_code": "090422",
    } | changes


async def spice_batch(client, world: World, ratio_average: float | None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A released batch of ground pepper treated with a dose map (ratios 0.9 / 1.15, reference
    readings 8.0 and 8.2 kGy); returns its id, its product's and its treatment's date (Jakarta)."""
    dose_map = {
        "name": "Karung 25 kg lada",
        "loading_pattern": "4 karung per carrier",
        "reference_position": "sisi luar karung",
        "ratio_min": 0.9,
        "ratio_max": 1.15,
        "expanded_uncertainty_pct": 4.0,
        "study_ref": "PQ-LADA-2026",
        "performed_on": "2026-01-05",
    }
    if ratio_average is not None:
        dose_map["ratio_average"] = ratio_average
    made = await client.post(
        f"/api/v1/irradiators/{world.irradiator}/dose-maps", json=dose_map, headers=world.qa.headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["ratio_average"] == ratio_average
    product = await create_product(client, world.producer, spices())
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    body = treatment_body(world, 8.0, 8.2, dose_map_id=made.json()["id"])
    for dosimeter in body["dosimeters"]:
        dosimeter["position"] = "reference"
    treated = await client.post(
        f"/api/v1/batches/{batch['id']}/treatment", json=body, headers=world.operator.headers
    )
    assert treated.status_code == 201, treated.text
    released = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert released.status_code == 200, released.text
    treated_on = datetime.fromisoformat(body["started_at"]).astimezone(JAKARTA).date()
    return {"batch_id": batch["id"], "product_id": product["id"], "treated_on": treated_on}


async def approve(client, world: World, valid_from: date, valid_until: date, **changes: Any):  # type: ignore[no-untyped-def]
    body = {
        "market": "EU",
        "kind": "eu_facility_list",
        "reference": "EU list ID-IRR-001",
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
    } | changes
    return await client.post(
        f"/api/v1/organizations/{world.facility}/approvals", json=body, headers=world.admin.headers
    )


async def recall(client, world: World, batch_id: str, reason: str = "Kemasan bocor") -> None:  # type: ignore[no-untyped-def]
    """The producer recalls its released batch."""
    response = await client.post(
        f"/api/v1/batches/{batch_id}/recall",
        json={"reason": reason},
        headers=world.producer.headers,
    )
    assert response.status_code == 200, response.text
