"""Schemathesis over the app's own OpenAPI: no input to the API, from any role, yields a 5xx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.integration.world import World, build_world
from tests.live_server import live_server


@pytest.fixture(scope="module")
def server_url(database_url: str, data_dir) -> Iterator[str]:  # type: ignore[no-untyped-def]
    env = {
        "RADURA_DATABASE_URL": database_url,
        "RADURA_DATA_DIR": str(data_dir),
        "RADURA_RATE_LIMIT_PER_MINUTE": "0",
        "RADURA_LOG_FORMAT": "json",
    }
    with live_server(env) as url:
        yield url


@pytest.fixture(scope="module")
def fuzz_world(database_url: str) -> World:
    async def build() -> World:
        conn = await asyncpg.connect(database_url)
        try:
            return await build_world(conn)
        finally:
            await conn.close()

    return asyncio.run(build())


def _no_server_error(case, fuzz_world: World, server_url: str) -> None:  # type: ignore[no-untyped-def]
    for role, actor in fuzz_world.actors().items():
        response = case.call(base_url=server_url, headers=actor.headers, timeout=30)
        assert response.status_code < 500, (role, case.method, case.path, response.text[:500])
        if response.status_code >= 400 and case.path.startswith("/api/"):
            # every API refusal is a problem document, never an HTML page or a bare string
            content_type = response.headers.get("content-type") or [""]
            assert content_type[0].startswith("application/problem+json"), (
                role,
                case.method,
                case.path,
                response.status_code,
                response.text[:200],
            )


def test_no_input_from_any_role_yields_a_server_error(fuzz_world: World, server_url: str):
    api_schema = schemathesis.openapi.from_url(server_url + "/schema/openapi.json")
    failures: dict[str, str] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/"):
            continue  # public label paths are free-form; tests/integration/test_verify* cover them
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            _no_server_error(case, fuzz_world, server_url)

        try:
            fuzz()
        except AssertionError as exc:
            failures[operation.label] = str(exc)[:800]
    assert operations >= 9
    assert not failures, failures
