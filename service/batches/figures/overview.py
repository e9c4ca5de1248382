"""The regulator's overview: batches per facility per month, and the outcomes an inspector looks
at first — nonconforming treatments, rejects, recalls, suspect serials — over the last months."""

from __future__ import annotations

import time as monotonic_clock
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from schemas.batches import JAKARTA
from service.batches.figures.dashboard import SuspectSerial, suspect_serials_since
from service.batches.transitions import visible_to
from service.core.auth import AuthUser

MONTHS = 12
LIST_LENGTH = 10
# A process answers from its last overview while nothing the page counts or names has changed:
# every statement writing batches, treatments, products or organizations draws a number from
# `overview_changes` (migration 0120). Suspect serials (from scans, which draw no number) and a
# write still in flight while an overview was counted show at the latest this much later.
KEEP_S = 10.0
_KEPT_SCOPES = 64


class FacilityMonths(msgspec.Struct, kw_only=True):
    """One facility's batches registered per month, in the order of `Overview.months`."""

    facility_id: UUID
    facility_name: str
    per_month: list[int]
    total: int


class OutcomeLine(msgspec.Struct, kw_only=True):
    """A batch with something an inspector should see: when, what, and at which facility."""

    id: UUID
    code: str
    lot: str
    product_name: str
    producer_name: str
    facility_name: str
    status: str
    at: datetime
    nonconformities: list[str]  # codes (SPEC §3.3), for a nonconforming treatment
    reason: str | None  # given for a reject or a recall


class Outcomes(msgspec.Struct, kw_only=True):
    count: int
    latest: list[OutcomeLine]


class Overview(msgspec.Struct, kw_only=True):
    since: date
    months: list[date]  # first day of each month, newest first (what a phone shows unscrolled)
    facilities: list[FacilityMonths]
    month_totals: list[int]
    nonconforming: Outcomes
    rejects: Outcomes
    recalls: Outcomes
    suspect_serials: list[SuspectSerial]
    suspect_count: int


def month_starts(today: date, months: int) -> list[date]:
    """The first days of the last `months` months, this one included, newest first."""
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


_OUTCOME = """SELECT b.id, b.code, b.lot, p.name AS product_name, producer.name AS producer_name,
       facility.name AS facility_name, b.status, {at} AS at, {codes} AS nonconformities,
       {reason} AS reason
FROM {source}
JOIN product_versions p ON p.product_id = b.product_id AND p.version = b.product_version
JOIN organizations producer ON producer.id = b.producer_id
JOIN organizations facility ON facility.id = b.facility_id
WHERE {where} AND {at} >= $1 AND {visible}
ORDER BY {at} DESC, b.id LIMIT $2"""

# each outcome starts from its own partial index (migration 0056)
_OUTCOMES = {
    "nonconforming": {
        "source": "treatments t JOIN batches b ON b.id = t.batch_id",
        "where": "NOT t.conforming",
        "at": "t.recorded_at",
        "codes": "t.nonconformities",
        "reason": "NULL",
    },
    "rejects": {
        "source": "batches b",
        "where": "b.status = 'rejected'",
        "at": "b.rejected_at",
        "codes": "'{}'::text[]",
        "reason": "b.reject_reason",
    },
    "recalls": {
        "source": "batches b",
        "where": "b.status = 'recalled'",
        "at": "b.recalled_at",
        "codes": "'{}'::text[]",
        "reason": "b.recall_reason",
    },
}


_OUTCOME_COUNT = "SELECT count(*) FROM {source} WHERE {where} AND {at} >= $1 AND {visible}"


