"""Every page the console serves, found in the app's own route table, opened in a real headless
Chromium by a role allowed to see it, at a phone's and a desktop's width in Bahasa Indonesia and
at a desktop's in English: axe-core finds no serious or critical violation, nothing is wider than
the screen, and the browser complains of nothing. A new console page is checked here without
anyone listing it; one whose path parameters this test cannot fill fails until it is taught them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from service.accounts.password_resets import issue_reset
from tests.browser.conftest import WIDTHS, watch_problems
from tests.integration.batch_steps import batch_in, chicken, create_product
from tests.integration.batches.shipments.shipment_steps import create_customer, shipped
from tests.integration.console import TEST_PASSWORD, give_password
from tests.integration.network.network_steps import joined, make_network
from tests.integration.test_dose_maps import dose_map_body
from tests.integration.world import Actor, World
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.browser

# pages that are not pages: the static files, the catch-all that answers 404, and the product
# form's purpose list that htmx fetches alone (the form page that includes it is checked)
NOT_PAGES = {"/app/static/{file_path:path}", "/app/{rest:path}", "/app/products/purposes"}
# the state a batch must be in for each batch page to offer its form
BATCH_STATE_OF = {
    "/app/batches/{batch_id:uuid}/cancel": "registered",
    "/app/batches/{batch_id:uuid}/receipt": "registered",
    "/app/batches/{batch_id:uuid}/treatment": "received",
    "/app/batches/{batch_id:uuid}/reject": "treated",
    "/app/batches/{batch_id:uuid}/release": "treated",
    "/app/batches/{batch_id:uuid}/recall-status": "recalled",
}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
# the order roles are tried in: the first one that may see a page checks it
ROLES = ("producer", "operator", "qa", "regulator", "admin")
# pages that are a different page for each role that opens them: every such role checks them
EVERY_ROLE_PAGES = {"/app/network"}
RUNS = [("id", "390"), ("id", "1366"), ("en", "1366")]


def console_pages(app: Any) -> list[str]:
    """The paths of every GET route under /app, as the app declares them."""
    return sorted(
        {
            route.path
            for route in app.routes
            if route.path.startswith("/app")
            and "GET" in getattr(route, "methods", ())
            and route.path not in NOT_PAGES
        }
    )


async def _values(
    server_url: str, pool: asyncpg.Pool, world: World, pages: list[str]
) -> dict[str, dict[str, str]]:
    """Path parameter values for each page that has any: fresh batches in the states the pages
    need, a product, a user, an invitation, a password-reset link, a webhook endpoint, a
    customer with a shipment, and a dose map."""
    async with httpx.AsyncClient(base_url=server_url) as api:
        product_id = (await create_product(api, world.producer, chicken()))["id"]
        batches: dict[str, str] = {}
        for state in {*BATCH_STATE_OF.values(), "released"}:
            batches[state] = await batch_in(api, world, state, product_id)
        invited = await api.post(
            "/api/v1/users",
            json={
                "name": "Dewi Lestari",
                "role": "producer",
                "organization_id": str(world.producer_org),
                "email": f"dewi.{world.tag}@rendang.example.id",
            },
            headers=world.admin.headers,
        )
        assert invited.status_code == 201, invited.text
        invite_token = urlsplit(invited.json()["invite_url"]).path.rsplit("/", 1)[-1]
        with running_receiver() as receiver:
            endpoint = await api.post(
                "/api/v1/webhooks",
                json={"url": f"{receiver.url}/radura", "events": ["batch.released"]},
                headers=world.producer.headers,
            )
        assert endpoint.status_code == 201, endpoint.text
        customer = await create_customer(api, world.producer)
        shipment = await shipped(api, world.producer, batches["released"], customer["id"])
        dose_map = await api.post(
            f"/api/v1/irradiators/{world.irradiator}/dose-maps",
            json=dose_map_body(name=f"Tote {world.tag}"),
            headers=world.admin.headers,
        )
        assert dose_map.status_code == 201, dose_map.text
    await give_password(pool, world.other_producer.id)  # a reset link goes to an email
    async with pool.acquire() as conn:
        reset_token = await issue_reset(conn, world.other_producer.id)
    known = {
        "product_id": product_id,
        "user_id": str(world.producer.id),
        "token": invite_token,
        "endpoint_id": endpoint.json()["id"],
        "customer_id": customer["id"],
        "shipment_id": shipment["id"],
        "irradiator_id": str(world.irradiator),
        "dose_map_id": dose_map.json()["id"],
        "organization_id": str(world.producer_org),
        "code": "US",  # a market's
    }
    values: dict[str, dict[str, str]] = {}
    for path in pages:
        names = PARAMETER.findall(path)
        filled = {name: known[name] for name in names if name in known}
        if "batch_id" in names:
            filled["batch_id"] = batches[BATCH_STATE_OF.get(path, "released")]
        if path.startswith("/app/password-reset/"):
            filled["token"] = reset_token
        if path.endswith("/approvals"):  # a facility's page
            filled["organization_id"] = str(world.facility)
        values[path] = filled
    return values


def _url(path: str, values: dict[str, str]) -> str:
    return PARAMETER.sub(lambda m: values[m.group(1)], path)


async def _tab(
    browser: Any, server_url: str, pool: asyncpg.Pool, who: Actor | None, lang: str, width: str
) -> Any:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=WIDTHS[width], locale="id-ID")
    page = await context.new_page()
    await page.goto(server_url + "/app/login")
    if who is not None:
        await page.fill("#email", await give_password(pool, who.id))
        await page.fill("#password", TEST_PASSWORD)
        await page.click("main button[type=submit]")
        assert urlsplit(page.url).path != "/app/login", await page.locator("main").inner_text()
    if lang == "en":
        await page.click("footer form.language button")
        assert await page.get_attribute("html", "lang") == "en"
    return page


async def _check(page: Any, name: str) -> list[str]:
    problems = []
    if await page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        problems.append(f"{name} is wider than the screen")
    results = await Axe().run(page)
    assert results.response["passes"], "axe-core did not run"
    problems.extend(
        f"{name}: axe {violation['id']} ({violation['impact']}): {violation['help']} "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    )
    return problems


def test_every_page_has_its_parameters_known(settings) -> None:  # type: ignore[no-untyped-def]
    from service.app import create_app

    pages = console_pages(create_app(settings))
    assert "/app/batches/{batch_id:uuid}" in pages  # the route table was read
    unknown = {
        name
        for path in pages
        for name in PARAMETER.findall(path)
        if name
        not in {
            "batch_id",
            "product_id",
            "user_id",
            "token",
            "endpoint_id",
            "customer_id",
            "shipment_id",
            "irradiator_id",
            "dose_map_id",
            "organization_id",
            "code",
        }
    }
    assert unknown == set(), f"teach _values() these path parameters: {sorted(unknown)}"


@pytest.mark.parametrize(("lang", "width"), RUNS, ids=[f"{lang}-{w}" for lang, w in RUNS])
async def test_every_console_page_passes_axe(
    browser, server_url, pool, settings, world: World, lang, width
):  # type: ignore[no-untyped-def]
    from service.app import create_app

    pages = console_pages(create_app(settings))
    values = await _values(server_url, pool, world, pages)
    # a cooperative office whose network the producer joined: its dashboard is /app/network
    async with httpx.AsyncClient(base_url=server_url) as api:
        network = await make_network(pool, world)
        await joined(api, network, world.producer)
    seen: set[str] = set()
    problems: list[str] = []
    for who in (None, *(getattr(world, role) for role in ROLES), network.user):
        page = await _tab(browser, server_url, pool, who, lang, width)
        complaints = watch_problems(page)
        for path in pages:
            if path in seen and path not in EVERY_ROLE_PAGES:
                continue
            answer = await page.goto(server_url + _url(path, values[path]))
            if (
                answer is None
                or answer.status != 200
                or (urlsplit(page.url).path == "/app/login" and path != "/app/login")
            ):
                continue  # not this role's page (403/404, or sent to sign in)
            seen.add(path)
            problems += await _check(page, f"{path} as {who.role if who else 'anyone'}")
        problems += complaints
        await page.context.close()
    assert sorted(set(pages) - seen) == [], "no role could open these pages"
    assert problems == []
