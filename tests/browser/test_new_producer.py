"""A brand-new producer's first days in a real headless Chromium, on a phone (390 px) in Bahasa
Indonesia and on a desktop (1366 px) in English: the administrator registers the producer and
invites its first user through the console; the user opens the invite link, sets a password,
signs in and, following only the dashboard's first steps, registers the first product and the
first batch; the facility receives, treats and releases it meanwhile (through the API); the task
list then leads to the batch page, where the producer issues serials and downloads an A4 sheet,
and the dashboard shows every step done. Every page is checked by axe-core (no serious or
critical violation) and for width, and photographed into test-artifacts/."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from schemas.batches import today_in_jakarta
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console_pages import _signed_in
from tests.browser.test_console_shell import PASSWORD, _tab
from tests.browser.test_producer_journey import _decode_first_page, _facility_steps
from tests.integration.world import World

pytestmark = pytest.mark.browser


# (width, language): a phone in Bahasa Indonesia, a desktop in English
WALKS = [("390", "id"), ("1366", "en")]
# what the walk reads on the pages, in each language
SAYS = {
    "id": {
        "purposes": "Hanya tujuan",
        "shelf_life": "7 hari",
        "registered": "terdaftar",
        "serials": "Nomor seri diterbitkan: 30",
    },
    "en": {
        "purposes": "Only the purposes",
        "shelf_life": "7 days",
        "registered": "registered",
        "serials": "Serials issued: 30",
    },
}


async def _invite_through_the_console(  # type: ignore[no-untyped-def]
    browser, server_url, pool, world: World, producer_name: str, email: str, width: str
) -> str:
    """The administrator, at the same width, adds the producer and its first user; returns the
    invite link's path."""
    admin = await _signed_in(browser, server_url, pool, world.admin, width)
    page = admin.page
    await page.goto(server_url + "/app/admin/organizations/new")
    await page.select_option("#kind", "producer")
    await page.fill("#name", producer_name)
    await page.fill("#address", "Jl. Sudirman No. 12")
    await page.fill("#city", "Bukittinggi")
    await page.click("main button[type=submit]")
    assert urlsplit(page.url).path == "/app/admin/organizations"
    assert producer_name in await page.locator("main").inner_text()

    await page.goto(server_url + "/app/admin/users/new")
    await page.fill("#name", "Siti Rahmawati")
    await page.fill("#email", email)
    await page.select_option("#role", "producer")
    option = page.locator("#organization_id option", has_text=producer_name)
    await page.select_option("#organization_id", await option.get_attribute("value"))
    await page.click("main button[type=submit]")
    invite_url = await page.locator("#invite_url").input_value()
    await admin.snap("new-producer-invite-link")
    assert admin.problems == []
    await page.context.close()
    return urlsplit(invite_url).path


