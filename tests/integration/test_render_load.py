"""Ten 10 000-label PDFs at once leave the API and public verification answering promptly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.core.db import create_pool
from tests.integration.verify_fixtures import (
    LabelledBatch,
    issue_many_serials,
    make_batch,
    page_path,
    server_keyring,
)
from tests.integration.world import World, build_world
from tests.live_server import live_server, server_env

# each test here holds the code to a time bound, which a loaded machine can miss
pytestmark = pytest.mark.timing

PDF_REQUESTS = 10
PROMPT_S = 2.0
PROBE_WINDOW_S = 6.0


@pytest.fixture(scope="module")
def server_url(database_url: str, data_dir: Path) -> Iterator[str]:
    env = server_env(database_url, data_dir)
    with live_server(env) as url:
        yield url


def _world_and_batch(database_url: str) -> tuple[World, LabelledBatch, str]:
    async def build() -> tuple[World, LabelledBatch, str]:
        pool = await create_pool(database_url, max_size=1)  # with the app's jsonb codec
        try:
            async with pool.acquire() as conn:
                world = await build_world(conn)
                batch = await make_batch(conn, world, serials=100)
                # 10 000 serial stickers, each signed and encoded: a render of several seconds
                pdf = await issue_many_serials(conn, batch.batch_id, 10_000)
                return world, batch, f"{pdf}&from=100&count=10000"
        finally:
            await pool.close()

    return asyncio.run(build())


def test_pdf_floods_starve_neither_the_api_nor_verification(
    server_url: str, database_url: str, data_dir: Path
) -> None:
    world, batch, pdf = _world_and_batch(database_url)
    keyring = server_keyring(data_dir)

    async def run() -> None:
        async with httpx.AsyncClient(base_url=server_url, timeout=60) as client:
            floods = [
                asyncio.create_task(client.get(pdf, headers=world.producer.headers))
                for _ in range(PDF_REQUESTS)
            ]
            # all but the organization's one render are refused at once, with a time to retry
            done, running = await asyncio.wait(floods, timeout=10, return_when="FIRST_COMPLETED")
            deadline = time.monotonic() + 10
            while len(running) > 1 and time.monotonic() < deadline:
                more, running = await asyncio.wait(running, timeout=0.2)
                done |= more
            refused = [task.result() for task in done]
            assert len(refused) == PDF_REQUESTS - 1
            for response in refused:
                assert response.status_code == 503, response.text
                assert int(response.headers["retry-after"]) >= 1
                assert response.json()["code"] == "render_limit_organization"

            # while the render runs, the API, readiness and uncached public scans keep answering
            # promptly
            probes = 0
            slowest_s = 0.0
            started = time.monotonic()
            serials = iter(batch.serials)
            while time.monotonic() - started < PROBE_WINDOW_S and running:
                for path, headers in (
                    ("/api/v1/me", world.producer.headers),
                    ("/ready", {}),
                    (page_path(keyring, batch, next(serials)), {"Accept": "application/json"}),
                ):
                    asked = time.perf_counter()
                    response = await client.get(path, headers=headers)
                    took_s = time.perf_counter() - asked
                    assert response.status_code == 200, (path, response.text[:200])
                    assert took_s < PROMPT_S, (path, took_s)
                    slowest_s = max(slowest_s, took_s)
                probes += 1
                _, running = await asyncio.wait(running, timeout=0.2)
            assert probes >= 5, "the render ended before the API was probed beside it"
            print(f"{probes} probe rounds beside the render; slowest answer {slowest_s:.3f} s")
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    asyncio.run(run())
