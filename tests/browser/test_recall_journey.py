"""A recall from the producer's desk to the buyers' phones, in a real headless Chromium: the
producer ships a released batch to three shops through the ship form, recalls it, each shop's
notice arrives at a real SMTP server, one buyer opens the email's link on a 390 px phone in
Bahasa Indonesia and presses the one button, and the producer's recall status page then shows
1 of 3 acknowledged. Each page is checked by axe-core and for width, and photographed."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.test_console_pages import _signed_in
from tests.browser.test_console_shell import _tab
from tests.integration.batch_steps import batch_in
from tests.integration.batches.shipments.shipment_steps import create_customer
from tests.integration.world import World
from tests.live_server import live_server, server_env
from tests.smtp_sink import Sink, running_sink

pytestmark = pytest.mark.browser

BASE_URL = "https://radura.test"
LINK = re.compile(re.escape(BASE_URL) + r"(/r/\S+)")


@pytest.fixture(scope="module")
def sink() -> Iterator[Sink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture(scope="module")
def mailing_server_url(database_url: str, data_dir: Path, sink: Sink) -> Iterator[str]:
    """A server of its own that sends mail to the sink, polling the outbox often."""
    env = server_env(
        database_url,
        data_dir,
        RADURA_PUBLIC_BASE_URL=BASE_URL,
        RADURA_SMTP_URL=sink.url,
        RADURA_MAIL_FROM="Radura <noreply@radura.test>",
        RADURA_MAIL_POLL_S="0.2",
        RADURA_MAIL_RETRY_BASE_S="0.2",
        RADURA_MAIL_RETRY_MAX_S="0.5",
    )
    with live_server(env) as url:
        yield url


# three buyers of one lot, each with its own quantity
SHOPS = [
    ("Toko Oleh-Oleh Uni Minang", 40),
    ("Kedai Rendang Pak Datuk", 30),
    ("Pasar Swalayan Bukittinggi", 20),
]


async def test_a_recall_reaches_three_buyers_and_one_acknowledges_from_a_phone(  # type: ignore[no-untyped-def]
    browser, mailing_server_url, pool, world: World, sink: Sink
):
    server_url = mailing_server_url
    tag = secrets.token_hex(4)
    emails = {name: f"gudang-{i}-{tag}@pembeli.co.id" for i, (name, _) in enumerate(SHOPS)}
    async with httpx.AsyncClient(base_url=server_url) as api:
        batch_id = await batch_in(api, world, "released")
        shops = {
            name: await create_customer(api, world.producer, name=name, email=emails[name])
            for name, _ in SHOPS
        }

    # the producer ships to each through the batch page's ship form
    desk = await _signed_in(browser, server_url, pool, world.producer, "1366")
    page = desk.page
    for name, quantity in SHOPS:
        await page.goto(f"{server_url}/app/batches/{batch_id}#shipments")
        await page.select_option("#customer_id", shops[name]["id"])
        await page.fill("#quantity", str(quantity))
        await page.click("#shipments form button[type=submit]")
        assert f"Pengiriman ke {name}" in (
            await page.locator(".flash:not(.flash-warning)").inner_text()
        )
    await page.goto(f"{server_url}/app/batches/{batch_id}")
    rows = await page.locator("#shipments table tbody tr").all_inner_texts()
    assert len(rows) == 3, rows
    assert all(sum(name in row for row in rows) == 1 for name, _ in SHOPS), rows

    await page.goto(f"{server_url}/app/batches/{batch_id}/recall")
    await page.fill("#reason", "Kemasan bocor di gudang")
    await page.click("main button[type=submit]")
    assert "ditarik" in (await page.locator(".flash").first.inner_text()).lower()

    # one notice for each buyer, each with its own quantity and its own link
    notices = await sink.wait_for(3, lambda m: m["To"] in emails.values())
    by_buyer = {notice["To"]: notice for notice in notices}
    assert len(notices) == 3 and set(by_buyer) == set(emails.values())
    links = {}
    for name, quantity in SHOPS:
        notice = by_buyer[emails[name]]
        assert notice["Subject"].startswith("Penarikan")
        body = notice.get_content()
        assert f"{quantity} buah" in body and "pcs" not in body, body
        assert "Kemasan bocor di gudang" in body
        link = LINK.search(body)
        assert link is not None, body
        links[name] = link[1]
    assert len(set(links.values())) == 3  # a link of its own for each buyer

    # the second buyer, on a phone, opens the link the email carries (its path, on this server)
    buyer, quantity = SHOPS[1]
    phone = await _tab(browser, "390")
    await phone.page.goto(server_url + links[buyer])
    assert await phone.page.get_attribute("html", "lang") == "id"
    assert "Kemasan bocor di gudang" in await phone.page.locator("main").inner_text()
    await phone.snap("recall-ack-phone")
    await phone.page.click("main button[type=submit]")
    thanks = await phone.page.locator("main").inner_text()
    assert "Terima kasih" in thanks, thanks
    assert await phone.page.locator("main form").count() == 0
    await phone.snap("recall-ack-done-phone")
    assert phone.problems == []
    await phone.page.context.close()

    await page.goto(f"{server_url}/app/batches/{batch_id}/recall-status")
    assert urlsplit(page.url).path.endswith("/recall-status")
    for name, _ in SHOPS:
        row = page.locator("main table tbody tr", has_text=name)
        notified = (await row.locator("td").nth(2).inner_text()).strip()
        acknowledged = (await row.locator("td").nth(3).inner_text()).strip()
        assert notified not in ("", "–"), (name, notified)  # every buyer was told
        if name == buyer:
            assert acknowledged not in ("", "–"), acknowledged
        else:
            assert acknowledged == "–", (name, acknowledged)
    summary = await page.locator(".recall-acknowledged").inner_text()
    # 1 of 3 buyers; 30 of the 90 pieces shipped
    assert "1 dari 3 pelanggan" in summary and "33 %" in summary, summary
    status_text = await page.locator("main").inner_text()
    assert f"{quantity} buah" in status_text and "pcs" not in status_text
    await desk.snap("recall-status-acknowledged")
    assert desk.problems == []
    await page.context.close()
