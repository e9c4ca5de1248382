"""Accounts for people: invites from the API and the CLI, setting a password, the password rules,
disabling an account, and the demo's console sign-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _invite(client, world: World, email: str) -> dict:  # type: ignore[no-untyped-def]
    created = await client.post(
        "/api/v1/users",
        json={
            "name": "Sri Wahyuni",
            "role": "producer",
            "organization_id": str(world.producer_org),
            "email": email,
        },
        headers=world.admin.headers,
    )
    assert created.status_code == 201, created.text
    return created.json()


def _path(url: str) -> str:
    return urlsplit(url).path


async def test_invite_set_password_sign_in(client, world: World):
    email = f"sri.{world.tag}@rendang.example.id"
    user = await _invite(client, world, email)
    assert user["invite_url"].startswith("https://radura.test/app/invite/")
    invite = _path(user["invite_url"])
    browser = Browser(client)
    form = await browser.get(invite)
    assert form.status_code == 200 and email in form.text
    done = await browser.submit(
        invite, {"password": "Rendang-Bundo-2026", "password_confirm": "Rendang-Bundo-2026"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/app/login"
    assert "Kata sandi Anda sudah disimpan" in (await browser.get("/app/login")).text
    signed = await browser.sign_in(email.upper(), "Rendang-Bundo-2026")
    assert signed.status_code == 303
    assert (await browser.get("/app/account")).status_code == 200
    # the link worked once
    again = await Browser(client).get(invite)
    assert again.status_code == 404 and "Tautan ini sudah tidak berlaku" in again.text


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("", "", "password", "Gunakan minimal 10 karakter"),
        ("pendek", "pendek", "password", "Gunakan minimal 10 karakter"),
        ("{email}", "{email}", "password", "Jangan gunakan alamat email"),
        ("Bismillah123", "Bismillah123", "password", "terlalu umum"),
        ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "password", "terlalu umum"),
        ("x" * 300, "x" * 300, "password", "paling banyak 256"),
        ("Rendang-Bundo-2026", "Rendang-Bundo-2027", "password_confirm", "tidak sama"),
    ],
)
async def test_password_rules_name_the_field(client, world, password, confirm, field, message):
    email = f"rules.{world.tag}@example.id"
    invite = _path((await _invite(client, world, email))["invite_url"])
    browser = Browser(client)
    answer = await browser.submit(
        invite,
        {"password": password.format(email=email), "password_confirm": confirm.format(email=email)},
    )
    assert answer.status_code == 400
    assert message in answer.text
    assert f'id="{field}-error"' in answer.text and f'href="#{field}"' in answer.text
    # nothing was used up: the link still works
    assert (await browser.get(invite)).status_code == 200


async def test_expired_and_replaced_invites_stop_working(
    client, pool, world, database_url, data_dir
):
    email = f"late.{world.tag}@example.id"
    first = _path((await _invite(client, world, email))["invite_url"])
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE user_invites SET expires_at = now() - interval '1 second'"
            " WHERE user_id = (SELECT id FROM users WHERE email = $1)",
            email,
        )
    assert (await Browser(client).get(first)).status_code == 404
    # `radura user invite` hands out a fresh link (the email in any case)
    printed = _radura(database_url, data_dir, "user", "invite", email.upper())
    assert printed.returncode == 0, printed.stderr
    fresh = _path(printed.stdout.strip())
    assert fresh != first and (await Browser(client).get(fresh)).status_code == 200
    again = _path(_radura(database_url, data_dir, "user", "invite", email).stdout.strip())
    assert (await Browser(client).get(fresh)).status_code == 404  # only the newest link is live
    assert (await Browser(client).get(again)).status_code == 200
    unknown = _radura(database_url, data_dir, "user", "invite", "nobody@example.id")
    assert unknown.returncode == 1 and "No such user" in unknown.stderr


def _radura(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RADURA_DATABASE_URL": database_url,
        "RADURA_DATA_DIR": str(data_dir),
        "RADURA_PUBLIC_BASE_URL": "https://radura.test",
    }
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_emails_are_unique_whatever_their_case(client, world):
    email = f"dup.{world.tag}@example.id"
    await _invite(client, world, email)
    clash = await client.post(
        "/api/v1/users",
        json={
            "name": "B",
            "role": "producer",
            "organization_id": str(world.producer_org),
            "email": email.upper(),
        },
        headers=world.admin.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "duplicate_email" and clash.json()["field"] == "email"


async def test_a_user_without_email_gets_no_invite(client, world):
    created = await client.post(
        "/api/v1/users",
        json={
            "name": "Tanpa Email",
            "role": "producer",
            "organization_id": str(world.producer_org),
        },
        headers=world.admin.headers,
    )
    assert created.status_code == 201 and created.json()["invite_url"] is None


async def test_disabling_ends_sessions_tokens_and_invites_at_once(client, pool, world):
    browser = await signed_in(client, pool, world.producer.id)
    assert (await browser.get("/app/account")).status_code == 200
    assert (await client.get("/api/v1/me", headers=world.producer.headers)).status_code == 200

    disabled = await client.post(
        f"/api/v1/users/{world.producer.id}/disable", headers=world.admin.headers
    )
    assert disabled.status_code == 200 and disabled.json()["id"] == str(world.producer.id)
    # the old cookie now leads to the sign-in page, the token to a 401
    assert (await browser.get("/app/account")).status_code == 303
    assert (await browser.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me", headers=world.producer.headers)).status_code == 401
    email = await pool.fetchval("SELECT email FROM users WHERE id = $1", world.producer.id)
    assert (await Browser(client).sign_in(email)).status_code == 400
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM console_sessions WHERE user_id = $1", world.producer.id
            )
            == 0
        )
    # disabling twice changes nothing; an unknown user is a 404
    again = await client.post(
        f"/api/v1/users/{world.producer.id}/disable", headers=world.admin.headers
    )
    assert again.json()["disabled_at"] == disabled.json()["disabled_at"]
    missing = await client.post(
        "/api/v1/users/00000000-0000-4000-8000-000000000000/disable", headers=world.admin.headers
    )
    assert missing.status_code == 404


async def test_an_invite_of_a_disabled_user_does_not_work(client, world):
    email = f"gone.{world.tag}@example.id"
    user = await _invite(client, world, email)
    await client.post(f"/api/v1/users/{user['id']}/disable", headers=world.admin.headers)
    assert (await Browser(client).get(_path(user["invite_url"]))).status_code == 404


async def test_disable_from_the_command_line(client, pool, world, database_url, data_dir):
    browser = await signed_in(client, pool, world.operator.id)
    email = await pool.fetchval("SELECT email FROM users WHERE id = $1", world.operator.id)
    done = _radura(database_url, data_dir, "user", "disable", email)
    assert done.returncode == 0, done.stderr
    assert (await browser.get("/app/account")).status_code == 303
    assert (await client.get("/api/v1/me", headers=world.operator.headers)).status_code == 401


async def test_demo_prints_a_working_sign_in_for_every_role(client, database_url, settings):
    from service.batches.labelling.keys import SigningKeys
    from service.demo.seed import seed_demo

    demo = await seed_demo(database_url, SigningKeys(settings), settings.public_base_url)
    assert set(demo["users"]) == {
        "admin",
        "producer",
        "operator",
        "qa",
        "regulator",
        "market_network",
    }
    for role, user in demo["users"].items():
        browser = Browser(client)
        assert (await browser.sign_in(user["email"], user["password"])).status_code == 303, role
        assert user["name"] in (await browser.get("/app/account")).text


async def test_user_create_with_an_email_prints_an_invite(client, world, database_url, data_dir):
    email = f"cli.{world.tag}@example.id"
    args = ("--role", "producer", "--name", "Ani CLI", "--organization-id", str(world.producer_org))
    created = _radura(database_url, data_dir, "user", "create", *args, "--email", email)
    assert created.returncode == 0, created.stderr
    printed = json.loads(created.stdout)
    assert set(printed) == {"user_id", "token", "invite_url"}
    form = await Browser(client).get(_path(printed["invite_url"]))
    assert form.status_code == 200 and email in form.text


async def test_a_new_password_from_a_fresh_invite_ends_the_old_sessions(
    client, pool, world, database_url, data_dir
):
    browser = await signed_in(client, pool, world.producer.id)
    email = await pool.fetchval("SELECT email FROM users WHERE id = $1", world.producer.id)
    invite = _path(_radura(database_url, data_dir, "user", "invite", email).stdout.strip())
    fresh = Browser(client)
    done = await fresh.submit(
        invite, {"password": "Lupa-Sandi-2026!", "password_confirm": "Lupa-Sandi-2026!"}
    )
    assert done.status_code == 303
    assert (await browser.get("/app/account")).status_code == 303  # signed in with the old one
    assert (await fresh.sign_in(email, "Lupa-Sandi-2026!")).status_code == 303
