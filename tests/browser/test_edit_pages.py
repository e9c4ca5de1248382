"""The edit pages (SPEC §3.2 "Editing") in a real headless Chromium, in Bahasa Indonesia, at a
phone's and a desktop's width, each checked by axe-core and for width and photographed into
test-artifacts/ (`console-edit-*`): a producer edits a product (errors, then a new version); an
administrator renews a facility's licence, edits an irradiator and a user, enables a disabled
user again, versions a dose map, and reads the change in the administration log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from schemas.batches import today_in_jakarta
from tests.browser.test_console_pages import _signed_in
from tests.integration.batch_steps import chicken, register
from tests.integration.world import World

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", ["390", "1366"])
async def test_a_producer_edits_a_product(browser, server_url, pool, world: World, width):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server_url) as api:
        created = await api.post(
            "/api/v1/products", json=chicken(net_content="500 g"), headers=world.producer.headers
        )
        product = created.json()
        await register(api, world, product["id"])
    tab = await _signed_in(browser, server_url, pool, world.producer, width)
    page = tab.page
    await page.goto(f"{server_url}/app/products/{product['id']}")
    await page.click("a[href$='/edit']")
    assert await page.locator("h1").inner_text() == "Ubah produk"
    assert await page.input_value("#min_dose_kgy") == "1,5"
    await tab.snap("edit-product")

    # three problems, one post: each next to its field and in the summary
    await page.fill("#name", "")
    await page.fill("#storage_temp_c", "99")
    await page.fill("#min_dose_kgy", "banyak")
    await page.click("main button[value=save]")
    assert await page.locator(".error-summary a").count() == 3
    assert await page.input_value("#min_dose_kgy") == "banyak"
    await tab.snap("edit-product-errors")

    await page.fill("#name", "Ayam potong premium")
    await page.fill("#storage_temp_c", "4")
    await page.fill("#min_dose_kgy", "1,5")
    await page.click("main button[value=save]")
    assert (
        "disimpan sebagai versi 2" in await page.locator(".flash:not(.flash-warning)").inner_text()
    )
    assert "versi 1" in await page.locator("main").inner_text()  # the earlier batch
    await tab.snap("edit-product-saved")

    # the same form in English
    await page.click("footer button[name=lang]")
    await page.goto(f"{server_url}/app/products/{product['id']}/edit")
    assert await page.locator("h1").inner_text() == "Edit the product"
    await tab.snap("edit-product-en")
    await page.click("footer button[name=lang]")
    assert tab.problems == []
    await page.context.close()


async def _admin_tab(browser: Any, server_url: str, pool: Any, world: World, width: str):  # type: ignore[no-untyped-def]
    return await _signed_in(browser, server_url, pool, world.admin, width)


@pytest.mark.parametrize("width", ["390", "1366"])
async def test_an_administrator_edits_accounts(browser, server_url, pool, world: World, width):  # type: ignore[no-untyped-def]
    lapsed = today_in_jakarta() - timedelta(days=3)
    async with httpx.AsyncClient(base_url=server_url) as api:
        licensed = await api.patch(
            f"/api/v1/organizations/{world.facility}",
            json={"licence_no": "BAPETEN/IU/77/2020", "licence_valid_until": lapsed.isoformat()},
            headers=world.admin.headers,
        )
        assert licensed.status_code == 200, licensed.text
        disabled = await api.post(
            f"/api/v1/users/{world.second_qa.id}/disable", headers=world.admin.headers
        )
        assert disabled.status_code == 200
        dose_map = await api.post(
            f"/api/v1/irradiators/{world.irradiator}/dose-maps",
            json={
                "name": "Tote 40×50, rempah 0,45 g/cm³",
                "loading_pattern": "2 tote per carrier, 4 carrier per siklus",
                "reference_position": "sisi luar tote, tengah tinggi",
                "ratio_min": 0.9,
                "ratio_max": 1.3,
                "expanded_uncertainty_pct": 4.0,
                "study_ref": "PQ-IGMP-2025-07",
                "performed_on": "2025-07-14",
            },
            headers=world.admin.headers,
        )
        assert dose_map.status_code == 201
    tab = await _admin_tab(browser, server_url, pool, world, width)
    page = tab.page

    # the facility's licence renewed: the period follows on from the lapsed one
    await page.goto(f"{server_url}/app/admin/organizations/{world.facility}/edit")
    await tab.snap("edit-organization")
    await page.fill("#licence_no", "BAPETEN/IU/88/2026")
    await page.fill("#licence_valid_until", (today_in_jakarta() + timedelta(days=365)).isoformat())
    await page.click("main button[type=submit]")
    assert "disimpan" in await page.locator(".flash:not(.flash-warning)").inner_text()
    await page.goto(f"{server_url}/app/admin/organizations/{world.facility}/edit")
    assert await page.locator("table tbody tr").count() == 2  # two licence periods
    await tab.snap("edit-organization-renewed")

    await page.goto(f"{server_url}/app/admin/irradiators/{world.irradiator}/edit")
    await page.select_option("#source_type", "x-ray")
    await page.fill("#max_energy_mev", "9")
    await page.click("main button[type=submit]")
    assert "7,5 MeV" in await page.locator("#max_energy_mev-error").inner_text()
    await tab.snap("edit-irradiator-error")

    await page.goto(f"{server_url}/app/admin/users/{world.operator.id}/edit")
    await tab.snap("edit-user")
    await page.select_option("#role", "qa")
    await page.click("main form[action$='/edit'] button[type=submit]")
    assert "disimpan" in await page.locator(".flash:not(.flash-warning)").inner_text()

    await page.goto(f"{server_url}/app/admin/users")
    enable = page.locator(f"form[action='/app/admin/users/{world.second_qa.id}/enable'] button")
    await tab.snap("edit-users-disabled")
    await enable.click()
    assert "dapat masuk lagi" in await page.locator(".flash:not(.flash-warning)").inner_text()

    await page.goto(f"{server_url}/app/admin/irradiators/{world.irradiator}/dose-maps")
    await tab.snap("edit-dose-maps")
    await page.click("a[href$='/edit']")
    await page.fill("#ratio_max", "1,35")
    await tab.snap("edit-dose-map-version")
    await page.click("main button[type=submit]")
    assert "versi 2" in await page.locator(".flash:not(.flash-warning)").inner_text()
    await tab.snap("edit-dose-maps-versioned")

    await page.goto(f"{server_url}/app/admin/log")
    assert "BAPETEN/IU/88/2026" in await page.locator("main").inner_text()
    await tab.snap("edit-admin-log")
    assert tab.problems == []
    await page.context.close()
