"""The network's dashboard and workbook (SPEC §13.4) on seeded data: two member producers and an
outsider, batches released, recalled and not yet released, shipments at home and abroad (one
cancelled, one moved to an earlier month), a recall with one acknowledgement. Every expected
figure is counted here from the rows the seeding left, as the producers themselves read them."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.integration.batch_steps import batch_in
from tests.integration.batches.shipments.shipment_steps import (
    approve,
    create_customer,
    shipped,
    spice_batch,
)
from tests.integration.network.network_steps import (
    Network,
    batches_of,
    joined,
    make_network,
)
from tests.integration.world import Actor, World, _actor, _org

pytestmark = pytest.mark.asyncio(loop_scope="session")

JAKARTA = ZoneInfo("Asia/Jakarta")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _seed(client, pool, world: World) -> tuple[Network, list[Actor]]:  # type: ignore[no-untyped-def]
    network = await make_network(pool, world)
    await joined(client, network, world.producer)
    await joined(client, network, world.other_producer)

    # the first member: pepper for the EU from a listed facility, chicken at home, a recall
    spice = await spice_batch(client, world, ratio_average=1.05)
    treated_on = spice["treated_on"]
    assert (await approve(client, world, treated_on, treated_on)).status_code == 201
    hamburg = await create_customer(client, world.producer, country="DE", kind="importer")
    padang = await create_customer(client, world.producer, city="Padang")
    await shipped(client, world.producer, spice["batch_id"], hamburg["id"], quantity=30)
    earlier = await shipped(client, world.producer, spice["batch_id"], padang["id"], quantity=5)
    cancelled = await shipped(client, world.producer, spice["batch_id"], padang["id"], quantity=7)
    response = await client.post(
        f"/api/v1/shipments/{cancelled['id']}/cancel",
        json={"reason": "Dobel input"},
        headers=world.producer.headers,
    )
    assert response.status_code == 200
    chicken_batches = await batches_of(client, world, world.producer, "released", "registered")
    await shipped(client, world.producer, chicken_batches["released"], padang["id"], quantity=12)
    recalled = await batch_in(client, world, "released", chicken_batches["product_id"])
    medan = await create_customer(client, world.producer, city="Medan")
    await shipped(client, world.producer, recalled, padang["id"], quantity=20)
    await shipped(client, world.producer, recalled, medan["id"], quantity=10)
    response = await client.post(
        f"/api/v1/batches/{recalled}/recall",
        json={"reason": "Kemasan bocor"},
        headers=world.producer.headers,
    )
    assert response.status_code == 200, response.text

    # the second member: one chicken batch shipped at home
    other = await batches_of(client, world, world.other_producer, "released")
    surabaya = await create_customer(client, world.other_producer, city="Surabaya")
    await shipped(client, world.other_producer, other["released"], surabaya["id"], quantity=3)

    # an outsider, released and shipped: counted nowhere
    async with pool.acquire() as conn:
        org = await _org(conn, "producer", f"Kopi Gayo {world.tag}")
        outsider = await _actor(conn, "producer", f"Produsen Luar {world.tag}", org)
    far = await batches_of(client, world, outsider, "released")
    buyer = await create_customer(client, outsider, city="Takengon")
    await shipped(client, outsider, far["released"], buyer["id"], quantity=99)

    async with pool.acquire() as conn:
        # one shipment went in an earlier month (seeded past the trigger that keeps shipments
        # unchanged, as a restore of older data would); one of Medan's notices was acknowledged
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                "UPDATE shipments SET shipped_at = shipped_at - interval '40 days' WHERE id = $1",
                earlier["id"],
            )
        await conn.execute(
            """UPDATE recall_notices SET acknowledged_at = now()
               WHERE batch_id = $1 AND customer_id = $2""",
            recalled,
            medan["id"],
        )
    return network, [world.producer, world.other_producer]


async def _expected(client, pool, members: list[Actor]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The figures as the members' own rows give them."""
    seen: list[dict[str, Any]] = []
    for member in members:
        page = await client.get("/api/v1/batches?limit=200", headers=member.headers)
        seen += [
            b | {"member": member}
            for b in page.json()["items"]
            if b["status"] in ("released", "recalled")
        ]
    ids = [b["id"] for b in seen]
    async with pool.acquire() as conn:
        released = await conn.fetch(
            "SELECT released_at FROM batches WHERE id = ANY($1::uuid[])", ids
        )
        shipments = await conn.fetch(
            """SELECT market, shipped_at, unit, quantity FROM shipments
               WHERE batch_id = ANY($1::uuid[]) AND cancelled_at IS NULL""",
            ids,
        )
    this_month = datetime.now(JAKARTA).strftime("%Y-%m")
    by_market: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for s in shipments:
        month = s["shipped_at"].astimezone(JAKARTA).strftime("%Y-%m")
        by_market[(s["market"], month, s["unit"])].append(s["quantity"])
    products = {(b["product_id"], b["member"].token) for b in seen}
    ready: Counter[str] = Counter()
    for product_id, token in products:
        markets = await client.get(
            f"/api/v1/products/{product_id}/markets", headers={"Authorization": f"Bearer {token}"}
        )
        ready.update(m["market"] for m in markets.json()["items"] if m["allowed"])
    recalls = {}
    for b in seen:
        if b["status"] == "recalled":
            status = await client.get(
                f"/api/v1/batches/{b['id']}/recall", headers=b["member"].headers
            )
            customers = status.json()["customers"]
            recalls[b["id"]] = (
                len(customers),
                sum(1 for c in customers if c["acknowledged_at"]),
                status.json()["acknowledged_share"],
            )
    return {
        "producers": len(members),
        "irradiated_products": len({p for p, _ in products}),
        "batches_this_month": sum(
            1
            for r in released
            if r["released_at"].astimezone(JAKARTA).strftime("%Y-%m") == this_month
        ),
        "shipments": {k: (len(v), sum(v)) for k, v in by_market.items()},
        "home": sum(len(v) for (market, _, _), v in by_market.items() if market == "ID"),
        "abroad": sum(len(v) for (market, _, _), v in by_market.items() if market != "ID"),
        "ready": ready,
        "recalls": recalls,
        "month": this_month,
    }


