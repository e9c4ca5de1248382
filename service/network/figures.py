"""The network's dashboard (SPEC §13.4), counted from its accepted producers' released batches:
irradiated products, batches released this month, shipments by market and month (counts and
quantities, never whom they went to), export-ready products per market by the market check of
§13.3, and recalls with how many of the customers who received the batch have acknowledged."""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

import asyncpg

from schemas.network import ExportReady, MarketMonth, NetworkDashboard, NetworkRecall
from service.batches.market_fit import product_markets
from service.batches.markets_check import HOME_MARKET
from service.core.errors import NotFound

# $1 is the network; every figure reads only its accepted producers' released (or since
# recalled) batches, as `network.scope` does for the ordinary endpoints
_MEMBERS = """(SELECT producer_id FROM network_memberships
               WHERE network_id = $1 AND status = 'accepted')"""
_SEEN = "b.producer_id IN " + _MEMBERS + " AND b.status IN ('released', 'recalled')"

_HEAD = f"""
SELECT o.name,
       (SELECT count(*) FROM {_MEMBERS} m) AS producers,
       (SELECT count(DISTINCT b.product_id) FROM batches b WHERE {_SEEN}) AS irradiated_products,
       (SELECT count(*) FROM batches b WHERE {_SEEN}
          AND date_trunc('month', b.released_at AT TIME ZONE 'Asia/Jakarta')
              = date_trunc('month', $2::date)) AS batches_this_month
FROM organizations o WHERE o.id = $1 AND o.kind = 'market_network'
"""

# quantities summed as decimals: ten shipments of 0.1 kg make 1 kg
_SHIPMENTS = f"""
SELECT s.market, to_char(s.shipped_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM') AS month, s.unit,
       count(*) AS shipments, sum(s.quantity::numeric)::float8 AS quantity
FROM shipments s JOIN batches b ON b.id = s.batch_id
WHERE {_SEEN} AND s.cancelled_at IS NULL
GROUP BY 1, 2, 3
ORDER BY month DESC, s.market, s.unit
"""

_IRRADIATED_PRODUCTS = f"""
SELECT DISTINCT b.product_id FROM batches b WHERE {_SEEN} ORDER BY b.product_id
"""

_RECALLS = f"""
SELECT b.id AS batch_id, b.code, b.lot, v.name AS product_name, o.name AS producer_name,
       b.recalled_at, b.recall_reason AS reason,
       count(r.id) AS customers, count(r.acknowledged_at) AS acknowledged,
       coalesce(sum(r.quantity) FILTER (WHERE r.acknowledged_at IS NOT NULL)
                / nullif(sum(r.quantity), 0), 0) AS acknowledged_share
FROM batches b
JOIN product_versions v ON v.product_id = b.product_id AND v.version = b.product_version
JOIN organizations o ON o.id = b.producer_id
LEFT JOIN recall_notices r ON r.batch_id = b.id
WHERE {_SEEN} AND b.status = 'recalled'
GROUP BY b.id, v.name, o.name
ORDER BY b.recalled_at DESC, b.id
"""


async def export_ready(conn: asyncpg.Connection, network_id: UUID) -> list[ExportReady]:
    """Per market abroad, how many of the network's irradiated products the market check admits
    (judged as `GET /api/v1/products/{id}/markets` judges them)."""
    ready: Counter[str] = Counter()
    for product_id in [r["product_id"] for r in await conn.fetch(_IRRADIATED_PRODUCTS, network_id)]:
        for item in await product_markets(conn, product_id):
            if item.allowed:
                ready[item.market] += 1
    codes = await conn.fetch("SELECT code FROM markets WHERE code <> $1 ORDER BY code", HOME_MARKET)
    return [ExportReady(market=r["code"], products=ready[r["code"]]) for r in codes]


async def network_dashboard(
    conn: asyncpg.Connection, network_id: UUID, *, today: date
) -> NetworkDashboard:
    head = await conn.fetchrow(_HEAD, network_id, today)
    if head is None:
        raise NotFound("organization")
    shipments = [
        MarketMonth(
            market=r["market"],
            month=r["month"],
            unit=r["unit"],
            shipments=r["shipments"],
            quantity=r["quantity"],
        )
        for r in await conn.fetch(_SHIPMENTS, network_id)
    ]
    home = sum(m.shipments for m in shipments if m.market == HOME_MARKET)
    return NetworkDashboard(
        network_id=network_id,
        name=head["name"],
        month=today.strftime("%Y-%m"),
        producers=head["producers"],
        irradiated_products=head["irradiated_products"],
        batches_this_month=head["batches_this_month"],
        shipments_home=home,
        shipments_abroad=sum(m.shipments for m in shipments) - home,
        shipments=shipments,
        export_ready=await export_ready(conn, network_id),
        recalls=[
            NetworkRecall(**{**dict(r), "acknowledged_share": float(r["acknowledged_share"])})
            for r in await conn.fetch(_RECALLS, network_id)
        ],
    )
