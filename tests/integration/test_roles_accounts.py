"""Every account endpoint against every role, and without a token."""

from __future__ import annotations

import pytest

from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

ALL_ROLES = ("admin", "producer", "operator", "qa", "regulator")


def _org_body(world: World) -> dict:
    return {"kind": "producer", "name": f"Org {world.tag}", "address": "A", "city": "C"}


def _user_body(world: World) -> dict:
    return {"name": "New", "role": "producer", "organization_id": str(world.producer_org)}


def _irradiator_body(world: World) -> dict:
    return {"facility_id": str(world.facility), "name": "Co", "source_type": "cobalt-60"}


# (method, path, body factory, roles allowed)
ENDPOINTS = [
    ("POST", "/api/v1/organizations", _org_body, {"admin"}),
    ("GET", "/api/v1/organizations", None, {"admin", "regulator"}),
    ("GET", "/api/v1/organizations/{regulator_org}", None, {"admin", "regulator"}),
    ("GET", "/api/v1/facilities", None, set(ALL_ROLES)),
    ("POST", "/api/v1/users", _user_body, {"admin"}),
    ("POST", "/api/v1/users/{second_qa}/disable", None, {"admin"}),
    ("GET", "/api/v1/users", None, {"admin"}),
    ("GET", "/api/v1/admin-audit-log", None, {"admin", "regulator"}),
    ("GET", "/api/v1/me", None, set(ALL_ROLES)),
    ("POST", "/api/v1/irradiators", _irradiator_body, {"admin"}),
    ("GET", "/api/v1/irradiators", None, set(ALL_ROLES)),
    ("GET", "/api/v1/food-categories", None, set(ALL_ROLES)),
    # editing (SPEC §3.2)
    ("PATCH", "/api/v1/organizations/{regulator_org}", lambda w: {"city": "Jakarta"}, {"admin"}),
    ("GET", "/api/v1/organizations/{regulator_org}/licences", None, {"admin", "regulator"}),
    ("PATCH", "/api/v1/irradiators/{irradiator}", lambda w: {"activity_kci": 400}, {"admin"}),
    ("PATCH", "/api/v1/users/{second_qa}", lambda w: {"name": "QA Tiga"}, {"admin"}),
    ("POST", "/api/v1/users/{second_qa}/enable", None, {"admin"}),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
async def test_roles_against_account_endpoints(client, world: World, method, path, body, allowed):
    url = path.format(
        regulator_org=world.regulator_org, second_qa=world.second_qa.id, irradiator=world.irradiator
    )
    anonymous = await client.request(method, url, json=body(world) if body else None)
    assert anonymous.status_code == 401
    bad_token = await client.request(
        method,
        url,
        json=body(world) if body else None,
        headers={"Authorization": "Bearer rdr_not-a-real-token"},
    )
    assert bad_token.status_code == 401
    for role, actor in world.actors().items():
        response = await client.request(
            method, url, json=body(world) if body else None, headers=actor.headers
        )
        if role in allowed:
            assert response.status_code in (200, 201), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")
