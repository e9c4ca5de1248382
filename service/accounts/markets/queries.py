"""SQL for markets: the list, and which market a country or market code stands for."""

from __future__ import annotations

import base64
import binascii
import re

import asyncpg
import msgspec
from litestar.exceptions import ValidationException

from schemas.markets import FacilityApproval, Market, MarketRule

_CODE = re.compile(r"^[A-Z]{2,3}$")


class _Position(msgspec.Struct, array_like=True):
    code: str


_MARKETS = """
SELECT m.code, m.name, m.kind, m.label_language,
       ARRAY(SELECT mm.country FROM market_members mm WHERE mm.market = m.code
             ORDER BY mm.country) AS members
FROM markets m
WHERE ($2::text IS NULL OR m.code > $2) AND ($3::text IS NULL OR m.code = $3)
ORDER BY m.code
LIMIT $1
"""


def market_cursor(code: str) -> str:
    """The opaque cursor of the page after the market `code` (markets page in code order)."""
    return base64.urlsafe_b64encode(msgspec.json.encode(_Position(code))).rstrip(b"=").decode()


def after_code(cursor: str | None) -> str | None:
    """The market code a `?cursor=` continues after; 400 for a cursor this list did not issue."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        code = msgspec.json.decode(raw, type=_Position).code
    except (binascii.Error, ValueError, msgspec.DecodeError):
        code = ""
    if not _CODE.match(code):
        raise ValidationException(
            "Invalid cursor.", extra=[{"key": "cursor", "message": "not a cursor this API issued"}]
        )
    return code


async def list_markets(
    conn: asyncpg.Connection, *, limit: int, after: str | None, only: str | None = None
) -> list[Market]:
    """Markets in code order, `limit + 1` of them at most (the extra one says there is more);
    `only`: just that market."""
    rows = await conn.fetch(_MARKETS, limit + 1, after, only)
    rules = await rules_by_market(conn, [r["code"] for r in rows])
    return [
        Market(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            members=list(r["members"]),
            label_language=r["label_language"],
            rules=rules.get(r["code"], []),
        )
        for r in rows
    ]


_RULE_COLUMNS = (
    "market, category, purpose, hs_prefixes, allowed, dose_limit_kgy, dose_metric, "
    "max_source_energy_mev, statutory_words, symbol_required, facility_approval, source, "
    "confidence, unconfirmed, statutory_words_source"
)


def _rule(row: asyncpg.Record) -> MarketRule:
    values = dict(row)
    values.pop("market")
    return msgspec.convert(values, MarketRule)


async def rules_by_market(
    conn: asyncpg.Connection, codes: list[str]
) -> dict[str, list[MarketRule]]:
    """The rules of the markets `codes`, each market's in the order they were entered."""
    rows = await conn.fetch(
        f"SELECT {_RULE_COLUMNS} FROM market_rules WHERE market = ANY($1::text[]) ORDER BY id",
        codes,
    )
    found: dict[str, list[MarketRule]] = {}
    for row in rows:
        found.setdefault(row["market"], []).append(_rule(row))
    return found


async def market_rules(conn: asyncpg.Connection, code: str) -> list[MarketRule]:
    return (await rules_by_market(conn, [code])).get(code, [])


async def market_exists(conn: asyncpg.Connection, code: str) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM markets WHERE code = $1)", code))


async def replace_rules(conn: asyncpg.Connection, code: str, rules: list[MarketRule]) -> None:
    """The market's rows become `rules` (call it inside a transaction)."""
    await conn.execute("DELETE FROM market_rules WHERE market = $1", code)
    await conn.executemany(
        f"""INSERT INTO market_rules ({_RULE_COLUMNS})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
        [
            (
                code,
                r.category,
                r.purpose,
                r.hs_prefixes,
                r.allowed,
                r.dose_limit_kgy,
                r.dose_metric,
                r.max_source_energy_mev,
                r.statutory_words,
                r.symbol_required,
                r.facility_approval,
                r.source,
                r.confidence,
                r.unconfirmed,
                r.statutory_words_source,
            )
            for r in rules
        ],
    )


async def facility_approvals(
    conn: asyncpg.Connection, organization_id: object, market: str | None = None
) -> list[FacilityApproval]:
    """A facility's approvals (for one market, or every market)."""
    rows = await conn.fetch(
        """SELECT market, kind, reference, valid_from, valid_until FROM facility_approvals
           WHERE organization_id = $1 AND ($2::text IS NULL OR market = $2)
           ORDER BY valid_from""",
        organization_id,
        market,
    )
    return [msgspec.convert(dict(r), FacilityApproval) for r in rows]


async def resolve_market(conn: asyncpg.Connection, code: str) -> str | None:
    """The market `code` stands for: a union's member country → the union (DE → EU), else the
    code itself; None when no market row holds it."""
    market: str | None = await conn.fetchval(
        """SELECT m.code FROM markets m
           WHERE m.code = COALESCE((SELECT market FROM market_members WHERE country = $1), $1)""",
        code,
    )
    return market


async def locked_market(conn: asyncpg.Connection, code: str) -> asyncpg.Record | None:
    """The market's row (its label language), locked until the transaction ends; None for a
    market with no row."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT code, label_language FROM markets WHERE code = $1 FOR UPDATE", code
    )
    return row


async def set_label_language(conn: asyncpg.Connection, code: str, language: str | None) -> None:
    await conn.execute("UPDATE markets SET label_language = $2 WHERE code = $1", code, language)


async def label_language(conn: asyncpg.Connection, code: str) -> str | None:
    """The language a label for the market is printed in when none is asked for; None: the
    buyer country's language must be named (the EU)."""
    language: str | None = await conn.fetchval(
        "SELECT label_language FROM markets WHERE code = $1", code
    )
    return language
