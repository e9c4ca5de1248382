"""The codes records keep (`pcs`, `cobalt-60`, `max`, `ID`) reach people only by their names, in
Bahasa Indonesia and in English: the batch page's quantity, shipments and dosimeters, the
irradiators' sources, the facility's incoming queue."""

from __future__ import annotations

import re

import asyncpg
import pytest

from tests.integration.batch_steps import batch_in
from tests.integration.batches.shipments.shipment_steps import create_customer, shipped
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

# a code as the whole text of a cell or a value, where a name belongs
RAW_CODES = re.compile(r">\s*(pcs|cobalt-60|min|max|reference)\s*<|\d pcs\b|\(cobalt-60\)")


async def _in_english(browser: Browser) -> None:
    answer = await browser.submit(
        "/app/language", {"lang": "en", "next": "/app/"}, form_page="/app/"
    )
    assert answer.status_code == 303, answer.text


async def test_the_batch_page_names_its_unit_market_and_dosimeter_positions(
    client, pool: asyncpg.Pool, world: World
) -> None:
    batch_id = await batch_in(client, world, "released")
    shop = await create_customer(client, world.producer, name="Toko Lim")
    await shipped(client, world.producer, batch_id, shop["id"], quantity=12, market="ID")
    browser = await signed_in(client, pool, world.producer.id)
    page = (await browser.get(f"/app/batches/{batch_id}")).text
    assert RAW_CODES.search(page) is None, RAW_CODES.search(page)
    assert "120 buah" in page and "12 buah" in page
    assert ">Indonesia<" in page and ">ID<" not in page  # the market shipped to
    assert ">maksimum<" in page and ">minimum<" in page
    assert "· Kobalt-60 (gamma) ·" in page and "cobalt-60" not in page  # the irradiator's source
    # the ship form's markets by their Indonesian names, unions from the catalog
    for option in (
        "CN · Tiongkok",
        "EU · Uni Eropa",
        "GCC · Dewan Kerja Sama Teluk",
        "ID · Indonesia",
    ):
        assert f">{option}</option>" in page, option
    assert "European Union" not in page and ">CN · China<" not in page
    await _in_english(browser)
    page = (await browser.get(f"/app/batches/{batch_id}")).text
    assert RAW_CODES.search(page) is None, RAW_CODES.search(page)
    assert "120 pieces" in page and ">maximum<" in page


async def test_the_facility_and_the_admin_read_names_not_codes(
    client, pool: asyncpg.Pool, world: World
) -> None:
    await batch_in(client, world, "registered")
    operator = await signed_in(client, pool, world.operator.id)
    incoming = (await operator.get("/app/incoming")).text
    assert "buah" in incoming and RAW_CODES.search(incoming) is None
    admin = await signed_in(client, pool, world.admin.id)
    irradiators = (await admin.get("/app/admin/irradiators")).text
    assert "Kobalt-60 (gamma)" in irradiators
    assert RAW_CODES.search(irradiators) is None, RAW_CODES.search(irradiators)
    await _in_english(admin)
    assert "Cobalt-60 (gamma)" in (await admin.get("/app/admin/irradiators")).text
