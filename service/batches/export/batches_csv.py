"""GET /api/v1/exports/batches.csv: one row per batch, streamed a page at a time.

The sortable spreadsheet an inspection asks for (FDA FSMA 204, BPOM): every batch with its lot,
product, producer, facility, irradiator, dates, measured doses, purpose, QA decision, best-before
date and status. Times are in Asia/Jakarta with their offset; dates are ISO 8601.

A long download (service/core/download_gate.py): which batches, in which order, is read first
(their ids, at once); their rows are then read a page at a time, each page on a connection held
for that read only, and turned into CSV text in a worker thread, so a client that reads slowly
holds no connection and the event loop keeps answering scans.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.response import Stream

from schemas.batches import JAKARTA
from service.batches.rules import invalid_field
from service.batches.transitions import visible_to
from service.core.auth import AuthUser, roles
from service.core.db import connection
from service.core.download_gate import DownloadGate, GatedStream, Ticket, owner_of

COLUMNS = (
    "code", "lot", "product", "gtin", "registration_no", "category", "purpose", "producer",
    "facility", "irradiator", "source_type", "production_date", "quantity", "unit",
    "received_at", "irradiation_started_at", "irradiation_ended_at", "dose_min_kgy",
    "dose_max_kgy", "dur", "conforming", "qa_officer", "qa_decision", "qa_decided_at",
    "best_before", "status", "recalled_at", "recall_reason",
)  # fmt: skip

# the batches of an export, in its order: read at once, before the first row
EXPORT_IDS_QUERY = """
SELECT b.id FROM batches b
WHERE ($1::date IS NULL OR b.production_date >= $1)
  AND ($2::date IS NULL OR b.production_date <= $2)
  AND {visible}
ORDER BY b.production_date, b.created_at, b.id
"""

# the rows of a page of those batches ($1), in the page's order
EXPORT_ROWS_QUERY = """
SELECT b.code, b.lot, p.name AS product, p.gtin, p.registration_no, p.category, p.purpose,
       producer.name AS producer, facility.name AS facility, t.irradiator_name AS irradiator,
       t.irradiator_source_type AS source_type,
       b.production_date, b.quantity, b.unit, r.received_at,
       t.started_at AS irradiation_started_at, t.ended_at AS irradiation_ended_at,
       t.dose_min_kgy, t.dose_max_kgy, t.dur, t.conforming,
       qa.name AS qa_officer,
       CASE WHEN b.released_at IS NOT NULL THEN 'released'
            WHEN b.rejected_at IS NOT NULL THEN 'rejected' END AS qa_decision,
       COALESCE(b.released_at, b.rejected_at) AS qa_decided_at,
       b.best_before, b.status, b.recalled_at, b.recall_reason
FROM unnest($1::uuid[]) WITH ORDINALITY AS page (id, position)
JOIN batches b ON b.id = page.id
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations producer ON producer.id = b.producer_id
JOIN organizations facility ON facility.id = b.facility_id
LEFT JOIN receipts r ON r.batch_id = b.id
LEFT JOIN treatments t ON t.batch_id = b.id
LEFT JOIN users qa ON qa.id = COALESCE(b.released_by, b.rejected_by)
ORDER BY page.position
"""
# rows per page: one read, one chunk of CSV (some 100 kB)
PAGE_ROWS = 500

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"); such text is prefixed
# with an apostrophe, which spreadsheets show as text and do not display. Spreadsheets skip
# leading spaces and line breaks before a formula (" =1+1", "\n=1+1"), so the trigger is looked
# for after any leading whitespace, and a leading tab or carriage return is guarded by itself.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# the production-date range of an export, the same query parameters for the CSV and the workbook
DateFrom = Annotated[
    date | None, QueryParameter(name="from", description="First production date, inclusive.")
]
DateTo = Annotated[
    date | None, QueryParameter(name="to", description="Last production date, inclusive.")
]


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from is not None and date_to is not None and date_to < date_from:
        raise invalid_field("to", "must not be before `from`")


def safe_text(text: str) -> str:
    if text.startswith(_FORMULA_TRIGGERS) or text.lstrip().startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_cell(value: Any) -> str | float | int:
    """One value as it is written: text guarded, numbers as numbers, instants in Jakarta time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(JAKARTA).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


async def export_batch_ids(
    pool: asyncpg.Pool, user: AuthUser, date_from: date | None, date_to: date | None
) -> list[UUID]:
    """The batches of the export, in its order (the rows follow a page at a time)."""
    args: list[Any] = [date_from, date_to]
    sql = EXPORT_IDS_QUERY.format(visible=visible_to(user, args))
    async with connection(pool) as conn:
        return [row["id"] for row in await conn.fetch(sql, *args)]


def pages_of(ids: list[UUID]) -> list[list[UUID]]:
    return [ids[start : start + PAGE_ROWS] for start in range(0, len(ids), PAGE_ROWS)]


async def export_rows(pool: asyncpg.Pool, ids: list[UUID]) -> list[asyncpg.Record]:
    """The rows of `ids`, in their order, read on a connection held for this read only."""
    if not ids:
        return []
    async with connection(pool) as conn:
        rows: list[asyncpg.Record] = await conn.fetch(EXPORT_ROWS_QUERY, ids)
    return rows


def csv_text(ticket: Ticket, rows: list[asyncpg.Record], *, header: bool = False) -> str:
    """A page of rows as CSV text (in a worker thread; stops at DownloadCancelled)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(COLUMNS)
    for record in ticket.checked(rows):
        writer.writerow([csv_cell(record[column]) for column in COLUMNS])
    return buffer.getvalue()


async def csv_chunks(
    gate: DownloadGate,
    ticket: Ticket,
    pool: asyncpg.Pool,
    pages: list[list[UUID]],
    first_rows: list[asyncpg.Record],
) -> AsyncIterator[str]:
    """The CSV text a page at a time: the first page read already, each next one read only
    when the client has taken the one before."""
    yield await gate.run(ticket, partial(csv_text, header=True), ticket, first_rows)
    for page in pages[1:]:
        rows = await export_rows(pool, page)
        yield await gate.run(ticket, csv_text, ticket, rows)


class ExportController(Controller):
    path = "/api/v1/exports"
    tags = ["exports"]

    @get(
        "/batches.csv",
        operation_id="exportBatchesCsv",
        opt=roles("regulator", "admin", "producer"),
        media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types
    )
    async def export_batches(
        self,
        request: Request[AuthUser, None, State],
        state: State,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> Stream:
        """Every batch the caller may see (a producer: its own), one CSV row each, ordered by
        production date. Text cells that a spreadsheet would run as a formula are prefixed
        with an apostrophe."""
        check_range(date_from, date_to)
        gate: DownloadGate = state.download_gate
        ticket = gate.admit(owner_of(request.user))
        # the first page before the answer starts: a database that does not answer is a 503
        async with gate.preparing(request, ticket):
            pages = pages_of(await export_batch_ids(state.pool, request.user, date_from, date_to))
            first_rows = await export_rows(state.pool, pages[0] if pages else [])
        return GatedStream(
            ticket,
            csv_chunks(gate, ticket, state.pool, pages, first_rows),
            media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types
            headers={"Content-Disposition": 'attachment; filename="radura-batches.csv"'},
        )
