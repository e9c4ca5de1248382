"""A real server on a socket and a real headless Chromium, for the pages shoppers see."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from tests.integration.world import World, build_world
from tests.live_server import live_server, server_env

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# a phone's width and a desktop's, for the console's pages
WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def watch_problems(page: Any) -> list[str]:
    """Everything the browser complains of on `page`, as it happens: script errors, console
    errors and warnings, and any failed subresource. Pages answer 400/404 on purpose, so a
    document's own status is checked by the test, and Chromium's "Failed to load resource" line
    for it is not a problem; a page's styles and scripts may never fail."""
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.type in ("error", "warning") and "Failed to load resource" not in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    return problems


@pytest.fixture(scope="session")
def server_url(database_url: str, data_dir: Path) -> Iterator[str]:
    env = server_env(database_url, data_dir, RADURA_PUBLIC_BASE_URL="https://radura.test")
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
