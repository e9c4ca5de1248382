"""A pool with no free connection answers 503 with Retry-After, and never delays scans."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import anyio
import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.core import db
from tests.integration.console import signed_in
from tests.integration.verify_fixtures import label_path, make_batch, server_keyring
from tests.integration.world import World


async def test_an_exhausted_pool_is_a_503_and_verification_keeps_its_own(
    settings, pool: asyncpg.Pool, world: World, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.app import create_app

    monkeypatch.setattr(db, "POOL_ACQUIRE_TIMEOUT_S", 0.5)
    async with pool.acquire() as conn:
        batch = await make_batch(conn, world)
    scan = label_path(server_keyring(data_dir), batch, batch.serials[0])
    one_connection = dataclasses.replace(settings, pool_max_size=1)
    async with AsyncTestClient(app=create_app(one_connection)) as client:
        # hold the API's only connection in the app's own event loop (the test client's portal)
        portal = client.blocking_portal
        app_pool: asyncpg.Pool = client.app.state.pool
        held, release = threading.Event(), portal.call(anyio.Event)

        async def hold_the_connection() -> None:
            async with app_pool.acquire():
                held.set()
                await release.wait()

        holder = portal.start_task_soon(hold_the_connection)
        assert held.wait(10)
        try:
            for path in (
                "/api/v1/me",  # the token lookup
                f"/api/v1/batches/{batch.batch_id}/label.svg",  # a render's read
            ):
                response = await client.get(path, headers=world.producer.headers)
                assert response.status_code == 503, (path, response.text)
                assert int(response.headers["retry-after"]) >= 1
                assert response.json()["code"] == "database_unavailable"
            # a first (uncached) scan reads on verification's own pool
            scanned = await client.get(scan, headers={"Accept": "application/json"})
            assert scanned.status_code == 200, scanned.text
            assert scanned.json()["verdict"] == "genuine"
        finally:
            portal.call(release.set)
            holder.result(timeout=10)
        assert (await client.get("/api/v1/me", headers=world.producer.headers)).status_code == 200


async def test_the_console_busy_page_says_when_to_come_back(
    settings, pool: asyncpg.Pool, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A console page that cannot get a connection is the "Radura is busy" page (503, HTML, in
    the user's language) with the API's Retry-After. An app of its own with a pool of one whose
    only connection is held; every wait for a connection is bounded, so nothing here can hang."""
    from service.app import create_app

    monkeypatch.setattr(db, "POOL_ACQUIRE_TIMEOUT_S", 0.5)
    one_connection = dataclasses.replace(settings, pool_max_size=1)
    async with AsyncTestClient(app=create_app(one_connection)) as client:
        browser = await signed_in(client, pool, world.producer.id)
        assert (await browser.get("/app/batches")).status_code == 200
        portal = client.blocking_portal
        app_pool: asyncpg.Pool = client.app.state.pool
        held, release = threading.Event(), portal.call(anyio.Event)

        async def hold_the_connection() -> None:
            async with app_pool.acquire():
                held.set()
                await release.wait()

        holder = portal.start_task_soon(hold_the_connection)
        assert held.wait(10)
        try:
            with anyio.fail_after(30):
                busy = await browser.get("/app/batches")
        finally:
            portal.call(release.set)
            holder.result(timeout=10)
        assert busy.status_code == 503, busy.text[:300]
        assert busy.headers["content-type"].startswith("text/html")
        assert int(busy.headers["retry-after"]) >= 1
        assert "Radura sedang sibuk" in busy.text or "Radura is busy" in busy.text
        # and once the connection is free again, the page is back
        assert (await browser.get("/app/batches")).status_code == 200
