"""A label sheet reaches the client while it is drawn, and a download the client abandons stops
its render: through a real server and socket, as a browser or a printer spool would."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from service.core.db import create_pool
from service.labels_api.render_gate import SMALL_SHEET_LABELS
from tests.integration.verify_fixtures import issue_many_serials, make_batch
from tests.integration.world import World, build_world
from tests.live_server import live_server, server_env

# the test compares how long a render takes with how soon an abandoned one lets go
pytestmark = pytest.mark.timing

SERIALS = 10_000


async def _batch_of_many_serials(database_url: str) -> tuple[World, str]:
    pool = await create_pool(database_url, max_size=1)
    try:
        async with pool.acquire() as conn:
            world = await build_world(conn)
            batch = await make_batch(conn, world, serials=0)
            return world, await issue_many_serials(conn, batch.batch_id, SERIALS)
    finally:
        await pool.close()


NOT_SMALL = SMALL_SHEET_LABELS + 1


def test_the_sheet_streams_and_an_abandoned_download_stops_its_render(
    database_url: str, data_dir: Path
) -> None:
    world, pdf = asyncio.run(_batch_of_many_serials(database_url))
    headers = world.producer.headers
    with live_server(server_env(database_url, data_dir)) as base_url:

        async def run() -> tuple[float, float, float]:
            async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
                # the whole roll, read to its end: how long the render takes here
                started = time.monotonic()
                first_byte_s = 0.0
                size = 0
                async with client.stream("GET", f"{pdf}&count={SERIALS}", headers=headers) as r:
                    assert r.status_code == 200
                    async for chunk in r.aiter_bytes():
                        if not size:
                            first_byte_s = time.monotonic() - started
                        size += len(chunk)
                whole_s = time.monotonic() - started
                assert size > 1_000_000
                # the same roll again, abandoned after its first bytes
                async with client.stream("GET", f"{pdf}&count={SERIALS}", headers=headers) as r:
                    assert r.status_code == 200
                    assert (await anext(r.aiter_bytes())).startswith(b"%PDF-")
                abandoned = time.monotonic()
                # one big render per organization: its next one (the smallest that is not a
                # small sheet, which has a lane of its own) is admitted once the render stops
                while True:
                    answer = await client.get(f"{pdf}&count={NOT_SMALL}", headers=headers)
                    if answer.status_code == 200:
                        break
                    assert answer.json()["code"] == "render_limit_organization"
                    assert time.monotonic() - abandoned < whole_s, "the render ran to its end"
                    await asyncio.sleep(0.05)
                return whole_s, first_byte_s, time.monotonic() - abandoned

        whole_s, first_byte_s, stopped_s = asyncio.run(run())
    print(f"whole roll {whole_s:.1f} s, first byte {first_byte_s:.2f} s, stopped {stopped_s:.2f} s")
    assert first_byte_s < whole_s / 4  # sent while it is drawn, not after
    assert stopped_s < whole_s / 4
