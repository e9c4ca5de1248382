"""The console's `/app/network` (SPEC §13.4): a network's dashboard with the API's figures, its
invitation form; a producer's invitations with accept, decline and leave; what else of the
console a network's user may open."""

from __future__ import annotations

import re

import pytest

from tests.integration.console import signed_in
from tests.integration.network.network_steps import batches_of, invited, joined, make_network
from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")

_FIGURE = re.compile(r'data-figure="(\w+)">([\d.]+)<')


async def test_the_network_page_shows_the_dashboard_figures(client, pool, world: World):
    network = await make_network(pool, world)
    await joined(client, network, world.producer)
    await batches_of(client, world, world.producer, "released", "recalled")
    browser = await signed_in(client, pool, network.user.id)
    first = await browser.get("/app/")
    assert first.status_code == 303
    assert first.headers["location"] == "/app/network"
    page = await browser.get("/app/network")
    assert page.status_code == 200, page.text
    assert "Jaringan pasar" in page.text  # Bahasa Indonesia by default
    assert "Sekilas jaringan" in page.text
    d = (await client.get("/api/v1/network", headers=network.user.headers)).json()
    shown = {name: int(value.replace(".", "")) for name, value in _FIGURE.findall(page.text)}
    assert shown == {
        name: d[name]
        for name in (
            "producers",
            "irradiated_products",
            "batches_this_month",
            "shipments_home",
            "shipments_abroad",
        )
    }
    assert shown["producers"] == 1
    assert "/api/v1/network/export.xlsx" in page.text
    # the workbook downloads with the console's session, as the page links it
    workbook = await browser.get("/api/v1/network/export.xlsx")
    assert workbook.status_code == 200
    assert workbook.content[:2] == b"PK"


async def test_an_invitation_from_the_console_is_accepted_and_left_in_the_console(
    client, pool, world: World
):
    network = await make_network(pool, world)
    office = await signed_in(client, pool, network.user.id)
    page = await office.get("/app/network")
    assert f'value="{world.producer_org}"' in page.text  # the producer is offered
    sent = await office.submit(
        "/app/network/members", {"producer_id": str(world.producer_org)}, form_page="/app/network"
    )
    assert sent.status_code == 303
    page = await office.get("/app/network")
    assert "sudah diundang" in page.text
    assert f'value="{world.producer_org}"' not in page.text  # no second invitation offered
    # a refusal comes back on the form, on its field, at the form (not a message at the top)
    refused = await office.submit(
        "/app/network/members", {"producer_id": "bukan-uuid"}, form_page="/app/network"
    )
    assert refused.status_code == 400
    assert 'action="/app/network/members#invite"' in refused.text
    assert 'class="error-summary"' in refused.text and "Pilih produsen" in refused.text
    again = await office.submit(
        "/app/network/members", {"producer_id": str(world.producer_org)}, form_page="/app/network"
    )
    assert again.status_code == 409
    assert "Produsen itu sudah memiliki undangan yang belum dijawab." in again.text
    nobody = await office.submit(
        "/app/network/members",
        {"producer_id": "00000000-0000-0000-0000-000000000000"},
        form_page="/app/network",
    )
    assert nobody.status_code == 422 and 'class="error-summary"' in nobody.text

    producer = await signed_in(client, pool, world.producer.id)
    mine = await producer.get("/app/network")
    assert mine.status_code == 200
    membership = (await client.get("/api/v1/memberships", headers=world.producer.headers)).json()[
        "items"
    ][0]
    assert f"/app/network/memberships/{membership['id']}/accept" in mine.text
    accepted = await producer.submit(
        f"/app/network/memberships/{membership['id']}/accept", {}, form_page="/app/network"
    )
    assert accepted.status_code == 303
    mine = await producer.get("/app/network")
    assert "Anda bergabung" in mine.text
    assert f"/app/network/memberships/{membership['id']}/leave" in mine.text
    again = await producer.submit(
        f"/app/network/memberships/{membership['id']}/accept", {}, form_page="/app/network"
    )
    assert again.status_code == 303
    assert "sudah dijawab" in (await producer.get("/app/network")).text

    # another producer cannot answer it
    other = await signed_in(client, pool, world.other_producer.id)
    theirs = await other.submit(
        f"/app/network/memberships/{membership['id']}/leave", {}, form_page="/app/network"
    )
    assert theirs.status_code == 404

    left = await producer.submit(
        f"/app/network/memberships/{membership['id']}/leave", {}, form_page="/app/network"
    )
    assert left.status_code == 303
    stored = (await client.get("/api/v1/memberships", headers=world.producer.headers)).json()
    assert stored["items"][0]["status"] == "left"


async def test_a_network_user_reads_member_batches_in_the_console_and_writes_nothing(
    client, pool, world: World
):
    network = await make_network(pool, world)
    await joined(client, network, world.producer)
    member = await batches_of(client, world, world.producer, "released", "registered")
    outside = await batches_of(client, world, world.other_producer, "released")
    await invited(client, network, world.other_producer_org)
    office = await signed_in(client, pool, network.user.id)
    batch = await office.get(f"/app/batches/{member['released']}")
    assert batch.status_code == 200
    main = batch.text.split('id="main"')[1].split('class="foot"')[0]
    assert "<form" not in main  # no action of any kind
    listing = await office.get("/app/batches")
    assert listing.status_code == 200
    assert member["released"] in listing.text
    assert member["registered"] not in listing.text
    for path, status in (
        (f"/app/batches/{member['registered']}", 404),
        (f"/app/batches/{outside['released']}", 404),
        ("/app/customers", 403),
        ("/app/products", 403),
        ("/app/batches/new", 403),
        (f"/app/batches/{member['released']}/recall", 403),
        ("/app/webhooks", 403),
    ):
        response = await office.get(path)
        assert response.status_code == status, (path, response.status_code)
