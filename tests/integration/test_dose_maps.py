"""Dose maps over HTTP: who may record and read them, and treatments whose D_min, D_max and
conformity come from reference readings × the map's ratios and its uncertainty (SPEC §3.3)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from service.core.auth import store_token
from tests.integration.batch_steps import (
    chicken,
    create_product,
    receive,
    register,
    treatment_body,
)
from tests.integration.world import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="session")


def dose_map_body(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Tote 40×50, rempah 0,45 g/cm³",
        "loading_pattern": "2 tote per carrier, 4 carrier per siklus",
        "reference_position": "sisi luar tote, tengah tinggi",
        "ratio_min": 0.9,
        "ratio_max": 1.3,
        "expanded_uncertainty_pct": 4.0,
        "study_ref": "PQ-IGMP-2025-07",
        "performed_on": "2025-07-14",
    } | changes


def _url(irradiator_id: uuid.UUID | str) -> str:
    return f"/api/v1/irradiators/{irradiator_id}/dose-maps"


async def _create_map(client, world: World, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(
        _url(world.irradiator), json=dose_map_body(**changes), headers=world.qa.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _other_facility_qa(pool: asyncpg.Pool, world: World) -> Actor:
    async with pool.acquire() as conn:
        user_id = await conn.fetchval(
            "INSERT INTO users (name, role, organization_id) VALUES ('QA Lain', 'qa', $1) "
            "RETURNING id",
            world.other_facility,
        )
        return Actor(
            user_id, "QA Lain", "qa", world.other_facility, await store_token(conn, user_id)
        )


async def _treated(client, world: World, product: dict[str, Any], body: dict[str, Any]):  # type: ignore[no-untyped-def]
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    response = await client.post(
        f"/api/v1/batches/{batch['id']}/treatment", json=body, headers=world.operator.headers
    )
    return batch, response


def mapped_treatment(world: World, *readings: tuple[str, float], **changes: Any) -> dict[str, Any]:
    body = treatment_body(world, *(dose for _, dose in readings), **changes)
    for dosimeter, (position, _) in zip(body["dosimeters"], readings, strict=True):
        dosimeter["position"] = position
    return body


# --- the record and its endpoints --------------------------------------------------------------


async def test_admin_and_the_facilitys_qa_record_dose_maps(client, world: World):
    by_qa = await _create_map(client, world)
    assert by_qa["irradiator_id"] == str(world.irradiator)
    assert (by_qa["ratio_min"], by_qa["ratio_max"], by_qa["expanded_uncertainty_pct"]) == (
        0.9,
        1.3,
        4.0,
    )
    by_admin = await client.post(
        _url(world.irradiator), json=dose_map_body(name="Palet"), headers=world.admin.headers
    )
    assert by_admin.status_code == 201, by_admin.text
    listed = await client.get(_url(world.irradiator), headers=world.operator.headers)
    assert listed.status_code == 200
    assert [m["name"] for m in listed.json()["items"]] == ["Palet", by_qa["name"]]
    regulator = await client.get(_url(world.irradiator), headers=world.regulator.headers)
    assert regulator.status_code == 200


async def test_dose_map_roles_and_tenancy(client, world: World, pool):
    for actor in (world.operator, world.producer, world.regulator):
        response = await client.post(
            _url(world.irradiator), json=dose_map_body(), headers=actor.headers
        )
        assert response.status_code == 403, (actor.role, response.text)
    assert (
        await client.get(_url(world.irradiator), headers=world.producer.headers)
    ).status_code == 403
    other_qa = await _other_facility_qa(pool, world)
    # another facility's irradiator answers like an unknown one
    for url in (_url(world.irradiator), _url(uuid.uuid4())):
        created = await client.post(url, json=dose_map_body(), headers=other_qa.headers)
        assert created.status_code == 404, created.text
    listed = await client.get(_url(world.irradiator), headers=world.other_operator.headers)
    assert listed.status_code == 404
    unknown = await client.post(
        _url(uuid.uuid4()), json=dose_map_body(), headers=world.admin.headers
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ratio_min": 1.2}, "ratio_min"),
        ({"ratio_min": 0}, "ratio_min"),
        ({"ratio_max": 0.8}, "ratio_max"),
        # the smallest float made DUR infinite (a 500 on treatment); 1e-300 stored DUR 2e303
        ({"ratio_min": 5e-324}, "ratio_min"),
        ({"ratio_min": 1e-300}, "ratio_min"),
        ({"ratio_min": 0.19}, "ratio_min"),
        ({"ratio_max": 5.01}, "ratio_max"),
        ({"ratio_max": 1e308}, "ratio_max"),
        ({"expanded_uncertainty_pct": 25}, "expanded_uncertainty_pct"),
        ({"expanded_uncertainty_pct": -1}, "expanded_uncertainty_pct"),
        ({"study_ref": ""}, "study_ref"),
        ({"performed_on": "2999-01-01"}, "performed_on"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_bad_dose_maps_are_a_400_naming_the_field(client, world: World, changes, field):
    response = await client.post(
        _url(world.irradiator), json=dose_map_body(**changes), headers=world.qa.headers
    )
    assert response.status_code == 400, response.text
    assert field in response.text
    assert response.json()["errors"][0]["field"] == field


async def test_dose_map_ratios_at_their_bounds_are_kept(client, world: World):
    for ratio_min, ratio_max in ((0.2, 5), (1, 1)):
        response = await client.post(
            _url(world.irradiator),
            json=dose_map_body(name=f"{ratio_min}", ratio_min=ratio_min, ratio_max=ratio_max),
            headers=world.qa.headers,
        )
        assert response.status_code == 201, response.text
        stored = response.json()
        assert (stored["ratio_min"], stored["ratio_max"]) == (ratio_min, ratio_max)


async def test_a_dose_map_may_give_its_average_ratio(client, world: World):
    assert (await _create_map(client, world))["ratio_average"] is None
    with_average = await _create_map(client, world, ratio_average=1.1)
    assert with_average["ratio_average"] == 1.1
    for outside in (0.85, 1.35):  # below ratio_min 0.9, above ratio_max 1.3
        response = await client.post(
            _url(world.irradiator),
            json=dose_map_body(ratio_average=outside),
            headers=world.qa.headers,
        )
        assert response.status_code == 400, response.text
        assert "ratio_average" in response.text


# --- D_min, D_max and conformity ---------------------------------------------------------------


async def test_a_mapped_treatment_takes_its_extremes_from_the_ratios(client, world: World):
    dose_map = await _create_map(client, world)  # ratios 0.9 / 1.3, U 4 %
    # min 1.5, legal 3.0; kept at 4 °C, within the chill limit that earns a credit
    product = await create_product(
        client, world.producer, chicken(reference_temp_c=4, storage_temp_c=4)
    )
    body = mapped_treatment(
        world, ("reference", 2.0), ("reference", 2.2), ("other", 1.2), dose_map_id=dose_map["id"]
    )
    batch, response = await _treated(client, world, product, body)
    assert response.status_code == 201, response.text
    treatment = response.json()
    # D_min = 2.0 × 0.9 = 1.8; D_max = 2.2 × 1.3 = 2.86; the `other` reading says nothing
    assert treatment["dose_min_kgy"] == 1.8 and treatment["dose_max_kgy"] == 2.86
    assert treatment["dur"] == pytest.approx(2.86 / 1.8)
    # corrected: 1.8 × 0.96 = 1.728 ≥ 1.5; 2.86 × 1.04 = 2.9744 ≤ 3.0
    assert treatment["dose_min_corrected_kgy"] == 1.728
    assert treatment["dose_max_corrected_kgy"] == 2.9744
    assert treatment["conforming"] is True
    assert treatment["dose_map"]["id"] == dose_map["id"]
    assert treatment["dose_map"]["ratio_min"] == 0.9
    assert treatment["dose_map"]["study_ref"] == "PQ-IGMP-2025-07"
    assert treatment["expanded_uncertainty_pct"] == 4.0
    record = (
        await client.get(f"/api/v1/batches/{batch['id']}", headers=world.producer.headers)
    ).json()
    assert record["treatment"]["dose_map"] == treatment["dose_map"]
    assert record["treatment"]["dose_min_corrected_kgy"] == 1.728

    # released: the shelf life credits D_min less U, 1.728 kGy: m = 1 + 1.728/3 = 1.576,
    # E = floor(5 · 1.576) = floor(7.88) = 7
    released = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert released.status_code == 200, released.text
    shelf_life = released.json()["shelf_life"]
    assert shelf_life["inputs"]["dose_min_kgy"] == 1.8
    assert shelf_life["inputs"]["expanded_uncertainty_pct"] == 4.0
    assert shelf_life["multiplier"] == pytest.approx(1.576)
    assert shelf_life["extended_days"] == 7


async def test_min_and_max_position_readings_win_over_the_ratios(client, world: World):
    dose_map = await _create_map(client, world, expanded_uncertainty_pct=0)
    product = await create_product(client, world.producer, chicken())
    body = mapped_treatment(
        world,
        ("reference", 2.0),  # × 0.9 = 1.8, × 1.3 = 2.6
        ("min", 1.7),  # lower than 1.8: wins
        ("max", 2.5),  # lower than 2.6: the ratio's 2.6 wins
        dose_map_id=dose_map["id"],
    )
    _, response = await _treated(client, world, product, body)
    assert response.status_code == 201, response.text
    assert (response.json()["dose_min_kgy"], response.json()["dose_max_kgy"]) == (1.7, 2.6)


async def test_conforming_on_raw_readings_but_not_after_the_uncertainty(client, world: World):
    dose_map = await _create_map(
        client, world, ratio_min=0.85, ratio_max=1.18, expanded_uncertainty_pct=5
    )
    product = await create_product(client, world.producer, chicken())  # min 1.5, legal 3.0
    body = mapped_treatment(
        world, ("reference", 1.8), ("reference", 2.5), dose_map_id=dose_map["id"]
    )
    batch, response = await _treated(client, world, product, body)
    assert response.status_code == 201, response.text
    treatment = response.json()
    # D_min = 1.8 × 0.85 = 1.53 ≥ 1.5 and D_max = 2.5 × 1.18 = 2.95 ≤ 3.0 on the readings, but
    # 1.53 × 0.95 = 1.4535 < 1.5 and 2.95 × 1.05 = 3.0975 > 3.0 with the uncertainty
    assert (treatment["dose_min_kgy"], treatment["dose_max_kgy"]) == (1.53, 2.95)
    assert treatment["dose_min_corrected_kgy"] == 1.4535
    assert treatment["dose_max_corrected_kgy"] == 3.0975
    assert treatment["conforming"] is False
    assert treatment["nonconformities"] == ["dose_below_minimum", "dose_above_legal_maximum"]
    release = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert release.status_code == 422
    assert release.json()["code"] == "treatment_nonconforming"


async def test_without_a_map_only_min_and_max_positions_count(client, world: World):
    product = await create_product(client, world.producer, chicken())
    # a reference reading below the min position's is not the product's minimum without a map
    body = mapped_treatment(world, ("min", 1.9), ("max", 2.6), ("reference", 1.6))
    _, response = await _treated(client, world, product, body)
    assert response.status_code == 201, response.text
    treatment = response.json()
    assert (treatment["dose_min_kgy"], treatment["dose_max_kgy"]) == (1.9, 2.6)
    assert treatment["dose_map"] is None and treatment["expanded_uncertainty_pct"] == 0
    assert treatment["dose_min_corrected_kgy"] == 1.9


@pytest.mark.parametrize(
    ("readings", "missing"),
    [
        ((("reference", 2.0), ("reference", 2.2)), "minimum"),
        ((("min", 2.0), ("reference", 2.2)), "maximum"),
        ((("other", 2.0), ("max", 2.2)), "minimum"),
    ],
)
async def test_unknown_extremes_without_a_map_are_a_422(client, world: World, readings, missing):
    product = await create_product(client, world.producer, chicken())
    batch, response = await _treated(client, world, product, mapped_treatment(world, *readings))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "dose_map_required"
    assert response.json()["missing"] == missing
    record = (await client.get(f"/api/v1/batches/{batch['id']}", headers=world.qa.headers)).json()
    assert record["status"] == "received" and record["treatment"] is None


async def test_a_map_without_reference_or_extreme_readings_is_a_422(client, world: World):
    dose_map = await _create_map(client, world)
    product = await create_product(client, world.producer, chicken())
    body = mapped_treatment(world, ("other", 2.0), ("max", 2.4), dose_map_id=dose_map["id"])
    _, response = await _treated(client, world, product, body)
    assert response.status_code == 422
    assert response.json()["code"] == "dose_map_required"


async def test_a_map_of_another_irradiator_is_a_404(client, world: World, pool):
    async with pool.acquire() as conn:
        second_irradiator = await conn.fetchval(
            """INSERT INTO irradiators (facility_id, name, source_type)
               VALUES ($1, 'Co-60 panoramik', 'cobalt-60') RETURNING id""",
            world.facility,
        )
    other_map = await client.post(
        _url(second_irradiator), json=dose_map_body(), headers=world.qa.headers
    )
    assert other_map.status_code == 201
    product = await create_product(client, world.producer, chicken())
    for dose_map_id in (other_map.json()["id"], str(uuid.uuid4())):
        body = mapped_treatment(
            world, ("reference", 2.0), ("reference", 2.2), dose_map_id=dose_map_id
        )
        _, response = await _treated(client, world, product, body)
        assert response.status_code == 404, response.text
    malformed = mapped_treatment(world, ("min", 2.0), ("max", 2.2), dose_map_id="not-a-uuid")
    _, response = await _treated(client, world, product, malformed)
    assert response.status_code == 400 and "dose_map_id" in response.text
