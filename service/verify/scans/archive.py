"""`radura scans archive --before YYYY-MM`: detaches the scan log's monthly partitions that lie
wholly before a past month, so five years of scans need not stay in the live table.

A detached month is renamed `scans_YYYY_MM_archived` and kept in the database, untouched, for
pg_dump or a later ATTACH; nothing is dropped. Its days stay in the daily rollup (scan_days),
so the batch page's chart and the scan statistics still show them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import asyncpg

# the same lock as ensure_scan_partitions(): never detach while a month is being made
_PARTITIONS_LOCK = 91548323565652
# waiting longer for the scan log's table would hold up every scan written behind us
_LOCK_TIMEOUT = "10s"
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
ARCHIVED_SUFFIX = "_archived"


class ArchiveRefused(ValueError):
    """A month that cannot be archived (the current month or a later one)."""


def parse_month(text: str) -> date:
    """'2024-01' as the first day of that month; ValueError naming the expected form."""
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM, e.g. 2024-01")
    return date(int(match.group(1)), int(match.group(2)), 1)


def check_past(month: date, today_utc: date) -> None:
    """Only months before the current one (UTC, as the partitions are cut) may be archived:
    scans are still written into this month's and the coming months' partitions."""
    this_month = today_utc.replace(day=1)
    if month == this_month:
        raise ArchiveRefused(
            f"{month:%Y-%m} is the current month; scans are still written to it. "
            "Give a past month: partitions wholly before it are detached."
        )
    if month > this_month:
        raise ArchiveRefused(
            f"{month:%Y-%m} is in the future (this month is {this_month:%Y-%m}). "
            "Give a past month: partitions wholly before it are detached."
        )


@dataclass(frozen=True, slots=True)
class Archived:
    partition: str
    renamed_to: str
    scans: int


async def archive_before(conn: asyncpg.Connection, month: date) -> list[Archived]:
    """Detach every monthly partition before `month`, in one transaction; none left is fine
    (running it again changes nothing)."""
    async with conn.transaction():
        await conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _PARTITIONS_LOCK)
        # partitions are named by their month (ensure_scan_partitions), so names sort as months
        names: list[str] = [
            row["relname"]
            for row in await conn.fetch(
                r"""SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'scans'::regclass
                      AND c.relname ~ '^scans_\d{4}_\d{2}$' AND c.relname < $1
                    ORDER BY c.relname""",
                f"scans_{month:%Y_%m}",
            )
        ]
        archived = []
        for name in names:
            scans: int = await conn.fetchval(f'SELECT count(*) FROM "{name}"')
            renamed = name + ARCHIVED_SUFFIX
            await conn.execute(f'ALTER TABLE scans DETACH PARTITION "{name}"')
            # a late scan of that month can then get a fresh partition of the usual name
            await conn.execute(f'ALTER TABLE "{name}" RENAME TO "{renamed}"')
            archived.append(Archived(name, renamed, scans))
        if archived:
            # Those days' clients are counted in scan_days; the per-client rows only served to
            # count each client once while the day could still get scans.
            await conn.execute("DELETE FROM scan_day_clients WHERE day < $1", month)
        return archived
