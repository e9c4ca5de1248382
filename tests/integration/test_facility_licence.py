"""The facility's BAPETEN licence: recorded with the organization, kept with each treatment, and
a release refused for a treatment performed after it lapsed (SPEC §3.3)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from schemas.batches import today_in_jakarta
from tests.integration.batch_steps import chicken, create_product, receive, register, treat
from tests.integration.console import signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

FACILITY = {
    "kind": "facility",
    "name": "Iradiator Gamma Merah Putih",
    "address": "Kawasan Sains dan Teknologi B.J. Habibie, Setu",
    "city": "Tangerang Selatan",
    "province": "Banten",
}


async def test_a_facility_is_created_with_its_licence_and_country(client, world: World):
    body = FACILITY | {"licence_no": "BAPETEN/IU/0421/2024", "licence_valid_until": "2029-06-30"}
    response = await client.post("/api/v1/organizations", json=body, headers=world.admin.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["licence_no"] == "BAPETEN/IU/0421/2024"
    assert created["licence_valid_until"] == "2029-06-30"
    assert created["country"] == "Indonesia"
    read = await client.get(f"/api/v1/organizations/{created['id']}", headers=world.admin.headers)
    assert read.json()["licence_no"] == "BAPETEN/IU/0421/2024"
    abroad = await client.post(
        "/api/v1/organizations",
        json=FACILITY | {"country": "Malaysia"},
        headers=world.admin.headers,
    )
    assert abroad.status_code == 201 and abroad.json()["country"] == "Malaysia"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"licence_no": "BAPETEN/IU/1"}, "licence_valid_until"),
        ({"licence_valid_until": "2029-01-01"}, "licence_no"),
        ({"licence_no": "\u202eBAPETEN", "licence_valid_until": "2029-01-01"}, "licence_no"),
        (
            {"kind": "producer", "licence_no": "X-1", "licence_valid_until": "2029-01-01"},
            "licence_no",
        ),
        ({"licence_no": "X-1", "licence_valid_until": "2029-02-30"}, "licence_valid_until"),
    ],
)
async def test_bad_licences_are_a_400_naming_the_field(client, world: World, changes, field):
    response = await client.post(
        "/api/v1/organizations", json=FACILITY | changes, headers=world.admin.headers
    )
    assert response.status_code == 400, response.text
    assert field in response.text


async def _licensed(pool, world: World, valid_until: date) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE organizations SET licence_no = 'BAPETEN/IU/77/2020', licence_valid_until = $2 "
            "WHERE id = $1",
            world.facility,
            valid_until,
        )


async def _treated_batch(client, world: World) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    product = await create_product(client, world.producer, chicken())
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    await treat(client, world, batch["id"])
    return batch


async def test_the_treatment_record_shows_the_licence(client, world: World, pool):
    await _licensed(pool, world, date.today() + timedelta(days=365))
    batch = await _treated_batch(client, world)
    released = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert released.status_code == 200, released.text
    record = released.json()
    assert record["treatment"]["facility_licence_no"] == "BAPETEN/IU/77/2020"
    assert record["facility"]["licence_no"] == "BAPETEN/IU/77/2020"
    assert record["facility"]["country"] == "Indonesia"


async def test_release_after_the_licence_lapsed_is_a_422(client, world: World, pool):
    lapsed_on = date.today() - timedelta(days=3)
    await _licensed(pool, world, lapsed_on)
    batch = await _treated_batch(client, world)  # performed today, after the licence
    response = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "facility_licence_expired"
    assert problem["licence_valid_until"] == lapsed_on.isoformat()
    assert problem["licence_no"] == "BAPETEN/IU/77/2020"
    record = (await client.get(f"/api/v1/batches/{batch['id']}", headers=world.qa.headers)).json()
    assert record["status"] == "treated" and record["best_before"] is None
    # a renewal whose period begins after the treatment leaves it unlicensed (a renewal that
    # covers its day frees it: test_organization_edits)
    renewed = await client.patch(
        f"/api/v1/organizations/{world.facility}",
        json={
            "licence_no": "BAPETEN/IU/78/2026",
            # the day after the treatment's day in WIB, the day release reads
            "licence_valid_from": (today_in_jakarta() + timedelta(days=1)).isoformat(),
            "licence_valid_until": (date.today() + timedelta(days=365)).isoformat(),
        },
        headers=world.admin.headers,
    )
    assert renewed.status_code == 200, renewed.text
    again = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert again.status_code == 422
    assert again.json()["licence_no"] == "BAPETEN/IU/77/2020"
    # rejecting it stays possible
    rejected = await client.post(
        f"/api/v1/batches/{batch['id']}/reject",
        json={"reason": "Izin BAPETEN habis saat iradiasi"},
        headers=world.qa.headers,
    )
    assert rejected.status_code == 200


async def test_the_console_names_the_licence_rule_that_refused_the_release(
    client, world: World, pool
):
    await _licensed(pool, world, date.today() - timedelta(days=3))
    try:
        batch = await _treated_batch(client, world)
        qa = await signed_in(client, pool, world.qa.id)  # Bahasa Indonesia, the default
        path = f"/app/batches/{batch['id']}"
        refused = await qa.submit(f"{path}/release", {}, form_page=path)
    finally:
        await _licensed(pool, world, date.today() + timedelta(days=365))
    assert refused.status_code == 422
    # the kind of refusal and the rule in words, not "Galat 422" over a generic sentence
    assert '<p class="status-code">Ditolak oleh aturan</p>' in refused.text
    assert "Izin BAPETEN fasilitas sudah habis masa berlakunya saat bets ini diiradiasi" in (
        refused.text
    )
    assert "Galat" not in refused.text and "Aturan layanan menolak" not in refused.text
