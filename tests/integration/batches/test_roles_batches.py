"""Every product, batch and export endpoint against every role, another organization, no token.

The wrong role gets 403, another organization's product or batch 404, no (or a bad) token 401."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.batch_steps import (
    batch_body,
    batch_in,
    chicken,
    create_product,
    treatment_body,
)
from tests.integration.world import Actor, World, _actor

pytestmark = pytest.mark.asyncio(loop_scope="session")

ALL = {"admin", "producer", "operator", "qa", "regulator"}
REASON = {"reason": "Uji peran dan izin"}

# (method, path, body factory, the status the batch must be in, roles allowed, outsider kind)
# outsider: which user of *another* organization of an allowed role must get 404
ENDPOINTS: list[tuple[str, str, Any, str | None, set[str], str | None]] = [
    ("POST", "/api/v1/products", lambda w, p: chicken(), None, {"producer"}, None),
    ("GET", "/api/v1/products", None, None, {"producer", "regulator", "admin"}, None),
    (
        "GET",
        "/api/v1/products/{product_id}",
        None,
        None,
        {"producer", "regulator", "admin"},
        "producer",
    ),
    ("POST", "/api/v1/batches", lambda w, p: batch_body(w, p), None, {"producer"}, None),
    ("GET", "/api/v1/batches", None, None, ALL, None),
    ("GET", "/api/v1/batches/{batch_id}", None, "registered", ALL, "producer+facility"),
    ("GET", "/api/v1/batches/{batch_id}/events", None, "registered", ALL, "producer+facility"),
    ("POST", "/api/v1/batches/{batch_id}/cancel", None, "registered", {"producer"}, "producer"),
    (
        "POST",
        "/api/v1/batches/{batch_id}/receipt",
        lambda w, p: {"quantity_received": 10},
        "registered",
        {"operator", "qa"},
        "facility",
    ),
    (
        "POST",
        "/api/v1/batches/{batch_id}/treatment",
        lambda w, p: treatment_body(w),
        "received",
        {"operator", "qa"},
        "facility",
    ),
    ("POST", "/api/v1/batches/{batch_id}/release", None, "treated", {"qa"}, "facility"),
    (
        "POST",
        "/api/v1/batches/{batch_id}/reject",
        lambda w, p: REASON,
        "treated",
        {"qa"},
        "facility",
    ),
    (
        "POST",
        "/api/v1/batches/{batch_id}/recall",
        lambda w, p: REASON,
        "released",
        {"producer", "regulator", "admin"},
        "producer",
    ),
    ("GET", "/api/v1/exports/batches.csv", None, None, {"producer", "regulator", "admin"}, None),
]


async def _outsiders(pool, world: World, kind: str) -> list[Actor]:  # type: ignore[no-untyped-def]
    """Users of another producer or another facility, in the roles that could otherwise act."""
    actors = []
    if "producer" in kind:
        actors.append(world.other_producer)
    if "facility" in kind:
        actors.append(world.other_operator)
        async with pool.acquire() as conn:
            actors.append(await _actor(conn, "qa", f"QA Lain {world.tag}", world.other_facility))
    return actors


@pytest.mark.parametrize(
    ("method", "path", "body", "state", "allowed", "outsider"),
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
async def test_roles_against_batch_endpoints(
    client, world: World, pool, method, path, body, state, allowed, outsider
):
    product_id = (await create_product(client, world.producer, chicken()))["id"]

    async def url_and_body() -> tuple[str, Any]:
        batch_id = await batch_in(client, world, state, product_id) if state else None
        url = path.format(product_id=product_id, batch_id=batch_id)
        return url, body(world, product_id) if body else None

    url, payload = await url_and_body()
    for headers in ({}, {"Authorization": "Bearer rdr_not-a-real-token"}):
        response = await client.request(method, url, json=payload, headers=headers)
        assert response.status_code == 401, (headers, response.status_code)

    for role, actor in world.actors().items():
        if role not in allowed:
            response = await client.request(method, url, json=payload, headers=actor.headers)
            assert response.status_code == 403, (role, response.status_code, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")

    for role, actor in world.actors().items():
        if role in allowed:
            url, payload = await url_and_body()  # a fresh resource in the right state
            response = await client.request(method, url, json=payload, headers=actor.headers)
            assert response.status_code in (200, 201), (role, response.status_code, response.text)

    if outsider:
        for actor in await _outsiders(pool, world, outsider):
            if actor.role not in allowed:
                continue
            url, payload = await url_and_body()
            response = await client.request(method, url, json=payload, headers=actor.headers)
            assert response.status_code == 404, (actor.role, response.status_code, response.text)
