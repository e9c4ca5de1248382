"""The administrator's and the regulator's pages in a real headless Chromium, in Bahasa
Indonesia, at a phone's width (390 px) and a desktop's (1366 px): every page, with a form's
error state where it has one, checked by axe-core (no serious or critical violation), never
wider than the screen, no browser complaint; screenshots in test-artifacts/console/. Without
JavaScript too: an administrator creates a user and sees the invite link, a regulator finds a
batch by lot and recalls it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from tests.browser.conftest import ARTIFACTS, WIDTHS, watch_problems
from tests.integration.batch_steps import (
    batch_body,
    chicken,
    fresh_gtin13,
    receipt_body,
    treatment_body,
)
from tests.integration.console import TEST_PASSWORD, give_password
from tests.integration.world import Actor, World

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "console"


class Desk:
    """A signed-in browser context that photographs and checks each page at both widths."""

    def __init__(self, page: Any, prefix: str) -> None:
        self.page, self.prefix = page, prefix
        self.problems = watch_problems(page)

    async def goto(self, path: str, base: str) -> int:
        response = await self.page.goto(base + path)
        return int(response.status) if response else 0

    async def check(self, name: str) -> None:
        """Both widths: no sideways scrolling, axe-core clean, a screenshot each."""
        for width, viewport in WIDTHS.items():
            await self.page.set_viewport_size(viewport)
            if await self.page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
                self.problems.append(f"{name} is wider than the screen at {width} px")
            await self.page.screenshot(
                path=str(SHOTS / f"{self.prefix}-{name}-{width}.png"), full_page=True
            )
            results = await Axe().run(self.page)
            assert results.response["passes"], "axe-core did not run"
            self.problems.extend(
                f"{name} at {width} px: axe {v['id']} ({v['impact']}): {v['help']} "
                f"{[node['target'] for node in v['nodes']]}"
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            )
        await self.page.set_viewport_size(WIDTHS["390"])


async def _signed_in(
    browser: Any, server_url: str, pool: asyncpg.Pool, actor: Actor, prefix: str, js: bool = True
) -> Desk:
    email = await give_password(pool, actor.id)
    context = await browser.new_context(
        viewport=WIDTHS["390"], locale="id-ID", java_script_enabled=js
    )
    desk = Desk(await context.new_page(), prefix)
    await desk.goto("/app/login", server_url)
    await desk.page.fill("#email", email)
    await desk.page.fill("#password", TEST_PASSWORD)
    await desk.page.click("main button[type=submit]")
    assert urlsplit(desk.page.url).path == "/app/", desk.page.url
    return desk


async def _batches(server_url: str, world: World) -> dict[str, str]:
    """A released, a recalled, a rejected and a nonconforming batch, through the API."""
    gtin = fresh_gtin13()
    made: dict[str, str] = {"gtin": gtin}
    async with httpx.AsyncClient(base_url=server_url) as api:

        async def post(path: str, body: Any, actor: Actor) -> dict[str, Any]:
            answer = await api.post(path, json=body, headers=actor.headers)
            assert answer.status_code in (200, 201), answer.text
            return dict(answer.json())

        product = await post("/api/v1/products", chicken(gtin=gtin), world.producer)
        steps = {
            "released": [((2.1, 2.6), "release", None)],
            "recalled": [((2.1, 2.6), "release", None), (None, "recall", {"reason": "Bocor"})],
            "rejected": [((2.1, 2.6), "reject", {"reason": "Suhu produk terlalu tinggi"})],
            "nonconforming": [((1.1, 2.0), None, None)],
        }
        for name, actions in steps.items():
            batch = await post("/api/v1/batches", batch_body(world, product["id"]), world.producer)
            made[name], made[f"{name}_lot"] = batch["id"], batch["lot"]
            await post(f"/api/v1/batches/{batch['id']}/receipt", receipt_body(), world.operator)
            for doses, action, body in actions:
                if doses:
                    await post(
                        f"/api/v1/batches/{batch['id']}/treatment",
                        treatment_body(world, *doses),
                        world.operator,
                    )
                if action:
                    actor = world.producer if action == "recall" else world.qa
                    await post(f"/api/v1/batches/{batch['id']}/{action}", body, actor)
    return made


async def test_admin_pages_at_both_widths(browser, server_url, pool, world: World):
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk = await _signed_in(browser, server_url, pool, world.admin, "admin")
    page = desk.page
    for path, name in (
        ("/app/admin/users", "users"),
        ("/app/admin/organizations", "organizations"),
        ("/app/admin/irradiators", "irradiators"),
        ("/app/admin/food-categories", "food-categories"),
        ("/app/admin/log", "log"),
    ):
        assert await desk.goto(path, server_url) == 200, path
        await desk.check(name)

    # a user: the form, its errors, the invite link
    await desk.goto("/app/admin/users/new", server_url)
    await desk.check("user-new")
    await page.fill("#name", "Wulan Inspektur")
    await page.fill("#email", "bukan-email")
    await page.select_option("#role", "regulator")
    await page.click("main button[type=submit]")
    assert await page.locator("#email-error").count() == 1
    assert await page.locator(".error-summary a[href='#email']").count() == 1
    await desk.check("user-new-error")
    await page.fill("#email", f"wulan.{world.tag}@pom.example.id")
    await page.select_option("#organization_id", str(world.regulator_org))
    await page.click("main button[type=submit]")
    invite = await page.locator("#invite_url").input_value()
    assert invite.startswith("https://radura.test/app/invite/")
    await desk.check("user-created")

    await desk.goto(f"/app/admin/users/{world.operator.id}/disable", server_url)
    await desk.check("user-disable")

    await desk.goto("/app/admin/organizations/new", server_url)
    await desk.check("organization-new")
    await page.click("main button[type=submit]")
    assert await page.locator("#name-error").count() == 1
    await desk.check("organization-new-error")

    await desk.goto("/app/admin/irradiators/new", server_url)
    await desk.check("irradiator-new")
    await page.select_option("#facility_id", str(world.facility))
    await page.fill("#name", "Linac")
    await page.select_option("#source_type", "electron-beam")
    await page.fill("#max_energy_mev", "12")
    await page.click("main button[type=submit]")
    assert "10 MeV" in await page.locator("#max_energy_mev-error").inner_text()
    await desk.check("irradiator-new-error")

    await desk.goto("/app/admin/food-categories", server_url)
    form = page.locator("#mango-extend_shelf_life")
    await form.locator("input[name=max_dose_kgy]").fill("dua")
    await form.locator("button").click()
    assert await page.locator("#max_dose_kgy-error").count() == 1
    await desk.check("food-categories-error")
    assert not desk.problems, "\n".join(desk.problems)


async def test_regulator_pages_at_both_widths(browser, server_url, pool, world: World):
    SHOTS.mkdir(parents=True, exist_ok=True)
    made = await _batches(server_url, world)
    desk = await _signed_in(browser, server_url, pool, world.regulator, "regulator")
    page = desk.page
    assert await desk.goto("/app/overview", server_url) == 200
    nonconforming = page.locator("section[aria-labelledby=nonconforming]")
    assert await nonconforming.locator(f"a[href='/app/batches/{made['nonconforming']}']").count()
    await desk.check("overview")
    await desk.goto(f"/app/batches?q={made['gtin']}", server_url)
    assert await page.locator(f"a[href='/app/batches/{made['released']}']").count() == 1
    await desk.check("search")
    await desk.goto(f"/app/batches/{made['nonconforming']}", server_url)
    await desk.check("batch-nonconforming")
    await desk.goto(f"/app/batches/{made['released']}", server_url)
    await desk.check("batch-released")
    await desk.goto(f"/app/batches/{made['released']}/recall", server_url)
    await page.click("main button[type=submit]")
    assert await page.locator("#reason-error").count() == 1
    await desk.check("recall-error")
    await desk.goto("/app/admin/log", server_url)
    await desk.check("log")
    assert not desk.problems, "\n".join(desk.problems)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_desk_work_with_and_without_javascript(browser, server_url, pool, world, js):
    made = await _batches(server_url, world)
    admin = await _signed_in(browser, server_url, pool, world.admin, "admin", js=js)
    await admin.goto("/app/admin/users/new", server_url)
    await admin.page.fill("#name", "Agus Operator")
    await admin.page.fill("#email", f"agus.{world.tag}.{int(js)}@iradiator.example.id")
    await admin.page.select_option("#role", "operator")
    await admin.page.select_option("#organization_id", str(world.facility))
    await admin.page.click("main button[type=submit]")
    assert "/app/invite/" in await admin.page.locator("#invite_url").input_value()

    regulator = await _signed_in(browser, server_url, pool, world.regulator, "regulator", js=js)
    page = regulator.page
    await regulator.goto("/app/batches", server_url)
    await page.fill("#q", made["released_lot"])
    await page.click("form.search button[type=submit]")
    await page.click(f"a[href='/app/batches/{made['released']}']")
    await page.click(f"a[href='/app/batches/{made['released']}/recall']")
    await page.fill("#reason", "Inspeksi BPOM: suhu penyimpanan tidak sesuai")
    await page.click("main button[type=submit]")
    assert urlsplit(page.url).path == f"/app/batches/{made['released']}"
    assert "ditarik" in (await page.locator(".flash-success").inner_text()).lower()
    async with httpx.AsyncClient(base_url=server_url) as api:
        record = await api.get(
            f"/api/v1/batches/{made['released']}", headers=world.regulator.headers
        )
    assert record.json()["status"] == "recalled"
    assert not admin.problems + regulator.problems, admin.problems + regulator.problems
