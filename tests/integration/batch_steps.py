"""Request bodies and HTTP steps of a batch's life, shared by the batch tests."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from labels.gtin import gtin_check_digit
from tests.integration.world import Actor, World

_lots = itertools.count(1)


def fresh_gtin13() -> str:
    """A GTIN-13 with a valid check digit under the Indonesian prefix 899, unique per test."""
    body = "899" + "".join(secrets.choice("0123456789") for _ in range(9))
    return body + str(gtin_check_digit(body))


def chicken(**changes: Any) -> dict[str, Any]:
    """Packaged chicken, SPEC §4's example: S0 = 5 d at 8 °C, extend_shelf_life (max 3 kGy)."""
    return {
        "name": "Ayam potong kemasan",
        "category": "meat_poultry",
        "purpose": "extend_shelf_life",
        "min_dose_kgy": 1.5,
        "base_shelf_life_days": 5,
        "reference_temp_c": 8,
        "storage_temp_c": 8,
        "packaging": "air",
    } | changes


def rendang(**changes: Any) -> dict[str, Any]:
    """A shelf-stable sterile meal with its validated storage study."""
    return {
        "name": "Rendang daging sapi steril",
        "category": "ready_meal_sterile",
        "purpose": "sterilisation",
        "min_dose_kgy": 45,
        "base_shelf_life_days": 5,
        "reference_temp_c": 30,
        "storage_temp_c": 30,
        "packaging": "vacuum",
        "validated_shelf_life_days": 540,
        "validated_study_ref": "BATAN-PAIR/LAP/2019-014",
        "validated_study_temp_c": 30,
        "validated_study_dose_kgy": 45,
        "validated_study_packaging": "vacuum",
    } | changes


def batch_body(world: World, product_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "facility_id": str(world.facility),
        "lot": f"L{world.tag}-{next(_lots)}",
        "production_date": (date.today() - timedelta(days=2)).isoformat(),
        "quantity": 120,
        "unit": "pcs",
    } | changes


def receipt_body(**changes: Any) -> dict[str, Any]:
    """Received a day ago: before any treatment `treatment_body` describes."""
    received_at = datetime.now(UTC) - timedelta(days=1)
    return {
        "quantity_received": 120,
        "condition": "baik, beku",
        "received_at": received_at.isoformat(),
    } | changes


def treatment_body(world: World, *doses_kgy: float, **changes: Any) -> dict[str, Any]:
    ended = datetime.now(UTC) - timedelta(minutes=5)
    doses = doses_kgy or (2.1, 2.6)
    positions = (["min", "max"] + ["reference"] * len(doses))[: len(doses)]
    return {
        "irradiator_id": str(world.irradiator),
        "run_id": f"RUN-{world.tag}",
        "started_at": (ended - timedelta(hours=3)).isoformat(),
        "ended_at": ended.isoformat(),
        "passes": 2,
        "dosimeters": [
            {
                "dosimeter_id": f"AM-{i}",
                "type": "Amber PMMA",
                "position": position,
                "dose_kgy": dose,
                "calibration_ref": "CAL-2026-03",
            }
            for i, (position, dose) in enumerate(zip(positions, doses, strict=True))
        ],
    } | changes


async def create_product(client, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/products", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def register(client, world: World, product_id: str, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/batches",
        json=batch_body(world, product_id, **changes),
        headers=world.producer.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def receive(client, world: World, batch_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(
        f"/api/v1/batches/{batch_id}/receipt",
        json=receipt_body(),
        headers=world.operator.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def treat(client, world: World, batch_id: str, *doses: float, by: Actor | None = None):  # type: ignore[no-untyped-def]
    response = await client.post(
        f"/api/v1/batches/{batch_id}/treatment",
        json=treatment_body(world, *doses),
        headers=(by or world.operator).headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def batch_in(client, world: World, status: str, product_id: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """A fresh batch of a chicken product brought to `status` over HTTP; returns its id."""
    if product_id is None:
        product_id = (await create_product(client, world.producer, chicken()))["id"]
    batch_id = (await register(client, world, product_id))["id"]
    steps: dict[str, list[tuple[str, Actor, dict[str, Any] | None]]] = {
        "registered": [],
        "cancelled": [("cancel", world.producer, None)],
        "received": [],
        "treated": [],
        "released": [("release", world.qa, None)],
        "rejected": [("reject", world.qa, {"reason": "Dosimeter AM-1 terbaca rendah"})],
        "recalled": [
            ("release", world.qa, None),
            ("recall", world.producer, {"reason": "Kemasan bocor"}),
        ],
    }
    if status in ("received", "treated", "released", "rejected", "recalled"):
        await receive(client, world, batch_id)
    if status in ("treated", "released", "rejected", "recalled"):
        await treat(client, world, batch_id)
    for action, actor, body in steps[status]:
        response = await client.post(
            f"/api/v1/batches/{batch_id}/{action}", json=body, headers=actor.headers
        )
        assert response.status_code == 200, (action, response.text)
    return batch_id


def as_uuid(value: str) -> UUID:
    return UUID(value)
