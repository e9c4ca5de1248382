"""The console's own pages in a real headless Chromium, in Bahasa Indonesia, at a phone's and a
desktop's width: invite → set a password → sign in → the dashboard, the error page, the account
page and sign-out; with JavaScript and without; the CSP holding; screenshots as artifacts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from tests.browser.conftest import ARTIFACTS, WIDTHS, watch_problems
from tests.integration.world import World

pytestmark = pytest.mark.browser

PASSWORD = "Sambal-Bu-Rudy-2026"


async def _invite_url(server_url: str, world: World, email: str) -> str:
    async with httpx.AsyncClient(base_url=server_url) as api:
        created = await api.post(
            "/api/v1/users",
            json={
                "name": "Rudy Hartono",
                "role": "producer",
                "organization_id": str(world.producer_org),
                "email": email,
            },
            headers=world.admin.headers,
        )
    assert created.status_code == 201, created.text
    return server_url + urlsplit(created.json()["invite_url"]).path


class Tab:
    """A fresh browser context at one width, collecting everything the browser complained of."""

    def __init__(self, page: Any, width: str) -> None:
        self.page, self.width = page, width
        self.problems = watch_problems(page)

    async def snap(self, name: str) -> None:
        """Screenshot, width and accessibility check of the page as it is now."""
        # nothing wider than the screen: no sideways scrolling on a phone
        if await self.page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            self.problems.append(f"{name} is wider than the screen at {self.width} px")
        await self.page.screenshot(
            path=str(ARTIFACTS / f"console-{name}-{self.width}.png"), full_page=True
        )
        results = await Axe().run(self.page)
        assert results.response["passes"], "axe-core did not run"
        self.problems.extend(
            f"{name}: axe {violation['id']} ({violation['impact']}): {violation['help']}"
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        )


async def _tab(browser: Any, width: str, *, javascript: bool = True) -> Tab:
    context = await browser.new_context(
        viewport=WIDTHS[width], locale="id-ID", java_script_enabled=javascript
    )
    return Tab(await context.new_page(), width)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_invite_sign_in_and_out(browser, server_url, world: World, width, javascript):
    email = f"rudy.{world.tag}.{width}.{int(javascript)}@sambal.example.id"
    invite = await _invite_url(server_url, world, email)
    tab = await _tab(browser, width, javascript=javascript)
    page = tab.page
    shots = javascript  # one set of screenshots is enough

    await page.goto(invite)
    assert await page.locator("h1").inner_text() == "Buat kata sandi Anda"
    if shots:
        await tab.snap("invite")
    # a password that breaks a rule: the message sits next to its field, linked from the top
    await page.fill("#password", "pendek")
    await page.fill("#password_confirm", "pendek")
    await page.click("button[type=submit]")
    assert "Gunakan minimal 10 karakter" in await page.locator("#password-error").inner_text()
    assert await page.locator(".error-summary a[href='#password']").count() == 1
    if shots:
        await tab.snap("invite-error")
    await page.fill("#password", PASSWORD)
    await page.fill("#password_confirm", PASSWORD)
    await page.click("button[type=submit]")

    assert urlsplit(page.url).path == "/app/login"
    assert (
        "Kata sandi Anda sudah disimpan"
        in await page.locator(".flash:not(.flash-warning)").inner_text()
    )
    if shots:
        await tab.snap("login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    assert urlsplit(page.url).path == "/app/"
    assert "Rudy Hartono" in await page.locator("header").inner_text()
    if shots:
        await tab.snap("dashboard")

    await page.goto(server_url + "/app/tidak-ada")
    assert await page.locator("h1").inner_text() == "Halaman tidak ditemukan"
    if shots:
        await tab.snap("error-404")
    await page.goto(server_url + "/app/account")
    assert email in await page.locator("main").inner_text()
    if shots:
        await tab.snap("account")

    await page.click("header button[type=submit]")  # sign out
    assert urlsplit(page.url).path == "/app/login"
    assert "Anda sudah keluar" in await page.locator(".flash:not(.flash-warning)").inner_text()
    await page.goto(server_url + "/app/account")
    assert urlsplit(page.url).path == "/app/login"  # the session is gone
    assert tab.problems == []
    await page.context.close()


async def test_language_switch_in_the_browser(browser, server_url):
    tab = await _tab(browser, "390")
    await tab.page.goto(server_url + "/app/login")
    await tab.page.click("footer button[name=lang]")
    assert await tab.page.locator("h1").inner_text() == "Sign in to Radura"
    assert await tab.page.get_attribute("html", "lang") == "en"
    await tab.snap("login-en")
    await tab.page.click("footer button[name=lang]")
    assert await tab.page.locator("h1").inner_text() == "Masuk ke Radura"
    assert tab.problems == []
    await tab.page.context.close()
