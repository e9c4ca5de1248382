"""A revoked token, or a disabled user's, fails on every process within one second: each process
caches its token lookups and drops them on the NOTIFY of the change."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.world import World
from tests.live_server import live_server, server_env

# each test here holds the code to a time bound, which a loaded machine can miss
pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timing]

WITHIN_S = 1.0


@pytest.fixture(scope="module")
def two_processes(database_url: str, data_dir: Path) -> Iterator[tuple[str, str]]:
    """Two `radura serve`-like processes on one database, sharing nothing else."""
    env = server_env(database_url, data_dir)
    with live_server(env) as first, live_server(env) as second:
        yield first, second


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _until_refused(process: httpx.AsyncClient, token: str) -> float:
    """Seconds until `token` answers 401 on `process` (polling every 10 ms, up to 3 s)."""
    started = time.perf_counter()
    while time.perf_counter() - started < 3:
        if (await process.get("/api/v1/me", headers=_bearer(token))).status_code == 401:
            return time.perf_counter() - started
        await asyncio.sleep(0.01)
    raise AssertionError("the token still works after 3 s")


async def _warm(processes: tuple[httpx.AsyncClient, ...], token: str) -> None:
    for process in processes * 2:
        assert (await process.get("/api/v1/me", headers=_bearer(token))).status_code == 200


async def test_a_revoked_token_fails_on_both_processes_within_a_second(
    two_processes: tuple[str, str], world: World
) -> None:
    async with (
        httpx.AsyncClient(base_url=two_processes[0]) as first,
        httpx.AsyncClient(base_url=two_processes[1]) as second,
    ):
        issued = await first.post(
            "/api/v1/tokens", json={"name": "Timbangan"}, headers=world.producer.headers
        )
        assert issued.status_code == 201, issued.text
        token, token_id = issued.json()["token"], issued.json()["id"]
        await _warm((first, second), token)
        revoked = await first.delete(f"/api/v1/tokens/{token_id}", headers=world.producer.headers)
        assert revoked.status_code == 204
        waits = await asyncio.gather(_until_refused(first, token), _until_refused(second, token))
        assert max(waits) < WITHIN_S, waits
        # the owner's other token is untouched on both
        for process in (first, second):
            assert (await process.get("/api/v1/me", headers=world.producer.headers)).is_success


async def test_a_disabled_users_tokens_fail_on_both_processes_within_a_second(
    two_processes: tuple[str, str], world: World
) -> None:
    async with (
        httpx.AsyncClient(base_url=two_processes[0]) as first,
        httpx.AsyncClient(base_url=two_processes[1]) as second,
    ):
        await _warm((first, second), world.second_qa.token)
        disabled = await second.post(
            f"/api/v1/users/{world.second_qa.id}/disable", headers=world.admin.headers
        )
        assert disabled.status_code == 200, disabled.text
        waits = await asyncio.gather(
            _until_refused(first, world.second_qa.token),
            _until_refused(second, world.second_qa.token),
        )
        assert max(waits) < WITHIN_S, waits
