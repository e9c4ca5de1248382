"""PATCH /api/v1/irradiators/{id} (SPEC §3.2 "Editing"): a treatment copies the irradiator's
details when it is recorded, so an edit never rewrites a past treatment's record, certificate,
scan page or export."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest

from tests.integration.batch_steps import batch_in
from tests.integration.world import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _patch(client, actor: Actor, irradiator_id, body: Any):  # type: ignore[no-untyped-def]
    return await client.patch(
        f"/api/v1/irradiators/{irradiator_id}", json=body, headers=actor.headers
    )


async def _export_row(client, world: World, code: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    answer = await client.get("/api/v1/exports/batches.csv", headers=world.regulator.headers)
    assert answer.status_code == 200
    rows = csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff")))
    return next(row for row in rows if row["code"] == code)


async def test_a_past_treatment_keeps_the_irradiator_as_it_was(client, world: World):
    before = await batch_in(client, world, "released")
    edited = await _patch(
        client,
        world.admin,
        world.irradiator,
        {"name": "Akselerator Elektron 1", "source_type": "electron-beam", "max_energy_mev": 10,
         "activity_kci": None},
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert edited.json()["source_type"] == "electron-beam"
    assert edited.json()["activity_kci"] is None
    after = await batch_in(client, world, "released")

    old = await client.get(f"/api/v1/batches/{before}", headers=world.regulator.headers)
    new = await client.get(f"/api/v1/batches/{after}", headers=world.regulator.headers)
    assert old.json()["treatment"]["irradiator"] == {
        "id": str(world.irradiator),
        "name": "Co-60 conveyor",
        "source_type": "cobalt-60",
        "activity_kci": 450.0,
        "max_energy_mev": None,
    }
    assert new.json()["treatment"]["irradiator"] == {
        "id": str(world.irradiator),
        "name": "Akselerator Elektron 1",
        "source_type": "electron-beam",
        "activity_kci": None,
        "max_energy_mev": 10.0,
    }
    old_row = await _export_row(client, world, old.json()["code"])
    assert (old_row["irradiator"], old_row["source_type"]) == ("Co-60 conveyor", "cobalt-60")
    new_row = await _export_row(client, world, new.json()["code"])
    assert new_row["source_type"] == "electron-beam"

    entries = await client.get("/api/v1/admin-audit-log?limit=200", headers=world.admin.headers)
    [entry] = [e for e in entries.json()["items"] if e["subject_id"] == str(world.irradiator)]
    assert entry["action"] == "irradiator.changed"
    assert entry["details"] == {
        "before": {
            "name": "Co-60 conveyor",
            "source_type": "cobalt-60",
            "max_energy_mev": None,
            "activity_kci": 450.0,
        },
        "after": {
            "name": "Akselerator Elektron 1",
            "source_type": "electron-beam",
            "max_energy_mev": 10.0,
            "activity_kci": None,
        },
    }


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"source_type": "x-ray"}, 400, "max_energy_mev"),  # a machine source names its energy
        ({"source_type": "x-ray", "max_energy_mev": 9}, 422, None),  # energy_above_limit
        ({"activity_kci": 0}, 400, "activity_kci"),
        ({"source_type": "plutonium"}, 400, "source_type"),
        ({"facility_id": str(uuid.uuid4())}, 422, "facility_id"),
        ({"name": None}, 400, "name"),
    ],
)
async def test_an_edit_is_held_to_the_rules_of_a_new_irradiator(
    client, world: World, body, status, field
):
    response = await _patch(client, world.admin, world.irradiator, body)
    assert response.status_code == status, response.text
    problem = response.json()
    if status == 422 and field is None:
        assert problem["code"] == "energy_above_limit"
    else:
        named = problem.get("fields") or [e["field"] for e in problem.get("errors", [])]
        assert field in named


async def test_only_an_administrator_edits_irradiators(client, world: World):
    for actor in (world.producer, world.operator, world.qa, world.regulator):
        answer = await _patch(client, actor, world.irradiator, {"name": "Milik kami"})
        assert answer.status_code == 403, actor.role
    assert (await _patch(client, world.admin, uuid.uuid4(), {"name": "X"})).status_code == 404
