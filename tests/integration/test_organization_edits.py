"""PATCH /api/v1/organizations/{id} (SPEC §3.2 "Editing"): names, addresses and a facility's
BAPETEN licence, whose renewal adds a period that frees the batches treated within it; each
change in the admin log with before and after."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from schemas.batches import today_in_jakarta
from tests.integration.batch_steps import chicken, create_product, receive, register, treat
from tests.integration.world import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _patch(client, actor: Actor, organization_id: UUID | str, body: Any):  # type: ignore[no-untyped-def]
    return await client.patch(
        f"/api/v1/organizations/{organization_id}", json=body, headers=actor.headers
    )


async def _log(client, world: World, subject_id: UUID | str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = await client.get("/api/v1/admin-audit-log?limit=200", headers=world.admin.headers)
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["items"] if e["subject_id"] == str(subject_id)]


async def test_names_and_addresses_change_with_their_log_entry(client, world: World):
    body = {
        "name": f"Rendang Uni Cabang Padang {world.tag}",
        "address": "Jl. Sudirman 12",
        "city": "Padang",
        "province": "Sumatera Barat",
        "phone": "+62 751 123456",
        "nib": "1234567890123",
    }
    changed = await _patch(client, world.admin, world.producer_org, body)
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in body} == body
    assert changed.json()["kind"] == "producer"
    read = await client.get(
        f"/api/v1/organizations/{world.producer_org}", headers=world.admin.headers
    )
    assert read.json() == changed.json()
    [entry] = await _log(client, world, world.producer_org)
    assert entry["action"] == "organization.changed"
    assert entry["actor_id"] == str(world.admin.id)
    assert entry["subject_name"] == body["name"]
    assert entry["details"] == {
        "before": {
            "name": f"Rendang Uni {world.tag}",
            "address": "Jl. Raya Puspiptek",
            "city": "Tangerang Selatan",
            "province": "Banten",
            "phone": None,
            "nib": None,
        },
        "after": body,
    }
    # null removes an optional value; an unchanged value is not a change
    removed = await _patch(
        client, world.admin, world.producer_org, {"phone": None, "city": "Padang"}
    )
    assert removed.json()["phone"] is None
    newest = (await _log(client, world, world.producer_org))[0]
    assert newest["details"] == {
        "before": {"phone": "+62 751 123456"},
        "after": {"phone": None},
    }
    assert (await _patch(client, world.admin, world.producer_org, {})).status_code == 200
    assert len(await _log(client, world, world.producer_org)) == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "facility"}, 422, "kind"),
        ({"id": str(uuid.uuid4())}, 422, "id"),
        ({"name": None}, 400, "name"),
        ({"name": ""}, 400, "name"),
        ({"nib": "12"}, 400, "nib"),
        ({"colour": "merah"}, 400, "colour"),
        ({"address": "Jl.\u202e Raya"}, 400, "address"),
    ],
)
async def test_bad_patches_name_the_field(client, world: World, body, status, field):
    response = await _patch(client, world.admin, world.producer_org, body)
    assert response.status_code == status, response.text
    problem = response.json()
    named = problem.get("fields") or [e["field"] for e in problem.get("errors", [])]
    assert field in named
    assert await _log(client, world, world.producer_org) == []


async def test_only_an_administrator_edits_organizations(client, world: World):
    for actor in (world.producer, world.operator, world.qa, world.regulator):
        answer = await _patch(client, actor, world.producer_org, {"name": "Diambil alih"})
        assert answer.status_code == 403, actor.role
    assert (await _patch(client, world.admin, uuid.uuid4(), {"name": "X"})).status_code == 404
    anonymous = await client.patch(f"/api/v1/organizations/{world.facility}", json={"name": "X"})
    assert anonymous.status_code == 401


async def _treated_batch(client, world: World) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    product = await create_product(client, world.producer, chicken())
    batch = await register(client, world, product["id"])
    await receive(client, world, batch["id"])
    await treat(client, world, batch["id"])  # ended 5 minutes ago: today in WIB, or yesterday
    return batch


async def test_a_renewal_frees_a_release_refused_for_a_lapsed_licence(client, world: World):
    today = today_in_jakarta()
    lapsed_on = today - timedelta(days=3)
    licensed = await _patch(
        client,
        world.admin,
        world.facility,
        {"licence_no": "BAPETEN/IU/77/2020", "licence_valid_until": lapsed_on.isoformat()},
    )
    assert licensed.status_code == 200, licensed.text
    batch = await _treated_batch(client, world)
    url = f"/api/v1/batches/{batch['id']}/release"
    refused = await client.post(url, headers=world.qa.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "facility_licence_expired"

    # the renewal continues the licence from the day after it lapsed
    renewed = await _patch(
        client,
        world.admin,
        world.facility,
        {
            "licence_no": "BAPETEN/IU/88/2026",
            "licence_valid_until": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert renewed.status_code == 200, renewed.text
    facility = renewed.json()
    assert facility["licence_no"] == "BAPETEN/IU/88/2026"
    assert facility["licence_valid_from"] == (lapsed_on + timedelta(days=1)).isoformat()
    released = await client.post(url, headers=world.qa.headers)
    assert released.status_code == 200, released.text
    # the treatment keeps the licence it was recorded under
    assert released.json()["treatment"]["facility_licence_no"] == "BAPETEN/IU/77/2020"

    periods = await client.get(
        f"/api/v1/organizations/{world.facility}/licences", headers=world.regulator.headers
    )
    assert periods.status_code == 200
    assert [(p["licence_no"], p["valid_from"], p["valid_until"]) for p in periods.json()] == [
        (
            "BAPETEN/IU/88/2026",
            (lapsed_on + timedelta(days=1)).isoformat(),
            (today + timedelta(days=365)).isoformat(),
        ),
        ("BAPETEN/IU/77/2020", None, lapsed_on.isoformat()),
    ]
    entry = (await _log(client, world, world.facility))[0]
    assert entry["details"] == {
        "before": {
            "licence_no": "BAPETEN/IU/77/2020",
            "licence_valid_from": None,
            "licence_valid_until": lapsed_on.isoformat(),
        },
        "after": {
            "licence_no": "BAPETEN/IU/88/2026",
            "licence_valid_from": (lapsed_on + timedelta(days=1)).isoformat(),
            "licence_valid_until": (today + timedelta(days=365)).isoformat(),
        },
    }


async def test_a_batch_treated_in_a_gap_between_licences_stays_refused(client, world: World):
    today = today_in_jakarta()
    await _patch(
        client,
        world.admin,
        world.facility,
        {
            "licence_no": "BAPETEN/IU/1/2020",
            "licence_valid_until": (today - timedelta(days=30)).isoformat(),
        },
    )
    batch = await _treated_batch(client, world)
    # renewed only from tomorrow: the days between stay unlicensed
    gap = await _patch(
        client,
        world.admin,
        world.facility,
        {
            "licence_no": "BAPETEN/IU/2/2026",
            "licence_valid_from": (today + timedelta(days=1)).isoformat(),
            "licence_valid_until": (today + timedelta(days=400)).isoformat(),
        },
    )
    assert gap.status_code == 200, gap.text
    refused = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert refused.status_code == 422
    assert refused.json()["licence_no"] == "BAPETEN/IU/1/2020"
    # a correction that starts the renewed licence earlier frees it
    earlier = await _patch(
        client,
        world.admin,
        world.facility,
        {
            "licence_valid_from": (today - timedelta(days=29)).isoformat(),
            "licence_valid_until": (today + timedelta(days=400)).isoformat(),
        },
    )
    assert earlier.status_code == 200, earlier.text
    released = await client.post(f"/api/v1/batches/{batch['id']}/release", headers=world.qa.headers)
    assert released.status_code == 200, released.text


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"licence_no": "BAPETEN/IU/9/2026"}, 400, "licence_valid_until"),
        ({"licence_valid_from": "2026-01-01"}, 400, "licence_valid_from"),
        (
            {
                "licence_no": "X-1",
                "licence_valid_from": "2027-01-02",
                "licence_valid_until": "2027-01-01",
            },
            400,
            "licence_valid_until",
        ),
        ({"licence_no": "\u202eBAPETEN", "licence_valid_until": "2029-01-01"}, 400, "licence_no"),
        ({"licence_valid_until": None}, 400, "licence_valid_until"),
    ],
)
async def test_bad_licence_changes_name_the_field(client, world: World, body, status, field):
    response = await _patch(client, world.admin, world.facility, body)
    assert response.status_code == status, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_only_a_facility_holds_a_licence(client, world: World):
    body = {"licence_no": "BAPETEN/IU/1/2026", "licence_valid_until": "2030-01-01"}
    refused = await _patch(client, world.admin, world.producer_org, body)
    assert refused.status_code == 422
    assert refused.json()["code"] == "not_a_facility"
    not_there = await client.get(
        f"/api/v1/organizations/{uuid.uuid4()}/licences", headers=world.admin.headers
    )
    assert not_there.status_code == 404
    forbidden = await client.get(
        f"/api/v1/organizations/{world.facility}/licences", headers=world.qa.headers
    )
    assert forbidden.status_code == 403
