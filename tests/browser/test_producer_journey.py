"""A producer's whole journey in a real headless Chromium on a phone (390×844), in Bahasa
Indonesia, with JavaScript and without: invite → password → sign in → a product with its
shelf-life preview → a batch → (the facility's steps through the API) → released with its
explanation → 50 serials → the A4 PDF, whose QR zxing-cpp decodes to an issued URI → that URI
says genuine → the scan on the chart → recall with a reason → the public page says recalled.
Every page is also photographed at 1366 px into test-artifacts/ and checked by axe-core at
both widths (no serious or critical violation)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import expect

from schemas.batches import today_in_jakarta
from tests.browser.conftest import ARTIFACTS, WIDTHS
from tests.browser.test_console_shell import PASSWORD, Tab, _invite_url
from tests.integration.batch_steps import receipt_body, treatment_body
from tests.integration.world import World

pytestmark = pytest.mark.browser


class Journey(Tab):
    """A tab that photographs each page at the phone's width and at a desktop's."""

    def __init__(self, page: Any, label: str, shots: bool) -> None:
        super().__init__(page, "390")
        self.label, self.shots = label, shots

    async def snap(self, name: str) -> None:
        if await self.page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            self.problems.append(f"{name} is wider than the screen at 390 px")
        if not self.shots:
            return
        await self.page.screenshot(path=str(ARTIFACTS / f"producer-{name}-390.png"), full_page=True)
        await self.axe(name)
        await self.page.set_viewport_size(WIDTHS["1366"])
        await self.page.screenshot(
            path=str(ARTIFACTS / f"producer-{name}-1366.png"), full_page=True
        )
        await self.axe(f"{name} at 1366 px")
        await self.page.set_viewport_size(WIDTHS["390"])

    async def axe(self, name: str) -> None:
        """axe-core on the page as it is: no serious or critical violation."""
        results = await Axe().run(self.page)
        assert results.response["passes"], "axe-core did not run"
        self.problems.extend(
            f"{name}: axe {v['id']} ({v['impact']}): {v['help']} "
            f"{[node['target'] for node in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        )


def _decode_first_page(pdf: bytes) -> list[str]:
    image = pdfium.PdfDocument(pdf)[0].render(scale=300 / 72).to_pil()
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in zxingcpp.read_barcodes(image, formats=qr)]


async def _facility_steps(server_url: str, world: World, batch_id: str) -> None:
    """What the facility does meanwhile, through the API: receipt, treatment, QA release."""
    async with httpx.AsyncClient(base_url=server_url) as api:
        for path, body, actor in (
            ("receipt", receipt_body(), world.operator),
            ("treatment", treatment_body(world, 1.62, 2.48), world.operator),
            ("release", None, world.qa),
        ):
            answer = await api.post(
                f"/api/v1/batches/{batch_id}/{path}", json=body, headers=actor.headers
            )
            assert answer.status_code in (200, 201), answer.text


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_producer_journey_on_a_phone(
    browser: Any, server_url: str, world: World, javascript: bool
) -> None:
    email = f"siti.{world.tag}.{int(javascript)}@rendang.example.id"
    invite = await _invite_url(server_url, world, email)
    context = await browser.new_context(
        viewport=WIDTHS["390"],
        locale="id-ID",
        java_script_enabled=javascript,
        accept_downloads=True,
    )
    tab = Journey(await context.new_page(), "js" if javascript else "no-js", shots=javascript)
    page = tab.page

    # invite → password → sign in
    await page.goto(invite)
    await page.fill("#password", PASSWORD)
    await page.fill("#password_confirm", PASSWORD)
    await page.click("button[type=submit]")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    assert urlsplit(page.url).path == "/app/"
    await tab.snap("dashboard-empty")

    # a product, with the shelf-life preview before saving
    await page.goto(server_url + "/app/products/new")
    await page.click("button[value=save]")  # nothing filled in: every field says what it needs
    assert await page.locator(".error-summary a").count() == 7  # packaging has a default
    assert "Kolom ini wajib diisi." in await page.locator("#name-error").inner_text()
    await tab.snap("product-errors")
    await page.fill("#name", f"Ayam Potong Kemasan {world.tag}")
    await page.select_option("#category", "meat_poultry")
    if javascript:  # the purpose list comes back with only what BPOM allows for chicken
        await expect(page.locator("#purpose-hint")).to_contain_text("Hanya tujuan")
        assert await page.locator("#purpose option[value=sprout_inhibition]").count() == 0
    await page.select_option("#purpose", "extend_shelf_life")
    await page.fill("#min_dose_kgy", "1,5")
    await page.fill("#base_shelf_life_days", "5")
    await page.fill("#reference_temp_c", "8")
    await page.fill("#storage_temp_c", "4")
    if javascript:  # htmx fetches the fragment as the form changes
        await page.locator("#storage_temp_c").dispatch_event("change")
        await expect(page.locator("#preview")).to_contain_text("7 hari")
    else:  # the same fragment, with the whole page, through the Pratinjau button
        await page.click("button[value=preview]")
    preview = await page.locator("#preview").inner_text()
    assert "7 hari" in preview and "paling tinggi 3 kGy" in preview
    await tab.snap("product-preview")
    await page.click("button[value=save]")
    assert urlsplit(page.url).path.startswith("/app/products/")
    await tab.snap("product")
    await page.goto(server_url + "/app/products")
    await tab.snap("products")
    await page.go_back()

    # a batch of it
    await page.click("main a.button")  # Daftarkan bets, for this product
    await page.select_option("#facility_id", str(world.facility))
    await page.fill("#lot", f"AYM-{world.tag}")
    # made two days ago: the facility's receipt (a day ago) may not come before it
    made_on = today_in_jakarta() - timedelta(days=2)
    await page.fill("#production_date", made_on.isoformat())
    await page.fill("#quantity", "120")
    await tab.snap("batch-new")
    await page.click("main button[type=submit]")
    batch_path = urlsplit(page.url).path
    batch_id = batch_path.rsplit("/", 1)[1]
    assert "terdaftar" in await page.locator(".flash:not(.flash-warning)").inner_text()
    await tab.snap("batch-registered")

    await _facility_steps(server_url, world, batch_id)
    await page.reload()
    assert "Diluluskan" in await page.locator("main").inner_text()
    explanation = await page.locator("details").inner_text()
    assert "Cara tanggal ini dihitung" in explanation and "kGy" in explanation
    assert await page.locator(".label-preview svg").count() == 1
    await tab.snap("batch-released")

    # 50 serials, then the A4 sheet
    await page.fill("#count", "50")
    await page.click("form[action$='/labels'] button")
    assert (
        "Nomor seri diterbitkan: 50"
        in await page.locator(".flash:not(.flash-warning)").inner_text()
    )
    async with page.expect_download() as download_info:
        await page.click("a[href$='layout=a4-3x8']")
    download = await download_info.value
    pdf = ARTIFACTS / f"producer-labels-{tab.label}.pdf"
    await download.save_as(pdf)
    uris = _decode_first_page(pdf.read_bytes())
    assert len(uris) == 24  # a full A4 sheet of 3×8 stickers
    listing = await page.request.get(f"{server_url}/api/v1/batches/{batch_id}/labels.csv")
    issued = {row["uri"] for row in csv.DictReader(io.StringIO(await listing.text()))}
    assert len(issued) == 50 and set(uris) <= issued

    # the shopper's phone opens the first label: genuine
    label = urlsplit(uris[0])
    # a GS1 label's scan lands on /label/01/… (the resolver redirects to the public base URL,
    # which is not this test server)
    label_page = ("/label" if label.path.startswith("/01/") else "") + label.path
    await page.goto(f"{server_url}{label_page}?{label.query}")
    assert "Asli" in (await page.locator("h1").text_content() or "")
    await tab.snap("public-genuine")

    # the scan reaches the batch page's chart (the scan log flushes every second)
    await asyncio.sleep(1.5)
    await page.goto(server_url + batch_path)
    assert await page.locator("svg.chart rect").count() == 1
    assert "1 pindaian" in await page.locator("main").inner_text()
    await tab.snap("batch-scanned")

    # recall, with a confirmation and a reason
    await page.click(f"a[href='{batch_path}/recall']")
    await tab.snap("recall-confirm")
    await page.click("main button[type=submit]")  # no reason yet: the form says so
    assert await page.locator("#reason-error").count() == 1
    await page.fill("#reason", "Kemasan bocor ditemukan pada lot ini")
    await page.click("main button[type=submit]")
    assert urlsplit(page.url).path == batch_path
    assert "Ditarik" in await page.locator("main").inner_text()
    await tab.snap("batch-recalled")

    await page.goto(f"{server_url}{label_page}?{label.query}")
    assert "Ditarik" in (await page.locator("h1").text_content() or "")
    await tab.snap("public-recalled")

    await page.goto(server_url + "/app/")
    assert "Kemasan bocor ditemukan pada lot ini" in await page.locator("main").inner_text()
    await tab.snap("dashboard")
    await page.goto(server_url + "/app/batches")
    await tab.snap("batches")
    assert tab.problems == []
    await context.close()
