"""The service survives a database restart without being restarted itself."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from litestar.testing import AsyncTestClient

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_requests_succeed_again_after_postgres_restarts(settings, tmp_path):
    import pgserver
    from pgserver._commands import pg_ctl

    from service.app import create_app
    from service.core.migrate import apply_migrations

    # a private embedded server, so restarting it disturbs no other test
    server = pgserver.get_server(tmp_path / "pg", cleanup_mode="delete")
    try:
        import asyncpg

        conn = await asyncpg.connect(server.get_uri())
        await apply_migrations(conn)
        await conn.close()
        app = create_app(dataclasses.replace(settings, database_url=server.get_uri()))
        async with AsyncTestClient(app=app) as client:
            assert (await client.get("/ready")).status_code == 200

            await asyncio.to_thread(
                pg_ctl,
                ["-w", "-m", "fast", "restart"],
                pgdata=server.pgdata,
                user=server.system_user,
                timeout=60,
            )

            statuses = []
            for _ in range(50):
                response = await client.get("/ready")
                statuses.append(response.status_code)
                if response.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert statuses[-1] == 200, statuses
            assert 500 not in statuses
            # and a request through the pool's other connections works too
            for _ in range(5):
                assert (await client.get("/ready")).status_code == 200
    finally:
        server.cleanup()
