"""PATCH /api/v1/irradiators/{id}/dose-maps/{map_id} (SPEC §3.2 "Editing"): a dose map changes by
a new version, a new map that replaces it; treatments keep the map they used, a new treatment
may name only the newest version, and each version is in the admin log with before and after."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.batch_steps import chicken, create_product
from tests.integration.test_dose_maps import (
    _create_map,
    _other_facility_qa,
    _treated,
    _url,
    mapped_treatment,
)
from tests.integration.world import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="session")

READINGS = (("reference", 2.0), ("reference", 2.1))


async def _new_version(client, actor: Actor, world: World, map_id: str, body: Any):  # type: ignore[no-untyped-def]
    return await client.patch(
        f"{_url(world.irradiator)}/{map_id}", json=body, headers=actor.headers
    )


async def test_a_new_version_replaces_the_map_and_past_treatments_keep_theirs(client, world: World):
    first = await _create_map(client, world)
    product = await create_product(client, world.producer, chicken())
    _, used = await _treated(
        client, world, product, mapped_treatment(world, *READINGS, dose_map_id=first["id"])
    )
    assert used.status_code == 201, used.text

    answer = await _new_version(
        client, world.qa, world, first["id"], {"ratio_min": 0.85, "study_ref": "PQ-IGMP-2026-01"}
    )
    assert answer.status_code == 200, answer.text
    second = answer.json()
    assert second["id"] != first["id"]
    assert (second["version"], second["replaces_id"]) == (2, first["id"])
    assert (second["ratio_min"], second["ratio_max"]) == (0.85, first["ratio_max"])
    assert second["name"] == first["name"] and second["replaced_by_id"] is None

    listing = await client.get(_url(world.irradiator), headers=world.operator.headers)
    by_id = {m["id"]: m for m in listing.json()["items"]}
    assert by_id[first["id"]]["replaced_by_id"] == second["id"]
    assert by_id[first["id"]]["ratio_min"] == 0.9  # the old version stays as it was

    # the past treatment keeps the version it used
    assert used.json()["dose_map"]["id"] == first["id"]
    assert used.json()["dose_map"]["ratio_min"] == 0.9

    # a new treatment may name only the newest version
    _, stale = await _treated(
        client, world, product, mapped_treatment(world, *READINGS, dose_map_id=first["id"])
    )
    assert stale.status_code == 422
    assert stale.json()["code"] == "dose_map_replaced"
    assert stale.json()["current_dose_map_id"] == second["id"]
    _, fresh = await _treated(
        client, world, product, mapped_treatment(world, *READINGS, dose_map_id=second["id"])
    )
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["dose_map"]["version"] == 2
    assert fresh.json()["dose_min_kgy"] == pytest.approx(2.0 * 0.85)

    log = await client.get("/api/v1/admin-audit-log?limit=200", headers=world.admin.headers)
    [entry] = [e for e in log.json()["items"] if e["subject_id"] == second["id"]]
    assert entry["action"] == "dose_map.versioned"
    assert entry["actor_id"] == str(world.qa.id)
    assert entry["details"] == {
        "irradiator_id": str(world.irradiator),
        "before": {"ratio_min": 0.9, "study_ref": "PQ-IGMP-2025-07", "version": 1},
        "after": {"ratio_min": 0.85, "study_ref": "PQ-IGMP-2026-01", "version": 2},
    }


async def test_the_average_ratio_is_kept_by_a_new_version_and_can_be_added(client, world: World):
    """A map's `ratio_average` (the overall average, which export markets limit) goes into its
    next version with the rest, and a map recorded without it gets it by a version."""
    with_average = await _create_map(client, world, ratio_average=1.04)
    renamed = await _new_version(client, world.qa, world, with_average["id"], {"name": "Tote 2"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["ratio_average"] == 1.04

    without = await _create_map(client, world)
    assert without["ratio_average"] is None
    added = await _new_version(client, world.qa, world, without["id"], {"ratio_average": 1.02})
    assert added.status_code == 200, added.text
    assert (added.json()["ratio_average"], added.json()["version"]) == (1.02, 2)
    # held to the rule of a new map: between the lowest and the highest ratio
    outside = await _new_version(
        client, world.qa, world, added.json()["id"], {"ratio_average": 1.5}
    )
    assert outside.status_code in (400, 422), outside.text
    assert "ratio_average" in outside.text


async def test_only_the_newest_version_takes_a_patch(client, world: World):
    first = await _create_map(client, world)
    second = await _new_version(client, world.admin, world, first["id"], {"ratio_max": 1.4})
    assert second.status_code == 200
    again = await _new_version(client, world.admin, world, first["id"], {"ratio_max": 1.5})
    assert again.status_code == 409
    assert again.json()["code"] == "dose_map_replaced"
    assert again.json()["current_dose_map_id"] == second.json()["id"]
    # nothing changed: no version, whichever map
    same = await _new_version(client, world.admin, world, first["id"], {"ratio_max": 1.3})
    assert same.status_code == 200 and same.json()["id"] == first["id"]
    third = await _new_version(client, world.admin, world, second.json()["id"], {"ratio_max": 1.5})
    assert third.json()["version"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ratio_min": 0.1}, "ratio_min"),
        ({"ratio_max": 0.9}, "ratio_max"),
        ({"expanded_uncertainty_pct": 25}, "expanded_uncertainty_pct"),
        ({"performed_on": "2999-01-01"}, "performed_on"),
        ({"name": None}, "name"),
        ({"irradiator_id": str(uuid.uuid4())}, "irradiator_id"),
    ],
)
async def test_a_new_version_is_held_to_the_rules_of_a_new_map(client, world: World, body, field):
    first = await _create_map(client, world)
    response = await _new_version(client, world.qa, world, first["id"], body)
    assert response.status_code == 400, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_who_may_make_a_new_version(client, world: World, pool):
    first = await _create_map(client, world)
    body = {"ratio_max": 1.35}
    for actor in (world.producer, world.operator, world.regulator):
        answer = await _new_version(client, actor, world, first["id"], body)
        assert answer.status_code == 403, actor.role
    # another facility's QA officer does not learn the map exists
    stranger = await _other_facility_qa(pool, world)
    assert (await _new_version(client, stranger, world, first["id"], body)).status_code == 404
    unknown = await _new_version(client, world.qa, world, str(uuid.uuid4()), body)
    assert unknown.status_code == 404
    elsewhere = await client.patch(
        f"{_url(world.other_irradiator)}/{first['id']}", json=body, headers=world.admin.headers
    )
    assert elsewhere.status_code == 404
