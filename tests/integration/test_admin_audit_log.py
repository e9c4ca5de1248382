"""The admin audit log over the API: every administrative change leaves one entry (who, what,
when) in the same transaction, a refused change leaves none, the log is append-only in the
database itself, and admins and regulators read it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

import asyncpg
import pytest

from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _log(client, world: World, subject_id: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = await client.get("/api/v1/admin-audit-log?limit=200", headers=world.regulator.headers)
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["items"] if e["subject_id"] == subject_id]


async def test_each_admin_change_is_logged_with_who_what_when(client, world: World):
    admin = world.admin.headers
    org = await client.post(
        "/api/v1/organizations",
        json={"kind": "facility", "name": f"Iradiator Baru {world.tag}", "address": "Jl. A",
              "city": "Serpong"},
        headers=admin,
    )  # fmt: skip
    assert org.status_code == 201
    org_id = org.json()["id"]
    user = await client.post(
        "/api/v1/users",
        json={"name": "Dewi Operator", "role": "operator", "organization_id": org_id,
              "email": f"dewi.{world.tag}@batan.example.id"},
        headers=admin,
    )  # fmt: skip
    assert user.status_code == 201
    user_id = user.json()["id"]
    invite = await client.post(f"/api/v1/users/{user_id}/invite", headers=admin)
    assert invite.status_code == 201
    assert invite.json()["invite_url"].startswith("https://radura.test/app/invite/")
    assert invite.json()["invite_url"] != user.json()["invite_url"]
    for _ in range(2):  # disabling twice changes nothing the second time, and logs nothing
        assert (
            await client.post(f"/api/v1/users/{user_id}/disable", headers=admin)
        ).status_code == 200
    irradiator = await client.post(
        "/api/v1/irradiators",
        json={"facility_id": org_id, "name": "Gamma Merah Putih", "source_type": "cobalt-60"},
        headers=admin,
    )
    assert irradiator.status_code == 201

    org_log = await _log(client, world, org_id)
    assert [e["action"] for e in org_log] == ["organization.created"]
    assert org_log[0]["actor_id"] == str(world.admin.id)
    assert org_log[0]["actor_name"] == world.admin.name and org_log[0]["actor_role"] == "admin"
    assert org_log[0]["subject_name"] == f"Iradiator Baru {world.tag}"
    assert org_log[0]["details"] == {"kind": "facility", "city": "Serpong"}
    user_log = await _log(client, world, user_id)
    # newest first
    assert [e["action"] for e in user_log] == ["user.disabled", "user.invited", "user.created"]
    assert user_log[2]["details"]["invite_sent"] is True
    assert user_log[2]["details"]["role"] == "operator"
    times = [e["created_at"] for e in user_log]
    assert times == sorted(times, reverse=True)
    irradiator_log = await _log(client, world, irradiator.json()["id"])
    assert irradiator_log[0]["details"]["source_type"] == "cobalt-60"


async def test_a_refused_change_leaves_no_entry(client, world: World, pool):
    async with pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM admin_audit_log")
    refused = [
        # a regulator organization holds no operators
        ("/api/v1/users", {"name": "X", "role": "operator",
                           "organization_id": str(world.regulator_org)}),
        # an electron beam above 10 MeV
        ("/api/v1/irradiators", {"facility_id": str(world.facility), "name": "EB",
                                 "source_type": "electron-beam", "max_energy_mev": 12}),
    ]  # fmt: skip
    for path, body in refused:
        answer = await client.post(path, json=body, headers=world.admin.headers)
        assert answer.status_code == 422, answer.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM admin_audit_log") == before


async def test_food_category_limit_change_is_logged_with_before_and_after(client, world: World):
    path = "/api/v1/food-categories/spices_herbs/purposes/reduce_microbial_load"
    categories = (await client.get("/api/v1/food-categories", headers=world.admin.headers)).json()
    spices = next(c for c in categories if c["code"] == "spices_herbs")
    original = next(p for p in spices["purposes"] if p["purpose"] == "reduce_microbial_load")
    restore = {k: original[k] for k in ("max_dose_kgy", "source", "confirmed")}
    changed = restore | {"confirmed": not original["confirmed"], "source": "BPOM 3/2018 Lamp. I"}
    try:
        answer = await client.put(path, json=changed, headers=world.admin.headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["confirmed"] is changed["confirmed"]
        again = (await client.get("/api/v1/food-categories", headers=world.producer.headers)).json()
        row = next(
            p
            for c in again
            if c["code"] == "spices_herbs"
            for p in c["purposes"]
            if p["purpose"] == "reduce_microbial_load"
        )
        assert row["source"] == "BPOM 3/2018 Lamp. I"
        entry = (await _log(client, world, "spices_herbs/reduce_microbial_load"))[0]
        assert entry["action"] == "food_category.limit_changed"
        assert entry["details"]["before"] == restore
        assert entry["details"]["after"] == changed
    finally:
        assert (
            await client.put(path, json=restore, headers=world.admin.headers)
        ).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "status", "field_or_code"),
    [
        ("spices_herbs/purposes/reduce_microbial_load", {"max_dose_kgy": 0, "source": "x",
                                                         "confirmed": True}, 400, "max_dose_kgy"),
        ("spices_herbs/purposes/reduce_microbial_load", {"max_dose_kgy": 10, "source": "",
                                                         "confirmed": True}, 400, "source"),
        ("spices_herbs/purposes/reduce_microbial_load", {"max_dose_kgy": 10, "source": "x"},
         400, "confirmed"),
        ("spices_herbs/purposes/boiling", {"max_dose_kgy": 10, "source": "x", "confirmed": True},
         400, "purpose"),
        ("spices_herbs/purposes/sterilisation", {"max_dose_kgy": 10, "source": "x",
                                                 "confirmed": True}, 404, "not_found"),
        ("no_such_food/purposes/sterilisation", {"max_dose_kgy": 10, "source": "x",
                                                 "confirmed": True}, 404, "not_found"),
    ],
)  # fmt: skip
async def test_food_category_change_refuses_bad_input(
    client, world: World, path, body, status, field_or_code
):
    answer = await client.put(
        f"/api/v1/food-categories/{path}", json=body, headers=world.admin.headers
    )
    assert answer.status_code == status, answer.text
    problem = answer.json()
    if status == 400:
        assert field_or_code in {e["field"] for e in problem["errors"]} | {problem["detail"]}
    else:
        assert problem["code"] == field_or_code


async def test_food_category_change_and_invite_are_admin_only(client, world: World):
    body = {"max_dose_kgy": 10, "source": "x", "confirmed": True}
    for actor in (world.producer, world.operator, world.qa, world.regulator):
        changed = await client.put(
            "/api/v1/food-categories/spices_herbs/purposes/reduce_microbial_load",
            json=body,
            headers=actor.headers,
        )
        assert changed.status_code == 403
        invited = await client.post(
            f"/api/v1/users/{world.producer.id}/invite", headers=actor.headers
        )
        assert invited.status_code == 403


async def test_invite_refuses_unknown_disabled_and_emailless_users(client, world: World, pool):
    admin = world.admin.headers
    unknown = await client.post(
        "/api/v1/users/00000000-0000-4000-8000-000000000000/invite", headers=admin
    )
    assert unknown.status_code == 404
    no_email = await client.post(f"/api/v1/users/{world.second_qa.id}/invite", headers=admin)
    assert no_email.status_code == 422 and no_email.json()["code"] == "user_has_no_email"
    await pool.execute(
        "UPDATE users SET email = $2 WHERE id = $1", world.second_qa.id, f"qa2.{world.tag}@x.id"
    )
    await client.post(f"/api/v1/users/{world.second_qa.id}/disable", headers=admin)
    disabled = await client.post(f"/api/v1/users/{world.second_qa.id}/invite", headers=admin)
    assert disabled.status_code == 422 and disabled.json()["code"] == "user_disabled"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE admin_audit_log SET actor_name = 'someone else' WHERE subject_id = $1",
        "DELETE FROM admin_audit_log WHERE subject_id = $1",
    ],
)
async def test_the_database_refuses_to_change_the_log(client, world: World, pool, statement):
    disabled = await client.post(
        f"/api/v1/users/{world.other_operator.id}/disable", headers=world.admin.headers
    )
    assert disabled.status_code == 200
    subject = str(world.other_operator.id)
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement, subject)
        rows = await conn.fetch(
            "SELECT actor_name FROM admin_audit_log WHERE subject_id = $1", subject
        )
    assert [r["actor_name"] for r in rows] == [world.admin.name]


async def test_the_database_refuses_to_truncate_the_log(pool):
    async with pool.acquire() as conn, conn.transaction():
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("TRUNCATE admin_audit_log")


async def test_the_log_pages_with_a_cursor(client, world: World):
    await client.post(f"/api/v1/users/{world.second_qa.id}/disable", headers=world.admin.headers)
    first = await client.get("/api/v1/admin-audit-log?limit=1", headers=world.admin.headers)
    assert first.status_code == 200 and len(first.json()["items"]) == 1
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await client.get(
        f"/api/v1/admin-audit-log?limit=1&cursor={cursor}", headers=world.admin.headers
    )
    assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]
    bad = await client.get("/api/v1/admin-audit-log?cursor=nonsense", headers=world.admin.headers)
    assert bad.status_code == 400


async def test_the_command_line_is_named_as_the_actor(data_dir, database_url, pool):  # type: ignore[no-untyped-def]
    env = os.environ | {"RADURA_DATABASE_URL": database_url, "RADURA_DATA_DIR": str(data_dir)}
    created = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "service.cli", "user", "create", "--role", "admin",
         "--name", "Admin Baris Perintah"],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    )  # fmt: skip
    user_id = json.loads(created.stdout)["user_id"]
    row = await pool.fetchrow(
        "SELECT actor_id, actor_name, action FROM admin_audit_log WHERE subject_id = $1", user_id
    )
    assert row["actor_id"] is None
    assert row["actor_name"] == "radura command line" and row["action"] == "user.created"
