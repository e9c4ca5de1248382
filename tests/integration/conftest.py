"""The app under test and a fresh cast of organizations and users for every test."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest_asyncio
from litestar.testing import AsyncTestClient

from tests.integration.verify_fixtures import WATCHED_GTIN_SETS, from_client_address
from tests.integration.world import World, build_world


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def client(settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    from service.app import create_app

    # requests may name the client address they come from (X-Client-Address)
    app = from_client_address(create_app(settings))
    async with AsyncTestClient(app=app) as client:
        watched = (urlsplit(settings.database_url).path.lstrip("/"), app.state["verifier"].gtins)
        WATCHED_GTIN_SETS.append(watched)
        try:
            yield client
        finally:
            WATCHED_GTIN_SETS.remove(watched)


@pytest_asyncio.fixture(loop_scope="session")
async def world(pool: asyncpg.Pool) -> World:
    """Two producers, two facilities, a regulator and an admin, each with fresh tokens.

    Every test gets its own organizations, so tests never see each other's rows and no table
    has to be emptied (the audit log refuses DELETE and TRUNCATE by design)."""
    async with pool.acquire() as conn:
        return await build_world(conn)


@pytest_asyncio.fixture(loop_scope="session")
async def fresh_dsn(database_url: str) -> AsyncIterator[str]:
    """An empty database on the same server as the session's."""
    name = "radura_mig_" + secrets.token_hex(4)
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(database_url)
    yield urlunsplit(parts._replace(path="/" + name))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()
