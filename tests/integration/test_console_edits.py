"""The administrator's edit pages over plain HTTP with a cookie jar (SPEC §3.2 "Editing", §10):
an organization with its licence renewal, an irradiator, a user's name and role, enabling a
disabled user, an irradiator's dose maps and their versions — each form filled with the record,
posted wrong and right — and the administration log showing before and after."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from tests.integration.batches.products.test_console_products import (
    english,
    field_error,
    input_value,
)
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def admin(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    browser = await signed_in(client, pool, world.admin.id)
    await english(browser)
    return browser


def _selected(page: str, field: str) -> str:
    select = re.search(rf'<select id="{field}".*?</select>', page, re.S)
    assert select, f"no select {field}"
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen.group(1) if chosen else ""


def _options(page: str, field: str) -> list[str]:
    select = re.search(rf'<select id="{field}".*?</select>', page, re.S)
    assert select, f"no select {field}"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v]


ORGANIZATION_INPUTS = ("name", "address", "city", "province", "country", "phone", "nib")


async def test_an_organization_is_edited_and_its_licence_renewed(
    admin: Browser, client, world: World
):
    path = f"/app/admin/organizations/{world.facility}/edit"
    listing = await admin.get("/app/admin/organizations")
    assert path in listing.text
    page = await admin.get(path)
    assert page.status_code == 200
    form = {name: input_value(page.text, name) for name in ORGANIZATION_INPUTS}
    assert form["name"] == f"Iradiator {world.tag}" and form["city"] == "Tangerang Selatan"

    wrong = await admin.submit(
        path,
        form
        | {
            "name": "",
            "nib": "12",
            "licence_no": "BAPETEN/IU/5/2026",
            "licence_valid_from": "2027-02-01",
            "licence_valid_until": "2027-01-31",
        },
    )
    assert wrong.status_code == 400
    assert field_error(wrong.text, "name") == "This field is required."
    assert field_error(wrong.text, "nib")
    assert input_value(wrong.text, "licence_valid_from") == "2027-02-01"

    until = today_in_jakarta() + timedelta(days=365)
    saved = await admin.submit(
        path,
        form
        | {
            "name": f"IGMP {world.tag}",
            "licence_no": "BAPETEN/IU/5/2026",
            "licence_valid_until": until.isoformat(),
        },
    )
    assert saved.status_code == 303, saved.text
    assert (
        f"Organization IGMP {world.tag} saved."
        in (await admin.get("/app/admin/organizations")).text
    )
    read = await client.get(f"/api/v1/organizations/{world.facility}", headers=world.admin.headers)
    assert (read.json()["name"], read.json()["licence_valid_until"]) == (
        f"IGMP {world.tag}",
        until.isoformat(),
    )
    again = await admin.get(path)
    assert "BAPETEN/IU/5/2026" in again.text and "Licence periods" in again.text
    # a licence is renewed, never removed
    removed = await admin.submit(
        path, form | {"name": f"IGMP {world.tag}", "licence_no": "", "licence_valid_until": ""}
    )
    assert removed.status_code == 400
    assert "never removed" in field_error(removed.text, "licence_no")

    log = html.unescape((await admin.get("/app/admin/log")).text)
    assert "Organization changed" in log
    assert f"Name: Iradiator {world.tag} → IGMP {world.tag}" in re.sub(r"<[^>]+>", "", log)


async def test_a_producer_has_no_licence_fields(admin: Browser, world: World):
    page = await admin.get(f"/app/admin/organizations/{world.producer_org}/edit")
    assert page.status_code == 200
    assert 'id="licence_no"' not in page.text


async def test_an_irradiator_is_edited_under_the_rules_of_a_new_one(
    admin: Browser, client, world: World
):
    path = f"/app/admin/irradiators/{world.irradiator}/edit"
    page = await admin.get(path)
    assert input_value(page.text, "activity_kci") == "450"
    assert _selected(page.text, "source_type") == "cobalt-60"
    wrong = await admin.submit(
        path,
        {"name": "Linac", "source_type": "x-ray", "max_energy_mev": "9", "activity_kci": ""},
    )
    assert wrong.status_code == 422
    assert "7.5 MeV" in field_error(wrong.text, "max_energy_mev")
    missing = await admin.submit(path, {"name": "Linac", "source_type": "x-ray"})
    assert missing.status_code == 400
    assert field_error(missing.text, "max_energy_mev")
    saved = await admin.submit(
        path, {"name": "Co-60 baru", "source_type": "cobalt-60", "activity_kci": "512,5"}
    )
    assert saved.status_code == 303
    listing = await client.get(
        f"/api/v1/irradiators?facility_id={world.facility}", headers=world.admin.headers
    )
    [irradiator] = listing.json()["items"]
    assert (irradiator["name"], irradiator["activity_kci"]) == ("Co-60 baru", 512.5)


async def test_a_user_gets_a_new_role_that_fits(admin: Browser, client, world: World):
    path = f"/app/admin/users/{world.operator.id}/edit"
    page = await admin.get(path)
    assert _options(page.text, "role") == ["operator", "qa"]  # only what a facility holds
    wrong = await admin.submit(path, {"name": world.operator.name, "role": "producer"})
    assert wrong.status_code == 422
    assert field_error(wrong.text, "role").startswith("This role does not fit")
    empty = await admin.submit(path, {})
    assert empty.status_code == 400
    assert field_error(empty.text, "name") and field_error(empty.text, "role")
    saved = await admin.submit(path, {"name": "Dewi Lestari", "role": "qa"})
    assert saved.status_code == 303
    me = await client.get("/api/v1/me", headers=world.operator.headers)
    assert (me.json()["name"], me.json()["role"]) == ("Dewi Lestari", "qa")


async def test_a_disabled_user_is_enabled_again_from_the_list(admin: Browser, client, world: World):
    disabled = await client.post(
        f"/api/v1/users/{world.producer.id}/disable", headers=world.admin.headers
    )
    assert disabled.status_code == 200
    listing = await admin.get("/app/admin/users")
    action = f"/app/admin/users/{world.producer.id}/enable"
    assert action in listing.text
    enabled = await admin.submit(action, {}, form_page="/app/admin/users")
    assert enabled.status_code == 303
    flash = html.unescape((await admin.get("/app/admin/users")).text)
    assert f"{world.producer.name} can sign in again" in flash
    # the old token stays revoked
    assert (await client.get("/api/v1/me", headers=world.producer.headers)).status_code == 401


async def test_dose_maps_are_recorded_and_versioned(admin: Browser, client, world: World):
    path = f"/app/admin/irradiators/{world.irradiator}/dose-maps"
    assert path in (await admin.get("/app/admin/irradiators")).text
    empty = await admin.get(path)
    assert empty.status_code == 200 and "No dose maps yet." in empty.text
    body = {
        "name": "Tote 40×50",
        "loading_pattern": "2 tote per carrier",
        "reference_position": "sisi luar tote",
        "ratio_min": "0,1",
        "ratio_max": "1,3",
        "expanded_uncertainty_pct": "4",
        "study_ref": "PQ-IGMP-2025-07",
        "performed_on": "2025-07-14",
    }
    wrong = await admin.submit(path, body | {"study_ref": ""})
    assert wrong.status_code == 400
    assert field_error(wrong.text, "ratio_min") == "Enter a ratio between 0,2 and 1."
    assert field_error(wrong.text, "study_ref")
    created = await admin.submit(path, body | {"ratio_min": "0,9"})
    assert created.status_code == 303
    maps = await client.get(
        f"/api/v1/irradiators/{world.irradiator}/dose-maps", headers=world.admin.headers
    )
    [first] = maps.json()["items"]

    edit = f"{path}/{first['id']}/edit"
    page = await admin.get(edit)
    assert input_value(page.text, "ratio_min") == "0.9"  # English: a decimal point
    form = {name: input_value(page.text, name) for name in body}
    # a new version is checked as a new map is: the message in the form's words, input kept
    bad = await admin.submit(edit, form | {"ratio_min": "0,1", "study_ref": ""})
    assert bad.status_code == 400
    assert field_error(bad.text, "ratio_min") == "Enter a ratio between 0,2 and 1."
    assert field_error(bad.text, "study_ref")
    assert input_value(bad.text, "ratio_min") == "0,1"
    unchanged = await admin.submit(edit, form)
    assert unchanged.status_code == 303
    versioned = await admin.submit(edit, form | {"ratio_max": "1.35"})
    assert versioned.status_code == 303
    listing = html.unescape((await admin.get(path)).text)
    assert "Dose map Tote 40×50 saved as version 2." in listing
    assert "Replaced" in listing
    # the replaced version takes no more versions
    stale = await admin.submit(edit, form | {"ratio_max": "1.4"})
    assert stale.status_code == 303
    assert "has a newer version" in (await admin.get(path)).text
    newest = await client.get(
        f"/api/v1/irradiators/{world.irradiator}/dose-maps", headers=world.admin.headers
    )
    assert [m["version"] for m in newest.json()["items"]] == [2, 1]
    # the overall average's ratio, which export markets need, added by a third version and
    # kept by the fourth
    second = newest.json()["items"][0]
    edit = f"{path}/{second['id']}/edit"
    form = {name: input_value((await admin.get(edit)).text, name) for name in body}
    assert input_value((await admin.get(edit)).text, "ratio_average") == ""
    averaged = await admin.submit(edit, form | {"ratio_average": "1,04"})
    assert averaged.status_code == 303, averaged.text
    third = (
        await client.get(
            f"/api/v1/irradiators/{world.irradiator}/dose-maps", headers=world.admin.headers
        )
    ).json()["items"][0]
    assert (third["version"], third["ratio_average"]) == (3, 1.04)
    page = await admin.get(f"{path}/{third['id']}/edit")
    assert input_value(page.text, "ratio_average") == "1.04"
    form = {name: input_value(page.text, name) for name in (*body, "ratio_average")}
    renamed = await admin.submit(f"{path}/{third['id']}/edit", form | {"name": "Tote 40×50 B"})
    assert renamed.status_code == 303
    fourth = (
        await client.get(
            f"/api/v1/irradiators/{world.irradiator}/dose-maps", headers=world.admin.headers
        )
    ).json()["items"][0]
    assert (fourth["version"], fourth["ratio_average"]) == (4, 1.04)


async def test_edit_pages_are_for_administrators_only(client, pool, world: World):
    paths = (
        f"/app/admin/organizations/{world.facility}/edit",
        f"/app/admin/irradiators/{world.irradiator}/edit",
        f"/app/admin/users/{world.qa.id}/edit",
        f"/app/admin/irradiators/{world.irradiator}/dose-maps",
    )
    for actor in (world.producer, world.qa, world.regulator):
        browser = await signed_in(client, pool, actor.id)
        for path in paths:
            assert (await browser.get(path)).status_code == 403, (actor.role, path)
    admin = await signed_in(client, pool, world.admin.id)
    assert (
        await admin.get("/app/admin/users/00000000-0000-0000-0000-000000000000/edit")
    ).status_code == 404
