"""GET /api/v1/exports/batches.csv: one row per batch, streamed from a server-side cursor.

The sortable spreadsheet an inspection asks for (FDA FSMA 204, BPOM): every batch with its lot,
product, producer, facility, irradiator, dates, measured doses, purpose, QA decision, best-before
date and status. Times are in Asia/Jakarta with their offset; dates are ISO 8601.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Any

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

COLUMNS = (
    "code", "lot", "product", "gtin", "registration_no", "category", "purpose", "producer",
    "facility", "irradiator", "source_type", "production_date", "quantity", "unit",
    "received_at", "irradiation_started_at", "irradiation_ended_at", "dose_min_kgy",
    "dose_max_kgy", "dur", "conforming", "qa_officer", "qa_decision", "qa_decided_at",
    "best_before", "status", "recalled_at", "recall_reason",
)  # fmt: skip

EXPORT_QUERY = """
SELECT b.code, b.lot, p.name AS product, p.gtin, p.registration_no, p.category, p.purpose,
       producer.name AS producer, facility.name AS facility, i.name AS irradiator, i.source_type,
       b.production_date, b.quantity, b.unit, r.received_at,
       t.started_at AS irradiation_started_at, t.ended_at AS irradiation_ended_at,
       t.dose_min_kgy, t.dose_max_kgy, t.dur, t.conforming,
       qa.name AS qa_officer,
       CASE WHEN b.released_at IS NOT NULL THEN 'released'
            WHEN b.rejected_at IS NOT NULL THEN 'rejected' END AS qa_decision,
       COALESCE(b.released_at, b.rejected_at) AS qa_decided_at,
       b.best_before, b.status, b.recalled_at, b.recall_reason
FROM batches b
JOIN products p ON p.id = b.product_id
JOIN organizations producer ON producer.id = b.producer_id
JOIN organizations facility ON facility.id = b.facility_id
LEFT JOIN receipts r ON r.batch_id = b.id
LEFT JOIN treatments t ON t.batch_id = b.id
LEFT JOIN irradiators i ON i.id = t.irradiator_id
LEFT JOIN users qa ON qa.id = COALESCE(b.released_by, b.rejected_by)
WHERE ($1::date IS NULL OR b.production_date >= $1)
  AND ($2::date IS NULL OR b.production_date <= $2)
  AND {visible}
ORDER BY b.production_date, b.created_at, b.id
"""

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"); such text is prefixed
# with an apostrophe, which spreadsheets show as text and do not display. Spreadsheets skip
# leading spaces and line breaks before a formula (" =1+1", "\n=1+1"), so the trigger is looked
# for after any leading whitespace, and a leading tab or carriage return is guarded by itself.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200
CURSOR_PREFETCH = 500


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


async def csv_chunks(
    pool: asyncpg.Pool, user: AuthUser, date_from: date | None, date_to: date | None
) -> AsyncIterator[str]:
    """The CSV text, a chunk at a time, read through a server-side cursor: memory stays flat
    however many batches there are. The connection is the generator's own, released when the
    response ends or the client goes away."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    args: list[Any] = [date_from, date_to]
    sql = EXPORT_QUERY.format(visible=visible_to(user, args))
    async with connection(pool) as conn, conn.transaction(readonly=True):
        rows = 0
        async for record in conn.cursor(sql, *args, prefetch=CURSOR_PREFETCH):
            writer.writerow([csv_cell(record[column]) for column in COLUMNS])
            rows += 1
            if rows % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


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
        return Stream(
            csv_chunks(state.pool, request.user, date_from, date_to),
            media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types
            headers={"Content-Disposition": 'attachment; filename="radura-batches.csv"'},
        )
