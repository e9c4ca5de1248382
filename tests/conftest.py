"""Shared fixtures: one real PostgreSQL per test session (embedded, or a server when
RADURA_TEST_DATABASE_URL is set), migrated by the production runner, and the app on top."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import hypothesis
import pytest
import pytest_asyncio

# Timing is not what a property test checks: on a loaded 2-core CI machine Hypothesis's per-example
# deadline and its too-slow health check fail tests whose code is right.
hypothesis.settings.register_profile(
    "radura", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("radura")

# the app must never see a developer's real settings
os.environ.setdefault("RADURA_RATE_LIMIT_PER_MINUTE", "0")
os.environ.pop("RADURA_DATABASE_URL", None)
os.environ.pop("RADURA_SIGNING_KEY", None)
# webhook receivers in tests listen on loopback over http, and retries come within a second
os.environ.setdefault("RADURA_WEBHOOK_ALLOW_PRIVATE", "1")
os.environ.setdefault("RADURA_WEBHOOK_RETRY_BASE_S", "0.2")
os.environ.setdefault("RADURA_WEBHOOK_RETRY_MAX_S", "1")
os.environ.setdefault("RADURA_WEBHOOK_POLL_S", "0.5")
os.environ.setdefault("RADURA_WEBHOOK_TIMEOUT_S", "2")
# fuzzed endpoints that lead nowhere stop being retried within one test run
os.environ.setdefault("RADURA_WEBHOOK_GIVE_UP_AFTER_S", "60")
os.environ.pop("RADURA_TRUSTED_PROXIES", None)
os.environ.pop("RADURA_REDIS_URL", None)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="radura-test-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> Iterator[str]:
    """A fresh, migrated database for this session; dropped (or deleted) at the end."""
    from service.core.migrate import apply_migrations

    server_url = os.environ.get("RADURA_TEST_DATABASE_URL")
    if server_url:
        name = "radura_test_" + secrets.token_hex(4)

        async def create() -> None:
            conn = await asyncpg.connect(server_url)
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        dsn = _with_database(server_url, name)
        server = None
    else:
        import pgserver

        server = pgserver.get_server(data_dir / "pg", cleanup_mode="delete")
        dsn = server.get_uri()

    async def migrate() -> None:
        conn = await asyncpg.connect(dsn)
        await apply_migrations(conn)
        await conn.execute("SELECT ensure_scan_partitions(2)")
        await conn.close()

    asyncio.run(migrate())
    yield dsn
    if server_url:

        async def drop() -> None:
            conn = await asyncpg.connect(server_url)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        asyncio.run(drop())
    elif server is not None:
        server.cleanup()


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path):  # type: ignore[no-untyped-def]
    from service.core.settings import load_settings

    return dataclasses.replace(
        load_settings(),
        database_url=database_url,
        data_dir=data_dir,
        public_base_url="https://radura.test",
        rate_limit_per_minute=0,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    from service.core.db import create_pool

    pool = await create_pool(database_url, max_size=5)
    yield pool
    await pool.close()


# Modules whose tests start processes of their own: Radura servers, PostgreSQL clusters, the CLI.
# Under pytest-xdist they all run on one worker, one after another, so two servers never compete
# for a 2-core machine while a third test holds them to a time bound. Schemathesis' runs, which
# hold nothing to a time bound and take minutes, name groups of their own so that they run beside
# the others.
_PROCESS_HELPERS = ("tests.live_server", "tests.pg_cluster", "tests.integration.cli_run")


def _starts_processes(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    if module is None:
        return False
    helpers = (v for v in vars(module).values() if callable(v))
    return any(getattr(helper, "__module__", None) in _PROCESS_HELPERS for helper in helpers)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timing"):
            # a bound a loaded machine missed once is tried again; nothing else is retried
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=2))
        if _starts_processes(item) and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("processes"))
