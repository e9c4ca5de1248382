"""Schemathesis over the app's whole OpenAPI document, as every role and as nobody: no input
yields a server error, and every answer passes all of Schemathesis' checks (status code,
content type, headers and body as documented, authentication really enforced, schema-valid data
accepted, …). Path identifiers are random, so most cases meet a 404; the life cycle with real
ids is covered by the other integration tests.

Two runs of it. The default one (`pytest`) takes Schemathesis' explicit examples and
`MAX_EXAMPLES` generated cases per operation, derandomized so a run is reproducible: a minute or
two. The boundary run (`pytest -m boundaries`, by hand) is Schemathesis' coverage phase: every
boundary value and every kind of invalid input the document defines, for every operation, in two
halves that xdist runs side by side — ten minutes to over half an hour on a 2-core machine (its
strings one character short of a long limit that match the readable-text pattern are slow to
draw), which is why CI leaves it out. Each run's totals are printed and written to
test-artifacts/schemathesis-*.json."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import re
import uuid
import zlib
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

from service.accounts.markets.queries import market_cursor
from service.core.pagination import encode_cursor
from tests.integration.world import World, build_world
from tests.live_server import live_server, server_env

MAX_EXAMPLES = 8
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHASES = ("examples", "fuzzing", "coverage")
TOTALS: dict[str, dict[str, Any]] = {
    phase: {"operations": set(), "examples": 0, "calls": 0, "failed": set()} for phase in PHASES
}


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


def _loaded_schema(*phases: str) -> Any:
    """The served document as a Schemathesis schema with these phases, loaded when the test runs
    (not while pytest collects: generating every operation's cases at collection cost minutes on
    each run)."""
    loaded = schemathesis.openapi.from_dict(_served_document())
    for phase in PHASES:
        getattr(loaded.config.phases, phase).enabled = phase in phases
    # The API ignores query parameters it does not know (a scanned link gains tracking
    # parameters on the way, and a newer client may send what an older server has not learnt), so
    # an extra one is no invalid input
    loaded.config.generation.allow_extra_parameters = False
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


@pytest.fixture(scope="module")
def api_schema() -> Any:
    return _loaded_schema("examples", "fuzzing")


@pytest.fixture(scope="module")
def boundary_schema() -> Any:
    return _loaded_schema("coverage")


def _half(half: int) -> Any:
    """Half of the operations, by a stable hash of their label."""
    return lambda context: zlib.crc32(context.operation.label.encode()) % 2 == half


schema = schemathesis.pytest.from_fixture("api_schema")
boundaries = schemathesis.pytest.from_fixture("boundary_schema")


# Request rules across fields, against the clock, a check digit or Unicode categories, which a
# JSON Schema cannot state. The API refuses such data with a 400 naming the field and the rule;
# `positive_data_acceptance` (data valid by the schema is accepted) is not asked of those
# answers, and of no other.
RULES_BEYOND_THE_SCHEMA = re.compile(
    r"in the future|required when|required with a study|go together|must be after"
    r"|whole number of pieces"
    r"|required for a machine source|must be between|must not be before|check digit"
    r"|printable text|traditional medicines are outside|readable text"
    r"|may appear only once|may be named once|must lie between|needs its dose limit"
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
        elif case.operation.path == "/api/v1/markets":  # markets page in code order
            case.query["cursor"] = market_cursor(("EU", "GCC", "ID", "JP")[position.int % 4])
        else:
            case.query["cursor"] = encode_cursor(at, position)


@pytest.fixture(scope="module", autouse=True)
def totals() -> Iterator[None]:
    yield
    for phase, counted in TOTALS.items():
        if not counted["examples"]:
            continue
        totals = {
            "operations": len(counted["operations"]),
            "examples": counted["examples"],
            "calls": counted["calls"],
            "failed_operations": len(counted["failed"]),
            "max_examples_per_operation": MAX_EXAMPLES if phase == "fuzzing" else None,
        }
        print(f"\nschemathesis {phase} totals:", json.dumps(totals))
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"schemathesis-{phase}-{os.getpid()}.json"
        path.write_text(json.dumps(totals, indent=1) + "\n")


_HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.slow
@pytest.mark.xdist_group("schemathesis")
@schema.parametrize()
@_HYPOTHESIS
def test_every_answer_from_every_role_is_as_documented(
    case: Any, callers: dict[str, dict[str, str]], server_url: str
) -> None:
    _call_and_check(case, callers, server_url)


@pytest.mark.slow
@pytest.mark.boundaries
@pytest.mark.timeout(3600)
@pytest.mark.xdist_group("schemathesis-boundaries-0")
@boundaries.include(func=_half(0)).parametrize()
@_HYPOTHESIS
def test_every_boundary_of_half_the_operations_is_as_documented(
    case: Any, callers: dict[str, dict[str, str]], server_url: str
) -> None:
    _call_and_check(case, callers, server_url)


@pytest.mark.slow
@pytest.mark.boundaries
@pytest.mark.timeout(3600)
@pytest.mark.xdist_group("schemathesis-boundaries-1")
@boundaries.include(func=_half(1)).parametrize()
@_HYPOTHESIS
def test_every_boundary_of_the_other_half_is_as_documented(
    case: Any, callers: dict[str, dict[str, str]], server_url: str
) -> None:
    _call_and_check(case, callers, server_url)


def _call_and_check(case: Any, callers: dict[str, dict[str, str]], server_url: str) -> None:
    """Each case as nobody (every operation's authentication) and as one role, the roles taking
    turns case by case, so each operation meets every role in a third of the calls."""
    label = case.operation.label
    counted = TOTALS[case.meta.phase.name.value if case.meta else "examples"]
    counted["operations"].add(label)
    counted["examples"] += 1
    _with_a_real_cursor(case)
    roles = sorted(set(callers) - {"anonymous"})
    role = roles[counted["examples"] % len(roles)]
    for headers in (callers["anonymous"], callers[role]):
        counted["calls"] += 1
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
            counted["failed"].add(label)
            raise
