"""PATCH /api/v1/users/{id} and POST /api/v1/users/{id}/enable (SPEC §3.2 "Editing"): a user's
name and role, held to the organization's kind; a disabled user enabled again, whose old tokens
stay revoked; each change in the admin log with before and after."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest

from tests.integration.console import Browser, give_password
from tests.integration.world import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _patch(client, actor: Actor, user_id, body: Any):  # type: ignore[no-untyped-def]
    return await client.patch(f"/api/v1/users/{user_id}", json=body, headers=actor.headers)


async def _log(client, world: World, subject_id) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = await client.get("/api/v1/admin-audit-log?limit=200", headers=world.admin.headers)
    return [e for e in answer.json()["items"] if e["subject_id"] == str(subject_id)]


async def test_a_new_role_and_name_hold_at_once(client, world: World):
    me = await client.get("/api/v1/me", headers=world.operator.headers)
    assert me.json()["role"] == "operator"  # the token is cached now
    changed = await _patch(
        client, world.admin, world.operator.id, {"role": "qa", "name": "Dewi Lestari"}
    )
    assert changed.status_code == 200, changed.text
    line = changed.json()
    assert (line["role"], line["name"], line["organization_id"]) == (
        "qa",
        "Dewi Lestari",
        str(world.facility),
    )
    me = await client.get("/api/v1/me", headers=world.operator.headers)
    assert (me.json()["role"], me.json()["name"]) == ("qa", "Dewi Lestari")
    # a QA officer's action is open to the token now (an unknown batch: 404, not 403)
    release = await client.post(
        f"/api/v1/batches/{uuid.uuid4()}/release", headers=world.operator.headers
    )
    assert release.status_code == 404
    [entry] = await _log(client, world, world.operator.id)
    assert entry["action"] == "user.changed"
    assert entry["subject_name"] == "Dewi Lestari"
    assert entry["details"] == {
        "before": {"name": world.operator.name, "role": "operator"},
        "after": {"name": "Dewi Lestari", "role": "qa"},
    }
    same = await _patch(client, world.admin, world.operator.id, {"role": "qa"})
    assert same.status_code == 200
    assert len(await _log(client, world, world.operator.id)) == 1


@pytest.mark.parametrize(
    ("who", "role", "code"),
    [
        ("operator", "producer", "role_does_not_fit_organization"),
        ("producer", "qa", "role_does_not_fit_organization"),
        ("operator", "admin", "admin_has_no_organization"),
        ("admin", "regulator", "organization_required"),
    ],
)
async def test_a_role_must_fit_the_organization(client, world: World, who, role, code):
    actor = getattr(world, who)
    refused = await _patch(client, world.admin, actor.id, {"role": role})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code
    me = await client.get("/api/v1/me", headers=actor.headers)
    assert me.json()["role"] == who
    assert await _log(client, world, actor.id) == []


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"organization_id": str(uuid.uuid4())}, 422, "organization_id"),
        ({"id": str(uuid.uuid4())}, 422, "id"),
        ({"role": "boss"}, 400, "role"),
        ({"name": ""}, 400, "name"),
        ({"email": "x@example.id"}, 400, "email"),
    ],
)
async def test_bad_user_patches_name_the_field(client, world: World, body, status, field):
    response = await _patch(client, world.admin, world.producer.id, body)
    assert response.status_code == status, response.text
    problem = response.json()
    named = problem.get("fields") or [e["field"] for e in problem.get("errors", [])]
    assert field in named


async def test_only_an_administrator_edits_users(client, world: World):
    for actor in (world.producer, world.operator, world.qa, world.regulator):
        answer = await _patch(client, actor, actor.id, {"role": "admin"})
        assert answer.status_code == 403, actor.role
        enable = await client.post(f"/api/v1/users/{actor.id}/enable", headers=actor.headers)
        assert enable.status_code == 403
    assert (await _patch(client, world.admin, uuid.uuid4(), {"name": "X"})).status_code == 404
    unknown = await client.post(f"/api/v1/users/{uuid.uuid4()}/enable", headers=world.admin.headers)
    assert unknown.status_code == 404


async def test_a_disabled_user_is_enabled_again_and_old_tokens_stay_revoked(
    client, world: World, pool
):
    email = await give_password(pool, world.producer.id)
    browser = Browser(client)
    assert (await browser.sign_in(email)).status_code == 303
    disabled = await client.post(
        f"/api/v1/users/{world.producer.id}/disable", headers=world.admin.headers
    )
    assert disabled.status_code == 200
    assert (await client.get("/api/v1/me", headers=world.producer.headers)).status_code == 401
    assert (await browser.get("/app/products")).status_code in (302, 303, 401)

    enabled = await client.post(
        f"/api/v1/users/{world.producer.id}/enable", headers=world.admin.headers
    )
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["disabled_at"] is None
    assert enabled.json()["has_password"] is True
    # the token the disable revoked stays revoked, and so does the old session
    assert (await client.get("/api/v1/me", headers=world.producer.headers)).status_code == 401
    assert (await browser.get("/app/products")).status_code in (302, 303, 401)
    # the person signs in again with their password
    again = Browser(client)
    assert (await again.sign_in(email)).status_code == 303
    assert (await again.get("/app/products")).status_code == 200

    entries = await _log(client, world, world.producer.id)
    assert [e["action"] for e in entries] == ["user.enabled", "user.disabled"]
    assert entries[0]["details"]["after"] == {"disabled_at": None}
    disabled_at = entries[0]["details"]["before"]["disabled_at"]
    assert _moment(disabled_at) == _moment(disabled.json()["disabled_at"])
    # enabling an active user changes nothing and logs nothing
    twice = await client.post(
        f"/api/v1/users/{world.producer.id}/enable", headers=world.admin.headers
    )
    assert twice.status_code == 200
    assert len(await _log(client, world, world.producer.id)) == 2
