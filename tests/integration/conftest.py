"""The app under test and a fresh cast of organizations and users for every test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio
from litestar.testing import AsyncTestClient

from tests.integration.world import World, build_world


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def client(settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    from service.app import create_app

    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def world(pool: asyncpg.Pool) -> World:
    """Two producers, two facilities, a regulator and an admin, each with fresh tokens.

    Every test gets its own organizations, so tests never see each other's rows and no table
    has to be emptied (the audit log refuses DELETE and TRUNCATE by design)."""
    async with pool.acquire() as conn:
        return await build_world(conn)
