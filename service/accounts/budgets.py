"""Counted tries per account and per client network, refused for a while past a budget: failed
sign-ins (`sign_in.py`) and password-reset requests (`password_resets.py`) share the rule.

Three budgets per window: one account (the email as typed, known or not) from one network (an
IPv4 /24, an IPv6 /64), one account from every network but those it signed in from lately, and
one network over all accounts. A try past a budget is refused uncounted, so the refusal ends on
its own when the oldest counted try leaves the window. Networks are keyed hashes, never
addresses."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

import asyncpg
import msgspec

WINDOW = timedelta(minutes=15)
KNOWN_NETWORK_FOR = timedelta(days=30)

Budget = Literal["account_network", "account", "network"]


class Throttled(msgspec.Struct, frozen=True):
    budget: Budget
    retry_after_seconds: int

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


class Budgets(msgspec.Struct, frozen=True):
    """What is counted (a table of `email`, `network` and a time column) and how many tries each
    budget allows in the window."""

    name: str  # names the advisory locks: 'sign-in', 'password reset'
    table: str
    counted_at: str
    account_network: int
    account: int
    network: int


async def locked_wait(
    conn: asyncpg.Connection, budgets: Budgets, email: str, network: bytes
) -> Throttled | None:
    """Take the budgets' locks for the caller's transaction, then say how long the fullest
    budget still refuses tries (None: there is room)."""
    # one try at a time per email and per network, so parallel tries cannot pass a count
    # together; the email's lock is always taken first, so two tries never wait on each other
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || ' email ' || $2, 0)),"
        " pg_advisory_xact_lock(hashtextextended($1 || ' network ' || encode($3, 'hex'), 0))",
        budgets.name,
        email,
        network,
    )
    # for each budget, how long until the try that filled it is out of the window; the table
    # and column come from the code's own `Budgets`, never from a request
    at = budgets.counted_at
    rows = await conn.fetch(
        f"""WITH recent AS (
               SELECT email, network, {at} AS at FROM {budgets.table}
               WHERE (email = $1 OR network = $2) AND {at} > now() - $3::interval
           ), known AS (
               SELECT 1 FROM sign_in_networks n JOIN users u ON u.id = n.user_id
               WHERE lower(u.email) = $1 AND n.network = $2
                 AND n.signed_in_at > now() - $7::interval
           )
           SELECT budget, extract(epoch FROM oldest + $3::interval - now()) AS wait_s FROM (
               SELECT 'account_network' AS budget,
                      (array_agg(at ORDER BY at DESC))[$4] AS oldest
               FROM recent WHERE email = $1 AND network = $2
               UNION ALL
               SELECT 'account', (array_agg(at ORDER BY at DESC))[$5]
               FROM recent WHERE email = $1 AND NOT EXISTS (SELECT 1 FROM known)
               UNION ALL
               SELECT 'network', (array_agg(at ORDER BY at DESC))[$6]
               FROM recent WHERE network = $2
           ) w WHERE oldest IS NOT NULL""",
        email,
        network,
        WINDOW,
        budgets.account_network,
        budgets.account,
        budgets.network,
        KNOWN_NETWORK_FOR,
    )
    waits = [(float(row["wait_s"]), row["budget"]) for row in rows if row["wait_s"] > 0]
    if not waits:
        return None
    wait_s, budget = max(waits)
    return Throttled(budget=budget, retry_after_seconds=max(1, math.ceil(wait_s)))
