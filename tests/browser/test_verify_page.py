"""The verification page in a real headless Chromium: language, verdict at a glance, the facts a
shopper needs, a recall's reason, the invalid page, the CSP really holding, size and contrast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.browser.conftest import ARTIFACTS, WIDTHS
from tests.integration.verify_fixtures import (
    LabelledBatch,
    make_batch,
    server_keyring,
    tamper,
)
from tests.integration.verify_fixtures import label_path as printed_label_path
from tests.integration.world import World

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 760}


@pytest.fixture(scope="module")
def keyring(data_dir: Path):  # type: ignore[no-untyped-def]
    return server_keyring(data_dir)


def label_path(
    keyring, batch: LabelledBatch, serial: str | None = None, *, short: bool = False
) -> str:  # type: ignore[no-untyped-def]
    """The page a label's scan lands on: the GS1 resolver at /01/… sends it to /label/01/… on
    RADURA_PUBLIC_BASE_URL, which is not this test server."""
    path = printed_label_path(keyring, batch, serial, short=short)
    return path if short else "/label" + path


async def _batch(pool: asyncpg.Pool, world: World, **kwargs: Any) -> LabelledBatch:
    async with pool.acquire() as conn:
        return await make_batch(conn, world, **kwargs)


class Visit:
    """One page load in a fresh phone-sized context, with everything the browser complained of."""

    def __init__(self, page: Any, response: Any, problems: list[str]) -> None:
        self.page, self.response, self.problems = page, response, problems

    async def text(self, selector: str) -> str:
        return str(await self.page.locator(selector).inner_text()).strip()


async def _visit(browser: Any, url: str, name: str, locale: str = "id-ID") -> Visit:
    context = await browser.new_context(viewport=PHONE, locale=locale)
    page = await context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            None
            if r.url == url or r.url.startswith(url.split("?")[0])
            else problems.append(f"extra request {r.url}")
        ),
    )
    response = await page.goto(url)
    # nothing wider than a small phone's screen: no sideways scrolling to read the verdict
    if await page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        problems.append("the page is wider than the screen")
    await page.screenshot(path=str(ARTIFACTS / f"verify-{name}.png"), full_page=True)
    return Visit(page, response, problems)


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


async def _verdict_colours(visit: Visit) -> tuple[str, str]:
    colours = await visit.page.eval_on_selector(
        ".verdict", "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    return colours[0], colours[1]


async def test_genuine_page_in_bahasa_indonesia_by_default(
    browser: Any, server_url: str, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    visit = await _visit(
        browser, server_url + label_path(keyring, batch, batch.serials[0]), "genuine-id"
    )
    assert visit.response.status == 200
    assert visit.problems == []  # no CSP violation, no script, nothing fetched
    assert await visit.page.get_attribute("html", "lang") == "id"
    assert await visit.text("h1") == "ASLI"  # as shown: the CSS upper-cases it
    assert await visit.page.locator("h1").count() == 1
    headings = await visit.page.locator("h2").all_inner_texts()
    assert headings == ["Produk", "Iradiasi"]
    body = await visit.text("main")
    for fact in (
        batch.product_name,
        batch.lot,
        batch.serials[0],
        "Rendang Uni",
        batch.best_before.strftime("%d-%m-%Y"),
        "Simpan pada suhu maksimal 8\u00a0°C",
        "01/2026, Indonesia",
        "Memperpanjang umur simpan",
        "Nomor izin edar",
        "Tanggal iradiasi",
        "Kode produksi (lot)",
        "2,5–2,9\u00a0kGy",
        "Sinar gamma (kobalt-60)",
        "Tidak boleh diiradiasi ulang.",
    ):
        assert fact in body, fact
    # the marks of the pack: the words and the Radura symbol, drawn inline and really shown
    assert await visit.page.get_by_text("PANGAN IRADIASI", exact=True).is_visible()
    symbol = visit.page.locator("header.mark svg.radura")
    assert await symbol.is_visible()
    box = await symbol.bounding_box()
    assert box is not None and box["width"] >= 40 and box["height"] >= 40
    assert await symbol.get_attribute("aria-label") == "Simbol Radura: pangan ini diiradiasi"
    # the hashed inline style really applied: a wrong hash would leave the page unstyled
    foreground, background = await _verdict_colours(visit)
    assert background == "rgb(229, 244, 232)"
    assert _contrast(foreground, background) >= 7  # WCAG AAA for the verdict's words
    assert len(await visit.response.body()) < 30_000


async def test_english_by_accept_language_by_query_and_by_the_link(
    browser: Any, server_url: str, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    url = server_url + label_path(keyring, batch, batch.serials[0])
    by_header = await _visit(browser, url, "genuine-en", locale="en-GB")
    assert await by_header.page.get_attribute("html", "lang") == "en"
    assert await by_header.text("h1") == "GENUINE"
    assert "Store at 8\u00a0°C at most" in await by_header.text("main")
    assert "2.5–2.9\u00a0kGy" in await by_header.text("main")
    by_query = await _visit(browser, url.replace("?", "?lang=en&", 1), "genuine-en-query")
    assert await by_query.text("h1") == "GENUINE"
    # the language link keeps the signature: the other language is the same verdict
    await by_query.page.click("text=Bahasa Indonesia")
    assert await by_query.text("h1") == "ASLI"
    assert by_query.problems == []


# How many lines the first occurrence of `text` inside `selector` takes as laid out.
_LINES_OF = """([selector, text]) => {
    const walker = document.createTreeWalker(
        document.querySelector(selector), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const start = node.textContent.indexOf(text);
        if (start < 0) continue;
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + text.length);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    }
    return 0;
}"""


@pytest.mark.parametrize("width_px", [320, 390])
async def test_numbers_never_wrap_inside_themselves(
    browser: Any, server_url: str, pool: asyncpg.Pool, world: World, keyring, width_px: int
) -> None:
    batch = await _batch(pool, world)
    # the longest registration number there is: it may wrap between its scheme and its digits,
    # never inside either
    await pool.execute(
        "UPDATE products SET registration_no = $1 WHERE name = $2",
        "PSAT-PDUK12345678901234567890",
        batch.product_name,
    )
    context = await browser.new_context(viewport={"width": width_px, "height": 800}, locale="id-ID")
    page = await context.new_page()
    await page.goto(server_url + label_path(keyring, batch, batch.serials[0]))
    for text in ("PSAT\u00a0PDUK", "12345678901234567890", "2,5–2,9\u00a0kGy", "8\u00a0°C"):
        assert await page.evaluate(_LINES_OF, ["main", text]) == 1, (width_px, text)
    # and held on one line without pushing the page wider than the phone
    assert not await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    await context.close()


@pytest.mark.parametrize(
    ("status", "heading", "name", "colour"),
    [
        ("recalled", "Ditarik", "recalled", "rgb(253, 234, 234)"),
        ("expired", "Kedaluwarsa", "expired", "rgb(255, 243, 220)"),
    ],
)
async def test_recalled_and_expired_pages(
    browser: Any,
    server_url: str,
    pool: asyncpg.Pool,
    world: World,
    keyring,
    status: str,
    heading: str,
    name: str,
    colour: str,
) -> None:
    batch = await _batch(
        pool, world, status=status, recall_reason="Ditemukan cemaran Listeria pada uji laboratorium"
    )
    visit = await _visit(browser, server_url + label_path(keyring, batch, short=True), name)
    assert visit.response.status == 200
    assert await visit.text("h1") == heading.upper()
    foreground, background = await _verdict_colours(visit)
    assert background == colour
    assert _contrast(foreground, background) >= 7
    body = await visit.text("main")
    assert "Jangan konsumsi produk ini" in body
    if status == "recalled":
        assert "Ditemukan cemaran Listeria pada uji laboratorium" in body
        assert await visit.page.locator("h2").first.inner_text() == "Penarikan"


async def test_invalid_page_says_plainly_it_is_not_ours_and_how_to_report(
    browser: Any, server_url: str, pool: asyncpg.Pool, world: World, keyring
) -> None:
    batch = await _batch(pool, world)
    visit = await _visit(
        browser, server_url + tamper(label_path(keyring, batch, batch.serials[0])), "invalid-id"
    )
    assert visit.response.status == 404
    assert visit.problems == [] or all("404" in p for p in visit.problems)
    assert await visit.text("h1") == "LABEL TIDAK DAPAT DIPASTIKAN"
    body = await visit.text("main")
    assert "Pindai sekali lagi dari dekat" in body
    assert "HALO BPOM 1500533" in body and "halobpom@pom.go.id" in body
    assert batch.product_name not in body  # nothing about the batch leaks
    foreground, background = await _verdict_colours(visit)
    assert _contrast(foreground, background) >= 7
    english = await _visit(
        browser, server_url + "/v/0000000000?s=AAAA", "invalid-en", locale="en-US"
    )
    assert "Scan it once more, close up" in await english.text("main")


async def test_suspect_page_warns_and_says_how_to_report(
    browser: Any, server_url: str, pool: asyncpg.Pool, world: World, keyring
) -> None:
    import httpx

    batch = await _batch(pool, world)
    path = label_path(keyring, batch, batch.serials[0])
    for phone in range(6):  # the same label from phones on six networks: a copied label
        # every 127.x.y.z is this machine: each phone dials from a /24 of its own
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{phone + 10}.1")
        async with httpx.AsyncClient(base_url=server_url, transport=transport) as http:
            await http.get(path, headers={"User-Agent": f"Phone {phone}"})
    visit = await _visit(browser, server_url + path, "suspect")
    assert await visit.text("h1") == "MENCURIGAKAN"
    body = await visit.text("main")
    assert "terlalu banyak perangkat berbeda" in body
    assert "HALO BPOM 1500533" in body
    foreground, background = await _verdict_colours(visit)
    assert background == "rgb(255, 240, 224)"
    assert _contrast(foreground, background) >= 7


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_unsigned_gs1_code_is_unverified_and_still_shows_a_recall(
    browser: Any, server_url: str, pool: asyncpg.Pool, world: World, keyring, width: str
) -> None:
    batch = await _batch(pool, world, status="recalled", recall_reason="Kemasan bocor")
    unsigned = label_path(keyring, batch, batch.serials[0]).rpartition("s=")[0].rstrip("?&")
    context = await browser.new_context(viewport=WIDTHS[width], locale="id-ID")
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    response = await page.goto(server_url + unsigned)
    assert response is not None and response.status == 200
    assert await page.locator("h1").inner_text() == "BELUM TERVERIFIKASI"
    main = await page.locator("main").inner_text()
    assert "tidak dapat dipastikan" in main and batch.product_name in main
    assert "Kemasan bocor" in main  # the recall reaches even an unsigned scan
    assert "Baik digunakan sebelum" not in main and "Dosis" not in main
    assert not await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert problems == []  # no CSP violation: the pinned style applied
    await page.screenshot(path=str(ARTIFACTS / f"verify-unverified-{width}.png"), full_page=True)
    await context.close()
