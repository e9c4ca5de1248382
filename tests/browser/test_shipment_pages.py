"""The customers' and shipments' console pages in a real headless Chromium, in Bahasa Indonesia
at a phone's and a desktop's width, each checked by axe-core and for width, and photographed
into test-artifacts/: the customers list with its form (empty, then refused), one customer with
what it received, the batch page's shipments with the ship form, a refusal by the quantity rule
and the cancellation of a shipment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.browser.conftest import WIDTHS
from tests.browser.test_console_pages import _signed_in
from tests.integration.batch_steps import batch_in
from tests.integration.batches.shipments.shipment_steps import VALID_GLN, customer_body
from tests.integration.world import World

pytestmark = pytest.mark.browser


async def _shipped_batch(server_url: str, world: World) -> tuple[str, dict[str, Any]]:
    """A released batch shipped to two of three customers (one in Germany)."""
    async with httpx.AsyncClient(base_url=server_url) as api:
        batch_id = await batch_in(api, world, "released")
        customers = []
        for changes in (
            {"name": "Toko Oleh-Oleh Uni Minang", "city": "Padang"},
            {"name": "CV Distribusi Pangan Nusantara", "kind": "distributor",
             "city": "Jakarta Timur", "gln": VALID_GLN},
            {"name": "Halal Feinkost Import GmbH", "kind": "importer", "country": "DE",
             "city": "Hamburg", "whatsapp": None},
        ):  # fmt: skip
            body = {k: v for k, v in customer_body(**changes).items() if v is not None}
            answer = await api.post("/api/v1/customers", json=body, headers=world.producer.headers)
            assert answer.status_code == 201, answer.text
            customers.append(answer.json())
        for customer, quantity, document in ((customers[0], 40, "SJ/BK/0141"),
                                             (customers[1], 60, "INV/BK/0088")):  # fmt: skip
            answer = await api.post(
                f"/api/v1/batches/{batch_id}/shipments",
                json={"customer_id": customer["id"], "quantity": quantity, "unit": "pcs",
                      "shipped_at": datetime.now(UTC).isoformat(),
                      "document_no": document},
                headers=world.producer.headers,
            )  # fmt: skip
            assert answer.status_code == 201, answer.text
    return batch_id, {"padang": customers[0], "hamburg": customers[2]}


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_customer_and_shipment_pages(browser, server_url, pool, world: World, width):  # type: ignore[no-untyped-def]
    batch_id, customers = await _shipped_batch(server_url, world)
    tab = await _signed_in(browser, server_url, pool, world.producer, width)
    page = tab.page

    await page.goto(server_url + "/app/customers")
    assert await page.locator("h1").inner_text() == "Pelanggan"
    assert "Jerman" in await page.locator("main table").inner_text()
    await tab.snap("ship-customers")
    await page.click("#new button[type=submit]")
    assert await page.locator(".error-summary a").count() >= 1
    await page.fill("#name", "Toko Baru")
    await page.fill("#gln", "4000001000006")
    await page.click("#new button[type=submit]")
    assert "Digit pemeriksa GLN" in await page.locator("#gln-error").inner_text()
    await tab.snap("ship-customer-errors")

    await page.goto(f"{server_url}/app/customers/{customers['padang']['id']}")
    assert "Pengiriman yang diterima" in await page.locator("main").inner_text()
    await tab.snap("ship-customer")

    await page.goto(f"{server_url}/app/batches/{batch_id}#shipments")
    section = page.locator("#shipments")
    assert "100 dari 120 buah sudah dikirim." in await section.inner_text()
    await tab.snap("ship-batch-shipments")

    # Germany ships to the EU, which admits no irradiated chicken: the market's rule refuses it
    await page.select_option("#customer_id", customers["hamburg"]["id"])
    await page.fill("#quantity", "20")
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await page.click("#shipments form button[type=submit]")
    assert (await posted.value).status == 422
    assert "EU tidak menerima bets ini" in await page.locator("#market-error").inner_text()
    await tab.snap("ship-form-market-refused")

    # 30 more than the 20 left: the rule refuses it on the quantity, naming the figures
    await page.select_option("#customer_id", customers["padang"]["id"])
    await page.fill("#quantity", "30")
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await page.click("main form button[type=submit]")
    assert (await posted.value).status == 422
    assert "paling banyak 20 lagi" in await page.locator("#quantity-error").inner_text()
    await tab.snap("ship-form-refused")
    await page.fill("#quantity", "20")
    await page.click("main form button[type=submit]")
    assert "Pengiriman ke Toko Oleh-Oleh Uni Minang (Indonesia) tercatat." in (
        await page.locator(".flash:not(.flash-warning)").inner_text()
    )

    await page.click("#shipments a[href$='/cancel'] >> nth=0")
    assert "?" in await page.locator("h1").inner_text()
    await tab.snap("ship-cancel")
    await page.fill("#reason", "Salah pelanggan")
    await page.click("main button[type=submit]")
    assert "Salah pelanggan" in await page.locator("#shipments").inner_text()
    assert tab.problems == []
    await page.context.close()
