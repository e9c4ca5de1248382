"""The dashboard's figures: batches by status, the labels scanned in the last 7 days, suspect
serials, recalls and best-before dates coming up, over the batches the user may see (a producer:
its own)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import BATCH_STATUSES, JAKARTA
from service.batches.transitions import visible_to
from service.core.auth import AuthUser
from service.webhooks.suspect import RECENT_CLIENT

WEEK_DAYS = 7
BEST_BEFORE_SOON_DAYS = 30
LIST_LENGTH = 5
SUSPECT_DAYS = 30
# a new producer's first steps stay on the dashboard, all ticked, this long after the first labels
FIRST_RUN_KEPT_DAYS = 7


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
FROM batches b
JOIN product_versions p ON p.product_id = b.product_id AND p.version = b.product_version"""


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
            JOIN product_versions p
              ON p.product_id = b.product_id AND p.version = b.product_version
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
    by_status = dict.fromkeys(BATCH_STATUSES, 0) | {r["status"]: r["n"] for r in counts}

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


class FirstRunBatch(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    facility_name: str


class FirstRun(msgspec.Struct, kw_only=True):
    """A new producer's first steps, each "done", "next" or "later": register a product,
    register a batch, write the batch's code on the box and send it to the facility, print
    labels once a batch is released."""

    steps: dict[str, str]
    batch: FirstRunBatch | None  # the newest batch still registered, else the newest batch
    released_id: UUID | None  # the newest released batch, whose page prints its labels


FIRST_RUN_STEPS = ("product", "batch", "send", "labels")


def _step_states(done: list[bool]) -> dict[str, str]:
    """The first step not done is next; a step after it that is not done waits."""
    states: dict[str, str] = {}
    next_given = False
    for name, is_done in zip(FIRST_RUN_STEPS, done, strict=True):
        if is_done:
            states[name] = "done"
        elif not next_given:
            states[name] = "next"
            next_given = True
        else:
            states[name] = "later"
    return states


async def first_run(conn: asyncpg.Connection, producer_id: UUID) -> FirstRun | None:
    """The producer's first steps, or None once the first labels are more than a few days old:
    until then the list stays, every step ticked, so the producer sees the last one done."""
    labels = await conn.fetchrow(
        # EXISTS, not min(): an established producer's first old serial ends the search
        """SELECT EXISTS (SELECT 1 FROM batches b JOIN label_serials s ON s.batch_id = b.id
                          WHERE b.producer_id = $1 AND b.status IN ('released', 'recalled'))
                    AS issued,
                  EXISTS (SELECT 1 FROM batches b JOIN label_serials s ON s.batch_id = b.id
                          WHERE b.producer_id = $1 AND b.status IN ('released', 'recalled')
                            AND s.issued_at < now() - make_interval(days => $2)) AS long_ago""",
        producer_id,
        FIRST_RUN_KEPT_DAYS,
    )
    if labels["long_ago"]:
        return None
    row = await conn.fetchrow(
        """SELECT EXISTS (SELECT 1 FROM products WHERE organization_id = $1) AS has_product,
                  EXISTS (SELECT 1 FROM batches WHERE producer_id = $1
                          AND status NOT IN ('registered', 'cancelled')) AS sent,
                  (SELECT id FROM batches WHERE producer_id = $1 AND status = 'released'
                   ORDER BY created_at DESC, id DESC LIMIT 1) AS released_id""",
        producer_id,
    )
    newest = await conn.fetchrow(
        """SELECT b.id, b.code, f.name AS facility_name
           FROM batches b JOIN organizations f ON f.id = b.facility_id
           WHERE b.producer_id = $1
           ORDER BY b.status = 'registered' DESC, b.created_at DESC, b.id DESC LIMIT 1""",
        producer_id,
    )
    batch = msgspec.convert(dict(newest), FirstRunBatch) if newest else None
    steps = _step_states([row["has_product"], batch is not None, row["sent"], labels["issued"]])
    if steps["labels"] == "next" and row["released_id"] is None:
        steps["labels"] = "later"  # labels wait for a released batch
    return FirstRun(
        steps=steps,
        batch=batch,
        released_id=row["released_id"],
    )
