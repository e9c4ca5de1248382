"""The date fixed at QA release equals the public preview, and never moves afterwards."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.batch_steps import batch_in, chicken, create_product, rendang
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

PREVIEW_FIELDS = (
    "category",
    "purpose",
    "base_shelf_life_days",
    "reference_temp_c",
    "storage_temp_c",
    "packaging",
    "water_activity",
    "ph",
    "validated_shelf_life_days",
    "validated_study_ref",
    "validated_study_temp_c",
    "validated_study_dose_kgy",
    "validated_study_packaging",
)


async def _preview_for(client, product: dict, batch: dict) -> dict:  # type: ignore[no-untyped-def]
    body = {k: product[k] for k in PREVIEW_FIELDS if product.get(k) is not None}
    body |= {
        "dose_min_kgy": batch["treatment"]["dose_min_kgy"],
        "production_date": batch["production_date"],
    }
    response = await client.post("/api/v1/shelf-life/estimate", json=body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "product_body",
    [
        chicken(reference_temp_c=4, storage_temp_c=4),  # credit from the measured dose
        chicken(storage_temp_c=9, name="Ayam disimpan 9 °C"),  # sqrt model above reference
        chicken(packaging="vacuum", base_shelf_life_days=12, name="Ayam vakum"),  # 10-day cap
        rendang(),
    ],
    ids=["chicken", "warmer", "vacuum-cap", "sterile-rendang"],
)
async def test_release_stores_the_same_result_the_preview_gives(client, world: World, product_body):
    product = await create_product(client, world.producer, product_body)
    if product["category"] == "ready_meal_sterile":
        # sterilisation needs its 45 kGy minimum: record a treatment that reaches it
        batch_id = await _sterile_released(client, world, product["id"])
    else:
        batch_id = await batch_in(client, world, "released", product["id"])
    batch = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)).json()
    stored = batch["shelf_life"]
    preview = await _preview_for(client, product, batch)
    assert stored == preview
    assert stored["inputs"]["dose_min_kgy"] == batch["treatment"]["dose_min_kgy"]
    assert stored["model"] == "radura-sl/3"


async def _sterile_released(client, world: World, product_id: str) -> str:  # type: ignore[no-untyped-def]
    from tests.integration.batch_steps import receive, register, treatment_body

    batch_id = (await register(client, world, product_id))["id"]
    await receive(client, world, batch_id)
    treated = await client.post(
        f"/api/v1/batches/{batch_id}/treatment",
        json=treatment_body(world, 46.0, 52.0),
        headers=world.operator.headers,
    )
    assert treated.status_code == 201, treated.text
    released = await client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers)
    assert released.status_code == 200, released.text
    return batch_id


async def test_chicken_example_of_the_spec_at_release(client, world: World):
    # SPEC §4 radura-sl/3: chicken, S0 = 5 d at 4 °C, stored at 4 °C, air, D_min 3.0 kGy →
    # m = min(2, 1 + 3/3) = 2, E = 10 d
    from tests.integration.batch_steps import receive, register, treatment_body

    product = await create_product(
        client, world.producer, chicken(reference_temp_c=4, storage_temp_c=4)
    )
    batch = await register(client, world, product["id"], production_date="2026-11-20")
    await receive(client, world, batch["id"])
    await client.post(
        f"/api/v1/batches/{batch['id']}/treatment",
        json=treatment_body(world, 3.0, 3.0),
        headers=world.operator.headers,
    )
    released = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert released.status_code == 200, released.text
    record = (await client.get(f"/api/v1/batches/{batch['id']}", headers=world.qa.headers)).json()
    assert record["shelf_life"]["model"] == "radura-sl/3"
    assert record["shelf_life"]["multiplier"] == 2.0
    assert record["shelf_life"]["extended_days"] == 10
    assert record["shelf_life"]["best_before"] == "2026-11-30"


async def test_a_later_product_change_never_moves_a_released_date(client, world: World, pool):
    product = await create_product(client, world.producer, chicken())
    batch_id = await batch_in(client, world, "released", product["id"])
    before = (
        await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)
    ).json()
    async with pool.acquire() as conn:
        # products have no edit endpoint; an administrator's direct change is the worst case
        await conn.execute(
            "UPDATE products SET base_shelf_life_days = 30, storage_temp_c = 2 WHERE id = $1",
            uuid.UUID(product["id"]),
        )
    after = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.producer.headers)).json()
    assert after["shelf_life"] == before["shelf_life"]
    assert after["shelf_life"]["inputs"]["base_shelf_life_days"] == 5


async def test_a_stored_product_with_no_shelf_life_is_never_released(client, world: World, pool):
    # Creation refuses this product now (test_products); one stored before that rule, or edited
    # since, must still not be released with a label that is out of date on the day.
    async with pool.acquire() as conn:
        product_id = await conn.fetchval(
            """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
                   base_shelf_life_days, reference_temp_c, storage_temp_c, packaging)
               VALUES ($1, 'Tuna beku dijual dingin', 'fish_seafood', 'reduce_pathogens', 1.5,
                       270, -18, 4, 'air')
               RETURNING id""",
            world.producer_org,
        )
    batch_id = await batch_in(client, world, "treated", str(product_id))
    response = await client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "no_shelf_life"
    assert "0 days" in problem["detail"] and problem["explanation"]["id"].endswith("0 hari.")
    record = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.qa.headers)).json()
    assert record["status"] == "treated"
    assert record["shelf_life"] is None and record["best_before"] is None
    events = (
        await client.get(f"/api/v1/batches/{batch_id}/events", headers=world.qa.headers)
    ).json()
    assert "released" not in [e["kind"] for e in events["items"]]


async def test_a_warm_vacuum_product_stored_before_radura_sl2_is_not_released(
    client, world: World, pool
):
    # radura-sl/1 dated this pack 10 days; radura-sl/2 and radura-sl/3 refuse it, at release
    # too: at 30 °C (≥ 10 °C) without aw ≤ 0.85 or pH ≤ 4.6 it is `reduced_oxygen_uncontrolled`
    async with pool.acquire() as conn:
        product_id = await conn.fetchval(
            """INSERT INTO products (organization_id, name, category, purpose, min_dose_kgy,
                   base_shelf_life_days, reference_temp_c, storage_temp_c, packaging)
               VALUES ($1, 'Pepes ikan vakum', 'processed_fish', 'reduce_pathogens', 1.5,
                       14, 30, 30, 'vacuum')
               RETURNING id""",
            world.producer_org,
        )
    batch_id = await batch_in(client, world, "treated", str(product_id))
    response = await client.post(f"/api/v1/batches/{batch_id}/release", headers=world.qa.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "reduced_oxygen_uncontrolled"
    record = (await client.get(f"/api/v1/batches/{batch_id}", headers=world.qa.headers)).json()
    assert record["status"] == "treated" and record["shelf_life"] is None
