"""A real server on a socket and a real headless Chromium, for the pages shoppers see."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from tests.integration.world import World, build_world
from tests.live_server import live_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def server_url(database_url: str, data_dir: Path) -> Iterator[str]:
    env = {
        "RADURA_DATABASE_URL": database_url,
        "RADURA_DATA_DIR": str(data_dir),
        "RADURA_RATE_LIMIT_PER_MINUTE": "0",
        "RADURA_PUBLIC_BASE_URL": "https://radura.test",
        "RADURA_LOG_FORMAT": "json",
    }
    with live_server(env) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def world(pool: asyncpg.Pool) -> World:
    async with pool.acquire() as conn:
        return await build_world(conn)


@pytest.fixture(scope="session")
def chromium() -> str:
    # a missing browser fails loudly: a skipped page test would hide a missing install step
    assert Path(CHROMIUM).exists(), "install it: apt-get install -y chromium (or -m 'not browser')"
    ARTIFACTS.mkdir(exist_ok=True)
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium: str) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()
