"""A market network's reach (SPEC §13.4): through the ordinary read endpoints it sees the
producers that accepted its invitation — their products and their released (or since recalled)
batches — and nothing else: another producer's, a producer's that only was invited, a batch not
yet released, a producer's after it left all answer 404. Every write, and every read that would
name a customer, answers 403."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.batch_steps import batch_body, chicken, treatment_body
from tests.integration.batches.shipments.shipment_steps import create_customer, shipped
from tests.integration.console import signed_in
from tests.integration.network.network_steps import (
    Network,
    batches_of,
    invited,
    joined,
    make_network,
)
from tests.integration.world import World, _actor, _org

pytestmark = pytest.mark.asyncio(loop_scope="session")

# the reads of one product or one batch a network may make
PRODUCT_READS = ("/api/v1/products/{id}", "/api/v1/products/{id}/markets")
BATCH_READS = (
    "/api/v1/batches/{id}",
    "/api/v1/batches/{id}/events",
    "/api/v1/batches/{id}/scans",
    "/api/v1/batches/{id}/certificate.pdf",
    "/api/v1/batches/{id}/epcis",
)
# reads that name customers, or hand out labels: never the network's (403), whoever's batch
CLOSED_BATCH_READS = (
    "/api/v1/batches/{id}/shipments",
    "/api/v1/batches/{id}/recall",
    "/api/v1/batches/{id}/trace.xlsx",
    "/api/v1/batches/{id}/trace.csv",
    "/api/v1/batches/{id}/labels.pdf",
    "/api/v1/batches/{id}/label.svg",
    "/api/v1/batches/{id}/labels.csv",
)
CLOSED_READS = (
    "/api/v1/customers",
    "/api/v1/exports/batches.csv",
    "/api/v1/exports/batches.xlsx",
    "/api/v1/organizations",
    "/api/v1/users",
    "/api/v1/webhooks",
)


async def _cast(client, pool, world: World) -> tuple[Network, dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The network with world.producer as its member; world.other_producer outside it; a third
    producer invited only. Each has batches released, recalled and still registered."""
    network = await make_network(pool, world)
    await joined(client, network, world.producer)
    async with pool.acquire() as conn:
        org = await _org(conn, "producer", f"Keripik Balado {world.tag}")
        third = await _actor(conn, "producer", f"Produsen Ketiga {world.tag}", org)
    await invited(client, network, org)
    member = await batches_of(client, world, world.producer, "released", "recalled", "registered")
    outsiders = {
        "other producer": await batches_of(client, world, world.other_producer, "released"),
        "invited only": await batches_of(client, world, third, "released"),
    }
    return network, member, outsiders


async def test_a_network_reads_its_members_released_batches_and_nothing_else(
    client, pool, world: World
):
    network, member, outsiders = await _cast(client, pool, world)
    headers = network.user.headers

    for path in PRODUCT_READS:
        response = await client.get(path.format(id=member["product_id"]), headers=headers)
        assert response.status_code == 200, (path, response.text)
        for outsider in outsiders.values():
            response = await client.get(path.format(id=outsider["product_id"]), headers=headers)
            assert response.status_code == 404, (path, response.status_code)

    for path in BATCH_READS:
        for status in ("released", "recalled"):
            response = await client.get(path.format(id=member[status]), headers=headers)
            assert response.status_code == 200, (path, status, response.text)
        # registered, not yet released: the network does not see it
        response = await client.get(path.format(id=member["registered"]), headers=headers)
        assert response.status_code == 404, (path, response.status_code)
        for outsider in outsiders.values():
            response = await client.get(path.format(id=outsider["released"]), headers=headers)
            assert response.status_code == 404, (path, response.status_code)
        # the other network sees none of the member's batches
        response = await client.get(
            path.format(id=member["released"]), headers=network.other_user.headers
        )
        assert response.status_code == 404, (path, response.status_code)

    for path in CLOSED_BATCH_READS:
        response = await client.get(path.format(id=member["released"]), headers=headers)
        assert response.status_code == 403, (path, response.status_code)
    for path in CLOSED_READS:
        response = await client.get(path, headers=headers)
        assert response.status_code == 403, (path, response.status_code)


async def test_lists_hold_only_the_network_s_rows(client, pool, world: World):
    network, member, outsiders = await _cast(client, pool, world)
    products = await client.get("/api/v1/products?limit=200", headers=network.user.headers)
    assert products.status_code == 200
    assert {p["id"] for p in products.json()["items"]} == {member["product_id"]}
    batches = await client.get("/api/v1/batches?limit=200", headers=network.user.headers)
    assert batches.status_code == 200
    assert {b["id"] for b in batches.json()["items"]} == {member["released"], member["recalled"]}
    # the batch list asked for the other producer's product finds nothing
    other_product = outsiders["other producer"]["product_id"]
    found = await client.get(
        f"/api/v1/batches?product_id={other_product}", headers=network.user.headers
    )
    assert found.status_code == 200
    assert found.json()["items"] == []
    events = await client.get("/api/v1/epcis/events", headers=network.user.headers)
    assert events.status_code == 200
    assert outsiders["other producer"]["released"] not in events.text
    # the other network's lists are empty
    for path in ("/api/v1/products", "/api/v1/batches"):
        response = await client.get(path, headers=network.other_user.headers)
        assert response.json()["items"] == [], path


