"""The API reference at /schema in a real headless Chromium with no way out of the app: every
script and style comes from the app itself, the page's strict CSP holds and the operations show."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, watch_problems

pytestmark = pytest.mark.browser


async def test_schema_page_shows_the_operations_offline(browser: Any, server_url: str) -> None:
    app_origin = urlsplit(server_url).netloc
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    outside: list[str] = []

    async def only_the_app(route: Any) -> None:
        if urlsplit(route.request.url).netloc == app_origin:
            await route.continue_()
        else:  # as on a machine with no internet: anything else fails
            outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_app)
    page = await context.new_page()
    problems = watch_problems(page)
    response = await page.goto(server_url + "/schema")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]

    await page.locator(".opblock").first.wait_for(timeout=20_000)
    summaries = await page.locator(".opblock-summary-description").all_inner_texts()
    paths = await page.locator(".opblock-summary-path").all_inner_texts()
    assert "Register batch" in summaries
    assert "Verify a pack's serial label of the short form" in summaries
    assert any("/api/v1/batches/{batch_id}/release" in p for p in paths)
    assert len(paths) >= 45
    await page.screenshot(path=str(ARTIFACTS / "api-docs-1366.png"))
    assert outside == []
    assert problems == []
    await context.close()


async def test_the_root_leads_to_the_console_sign_in(browser: Any, server_url: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    response = await page.goto(server_url + "/")
    assert response.status == 200
    assert urlsplit(page.url).path == "/app/login"
    await context.close()