@pytest.mark.parametrize(("width", "lang"), WALKS, ids=[f"{w}-{lang}" for w, lang in WALKS])
async def test_a_new_producer_from_the_invite_to_the_first_labels(  # type: ignore[no-untyped-def]
    browser, server_url, pool, world: World, width: str, lang: str
):
    says = SAYS[lang]
    tag = secrets.token_hex(3)
    producer_name = f"Keripik Balado Uni Ati {tag}"
    email = f"siti.{tag}@balado.example.id"
    invite_path = await _invite_through_the_console(
        browser, server_url, pool, world, producer_name, email, width
    )

    tab = await _tab(browser, width)
    page = tab.page
    await page.goto(server_url + invite_path)
    if lang == "en":  # the footer's language switch, before anything else
        await page.click("footer button[name=lang]")
        await page.goto(server_url + invite_path)
    assert await page.get_attribute("html", "lang") == lang
    await tab.snap(f"new-producer-set-password-{lang}")
    await page.fill("#password", PASSWORD)
    await page.fill("#password_confirm", PASSWORD)
    await page.click("button[type=submit]")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    assert urlsplit(page.url).path == "/app/"
    assert await page.get_attribute("html", "lang") == lang  # signing in keeps the choice
    steps = page.locator("section .first-steps")
    assert await steps.locator("[data-step=product]").get_attribute("data-state") == "next"
    await tab.snap(f"new-producer-dashboard-empty-{lang}")

    # the first step's link: the product form
    await steps.locator("[data-step=product] a").click()
    assert urlsplit(page.url).path == "/app/products/new"
    await page.fill("#name", "Keripik Balado")
    await page.select_option("#category", "spices_herbs")
    await expect(page.locator("#purpose-hint")).to_contain_text(says["purposes"])
    listed = await page.locator("#purpose option").all_inner_texts()
    assert 1 < len(listed) < 9, listed  # the category's purposes and "Choose…", not all
    await page.select_option("#category", "meat_poultry")
    await expect(page.locator("#purpose option[value=extend_shelf_life]")).to_have_count(1)
    await page.select_option("#purpose", "extend_shelf_life")
    await page.fill("#min_dose_kgy", "1,5" if lang == "id" else "1.5")
    await page.fill("#base_shelf_life_days", "5")
    await page.fill("#reference_temp_c", "4")
    await page.fill("#storage_temp_c", "4")
    await page.locator("#storage_temp_c").dispatch_event("change")
    await expect(page.locator("#preview")).to_contain_text(says["shelf_life"])
    await tab.snap(f"new-producer-product-form-{lang}")
    await page.click("button[value=save]")
    assert urlsplit(page.url).path.startswith("/app/products/")
    assert "Keripik Balado" in await page.locator(".flash:not(.flash-warning)").inner_text()

    # back to the dashboard by the menu: the product is done, the batch is next
    await page.locator("nav.nav a[href='/app/']").click()
    assert await steps.locator("[data-step=product]").get_attribute("data-state") == "done"
    assert await steps.locator("[data-step=batch]").get_attribute("data-state") == "next"
    await steps.locator("[data-step=batch] a").click()
    assert urlsplit(page.url).path == "/app/batches/new"
    await page.select_option("#facility_id", str(world.facility))
    lot = f"KB-{tag}".upper()
    await page.fill("#lot", lot)
    # made two days ago: the facility's receipt (a day ago) may not come before it
    await page.fill("#production_date", (today_in_jakarta() - timedelta(days=2)).isoformat())
    await page.fill("#quantity", "120")
    await tab.snap(f"new-producer-batch-form-{lang}")
    await page.click("main button[type=submit]")
    batch_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    registered_flash = await page.locator(".flash:not(.flash-warning)").inner_text()
    assert says["registered"] in registered_flash
    code = re.search(r"\b[0-9A-Z]{10}\b", registered_flash)
    assert code is not None, registered_flash

    await page.locator("nav.nav a[href='/app/']").click()
    assert await steps.locator("[data-step=batch]").get_attribute("data-state") == "done"
    send = steps.locator("[data-step=send]")
    assert await send.get_attribute("data-state") == "next"
    assert code[0] in await send.inner_text()
    labels_step = steps.locator("[data-step=labels]")
    assert await labels_step.get_attribute("data-state") == "later"
    assert await labels_step.locator("a").count() == 0  # nothing to print before the release
    registered = page.locator("a[href='/app/batches?status=registered']")
    assert (await registered.locator(".tile-number").inner_text()).strip() == "1"
    await tab.snap(f"new-producer-dashboard-first-batch-{lang}")
    # the tile leads to the batch
    await registered.click()
    assert lot in await page.locator("main").inner_text()

    # the facility receives, treats and releases the batch meanwhile
    await _facility_steps(server_url, world, batch_id)
    await page.goto(server_url + "/app/")
    assert await send.get_attribute("data-state") == "done"
    assert await labels_step.get_attribute("data-state") == "next"
    # the last step's link: the released batch's page, where labels are issued
    await labels_step.locator("a").click()
    assert urlsplit(page.url).path == f"/app/batches/{batch_id}"
    await page.fill("#count", "30")
    await page.click("form[action$='/labels'] button")
    assert says["serials"] in await page.locator(".flash:not(.flash-warning)").inner_text()
    await tab.snap(f"new-producer-labels-issued-{lang}")
    async with page.expect_download() as download_info:
        await page.click("a[href$='layout=a4-3x8']")
    download = await download_info.value
    sheet = ARTIFACTS / f"new-producer-labels-{lang}.pdf"
    await download.save_as(sheet)
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    assert sheet.read_bytes().startswith(b"%PDF")
    uris = _decode_first_page(sheet.read_bytes())
    assert len(uris) == 24  # a full A4 sheet of 3×8 stickers, 24 of the 30 serials
    # the producer's own session lists what was issued
    listing = await page.request.get(f"{server_url}/api/v1/batches/{batch_id}/labels.csv")
    issued = {row["uri"] for row in csv.DictReader(io.StringIO(await listing.text()))}
    assert len(issued) == 30 and set(uris) <= issued

    # every step done, the list still there to say so
    await page.locator("nav.nav a[href='/app/']").click()
    states = [
        await steps.locator(f"[data-step={step}]").get_attribute("data-state")
        for step in ("product", "batch", "send", "labels")
    ]
    assert states == ["done"] * 4
    assert await page.locator(".first-steps-done").count() == 1
    soon = page.locator("section[aria-labelledby=soon]")
    released = soon.locator("a[href='/app/batches?status=released'] .tile-number")
    assert (await released.inner_text()).strip() == "1"
    await tab.snap(f"new-producer-dashboard-first-labels-{lang}")
    assert tab.problems == []
    await page.context.close()