async def test_after_leaving_the_network_reads_nothing_of_the_producer(client, pool, world: World):
    network = await make_network(pool, world)
    membership = await joined(client, network, world.producer)
    member = await batches_of(client, world, world.producer, "released")
    url = f"/api/v1/batches/{member['released']}"
    assert (await client.get(url, headers=network.user.headers)).status_code == 200

    left = await client.delete(
        f"/api/v1/memberships/{membership['id']}", headers=world.producer.headers
    )
    assert left.status_code == 204, left.text
    for path in (url, f"/api/v1/products/{member['product_id']}", url + "/scans"):
        assert (await client.get(path, headers=network.user.headers)).status_code == 404, path
    listed = await client.get("/api/v1/batches", headers=network.user.headers)
    assert listed.json()["items"] == []


async def test_shipments_reach_a_network_only_as_figures(client, pool, world: World):
    network = await make_network(pool, world)
    await joined(client, network, world.producer)
    member = await batches_of(client, world, world.producer, "released")
    customer = await create_customer(client, world.producer, name=f"Toko Rahasia {world.tag}")
    shipment = await shipped(client, world.producer, member["released"], customer["id"])
    headers = network.user.headers
    for path in (
        f"/api/v1/shipments/{shipment['id']}",
        f"/api/v1/customers/{customer['id']}",
        f"/api/v1/customers/{customer['id']}/shipments",
    ):
        assert (await client.get(path, headers=headers)).status_code == 403, path
    await client.post(
        f"/api/v1/shipments/{shipment['id']}/cancel",
        json={"reason": f"Salah ketik untuk {customer['name']}"},
        headers=world.producer.headers,
    )
    # the batch's own records never carry the customer, the shipment or its delivery note to
    # the network: the audit log it reads leaves the shipping events out
    for path in ("", "/events", "/epcis"):
        response = await client.get(f"/api/v1/batches/{member['released']}{path}", headers=headers)
        assert response.status_code == 200, path
        for secret in (customer["name"], customer["id"], shipment["id"], shipment["document_no"]):
            assert secret not in response.text, (path, secret)
    events = (
        await client.get(f"/api/v1/batches/{member['released']}/events", headers=headers)
    ).json()
    assert events["chain_valid"]  # the whole chain's, shipping events included
    assert not {"shipped", "shipment_cancelled"} & {e["kind"] for e in events["items"]}
    page = await (await signed_in(client, pool, network.user.id)).get(
        f"/app/batches/{member['released']}"
    )
    assert page.status_code == 200
    for secret in (customer["name"], shipment["document_no"], "Salah ketik"):
        assert secret not in page.text, secret
    dashboard = await client.get("/api/v1/network", headers=headers)
    assert dashboard.status_code == 200
    assert customer["name"] not in dashboard.text
    assert customer["id"] not in dashboard.text


# every write of the API a network user might try: (method, path template, body)
WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/api/v1/products", lambda w, m: chicken()),
    ("PATCH", "/api/v1/products/{product_id}", lambda w, m: {"name": "Ayam goreng"}),
    ("POST", "/api/v1/batches", lambda w, m: batch_body(w, m["product_id"])),
    ("POST", "/api/v1/batches/{registered}/cancel", None),
    ("POST", "/api/v1/batches/{registered}/receipt", lambda w, m: {"quantity_received": 10}),
    ("POST", "/api/v1/batches/{registered}/treatment", lambda w, m: treatment_body(w)),
    ("POST", "/api/v1/batches/{registered}/release", None),
    ("POST", "/api/v1/batches/{registered}/reject", lambda w, m: {"reason": "Uji jaringan"}),
    ("POST", "/api/v1/batches/{released}/recall", lambda w, m: {"reason": "Uji jaringan"}),
    ("POST", "/api/v1/batches/{released}/labels", lambda w, m: {"count": 1}),
    ("POST", "/api/v1/batches/{released}/shipments", lambda w, m: {"customer_id": m["customer"]}),
    ("POST", "/api/v1/shipments/{shipment}/cancel", lambda w, m: {"reason": "Uji jaringan"}),
    ("POST", "/api/v1/customers", lambda w, m: {"name": "Toko", "kind": "retailer"}),
    ("PATCH", "/api/v1/customers/{customer}", lambda w, m: {"city": "Padang"}),
    ("POST", "/api/v1/organizations", lambda w, m: {"kind": "producer"}),
    ("POST", "/api/v1/users", lambda w, m: {"name": "X", "role": "producer"}),
    ("POST", "/api/v1/irradiators", lambda w, m: {}),
    ("PUT", "/api/v1/markets/JP", lambda w, m: {"rules": []}),
    ("POST", "/api/v1/webhooks", lambda w, m: {"url": "https://example.com/hook"}),
    ("POST", "/api/v1/memberships/{membership}/accept", None),
    ("POST", "/api/v1/memberships/{membership}/decline", None),
    ("DELETE", "/api/v1/memberships/{membership}", None),
]


async def test_every_write_but_its_invitations_is_forbidden_to_a_network(
    client, pool, world: World
):
    network = await make_network(pool, world)
    membership = await joined(client, network, world.producer)
    member = await batches_of(client, world, world.producer, "released", "registered")
    customer = await create_customer(client, world.producer)
    shipment = await shipped(client, world.producer, member["released"], customer["id"])
    ids = member | {
        "customer": customer["id"],
        "shipment": shipment["id"],
        "membership": membership["id"],
    }
    for method, path, body in WRITES:
        response = await client.request(
            method,
            path.format(**ids),
            json=body(world, ids) if body else None,
            headers=network.user.headers,
        )
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    # and nothing moved
    batch = await client.get(
        f"/api/v1/batches/{member['released']}", headers=world.producer.headers
    )
    assert batch.json()["status"] == "released"
