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
import pytest
import pytest_asyncio

# the app must never see a developer's real settings
os.environ.setdefault("RADURA_RATE_LIMIT_PER_MINUTE", "0")
os.environ.pop("RADURA_DATABASE_URL", None)
os.environ.pop("RADURA_SIGNING_KEY", None)
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
