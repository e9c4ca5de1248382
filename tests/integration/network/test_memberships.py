"""Invitations into a market network and the producer's answer (SPEC §13.4): accept, decline,
leave; refusals (a second answer, another producer's invitation, another network's), an
invitation of what is not a producer, and two acceptances racing."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import httpx
import pytest
from litestar.testing.transport import TestClientTransport

from tests.integration.network.network_steps import invite, invited, joined, make_network
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

BASE_URL = "http://testserver.local"


async def _answer(client, membership_id: str, how: str, headers):  # type: ignore[no-untyped-def]
    if how == "leave":
        return await client.delete(f"/api/v1/memberships/{membership_id}", headers=headers)
    return await client.post(f"/api/v1/memberships/{membership_id}/{how}", headers=headers)


async def test_an_invitation_is_accepted_listed_and_left(client, pool, world: World):
    network = await make_network(pool, world)
    membership = await invited(client, network, world.producer_org)
    assert membership["producer_id"] == str(world.producer_org)
    assert membership["network_id"] == str(network.org)
    assert membership["answered_at"] is None

    mine = await client.get("/api/v1/memberships", headers=world.producer.headers)
    assert [m["id"] for m in mine.json()["items"]] == [membership["id"]]
    assert mine.json()["items"][0]["network_name"] == f"Dinas Koperasi dan UKM {world.tag}"

    accepted = await _answer(client, membership["id"], "accept", world.producer.headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["answered_at"] is not None

    members = await client.get(
        f"/api/v1/organizations/{network.org}/members", headers=network.user.headers
    )
    assert [(m["producer_id"], m["status"]) for m in members.json()["items"]] == [
        (str(world.producer_org), "accepted")
    ]
    # a regulator reads any network's members; the other network reads none of these
    as_regulator = await client.get(
        f"/api/v1/organizations/{network.org}/members", headers=world.regulator.headers
    )
    assert as_regulator.status_code == 200
    assert len(as_regulator.json()["items"]) == 1
    theirs = await client.get(
        f"/api/v1/organizations/{network.org}/members", headers=network.other_user.headers
    )
    assert theirs.status_code == 404

    left = await _answer(client, membership["id"], "leave", world.producer.headers)
    assert left.status_code == 204
    again = await _answer(client, membership["id"], "leave", world.producer.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "membership_not_accepted"
    assert again.json()["current_status"] == "left"
    # once left, the network may invite the producer again: a new membership
    second = await invited(client, network, world.producer_org)
    assert second["id"] != membership["id"]


async def test_a_declined_invitation_cannot_be_accepted(client, pool, world: World):
    network = await make_network(pool, world)
    membership = await invited(client, network, world.producer_org)
    declined = await _answer(client, membership["id"], "decline", world.producer.headers)
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    for how in ("accept", "decline"):
        response = await _answer(client, membership["id"], how, world.producer.headers)
        assert response.status_code == 409, how
        assert response.json()["code"] == "membership_not_invited"
        assert response.json()["current_status"] == "declined"
    leave = await _answer(client, membership["id"], "leave", world.producer.headers)
    assert leave.status_code == 409
    # the network never reads the producer's rows
    products = await client.get("/api/v1/products", headers=network.user.headers)
    assert products.json()["items"] == []


async def test_another_producer_s_invitation_is_not_found(client, pool, world: World):
    network = await make_network(pool, world)
    membership = await invited(client, network, world.producer_org)
    for how in ("accept", "decline", "leave"):
        response = await _answer(client, membership["id"], how, world.other_producer.headers)
        assert response.status_code == 404, how
        unknown = await _answer(client, str(uuid4()), how, world.producer.headers)
        assert unknown.status_code == 404, how
    # nor does it appear among the other producer's memberships
    theirs = await client.get("/api/v1/memberships", headers=world.other_producer.headers)
    assert theirs.json()["items"] == []


async def test_a_network_invites_into_its_own_network_only(client, pool, world: World):
    network = await make_network(pool, world)
    response = await client.post(
        f"/api/v1/organizations/{network.other_org}/members",
        json={"producer_id": str(world.producer_org)},
        headers=network.user.headers,
    )
    assert response.status_code == 404
    # the other network's invitation is its own: accepting it gives this network nothing
    async with pool.acquire() as conn:
        count = await conn.fetchval(
            "SELECT count(*) FROM network_memberships WHERE network_id = $1", network.other_org
        )
    assert count == 0


async def test_an_invitation_names_a_producer(client, pool, world: World):
    network = await make_network(pool, world)
    facility = await invite(client, network, world.facility)
    assert facility.status_code == 422
    assert facility.json()["code"] == "not_a_producer"
    unknown = await invite(client, network, uuid4())
    assert unknown.status_code == 404
    malformed = await client.post(
        f"/api/v1/organizations/{network.org}/members",
        json={"producer_id": "not-a-uuid"},
        headers=network.user.headers,
    )
    assert malformed.status_code == 400
    assert "producer_id" in malformed.text
    extra = await client.post(
        f"/api/v1/organizations/{network.org}/members",
        json={"producer_id": str(world.producer_org), "status": "accepted"},
        headers=network.user.headers,
    )
    assert extra.status_code == 400


async def test_a_second_invitation_is_refused_while_one_is_open(client, pool, world: World):
    network = await make_network(pool, world)
    await invited(client, network, world.producer_org)
    twice = await invite(client, network, world.producer_org)
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_invited"
    await joined(client, network, world.other_producer)
    member = await invite(client, network, world.other_producer_org)
    assert member.status_code == 409
    assert member.json()["code"] == "already_member"


@pytest.mark.parametrize("role", ["producer", "operator", "qa", "regulator"])
async def test_only_a_network_or_an_admin_invites(client, pool, world: World, role: str):
    network = await make_network(pool, world)
    actor = world.actors()[role]
    response = await invite(client, network, world.producer_org, by=actor)
    assert response.status_code == 403
    by_admin = await invite(client, network, world.producer_org, by=world.admin)
    assert by_admin.status_code == 201
    # a network's user may not answer for a producer
    answer = await _answer(client, by_admin.json()["id"], "accept", network.user.headers)
    assert answer.status_code == 403


async def test_two_acceptances_racing_one_wins(client, pool, world: World):
    network = await make_network(pool, world)
    one = httpx.Client(transport=TestClientTransport(client), base_url=BASE_URL)  # type: ignore[arg-type]
    two = httpx.Client(transport=TestClientTransport(client), base_url=BASE_URL)  # type: ignore[arg-type]
    for _ in range(4):
        membership = await invited(client, network, world.producer_org)
        path = f"/api/v1/memberships/{membership['id']}/accept"
        decline = f"/api/v1/memberships/{membership['id']}/decline"
        responses = await asyncio.gather(
            asyncio.to_thread(one.post, path, headers=world.producer.headers),
            asyncio.to_thread(two.post, decline, headers=world.producer.headers),
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 200).json()["status"]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["current_status"] == winner
        async with pool.acquire() as conn:
            stored = await conn.fetchval(
                "SELECT status FROM network_memberships WHERE id = $1", membership["id"]
            )
        assert stored == winner
        if winner == "accepted":
            left = await _answer(client, membership["id"], "leave", world.producer.headers)
            assert left.status_code == 204
    # and two identical acceptances: one 200, one 409
    membership = await invited(client, network, world.producer_org)
    path = f"/api/v1/memberships/{membership['id']}/accept"
    responses = await asyncio.gather(
        asyncio.to_thread(one.post, path, headers=world.producer.headers),
        asyncio.to_thread(two.post, path, headers=world.producer.headers),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]


async def test_two_invitations_racing_make_one_membership(client, pool, world: World):
    network = await make_network(pool, world)
    one = httpx.Client(transport=TestClientTransport(client), base_url=BASE_URL)  # type: ignore[arg-type]
    two = httpx.Client(transport=TestClientTransport(client), base_url=BASE_URL)  # type: ignore[arg-type]
    path = f"/api/v1/organizations/{network.org}/members"
    body = {"producer_id": str(world.producer_org)}
    responses = await asyncio.gather(
        asyncio.to_thread(one.post, path, json=body, headers=network.user.headers),
        asyncio.to_thread(two.post, path, json=body, headers=network.user.headers),
    )
    assert sorted(r.status_code for r in responses) == [201, 409]


async def test_an_admin_creates_a_cooperative_office_and_its_user(client, world: World):
    made = await client.post(
        "/api/v1/organizations",
        json={
            "kind": "market_network",
            "name": f"Dinas Koperasi dan UKM Kota Padang {world.tag}",
            "address": "Jl. Bagindo Aziz Chan",
            "city": "Padang",
        },
        headers=world.admin.headers,
    )
    assert made.status_code == 201, made.text
    office = made.json()["id"]
    user = await client.post(
        "/api/v1/users",
        json={"name": "Yuliana", "role": "market_network", "organization_id": office},
        headers=world.admin.headers,
    )
    assert user.status_code == 201, user.text
    token = {"Authorization": f"Bearer {user.json()['token']}"}
    me = await client.get("/api/v1/me", headers=token)
    assert me.json()["role"] == "market_network"
    assert (await client.get("/api/v1/network", headers=token)).status_code == 200
    # a producer's user does not fit an office, nor an office's user a producer
    for role, organization in (("producer", office), ("market_network", str(world.producer_org))):
        misfit = await client.post(
            "/api/v1/users",
            json={"name": "Salah", "role": role, "organization_id": organization},
            headers=world.admin.headers,
        )
        assert misfit.status_code == 422, (role, misfit.text)
        assert misfit.json()["code"] == "role_does_not_fit_organization"
