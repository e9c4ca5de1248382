"""The facts the export-market check judges, read from the database: a batch's product and
treatment (dose, reference readings, the dose map's average ratio, the source and its energy, the
treatment's date in Jakarta) and its facility's approvals. The verdict is `markets_check`'s."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from schemas.markets import MarketFailure, MarketRule, ProductMarket
from service.accounts.markets import queries as market_queries
from service.batches.markets_check import (
    HOME_MARKET,
    ProductFacts,
    TreatmentFacts,
    check_market,
    matching_rule,
    overall_average_kgy,
)

_BATCH_FACTS = """
SELECT p.category, p.purpose, p.hs_code, b.facility_id,
       (t.started_at AT TIME ZONE 'Asia/Jakarta')::date AS treated_on,
       t.dose_max_kgy, (t.dose_map ->> 'ratio_average')::double precision AS ratio_average,
       t.batch_id IS NOT NULL AS treated,
       -- the irradiator as it was at the treatment, copied onto it
       t.irradiator_source_type AS source_type, t.irradiator_max_energy_mev AS max_energy_mev,
       ARRAY(SELECT d.dose_kgy FROM dosimeters d
             WHERE d.batch_id = b.id AND d.position = 'reference' ORDER BY d.ordinal)
           AS reference_readings
FROM batches b
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
LEFT JOIN treatments t ON t.batch_id = b.id
WHERE b.id = $1
"""


async def _batch_facts(
    conn: asyncpg.Connection, batch_id: UUID
) -> tuple[ProductFacts, TreatmentFacts | None]:
    row = await conn.fetchrow(_BATCH_FACTS, batch_id)
    product = ProductFacts(row["category"], row["purpose"], row["hs_code"])
    if not row["treated"]:
        return product, None
    approvals = await market_queries.facility_approvals(conn, row["facility_id"])
    return product, TreatmentFacts(
        treated_on=row["treated_on"],
        dose_max_kgy=row["dose_max_kgy"],
        reference_readings_kgy=tuple(row["reference_readings"]),
        ratio_average=row["ratio_average"],
        source_type=row["source_type"],
        max_energy_mev=row["max_energy_mev"],
        facility_approvals=tuple(approvals),
    )


@dataclass(frozen=True)
class BatchMarketFit:
    """A batch against one market: every rule it fails, the market's row that speaks for it
    (None at home, or with no row), and its overall average dose where the dose map knows it."""

    failed: list[MarketFailure]
    rule: MarketRule | None
    overall_average_kgy: float | None


async def batch_fit(conn: asyncpg.Connection, batch_id: UUID, market: str) -> BatchMarketFit:
    product, treatment = await _batch_facts(conn, batch_id)
    average = overall_average_kgy(treatment) if treatment is not None else None
    if market == HOME_MARKET:
        return BatchMarketFit([], None, average)
    rules = await market_queries.market_rules(conn, market)
    failed = check_market(market, rules, product, treatment)
    return BatchMarketFit(failed, matching_rule(rules, product), average)


async def batch_failures(
    conn: asyncpg.Connection, batch_id: UUID, market: str
) -> list[MarketFailure]:
    """Every rule of `market` the batch fails (empty: it may go there)."""
    if market == HOME_MARKET:
        return []
    return (await batch_fit(conn, batch_id, market)).failed


async def product_markets(conn: asyncpg.Connection, product_id: UUID) -> list[ProductMarket]:
    """Each market, for the product's latest released batch (or, before one, its process
    specification: category, purpose and HS code only): allowed or not, and why."""
    product_row = await conn.fetchrow(
        "SELECT category, purpose, hs_code FROM products WHERE id = $1", product_id
    )
    batch_id: UUID | None = await conn.fetchval(
        """SELECT id FROM batches WHERE product_id = $1 AND released_at IS NOT NULL
           AND status = 'released' ORDER BY released_at DESC LIMIT 1""",
        product_id,
    )
    if batch_id is not None:
        product, treatment = await _batch_facts(conn, batch_id)
    else:
        product = ProductFacts(
            product_row["category"], product_row["purpose"], product_row["hs_code"]
        )
        treatment = None
    codes = [r["code"] for r in await conn.fetch("SELECT code FROM markets ORDER BY code")]
    rules = await market_queries.rules_by_market(conn, codes)
    items = []
    for code in codes:
        failed = check_market(code, rules.get(code, []), product, treatment)
        items.append(ProductMarket(market=code, allowed=not failed, failed=failed))
    return items
