"""SIGTERM during a long render: `radura serve` stops the render, writes its buffered scans and
exits well within 30 s."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
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
from tests.live_server import server_env, server_process

# each test here holds the code to a time bound, which a loaded machine can miss
pytestmark = pytest.mark.timing

EXIT_WITHIN_S = 30.0
SCANS = 5


async def _world_and_batch(database_url: str) -> tuple[World, LabelledBatch, str]:
    """A batch with SCANS serials to scan, then 10 000 more: a roll that renders for seconds."""
    pool = await create_pool(database_url, max_size=1)  # with the app's jsonb codec
    try:
        async with pool.acquire() as conn:
            world = await build_world(conn)
            batch = await make_batch(conn, world, serials=SCANS)
            pdf = await issue_many_serials(conn, batch.batch_id, 10_000)
            return world, batch, f"{pdf}&from={SCANS}&count=10000"
    finally:
        await pool.close()


async def _scans_of(database_url: str, batch: LabelledBatch) -> int:
    pool = await create_pool(database_url, max_size=1)
    try:
        count: int = await pool.fetchval(
            "SELECT count(*) FROM scans WHERE batch_id = $1", batch.batch_id
        )
        return count
    finally:
        await pool.close()


def test_sigterm_during_a_render_exits_promptly_with_the_scans_written(
    database_url: str, data_dir: Path
) -> None:
    world, batch, pdf = asyncio.run(_world_and_batch(database_url))
    keyring = server_keyring(data_dir)
    env = server_env(database_url, data_dir)
    with server_process(env, radura_serve=True) as (base_url, server):

        async def render_then_terminate() -> float:
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
                render = asyncio.create_task(client.get(pdf, headers=world.producer.headers))
                await asyncio.sleep(1.5)
                assert not render.done(), "the render must still be running at SIGTERM"
                for serial in batch.serials:
                    response = await client.get(
                        page_path(keyring, batch, serial), headers={"Accept": "application/json"}
                    )
                    assert response.status_code == 200
                server.send_signal(signal.SIGTERM)
                terminated = time.monotonic()
                await asyncio.gather(render, return_exceptions=True)
                return terminated

        terminated = asyncio.run(render_then_terminate())
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=EXIT_WITHIN_S + 30)
        exit_s = time.monotonic() - terminated
        print(f"exited {exit_s:.1f} s after SIGTERM during a 10 000-label render")
        assert server.returncode is not None and exit_s < EXIT_WITHIN_S, exit_s
    assert asyncio.run(_scans_of(database_url, batch)) == SCANS


def test_sigterm_under_scan_load_answers_what_it_took_and_writes_every_scan(
    database_url: str, data_dir: Path
) -> None:
    """Phones scanning steadily at SIGTERM: every request already in the server is answered, no
    answer is a 5xx, and every scan answered is in the database after the exit."""
    _, batch, _ = asyncio.run(_world_and_batch(database_url))
    keyring = server_keyring(data_dir)
    env = server_env(database_url, data_dir)
    paths = [page_path(keyring, batch, serial) for serial in batch.serials]
    with server_process(env, radura_serve=True) as (base_url, server):

        async def scan_then_terminate() -> tuple[int, list[int], list[str]]:
            answered, statuses, in_flight_failures = 0, [], []
            last_after_s: list[float] = [0.0]
            terminated_at: float | None = None
            under_load = asyncio.Event()

            async def phone(number: int) -> None:
                nonlocal answered
                # a connection of its own, as each phone would have
                async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
                    while True:
                        started = time.monotonic()
                        try:
                            response = await client.get(
                                paths[number % len(paths)], headers={"Accept": "application/json"}
                            )
                        except httpx.TransportError as exc:
                            if terminated_at is None or started < terminated_at - 0.05:
                                in_flight_failures.append(type(exc).__name__)
                            return  # the server has stopped taking requests
                        statuses.append(response.status_code)
                        if response.status_code == 200:
                            answered += 1
                            if answered > 50:
                                under_load.set()
                        if terminated_at is not None:
                            last_after_s.append(time.monotonic() - terminated_at)
                        if terminated_at is not None and started > terminated_at + 5:
                            return

            phones = [asyncio.create_task(phone(number)) for number in range(8)]
            # under load, not at a set time: a busy machine may take seconds for the first answers
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(under_load.wait(), timeout=60)
            await asyncio.sleep(0.5)
            server.send_signal(signal.SIGTERM)
            terminated_at = time.monotonic()
            await asyncio.gather(*phones)
            print(f"last answer {max(last_after_s):.2f} s after SIGTERM")
            return answered, statuses, in_flight_failures

        answered, statuses, in_flight_failures = asyncio.run(scan_then_terminate())
        server.wait(timeout=EXIT_WITHIN_S)
        print(f"{answered} scans answered under load, then SIGTERM; statuses {set(statuses)}")
    assert answered > 50
    assert set(statuses) == {200}, set(statuses)
    assert not in_flight_failures, in_flight_failures
    assert asyncio.run(_scans_of(database_url, batch)) == answered
