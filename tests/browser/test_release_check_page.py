"""The QA officer's release check page in a real headless Chromium, at a phone's and a desktop's
width in Bahasa Indonesia: the dose record and the best-before date it will fix, every line of
the record inside the page's panel (long Indonesian names wrap instead of pushing the values out),
axe-core clean, photographed into test-artifacts/."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import WIDTHS
from tests.browser.test_console_pages import _signed_in
from tests.integration.batch_steps import batch_in
from tests.integration.world import World

pytestmark = pytest.mark.browser

# the right edge of each line of the dose record, and of the panel that holds it
EDGES = """() => {
  const panel = document.querySelector("main .panel").getBoundingClientRect().right;
  return [...document.querySelectorAll(".facts dt, .facts dd")].map(
    e => [e.textContent.trim(), e.getBoundingClientRect().right, panel]);
}"""


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_the_release_check_page_holds_its_dose_record(  # type: ignore[no-untyped-def]
    browser: Any, server_url: str, pool: Any, world: World, width: str
):
    async with httpx.AsyncClient(base_url=server_url) as api:
        batch_id = await batch_in(api, world, "treated")  # treated by the operator
    tab = await _signed_in(browser, server_url, pool, world.qa, width)
    page = tab.page
    await page.goto(f"{server_url}/app/batches/{batch_id}")
    await page.click(f"a[href='/app/batches/{batch_id}/release']")
    assert await page.locator("h1").inner_text() == "Luluskan bets ini?"
    assert await page.locator("#release-best-before").count() == 1
    lines = await page.evaluate(EDGES)
    assert len(lines) == 14, lines  # seven facts, each a name and a value
    outside = [(text, right, panel) for text, right, panel in lines if right > panel + 0.5]
    assert outside == [], outside
    await tab.snap("release-check")
    assert tab.problems == []
    await page.context.close()
