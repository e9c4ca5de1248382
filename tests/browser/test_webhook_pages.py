"""The webhook pages in a real headless Chromium at a phone's and a desktop's width, each checked
by axe-core and for width, and photographed into test-artifacts/: the empty list, the form with
its errors, the secret shown once, the list, a delivery log with an attempt, and the delete
confirmation."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.browser.conftest import WIDTHS
from tests.browser.test_console_pages import _signed_in
from tests.integration.batch_steps import batch_in
from tests.integration.world import World
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_webhook_pages(browser, server_url, pool, world: World, width):  # type: ignore[no-untyped-def]
    tab = await _signed_in(browser, server_url, pool, world.producer, width)
    page = tab.page
    await page.goto(server_url + "/app/webhooks")
    assert "Belum ada endpoint." in await page.locator("main").inner_text()
    await tab.snap("webhooks-empty")

    await page.click("main a[href='/app/webhooks/new']")
    for box in await page.locator("input[name=events]").all():
        await box.uncheck()
    await page.click("main button[type=submit]")
    assert await page.locator(".error-summary a").count() == 2
    await tab.snap("webhook-new-errors")

    with running_receiver() as receiver:
        # a long address must wrap on a phone, not widen the page
        url = f"{receiver.url}/radura/{'penerima-' * 8}{world.tag}"
        await page.fill("#url", url)
        await page.check("input[value='batch.released']")
        await page.click("main button[type=submit]")
        secret = await page.locator("#secret").input_value()
        assert secret.startswith("whsec_")
        await tab.snap("webhook-created")

        async with httpx.AsyncClient(base_url=server_url) as api:
            batch_id = await batch_in(api, world, "released")
        for _ in range(100):
            if any(batch_id in r.body.decode() for r in receiver.received):
                break
            await asyncio.sleep(0.1)
        await page.goto(server_url + "/app/webhooks")
        assert url in await page.locator("main").inner_text()
        await tab.snap("webhooks-list")
        await page.click("main .row-actions a >> nth=0")
        for _ in range(50):
            if "HTTP 204" in await page.locator("main").inner_text():
                break
            await asyncio.sleep(0.1)
            await page.reload()
        assert "Terkirim" in await page.locator("main").inner_text()
        await tab.snap("webhook-deliveries")

    await page.click("main a[href$='/delete']")
    await tab.snap("webhook-delete-confirm")
    await page.click("main button[type=submit]")
    assert "Endpoint telah dihapus" in await page.locator("main").inner_text()
    assert tab.problems == []
