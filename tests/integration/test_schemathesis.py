"""Schemathesis over the app's whole OpenAPI document, as every role and as nobody: no input
yields a server error, and every answer passes all of Schemathesis' checks (status code,
content type, headers and body as documented, authentication really enforced, schema-valid data
accepted, …). Path identifiers are random, so most cases meet a 404; the life cycle with real
ids is covered by the other integration tests.

Bounded for CI: `MAX_EXAMPLES` cases per operation, derandomized so a run is reproducible; the
totals are printed and written to test-artifacts/schemathesis-totals.json."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.core.pagination import encode_cursor
from tests.integration.world import World, build_world
from tests.live_server import live_server, server_env

MAX_EXAMPLES = 8
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TOTALS: dict[str, Any] = {"operations": set(), "examples": 0, "calls": 0, "failed": set()}


@pytest.fixture(scope="module")
def server_url(database_url: str, data_dir: Path) -> Iterator[str]:
    env = server_env(database_url, data_dir)
    with live_server(env) as url:
        yield url


@pytest.fixture(scope="module")
def callers(database_url: str) -> dict[str, dict[str, str]]:
    """Each role's bearer header, and nobody's."""

    async def build() -> World:
        conn = await asyncpg.connect(database_url)
        try:
            return await build_world(conn)
        finally:
            await conn.close()

    world = asyncio.run(build())
    return {"anonymous": {}} | {role: a.headers for role, a in world.actors().items()}


def _served_document() -> dict[str, Any]:
    """The document the app serves at /schema/openapi.json; making it needs no database."""
    from litestar.testing import TestClient

    from service.app import create_app
    from service.core.settings import load_settings

    settings = dataclasses.replace(
        load_settings(), database_url="postgresql://unused@127.0.0.1:1/x"
    )
    # not entered as a context manager: no lifespan, so no database
    return dict(TestClient(create_app(settings)).get("/schema/openapi.json").json())


@pytest.fixture(scope="module")
def api_schema() -> Any:
    """The served document as a Schemathesis schema, loaded when the test runs (not while pytest
    collects: generating every operation's cases at collection cost minutes on each run)."""
    loaded = schemathesis.openapi.from_dict(_served_document())
    # Schema-valid data may still be refused by a domain rule: 422 is a documented refusal, and
    # positive_data_acceptance allows it
    loaded.config.checks.positive_data_acceptance.expected_statuses = [
        "2xx",
        "3xx",
        "401",
        "403",
        "404",
        "409",
        "422",
        "429",
    ]
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


# Request rules across fields, against the clock, a check digit or Unicode categories, which a
# JSON Schema cannot state. The API refuses such data with a 400 naming the field and the rule;
# `positive_data_acceptance` (data valid by the schema is accepted) is not asked of those
# answers, and of no other.
RULES_BEYOND_THE_SCHEMA = re.compile(
    r"in the future|required when|go together|must be after|whole number of pieces"
    r"|required for a machine source|must be between|must not be before|check digit"
    r"|printable text|traditional medicines are outside"
)


def _refused_by_a_rule_beyond_the_schema(response: Any) -> bool:
    if response.status_code != 400:
        return False
    if not response.content:  # HEAD: its GET twin's body names the rule
        return bool(response.request.method == "HEAD")
    body = response.json()
    if body.get("code") == "gs1-syntax":  # GS1 Digital Link's grammar: AIs, order, check digits
        return True
    errors = body.get("errors") or [{"message": ""}]
    return all(RULES_BEYOND_THE_SCHEMA.search(e.get("message", "")) for e in errors)


def _with_a_real_cursor(case: Any) -> None:
    """A schema-valid cursor is one the API issued (it is opaque): each generated one of a valid
    length becomes a real cursor of some position; others stay, as the invalid input they are."""
    cursor = (case.query or {}).get("cursor")
    if isinstance(cursor, str) and len(cursor) <= 200:
        at, position = datetime(2026, 1, 1, tzinfo=UTC), uuid.uuid5(uuid.NAMESPACE_URL, cursor)
        if case.operation.path == "/api/v1/epcis/events":  # (time, batch, step) positions
            raw = msgspec.json.encode([at, position, 1])
            case.query["cursor"] = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        else:
            case.query["cursor"] = encode_cursor(at, position)


@pytest.fixture(scope="module", autouse=True)
def totals() -> Iterator[None]:
    yield
    totals = {
        "operations": len(TOTALS["operations"]),
        "examples": TOTALS["examples"],
        "calls": TOTALS["calls"],
        "failed_operations": len(TOTALS["failed"]),
        "max_examples_per_operation": MAX_EXAMPLES,
    }
    print("\nschemathesis totals:", json.dumps(totals))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "schemathesis-totals.json").write_text(json.dumps(totals, indent=1) + "\n")


@pytest.mark.slow
# about 4 minutes on a quiet 2-core machine, three times that beside other heavy work
@pytest.mark.timeout(1800)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_from_every_role_is_as_documented(
    case: Any, callers: dict[str, dict[str, str]], server_url: str
) -> None:
    """Each case as nobody (every operation's authentication) and as one role, the roles taking
    turns case by case, so each operation meets every role in a third of the calls."""
    label = case.operation.label
    TOTALS["operations"].add(label)
    TOTALS["examples"] += 1
    _with_a_real_cursor(case)
    roles = sorted(set(callers) - {"anonymous"})
    role = roles[TOTALS["examples"] % len(roles)]
    for headers in (callers["anonymous"], callers[role]):
        TOTALS["calls"] += 1
        response = case.call(base_url=server_url, headers=headers, timeout=30)
        excluded = (
            [positive_data_acceptance] if _refused_by_a_rule_beyond_the_schema(response) else []
        )
        try:
            case.validate_response(
                response,
                headers=headers,
                excluded_checks=excluded,
                transport_kwargs={"base_url": server_url, "headers": headers},
            )
        except BaseException:
            TOTALS["failed"].add(label)
            raise
