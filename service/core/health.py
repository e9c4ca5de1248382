"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec

from service.core.migrate import MigrationError, pending_migrations

# /ready answers within this long whatever the database does: an orchestrator's probe has a
# timeout of its own (often 1–2 s), and a probe that hangs says less than "unready"
READY_TIMEOUT_S = 1.5


class Health(msgspec.Struct):
    status: str
    detail: str = ""


class HealthController(Controller):
    tags = ["operations"]

    @get(
        "/health",
        operation_id="health",
        summary="Liveness probe",
        exclude_from_auth=True,
        cache=False,
    )
    async def health(self) -> Health:
        """Liveness: the process answers."""
        return Health("ok")

    @get(
        "/ready",
        operation_id="ready",
        summary="Readiness probe",
        exclude_from_auth=True,
        cache=False,
        responses={
            503: ResponseSpec(
                Health, generate_examples=False, description="Not ready: `detail` says why."
            )
        },
    )
    async def ready(self, state: State) -> Response[Health]:
        """Readiness: the database answers and every migration is applied."""
        try:
            # a connection that timed out is closed, not reset, so the answer is not held up
            async with asyncio.timeout(READY_TIMEOUT_S), state.pool.acquire() as conn:
                pending = await pending_migrations(conn)
        except MigrationError as exc:
            return Response(Health("unready", str(exc)), status_code=503)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return Response(Health("unready", f"database: {type(exc).__name__}"), status_code=503)
        if pending:
            return Response(
                Health("unready", "pending migrations: " + ", ".join(pending)), status_code=503
            )
        return Response(Health("ready"))