async def _outcomes(
    conn: asyncpg.Connection, user: AuthUser, kind: str, since: datetime
) -> Outcomes:
    # the count apart from the ten shown: counting reads the partial index alone
    args: list[Any] = [since]
    visible = visible_to(user, args)
    count = await conn.fetchval(_OUTCOME_COUNT.format(visible=visible, **_OUTCOMES[kind]), *args)
    args = [since, LIST_LENGTH]
    visible = visible_to(user, args)
    rows = await conn.fetch(_OUTCOME.format(visible=visible, **_OUTCOMES[kind]), *args)
    return Outcomes(
        count=count,
        latest=[
            msgspec.convert({k: r[k] for k in OutcomeLine.__struct_fields__}, OutcomeLine)
            for r in rows
        ],
    )


@dataclass(frozen=True, slots=True)
class _Kept:
    change: int
    today: date
    at_s: float
    figures: Overview


# (database, visibility scope) → the overview counted for it; per process
_kept: dict[tuple[object, ...], _Kept] = {}


def _scope(user: AuthUser) -> tuple[object, ...]:
    """Who sees the same batches (`visible_to`): everyone, or one organization in one role."""
    if user.role in ("admin", "regulator"):
        return ("all",)
    return (user.role, user.organization_id)


async def overview(conn: asyncpg.Connection, user: AuthUser, *, today: date) -> Overview:
    """The last `MONTHS` months (Asia/Jakarta) of the batches `user` may see, counted again
    after a change or `KEEP_S`."""
    change, database = await conn.fetchrow(
        "SELECT last_value, current_database() FROM overview_changes"
    )
    key = (database, *_scope(user))
    kept = _kept.get(key)
    now_s = monotonic_clock.monotonic()
    if kept is None or (kept.change, kept.today) != (change, today) or now_s - kept.at_s > KEEP_S:
        kept = _Kept(change, today, now_s, await _counted(conn, user, today=today))
        if len(_kept) >= _KEPT_SCOPES:
            _kept.clear()
        _kept[key] = kept
    return kept.figures


async def _counted(conn: asyncpg.Connection, user: AuthUser, *, today: date) -> Overview:
    """The overview as the database has it now."""
    months = month_starts(today, MONTHS)
    since = datetime.combine(months[-1], time(), JAKARTA)
    # month boundaries in Jakarta, oldest first: width_bucket puts each batch in its month
    # without converting every row's time zone (bucket i is months[-i])
    bounds = [datetime.combine(m, time(), JAKARTA) for m in reversed(months)]
    args: list[Any] = [since, bounds]
    visible = visible_to(user, args)
    rows = await conn.fetch(
        f"""SELECT b.facility_id, width_bucket(b.created_at, $2::timestamptz[]) AS bucket,
                   count(*) AS batches
            FROM batches b WHERE b.created_at >= $1 AND {visible}
            GROUP BY b.facility_id, bucket""",
        *args,
    )
    names = dict(
        await conn.fetch(
            "SELECT id, name FROM organizations WHERE id = ANY($1::uuid[])",
            list({r["facility_id"] for r in rows}),
        )
    )
    facilities: dict[UUID, FacilityMonths] = {}
    for r in rows:
        line = facilities.setdefault(
            r["facility_id"],
            FacilityMonths(
                facility_id=r["facility_id"],
                facility_name=names[r["facility_id"]],
                per_month=[0] * len(months),
                total=0,
            ),
        )
        line.per_month[len(months) - r["bucket"]] += r["batches"]
        line.total += r["batches"]
    ordered = sorted(facilities.values(), key=lambda f: (-f.total, f.facility_name))
    suspects, suspect_count = await suspect_serials_since(conn, user, months[-1], limit=LIST_LENGTH)
    return Overview(
        since=months[-1],
        months=months,
        facilities=ordered,
        month_totals=[sum(f.per_month[i] for f in ordered) for i in range(len(months))],
        nonconforming=await _outcomes(conn, user, "nonconforming", since),
        rejects=await _outcomes(conn, user, "rejects", since),
        recalls=await _outcomes(conn, user, "recalls", since),
        suspect_serials=suspects,
        suspect_count=suspect_count,
    )
