"""The administrator's pages over plain HTTP with a cookie jar: users (create with an invite link,
reset by a new invite, disable), organizations, irradiators and the food-category table, each
form posted empty, wrong and right; roles; and the administration log they all write."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.batches.products.test_console_products import (
    english,
    field_error,
    input_value,
)
from tests.integration.batches.shipments.shipment_steps import approve
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

ADMIN_PAGES = (
    "/app/admin/users",
    "/app/admin/users/new",
    "/app/admin/organizations",
    "/app/admin/organizations/new",
    "/app/admin/irradiators",
    "/app/admin/irradiators/new",
    "/app/admin/food-categories",
)
_INVITE = re.compile(r'id="invite_url" type="text" readonly value="([^"]+)"')


@pytest.fixture
async def admin(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    browser = await signed_in(client, pool, world.admin.id)
    await english(browser)
    return browser


async def _log_actions(pool: asyncpg.Pool, subject_id: object) -> list[str]:
    rows = await pool.fetch(
        "SELECT action FROM admin_audit_log WHERE subject_id = $1 ORDER BY created_at",
        str(subject_id),
    )
    return [r["action"] for r in rows]


async def test_admin_pages_answer_admins_and_refuse_everyone_else(client, pool, world: World):
    admin = await signed_in(client, pool, world.admin.id)
    for path in ADMIN_PAGES:
        answer = await admin.get(path)
        assert answer.status_code == 200, path
        assert "Content-Security-Policy" in answer.headers
    for actor in (world.producer, world.operator, world.qa, world.regulator):
        browser = await signed_in(client, pool, actor.id)
        for path in ADMIN_PAGES:
            refused = await browser.get(path)
            assert refused.status_code == 403, (actor.role, path)
            # signed in: the way on is the dashboard, not the sign-in page
            assert '<a class="button" href="/app/">' in refused.text, (actor.role, path)
            assert 'href="/app/login"' not in refused.text
        token = await browser.csrf_token("/app/")
        posted = await browser.http.post(
            "/app/admin/organizations/new",
            data={"kind": "producer", "name": "X", "address": "A", "city": "C",
                  "_csrf_token": token},
        )  # fmt: skip
        assert posted.status_code == 403
    signed_out = await Browser(client).get("/app/admin/users")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/app/login")


async def test_the_log_page_is_for_admins_and_regulators(client, pool, world: World):
    for actor, status in ((world.admin, 200), (world.regulator, 200), (world.producer, 403)):
        browser = await signed_in(client, pool, actor.id)
        assert (await browser.get("/app/admin/log")).status_code == status, actor.role


async def test_user_form_empty_wrong_and_right(admin: Browser, client, pool, world: World):
    empty = await admin.submit("/app/admin/users/new", {})
    assert empty.status_code == 400
    assert field_error(empty.text, "name") and field_error(empty.text, "role")

    wrong = await admin.submit(
        "/app/admin/users/new",
        {"name": "Budi", "role": "operator", "organization_id": str(world.regulator_org),
         "email": "budi@"},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert field_error(wrong.text, "email")
    assert input_value(wrong.text, "name") == "Budi"

    unfit = await admin.submit(
        "/app/admin/users/new",
        {"name": "Budi", "role": "operator", "organization_id": str(world.regulator_org)},
    )
    assert unfit.status_code == 422
    assert "does not fit the organization" in field_error(unfit.text, "role")

    email = f"budi.{world.tag}@bpom.example.id"
    right = await admin.submit(
        "/app/admin/users/new",
        {"name": "Budi Santoso", "role": "regulator", "organization_id": str(world.regulator_org),
         "email": email},
    )  # fmt: skip
    assert right.status_code == 200, right.text
    assert "Cache-Control" in right.headers and right.headers["Cache-Control"] == "no-store"
    link = _INVITE.search(right.text)
    assert link and link.group(1).startswith("https://radura.test/app/invite/")
    # the link works: the person sets a password and signs in
    invited = Browser(client)
    invite_path = urlsplit(link.group(1)).path
    assert (await invited.get(invite_path)).status_code == 200
    user_id = await pool.fetchval("SELECT id FROM users WHERE email = $1", email)
    assert await _log_actions(pool, user_id) == ["user.created"]

    again = await admin.submit(
        "/app/admin/users/new",
        {"name": "Budi Lagi", "role": "regulator", "organization_id": str(world.regulator_org),
         "email": email.upper()},
    )  # fmt: skip
    assert again.status_code == 422
    assert "already has this email" in field_error(again.text, "email")


async def test_reset_password_gives_a_new_link_and_ends_the_old(
    admin: Browser, client, pool, world: World
):
    email = f"reset.{world.tag}@example.id"
    created = await admin.submit(
        "/app/admin/users/new",
        {"name": "Sari", "role": "producer", "organization_id": str(world.producer_org),
         "email": email},
    )  # fmt: skip
    first = _INVITE.search(created.text)
    assert first
    user_id = await pool.fetchval("SELECT id FROM users WHERE email = $1", email)
    reset = await admin.submit(
        f"/app/admin/users/{user_id}/invite", {}, form_page="/app/admin/users"
    )
    assert reset.status_code == 200
    second = _INVITE.search(reset.text)
    assert second and second.group(1) != first.group(1)
    stranger = Browser(client)
    assert (await stranger.get(urlsplit(first.group(1)).path)).status_code == 404
    assert (await stranger.get(urlsplit(second.group(1)).path)).status_code == 200
    assert await _log_actions(pool, user_id) == ["user.created", "user.invited"]


async def test_disable_ends_sessions_and_tokens_at_once(admin: Browser, client, pool, world):
    victim = await signed_in(client, pool, world.qa.id)
    assert (await victim.get("/app/")).status_code == 200
    confirm = await admin.get(f"/app/admin/users/{world.qa.id}/disable")
    assert confirm.status_code == 200 and world.qa.name in confirm.text
    done = await admin.submit(
        f"/app/admin/users/{world.qa.id}/disable",
        {},
        form_page=f"/app/admin/users/{world.qa.id}/disable",
    )
    assert done.status_code == 303 and done.headers["location"] == "/app/admin/users"
    listing = await admin.get("/app/admin/users")
    assert f"{world.qa.name} is disabled" in listing.text
    assert (await victim.get("/app/")).status_code == 303  # back to the sign-in page
    assert (await client.get("/api/v1/me", headers=world.qa.headers)).status_code == 401
    assert await _log_actions(pool, world.qa.id) == ["user.disabled"]
    # the confirmation page of a disabled account offers nothing more
    assert "already disabled" in (await admin.get(f"/app/admin/users/{world.qa.id}/disable")).text


async def test_an_admin_cannot_disable_their_own_account(admin: Browser, world: World):
    answer = await admin.submit(
        f"/app/admin/users/{world.admin.id}/disable", {}, form_page="/app/admin/users"
    )
    assert answer.status_code == 422
    assert "cannot disable your own account" in answer.text


async def test_unknown_user_is_the_404_page(admin: Browser):
    unknown = "00000000-0000-4000-8000-000000000000"
    assert (await admin.get(f"/app/admin/users/{unknown}/disable")).status_code == 404
    posted = await admin.submit(
        f"/app/admin/users/{unknown}/invite", {}, form_page="/app/admin/users"
    )
    assert posted.status_code == 404


async def test_organization_form_empty_wrong_and_right(admin: Browser, pool, world: World):
    empty = await admin.submit("/app/admin/organizations/new", {})
    assert empty.status_code == 400
    for name in ("kind", "name", "address", "city"):
        assert field_error(empty.text, name), name

    wrong = await admin.submit(
        "/app/admin/organizations/new",
        {"kind": "producer", "name": "Keripik Tempe", "address": "Jl. Malang 1", "city": "Malang",
         "country": "Indonesia", "nib": "12345", "phone": "halo"},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert field_error(wrong.text, "nib") and field_error(wrong.text, "phone")
    assert input_value(wrong.text, "name") == "Keripik Tempe"

    licence_on_producer = await admin.submit(
        "/app/admin/organizations/new",
        {"kind": "producer", "name": "Keripik Tempe", "address": "Jl. Malang 1", "city": "Malang",
         "country": "Indonesia", "licence_no": "BAPETEN/IU/1/2024",
         "licence_valid_until": "2027-01-01"},
    )  # fmt: skip
    assert licence_on_producer.status_code == 400
    assert "Only an irradiation facility" in field_error(licence_on_producer.text, "licence_no")

    name = f"Iradiator Cibinong {world.tag}"
    right = await admin.submit(
        "/app/admin/organizations/new",
        {"kind": "facility", "name": name, "address": "Jl. Raya Bogor km 46",
         "city": "Bogor", "province": "Jawa Barat", "country": "Indonesia",
         "licence_no": "BAPETEN/IU/77/2025", "licence_valid_until": "2028-12-31"},
    )  # fmt: skip
    assert right.status_code == 303
    listing = await admin.get("/app/admin/organizations")
    assert name in listing.text and "BAPETEN/IU/77/2025" in listing.text
    org = await pool.fetchrow(
        "SELECT id, licence_valid_until FROM organizations WHERE name = $1", name
    )
    assert str(org["licence_valid_until"]) == "2028-12-31"
    assert await _log_actions(pool, org["id"]) == ["organization.created"]


async def test_irradiator_form_empty_wrong_and_right(admin: Browser, pool, world: World):
    empty = await admin.submit("/app/admin/irradiators/new", {})
    assert empty.status_code == 400
    assert field_error(empty.text, "facility_id") and field_error(empty.text, "name")

    no_energy = await admin.submit(
        "/app/admin/irradiators/new",
        {"facility_id": str(world.facility), "name": "Linac", "source_type": "x-ray"},
    )
    assert no_energy.status_code == 400
    assert "maximum energy" in field_error(no_energy.text, "max_energy_mev")

    too_strong = await admin.submit(
        "/app/admin/irradiators/new",
        {"facility_id": str(world.facility), "name": "Linac", "source_type": "electron-beam",
         "max_energy_mev": "12,5"},
    )  # fmt: skip
    assert too_strong.status_code == 422
    assert "10 MeV" in field_error(too_strong.text, "max_energy_mev")
    assert input_value(too_strong.text, "max_energy_mev") == "12,5"

    not_a_facility = await admin.submit(
        "/app/admin/irradiators/new",
        {"facility_id": str(world.producer_org), "name": "Co", "source_type": "cobalt-60"},
    )
    assert not_a_facility.status_code == 422
    assert field_error(not_a_facility.text, "facility_id")

    name = f"Gamma Cell {world.tag}"
    right = await admin.submit(
        "/app/admin/irradiators/new",
        {"facility_id": str(world.facility), "name": name, "source_type": "cobalt-60",
         "activity_kci": "2,5"},
    )  # fmt: skip
    assert right.status_code == 303
    assert name in (await admin.get("/app/admin/irradiators")).text
    row = await pool.fetchrow("SELECT id, activity_kci FROM irradiators WHERE name = $1", name)
    assert row["activity_kci"] == 2.5
    assert await _log_actions(pool, row["id"]) == ["irradiator.created"]


async def test_food_category_row_wrong_and_right(admin: Browser, pool):
    path = "/app/admin/food-categories/spices_herbs/disinfestation"
    before = await pool.fetchrow(
        """SELECT max_dose_kgy, source, confirmed FROM food_category_purposes
           WHERE category = 'spices_herbs' AND purpose = 'disinfestation'"""
    )
    wrong = await admin.submit(
        path, {"max_dose_kgy": "nol", "source": "BPOM"}, form_page="/app/admin/food-categories"
    )
    assert wrong.status_code == 400
    assert field_error(wrong.text, "max_dose_kgy")
    assert input_value(wrong.text, "max_dose_kgy") == "nol"
    try:
        right = await admin.submit(
            path,
            {"max_dose_kgy": "1,0", "source": "BPOM 3/2018 Lampiran I", "confirmed": "true"},
            form_page="/app/admin/food-categories",
        )
        assert right.status_code == 303
        after = await pool.fetchrow(
            """SELECT max_dose_kgy, source, confirmed FROM food_category_purposes
               WHERE category = 'spices_herbs' AND purpose = 'disinfestation'"""
        )
        assert (after["max_dose_kgy"], after["source"], after["confirmed"]) == (
            1.0,
            "BPOM 3/2018 Lampiran I",
            True,
        )
        assert "food_category.limit_changed" in await _log_actions(
            pool, "spices_herbs/disinfestation"
        )
    finally:
        await pool.execute(
            """UPDATE food_category_purposes SET max_dose_kgy = $1, source = $2, confirmed = $3
               WHERE category = 'spices_herbs' AND purpose = 'disinfestation'""",
            *before,
        )
    unknown = await admin.submit(
        "/app/admin/food-categories/spices_herbs/sterilisation",
        {"max_dose_kgy": "10", "source": "x"},
        form_page="/app/admin/food-categories",
    )
    assert unknown.status_code == 404


async def test_a_post_without_its_csrf_token_is_refused(admin: Browser, world: World):
    answer = await admin.http.post(
        f"/app/admin/users/{world.producer.id}/disable", data={"_csrf_token": "forged"}
    )
    assert answer.status_code == 403
    assert (await admin.get("/app/admin/log")).status_code == 200


async def test_the_log_page_shows_who_did_what(admin: Browser, client, pool, world: World):
    await admin.submit(
        f"/app/admin/users/{world.second_qa.id}/disable",
        {},
        form_page=f"/app/admin/users/{world.second_qa.id}/disable",
    )
    regulator = await signed_in(client, pool, world.regulator.id)
    await english(regulator)
    page = (await regulator.get("/app/admin/log")).text
    assert "User disabled" in page and world.second_qa.name in page and world.admin.name in page


async def test_the_log_names_what_a_creation_and_an_approval_say(
    admin: Browser, client, pool, world: World
):
    """Besides an edit's before and after, an entry's facts are named lines, never JSON, and
    never an id: a new user's role and email, a market approval's kind, market and period."""
    created = await client.post(
        "/api/v1/users",
        json={"name": "Rina Log", "role": "operator", "organization_id": str(world.facility),
              "email": "rina.log@iradiator.example.id"},
        headers=world.admin.headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    approved = await approve(
        client, world, date(2026, 1, 1), date(2027, 12, 31), market="US", kind="fda_registration"
    )
    assert approved.status_code == 201, approved.text
    await english(admin)
    page = (await admin.get("/app/admin/log")).text
    assert "Market approval recorded" in page and "User created" in page
    for line in (
        "Kind: FDA food-facility registration",
        "Market: United States",
        "Valid until: 31 December 2027",
        "Role: Operator",
        "Email: rina.log@iradiator.example.id",
        "Invite link made: yes",
    ):
        assert f"<li>{line}</li>" in page, line
    assert "&#34;invite_sent&#34;" not in page and '"invite_sent"' not in page
    assert str(world.facility) not in page
