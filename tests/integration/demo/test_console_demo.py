"""The demo producer's dashboard has something to show in every section."""

from __future__ import annotations

import re
from uuid import UUID

import asyncpg
from litestar.testing import AsyncTestClient

from schemas.batches import today_in_jakarta
from service.batches.figures.dashboard import dashboard
from service.core.auth import AuthUser
from service.demo.seed import seed_demo
from tests.integration.batches.products.test_console_products import english
from tests.integration.console import signed_in


async def test_demo_dashboard_shows_every_section(
    database_url: str,
    pool: asyncpg.Pool,
    settings,
    client: AsyncTestClient,  # type: ignore[no-untyped-def]
) -> None:
    from service.batches.labelling.keys import SigningKeys

    demo = await seed_demo(database_url, SigningKeys(settings), settings.public_base_url)
    producer_id = UUID(demo["users"]["producer"]["user_id"])
    producer = AuthUser(producer_id, "demo", "producer", UUID(demo["organizations"]["producer"]))
    async with pool.acquire() as conn:
        figures = await dashboard(conn, producer, clone_threshold=5, today=today_in_jakarta())
    assert all(figures.by_status[s] >= 1 for s in figures.by_status)
    assert figures.week.labels >= 10
    assert len(figures.suspect_serials) == 1 and figures.suspect_serials[0].clients == 8
    assert figures.recalls and figures.best_before_soon
    # seeding again adds no serials or scans
    async with pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM scans")
        await seed_demo(database_url, SigningKeys(settings), settings.public_base_url)
        assert await conn.fetchval("SELECT count(*) FROM scans") == before

    browser = await signed_in(client, pool, producer_id)
    await english(browser)
    page = (await browser.get("/app/")).text
    for empty in ("No suspect serials", "No batch has been recalled", "No released batch reaches"):
        assert empty not in page
    assert re.search(r'<span class="tile-number">\d+</span>\s*labels scanned since', page)
