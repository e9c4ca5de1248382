"""RADURA_REDIS_URL: the public rate limit holds across worker processes, is namespaced per
deployment, and a Redis that is down (at start or later) lets requests through, never a 500."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.test_deploy_nginx import REDIS_URL, redis_answers
from tests.live_server import free_port, live_server

LIMIT_PER_MINUTE = 10
JWKS = "/.well-known/jwks.json"
PARALLEL_PHONE = "127.0.21.7"


def _served(base_url: str, n: int) -> int:
    """How many of `n` requests, each on a new connection, were answered 200 (the rest 429)."""
    statuses = []
    for _ in range(n):
        with httpx.Client(base_url=base_url) as client:
            statuses.append(client.get(JWKS).status_code)
    assert set(statuses) <= {200, 429}, statuses
    return statuses.count(200)


def _two_workers_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "RADURA_DATABASE_URL": database_url,
        "RADURA_RATE_LIMIT_PER_MINUTE": str(LIMIT_PER_MINUTE),
        "RADURA_PUBLIC_BASE_URL": f"https://radura-{secrets.token_hex(4)}.example",
        "RADURA_LOG_FORMAT": "json",
        **extra,
    }


def test_without_redis_each_worker_has_its_own_budget(database_url: str) -> None:
    # the baseline that shows `--workers 2` really is two processes with two memories
    env = _two_workers_env(database_url)
    with live_server(env, workers=2, radura_serve=True) as base_url:
        assert _served(base_url, 40) > LIMIT_PER_MINUTE


def test_with_redis_one_budget_holds_across_both_workers(database_url: str) -> None:
    if not redis_answers():
        pytest.skip("no Redis answers at 127.0.0.1:6379")
    env = _two_workers_env(database_url, RADURA_REDIS_URL=REDIS_URL)
    with live_server(env, workers=2, radura_serve=True) as base_url:
        assert _served(base_url, 40) == LIMIT_PER_MINUTE
        # all at once, from another address: still one budget, no hit lost between processes
        assert asyncio.run(_served_at_once(base_url, 40, PARALLEL_PHONE)) == LIMIT_PER_MINUTE


async def _served_at_once(base_url: str, n: int, address: str) -> int:
    """How many of `n` simultaneous requests from `address`, each on its own connection,
    were answered 200 (the rest 429)."""
    transport = httpx.AsyncHTTPTransport(local_address=address, retries=0)
    limits = httpx.Limits(max_keepalive_connections=0, max_connections=n)
    async with httpx.AsyncClient(base_url=base_url, transport=transport, limits=limits) as phone:
        answers = await asyncio.gather(*(phone.get(JWKS) for _ in range(n)))
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, 429}, statuses
    return statuses.count(200)


@contextlib.contextmanager
def own_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A Redis of this test's own on `port` (the machine's one must never be stopped)."""
    server = shutil.which("redis-server") or shutil.which("valkey-server")
    if server is None:
        pytest.skip("no redis-server or valkey-server binary to start and stop")
    with tempfile.TemporaryDirectory(prefix="radura-redis-") as tmp:
        process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                assert time.monotonic() < deadline, "redis-server did not listen within 10 s"
                time.sleep(0.05)
            yield process
        finally:
            process.terminate()
            process.wait(timeout=10)


async def _statuses(client: AsyncTestClient, n: int) -> list[int]:
    return [(await client.get(JWKS)).status_code for _ in range(n)]


def _redis_log_lines(capfd: pytest.CaptureFixture[str]) -> list[str]:
    """The app's log lines about Redis (structlog prints them as the app configured it)."""
    captured = capfd.readouterr()
    lines = (captured.out + captured.err).splitlines()
    return [line for line in lines if "redis unreachable" in line or "redis reachable" in line]


@pytest.mark.asyncio(loop_scope="session")
async def test_redis_down_at_start_lets_requests_through_with_one_warning(
    settings, capfd: pytest.CaptureFixture[str]
) -> None:
    from service.app import create_app

    nobody = f"redis://127.0.0.1:{free_port()}/0"
    limited = dataclasses.replace(settings, rate_limit_per_minute=3, redis_url=nobody)
    capfd.readouterr()
    async with AsyncTestClient(app=create_app(limited)) as client:
        assert await _statuses(client, 6) == [200] * 6
    lines = _redis_log_lines(capfd)
    assert len(lines) == 1
    assert "warning" in lines[0]
    assert "redis unreachable; rate limits not enforced" in lines[0]


@pytest.mark.asyncio(loop_scope="session")
async def test_redis_going_away_mid_run_fails_open_and_coming_back_limits_again(
    settings, capfd: pytest.CaptureFixture[str]
) -> None:
    from service.app import create_app

    port = free_port()
    limited = dataclasses.replace(
        settings, rate_limit_per_minute=3, redis_url=f"redis://127.0.0.1:{port}/0"
    )
    capfd.readouterr()
    async with AsyncTestClient(app=create_app(limited)) as client:
        with own_redis(port):
            assert await _statuses(client, 4) == [200, 200, 200, 429]
        # gone: the public pages keep answering, unlimited, rather than failing
        assert await _statuses(client, 5) == [200] * 5
        with own_redis(port):  # back, empty: counting starts again
            assert await _statuses(client, 4) == [200, 200, 200, 429]
    lines = _redis_log_lines(capfd)
    assert len(lines) == 2, lines
    assert "redis unreachable; rate limits not enforced" in lines[0]
    assert "redis reachable again; rate limits enforced" in lines[1]


@pytest.mark.asyncio(loop_scope="session")
async def test_two_deployments_on_one_redis_keep_their_own_counts(settings) -> None:
    from service.app import create_app

    if not redis_answers():
        pytest.skip("no Redis answers at 127.0.0.1:6379")
    base = dataclasses.replace(settings, rate_limit_per_minute=3, redis_url=REDIS_URL)
    one = dataclasses.replace(base, public_base_url=f"https://a-{secrets.token_hex(4)}.example")
    other = dataclasses.replace(base, public_base_url=f"https://b-{secrets.token_hex(4)}.example")
    async with (
        AsyncTestClient(app=create_app(one)) as first,
        AsyncTestClient(app=create_app(other)) as second,
    ):
        assert await _statuses(first, 4) == [200, 200, 200, 429]
        # the same client, on another deployment sharing the Redis: a budget of its own
        assert await _statuses(second, 4) == [200, 200, 200, 429]
