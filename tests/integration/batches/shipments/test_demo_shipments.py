"""`radura serve --demo` seeds customers and the released rendang's shipments, once, and ships the
chicken it recalls before the recall, so the recall reaches its buyers."""

from __future__ import annotations

from uuid import UUID

import pytest

from service.batches.events import event_log
from service.demo.seed import seed_demo
from service.demo.shipments import CUSTOMERS, RECALLED_SHIPMENTS, SHIPMENTS, SHIPPED_LOT
from tests.integration.world import WHOLE_LOG_READER

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_the_demo_ships_its_released_rendang_once(database_url: str, pool, settings):
    from service.batches.labelling.keys import SigningKeys

    keys = SigningKeys(settings)
    first = await seed_demo(database_url, keys, settings.public_base_url)
    second = await seed_demo(database_url, keys, settings.public_base_url)
    assert first["shipments"] == second["shipments"] == len(SHIPMENTS)
    rendang = next(b for b in second["batches"] if b["lot"] == SHIPPED_LOT)
    producer = UUID(second["organizations"]["producer"])
    async with pool.acquire() as conn:
        customers = await conn.fetch(
            "SELECT name, country FROM customers WHERE organization_id = $1", producer
        )
        assert sorted(c["name"] for c in customers) == sorted(c[0] for c in CUSTOMERS)
        rows = await conn.fetch(
            """SELECT quantity, market, cancelled_at IS NOT NULL AS cancelled FROM shipments
               WHERE batch_id = $1 ORDER BY created_at""",
            UUID(rendang["id"]),
        )
        assert [r["quantity"] for r in rows] == [s[1] for s in SHIPMENTS]
        assert [r["cancelled"] for r in rows] == [False] * (len(SHIPMENTS) - 1) + [True]
        assert {r["market"] for r in rows} == {"ID"}
        log = await event_log(conn, UUID(rendang["id"]), WHOLE_LOG_READER)
        kinds = [e.kind for e in log.items]
        assert kinds.count("shipped") == len(SHIPMENTS)
        assert kinds.count("shipment_cancelled") == 1 and log.chain_valid


async def test_the_demo_recall_reaches_the_two_shops_that_bought_the_chicken(
    database_url: str, pool, settings
):
    from service.batches.labelling.keys import SigningKeys

    demo = await seed_demo(database_url, SigningKeys(settings), settings.public_base_url)
    recalled = UUID(next(b["id"] for b in demo["batches"] if b["status"] == "recalled"))
    async with pool.acquire() as conn:
        shipped = await conn.fetch(
            """SELECT c.name, s.quantity FROM shipments s JOIN customers c ON c.id = s.customer_id
               WHERE s.batch_id = $1 ORDER BY s.created_at""",
            recalled,
        )
        assert [(r["name"], r["quantity"]) for r in shipped] == [
            (name, pieces) for name, pieces, _ in RECALLED_SHIPMENTS
        ]
        noticed = await conn.fetch(
            """SELECT c.name, n.quantity FROM recall_notices n
               JOIN customers c ON c.id = n.customer_id WHERE n.batch_id = $1 ORDER BY c.name""",
            recalled,
        )
        assert [(r["name"], r["quantity"]) for r in noticed] == sorted(
            (name, pieces) for name, pieces, _ in RECALLED_SHIPMENTS
        )
        kinds = [e.kind for e in (await event_log(conn, recalled, WHOLE_LOG_READER)).items]
        # shipped while it was released, then recalled
        assert kinds.index("released") < kinds.index("shipped") < kinds.index("recalled")
