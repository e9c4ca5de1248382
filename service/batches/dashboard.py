"""The dashboard's figures: batches by status, the labels scanned in the last 7 days, suspect
serials, recalls and best-before dates coming up, over the batches the user may see (a producer:
its own)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import JAKARTA
from service.batches.transitions import visible_to
from service.core.auth import AuthUser
from service.webhooks.suspect import RECENT_CLIENT

STATUSES = ("registered", "received", "treated", "released", "rejected", "cancelled", "recalled")
WEEK_DAYS = 7
BEST_BEFORE_SOON_DAYS = 30
LIST_LENGTH = 5
SUSPECT_DAYS = 30


class DashboardBatch(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    lot: str
    product_name: str
    status: str
    best_before: date | None
    recalled_at: datetime | None
    recall_reason: str | None


class SuspectSerial(msgspec.Struct, kw_only=True):
    """A serial seen from more distinct clients than one pack can be: a cloned label."""

    batch_id: UUID
    code: str
    lot: str
    product_name: str
    serial: str
    clients: int


class WeekScans(msgspec.Struct, kw_only=True):
    """Labels (serials, or a batch-level label) scanned at least once in the last 7 days (today
    and the six days before, WIB)."""

    labels: int
    scans_ever: int  # all the scans of those labels, in those 7 days or before


class Dashboard(msgspec.Struct, kw_only=True):
    by_status: dict[str, int]
    week_since: date
    week: WeekScans
    suspect_serials: list[SuspectSerial]
    suspect_count: int
    suspect_since: date
    recalls: list[DashboardBatch]
    best_before_soon: list[DashboardBatch]
    best_before_until: date


_BATCH_LINE = """SELECT b.id, b.code, b.lot, p.name AS product_name, b.status, b.best_before,
       b.recalled_at, b.recall_reason
FROM batches b JOIN products p ON p.id = b.product_id"""


async def suspect_serials_since(
    conn: asyncpg.Connection, user: AuthUser, since: date, *, limit: int
) -> tuple[list[SuspectSerial], int]:
    """The serials the user may see that a scan since `since` (Jakarta) found suspect, most
    clients first (at most `limit`), and how many there are in all.

    A serial is suspect once a scan of it says so (the verifier's clone rule); the scan log
    has a partial index on those rare scans. The clients are counted for the few shown."""
    args: list[Any] = [datetime.combine(since, time(), JAKARTA), limit]
    visible = visible_to(user, args)
    rows = await conn.fetch(
        f"""SELECT s.batch_id, b.code, b.lot, p.name AS product_name, s.serial,
                   (SELECT count(*) FROM label_fingerprints f
                    WHERE f.batch_id = s.batch_id AND f.serial = s.serial
                      AND f.{RECENT_CLIENT}) AS clients,
                   count(*) OVER () AS how_many
            FROM (SELECT DISTINCT batch_id, serial FROM scans
                  WHERE verdict = 'suspect' AND scanned_at >= $1) s
            -- each batch by its key: a join let the planner read every batch to find a few
            CROSS JOIN LATERAL (SELECT * FROM batches WHERE id = s.batch_id OFFSET 0) b
            JOIN products p ON p.id = b.product_id
            WHERE {visible}
            ORDER BY clients DESC, b.code, s.serial LIMIT $2""",
        *args,
    )
    serials = [msgspec.convert(dict(r), SuspectSerial) for r in rows]
    return serials, rows[0]["how_many"] if rows else 0


async def dashboard(
    conn: asyncpg.Connection, user: AuthUser, *, clone_threshold: int, today: date
) -> Dashboard:
    """Five small queries, each starting from an index (migration 0050), never from the scan log."""
    week_since = today - timedelta(days=WEEK_DAYS - 1)
    soon_until = today + timedelta(days=BEST_BEFORE_SOON_DAYS)

    args: list[Any] = []
    visible = visible_to(user, args)
    counts = await conn.fetch(
        f"SELECT b.status, count(*) AS n FROM batches b WHERE {visible} GROUP BY b.status", *args
    )
    by_status = dict.fromkeys(STATUSES, 0) | {r["status"]: r["n"] for r in counts}

    args = [datetime.combine(week_since, time(), JAKARTA)]
    # a tally carries its batch's producer and facility (migration 0066): no join to batches
    visible = visible_to(user, args, alias="t")
    week = await conn.fetchrow(
        f"""SELECT count(*) AS labels, coalesce(sum(t.scan_count), 0)::bigint AS scans_ever
            FROM label_scan_tallies t WHERE {visible} AND t.last_at >= $1""",
        *args,
    )

    suspects, suspect_count = await suspect_serials_since(
        conn, user, today - timedelta(days=SUSPECT_DAYS), limit=LIST_LENGTH
    )

    args = [LIST_LENGTH]
    visible = visible_to(user, args)
    recalls = await conn.fetch(
        f"""{_BATCH_LINE} WHERE {visible} AND b.status = 'recalled'
            ORDER BY b.recalled_at DESC LIMIT $1""",
        *args,
    )

    args = [LIST_LENGTH, today, soon_until]
    visible = visible_to(user, args)
    soon = await conn.fetch(
        f"""{_BATCH_LINE} WHERE {visible} AND b.status = 'released'
              AND b.best_before BETWEEN $2 AND $3
            ORDER BY b.best_before, b.code LIMIT $1""",
        *args,
    )
    return Dashboard(
        by_status=by_status,
        week_since=week_since,
        week=msgspec.convert(dict(week), WeekScans),
        suspect_serials=suspects,
        suspect_count=suspect_count,
        suspect_since=today - timedelta(days=SUSPECT_DAYS),
        recalls=[msgspec.convert(dict(r), DashboardBatch) for r in recalls],
        best_before_soon=[msgspec.convert(dict(r), DashboardBatch) for r in soon],
        best_before_until=soon_until,
    )