async def test_the_dashboard_sums_up_the_members_rows(client, pool, world: World):
    network, members = await _seed(client, pool, world)
    expected = await _expected(client, pool, members)
    response = await client.get("/api/v1/network", headers=network.user.headers)
    assert response.status_code == 200, response.text
    d = response.json()
    assert d["name"] == f"Dinas Koperasi dan UKM {world.tag}"
    assert d["month"] == expected["month"]
    assert d["producers"] == expected["producers"] == 2
    assert d["irradiated_products"] == expected["irradiated_products"]
    assert d["batches_this_month"] == expected["batches_this_month"]
    assert d["shipments_home"] == expected["home"]
    assert d["shipments_abroad"] == expected["abroad"] >= 1
    got = {
        (m["market"], m["month"], m["unit"]): (m["shipments"], m["quantity"])
        for m in d["shipments"]
    }
    assert got == expected["shipments"]
    assert len({month for _, month, _ in got}) == 2  # this month and the one moved back
    ready = {e["market"]: e["products"] for e in d["export_ready"]}
    assert "ID" not in ready
    for market, count in ready.items():
        assert count == expected["ready"][market], market
    assert ready["EU"] == expected["ready"]["EU"] >= 1
    assert {
        r["batch_id"]: (r["customers"], r["acknowledged"], r["acknowledged_share"])
        for r in d["recalls"]
    } == expected["recalls"]
    assert [r["customers"] for r in d["recalls"]] == [2]


