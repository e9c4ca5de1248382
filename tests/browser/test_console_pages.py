"""The console pages the producer's journey does not pass through, in a real headless Chromium
at a phone's and a desktop's width, each checked by axe-core (no serious or critical violation),
for width (nothing wider than a 390 px screen) and photographed into test-artifacts/: a batch
waiting for the facility and its cancel confirmation, the registration form with its errors, the
403 and 409 error pages, the dashboard and batch page as the facility's QA officer and the
regulator see them, and the producer's pages in English."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.browser.conftest import WIDTHS
from tests.browser.test_console_shell import Tab
from tests.integration.batch_steps import batch_in, receipt_body
from tests.integration.console import TEST_PASSWORD, give_password
from tests.integration.world import Actor, World

pytestmark = pytest.mark.browser


async def _signed_in(browser: Any, server_url: str, pool: asyncpg.Pool, who: Actor, width: str):  # type: ignore[no-untyped-def]
    """A tab at `width` signed in as `who` through the sign-in form."""
    email = await give_password(pool, who.id)
    context = await browser.new_context(viewport=WIDTHS[width], locale="id-ID")
    tab = Tab(await context.new_page(), width)
    await tab.page.goto(server_url + "/app/login")
    await tab.page.fill("#email", email)
    await tab.page.fill("#password", TEST_PASSWORD)
    await tab.page.click("main button[type=submit]")
    assert urlsplit(tab.page.url).path == "/app/", await tab.page.locator("main").inner_text()
    return tab


async def _batches(server_url: str, world: World) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=server_url) as api:
        return {s: await batch_in(api, world, s) for s in ("registered", "released")}


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_producer_pages_beside_the_journey(browser, server_url, pool, world: World, width):  # type: ignore[no-untyped-def]
    batches = await _batches(server_url, world)
    tab = await _signed_in(browser, server_url, pool, world.producer, width)
    page = tab.page

    await page.goto(f"{server_url}/app/batches/{batches['registered']}")
    assert await page.locator("a[href$='/cancel']").count() == 1  # not received yet
    await tab.snap("batch-registered")
    await page.click("a[href$='/cancel']")
    assert "?" in await page.locator("h1").inner_text()
    await tab.snap("cancel-confirm")

    # the facility receives it meanwhile: the confirmation is out of date, the page says so
    async with httpx.AsyncClient(base_url=server_url) as api:
        answer = await api.post(
            f"/api/v1/batches/{batches['registered']}/receipt",
            json=receipt_body(),
            headers=world.operator.headers,
        )
        assert answer.status_code == 201, answer.text
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await page.click("main button[type=submit]")
    assert (await posted.value).status == 409
    await tab.snap("error-409")

    await page.goto(server_url + "/app/batches/new")
    await page.click("main button[type=submit]")
    assert await page.locator(".error-summary a").count() >= 3
    await tab.snap("batch-new-errors")

    # the same pages in English
    await page.click("footer button[name=lang]")
    await page.goto(f"{server_url}/app/batches/{batches['released']}")
    assert "Best before" in await page.locator("main").inner_text()
    await tab.snap("batch-released-en")
    await page.goto(server_url + "/app/")
    assert await page.get_attribute("html", "lang") == "en"
    await tab.snap("dashboard-en")
    await page.click("footer button[name=lang]")  # back to Bahasa Indonesia for the next tests
    assert tab.problems == []
    await page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", ["qa", "regulator"])
async def test_other_roles_see_the_console(browser, server_url, pool, world: World, role, width):  # type: ignore[no-untyped-def]
    batches = await _batches(server_url, world)
    who = world.qa if role == "qa" else world.regulator
    tab = await _signed_in(browser, server_url, pool, who, width)
    page = tab.page
    await tab.snap(f"dashboard-{role}")
    await page.goto(f"{server_url}/app/batches/{batches['released']}")
    assert "Diluluskan" in await page.locator("main").inner_text()
    await tab.snap(f"batch-{role}")

    # registering a batch is the producer's alone: the 403 page, in the reader's language
    answer = await page.goto(server_url + "/app/batches/new")
    assert answer is not None and answer.status == 403
    assert await page.locator("h1").inner_text() == "Anda tidak boleh melakukan ini"
    await tab.snap(f"error-403-{role}")
    assert tab.problems == []
    await page.context.close()