async def test_an_empty_network_counts_nothing(client, pool, world: World):
    network = await make_network(pool, world)
    response = await client.get("/api/v1/network", headers=network.user.headers)
    d = response.json()
    assert (d["producers"], d["irradiated_products"], d["batches_this_month"]) == (0, 0, 0)
    assert (d["shipments_home"], d["shipments_abroad"], d["shipments"], d["recalls"]) == (
        0,
        0,
        [],
        [],
    )
    assert all(e["products"] == 0 for e in d["export_ready"])


@pytest.mark.parametrize("role", ["producer", "operator", "qa", "regulator", "admin"])
async def test_only_a_network_reads_its_dashboard(client, world: World, role: str):
    headers = world.actors()[role].headers
    for path in ("/api/v1/network", "/api/v1/network/export.xlsx"):
        assert (await client.get(path, headers=headers)).status_code == 403, path
        assert (await client.get(path)).status_code == 401, path


async def test_the_workbook_reads_back_as_the_dashboard(client, pool, world: World):
    network, _ = await _seed(client, pool, world)
    d = (await client.get("/api/v1/network", headers=network.user.headers)).json()
    response = await client.get("/api/v1/network/export.xlsx?lang=en", headers=network.user.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(XLSX)
    assert "radura-network.xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Shipments", "Export markets", "Recalls"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Network"] == d["name"]
    assert summary["Producers in the network"] == d["producers"]
    assert summary["Irradiated products"] == d["irradiated_products"]
    assert summary["Batches released this month"] == d["batches_this_month"]
    assert summary["Shipments at home"] == d["shipments_home"]
    assert summary["Shipments abroad"] == d["shipments_abroad"]
    rows = list(book["Shipments"].iter_rows(values_only=True))
    assert rows[0] == ("Month", "Market", "Unit", "Shipments", "Quantity")
    assert [tuple(r) for r in rows[1:]] == [
        (m["month"], m["market"], m["unit"], m["shipments"], m["quantity"]) for m in d["shipments"]
    ]
    ready = list(book["Export markets"].iter_rows(values_only=True))
    assert [tuple(r) for r in ready[1:]] == [
        (e["market"], e["products"]) for e in d["export_ready"]
    ]
    recalls = list(book["Recalls"].iter_rows(values_only=True))
    assert len(recalls) == 1 + len(d["recalls"])
    line = dict(zip(recalls[0], recalls[1], strict=True))
    assert line["Code"] == d["recalls"][0]["code"]
    assert line["Customers who received it"] == d["recalls"][0]["customers"]
    assert line["Acknowledged share"] == pytest.approx(d["recalls"][0]["acknowledged_share"])
    # no customer's name anywhere in the workbook
    async with pool.acquire() as conn:
        names = [r["name"] for r in await conn.fetch(
            "SELECT name FROM customers WHERE organization_id = $1", world.producer_org
        )]  # fmt: skip
    cells = {
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    }
    assert not cells & set(names)


async def test_the_workbook_speaks_indonesian_by_default(client, pool, world: World):
    network = await make_network(pool, world)
    response = await client.get("/api/v1/network/export.xlsx", headers=network.user.headers)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] != "Summary"


async def test_the_demo_office_reads_the_demo_producer(client, database_url, settings):
    from service.batches.labelling.keys import SigningKeys
    from service.demo.seed import seed_demo

    demo = await seed_demo(database_url, SigningKeys(settings), settings.public_base_url)
    office = {"Authorization": f"Bearer {demo['users']['market_network']['token']}"}
    d = (await client.get("/api/v1/network", headers=office)).json()
    assert d["name"] == "Dinas Koperasi dan UKM Provinsi Banten"
    assert d["producers"] == 1
    seen = (await client.get("/api/v1/batches?limit=200", headers=office)).json()["items"]
    demo_seen = {b["id"] for b in demo["batches"] if b["status"] in ("released", "recalled")}
    assert demo_seen <= {b["id"] for b in seen}
    assert all(b["status"] in ("released", "recalled") for b in seen)
    # seeding again makes no second membership
    await seed_demo(database_url, SigningKeys(settings), settings.public_base_url)
    again = (await client.get("/api/v1/network", headers=office)).json()
    assert again["producers"] == 1
