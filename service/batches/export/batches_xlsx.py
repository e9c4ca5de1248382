"""The batch export as an Excel workbook (`GET /api/v1/exports/batches.xlsx`).

The CSV stays for programs; a person opens this one. Excel set to Indonesian reads a CSV with
commas as one column and `1.3333333333333333` as text, so here every value has its own cell type:
dates are dates (`dd-mm-yyyy`), times are WIB date-times, doses are numbers shown with one decimal
and DUR with two by the cell's number format (the value itself is exact), and every text is
written with `write_string`, so a lot or product name that looks like a formula is never one.
Headers are in the reader's language, the header row is frozen and has an autofilter.

XlsxWriter runs in constant-memory mode: each row goes to a temporary file as soon as the next one
starts, and the finished workbook is assembled in a temporary file that is unlinked at once and
streamed from its open handle, so memory stays flat however many batches there are.

A long download (service/core/download_gate.py): the rows are read a page at a time, each page
on a connection held for that read only, and written into the workbook in a worker thread; the
whole is built before the answer starts (a workbook is a zip file, finished at its end).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import date, datetime
from typing import IO, Annotated, Any, Literal

import anyio
import asyncpg
import xlsxwriter
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.response import Stream
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from schemas.batches import JAKARTA
from schemas.common import Lang
from service.batches.export.batches_csv import (
    COLUMNS,
    DateFrom,
    DateTo,
    check_range,
    export_batch_ids,
    export_rows,
    pages_of,
)
from service.console.i18n import language_of, translations
from service.core.auth import AuthUser, roles
from service.core.download_gate import DownloadGate, GatedStream, Ticket, owner_of
from service.core.gettext_marker import N_

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Kind = Literal["text", "date", "moment", "number", "dose", "ratio", "boolean"]

# column → (header msgid, kind of cell, width in characters)
SHEET_COLUMNS: dict[str, tuple[str, Kind, float]] = {
    "code": (N_("Code"), "text", 16),
    "lot": (N_("Lot"), "text", 18),
    "product": (N_("Product"), "text", 30),
    "gtin": (N_("GTIN"), "text", 16),
    "registration_no": (N_("Registration number"), "text", 22),
    "category": (N_("Category"), "text", 16),
    "purpose": (N_("Purpose of irradiation"), "text", 20),
    "producer": (N_("Producer"), "text", 28),
    "facility": (N_("Facility"), "text", 28),
    "irradiator": (N_("Irradiator"), "text", 20),
    "source_type": (N_("Radiation source"), "text", 14),
    "production_date": (N_("Production date"), "date", 14),
    "quantity": (N_("Quantity"), "number", 10),
    "unit": (N_("Unit"), "text", 8),
    "received_at": (N_("Received (WIB)"), "moment", 18),
    "irradiation_started_at": (N_("Irradiation started (WIB)"), "moment", 18),
    "irradiation_ended_at": (N_("Irradiation ended (WIB)"), "moment", 18),
    "dose_min_kgy": (N_("Minimum absorbed dose (kGy)"), "dose", 14),
    "dose_max_kgy": (N_("Maximum absorbed dose (kGy)"), "dose", 14),
    "dur": (N_("Dose uniformity ratio (DUR)"), "ratio", 12),
    "conforming": (N_("Conforming"), "boolean", 12),
    "qa_officer": (N_("QA officer"), "text", 22),
    "qa_decision": (N_("QA decision"), "text", 12),
    "qa_decided_at": (N_("QA decided (WIB)"), "moment", 18),
    "best_before": (N_("Best before"), "date", 14),
    "status": (N_("Status"), "text", 12),
    "recalled_at": (N_("Recalled (WIB)"), "moment", 18),
    "recall_reason": (N_("Recall reason"), "text", 40),
}
assert tuple(SHEET_COLUMNS) == COLUMNS, "the workbook has the CSV's columns, in its order"

NUMBER_FORMATS: dict[Kind, str] = {
    "date": "dd-mm-yyyy",
    "moment": "dd-mm-yyyy hh:mm",
    "dose": "0.0",
    "ratio": "0.00",
}
SHEET_NAME = N_("Batches")
READ_CHUNK = 256 * 1024


def headers(lang: str) -> list[str]:
    gettext = translations(lang).gettext
    return [gettext(msgid) for msgid, _kind, _width in SHEET_COLUMNS.values()]


def cell_writers(
    sheet: Worksheet, formats: dict[Kind, Format], kinds: Iterable[Kind] | None = None
) -> list[Callable[[int, int, Any], Any]]:
    """One writer per column (of `kinds`, the batch export's by default): the value as the cell
    type its kind says."""

    def text(row: int, col: int, value: Any) -> Any:
        return sheet.write_string(row, col, str(value))  # never a formula, whatever it starts with

    def day(row: int, col: int, value: date) -> Any:
        return sheet.write_datetime(row, col, value, formats["date"])

    def moment(row: int, col: int, value: datetime) -> Any:
        local = value.astimezone(JAKARTA).replace(tzinfo=None)  # Excel has no time zones: WIB
        return sheet.write_datetime(row, col, local, formats["moment"])

    def number(row: int, col: int, value: float) -> Any:
        return sheet.write_number(row, col, value)

    def dose(row: int, col: int, value: float) -> Any:
        return sheet.write_number(row, col, value, formats["dose"])

    def ratio(row: int, col: int, value: float) -> Any:
        return sheet.write_number(row, col, value, formats["ratio"])

    def boolean(row: int, col: int, value: bool) -> Any:
        return sheet.write_boolean(row, col, value)

    by_kind: dict[Kind, Callable[[int, int, Any], Any]] = {
        "text": text,
        "date": day,
        "moment": moment,
        "number": number,
        "dose": dose,
        "ratio": ratio,
        "boolean": boolean,
    }
    if kinds is None:
        kinds = [kind for _msgid, kind, _width in SHEET_COLUMNS.values()]
    return [by_kind[kind] for kind in kinds]


def open_workbook(path: str, tmpdir: str) -> xlsxwriter.Workbook:
    """A constant-memory workbook at `path` in which text is only ever text."""
    return xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "tmpdir": tmpdir,
            # write() is never used, but should it be: no text turns into anything else
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


async def finished_workbook(book: xlsxwriter.Workbook, path: str) -> IO[bytes]:
    """Close `book` (zipping is CPU work: off the event loop) and open the file for sending;
    the stream that sends it closes it."""

    def finish() -> IO[bytes]:
        book.close()
        return open(path, "rb")

    return await anyio.to_thread.run_sync(finish)


class _Sheet:
    """One workbook of one sheet in a temporary folder of its own, written a page of rows at a
    time (from worker threads, one page after another), under a bold, frozen header row.
    `finish()` gives the finished file, open and already unlinked; `discard()` removes the
    folder either way."""

    def __init__(self, sheet_name: str, titles: list[str], widths: list[float]) -> None:
        self._work = tempfile.TemporaryDirectory(prefix="radura-xlsx-")
        self._path = os.path.join(self._work.name, "sheet.xlsx")
        self.book = open_workbook(self._path, self._work.name)
        self.sheet = self.book.add_worksheet(sheet_name)
        self._columns = len(titles)
        header = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for col, width in enumerate(widths):
            self.sheet.set_column(col, col, width)
        for col, title in enumerate(titles):
            self.sheet.write_string(0, col, title, header)
        self.sheet.freeze_panes(1, 0)
        self.rows = 0

    def finish(self) -> IO[bytes]:
        """Zip the workbook (CPU work: in a worker thread) and open it for sending; the stream
        that sends it closes it."""
        self.sheet.autofilter(0, 0, self.rows, self._columns - 1)
        self.book.close()
        return open(self._path, "rb")

    def discard(self) -> None:
        self._work.cleanup()  # an open handle keeps the file readable; the name is gone


class BatchSheet(_Sheet):
    """The export's workbook: each column's cells of its kind."""

    def __init__(self, lang: str) -> None:
        super().__init__(
            translations(lang).gettext(SHEET_NAME),
            headers(lang),
            [width for _msgid, _kind, width in SHEET_COLUMNS.values()],
        )
        formats: dict[Kind, Format] = {
            kind: self.book.add_format({"num_format": pattern})
            for kind, pattern in NUMBER_FORMATS.items()
        }
        self._writers = cell_writers(self.sheet, formats)

    def add(self, ticket: Ticket, records: list[asyncpg.Record]) -> None:
        for record in ticket.checked(records):
            self.rows += 1
            for col, (column, write) in enumerate(zip(COLUMNS, self._writers, strict=True)):
                value = record[column]
                if value is not None:
                    write(self.rows, col, value)


class TextSheet(_Sheet):
    """A workbook of text cells only (such as serials and their links)."""

    def add(self, ticket: Ticket, rows: Iterable[list[str]]) -> None:
        for values in ticket.checked(rows):
            self.rows += 1
            for col, value in enumerate(values):
                self.sheet.write_string(self.rows, col, value)


async def file_chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(READ_CHUNK):
            yield chunk
    finally:
        spool.close()


async def batches_workbook(
    gate: DownloadGate,
    ticket: Ticket,
    pool: asyncpg.Pool,
    user: AuthUser,
    date_from: date | None,
    date_to: date | None,
    lang: str,
) -> IO[bytes]:
    """The finished workbook of the export, open at its start."""
    pages = pages_of(await export_batch_ids(pool, user, date_from, date_to))
    sheet = await gate.run(ticket, BatchSheet, lang)
    try:
        for page in pages:
            await gate.run(ticket, sheet.add, ticket, await export_rows(pool, page))
        return await gate.run(ticket, sheet.finish)
    finally:
        sheet.discard()


class XlsxExportController(Controller):
    path = "/api/v1/exports"
    tags = ["exports"]

    @get(
        "/batches.xlsx",
        operation_id="exportBatchesXlsx",
        opt=roles("regulator", "admin", "producer"),
        media_type=XLSX_MEDIA_TYPE,
    )
    async def export_batches_xlsx(
        self,
        request: Request[AuthUser, None, State],
        state: State,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        lang: Annotated[
            Lang | None,
            QueryParameter(
                description="Language of the headers: Bahasa Indonesia unless `en` is asked "
                "for or the console session's language is English."
            ),
        ] = None,
    ) -> Stream:
        """The rows of `exportBatchesCsv` as an Excel workbook: dates as dates (dd-mm-yyyy),
        times in WIB, doses as numbers shown with one decimal, DUR with two, a frozen header row
        with an autofilter. Every text is a text cell, never a formula."""
        check_range(date_from, date_to)
        gate: DownloadGate = state.download_gate
        ticket = gate.admit(owner_of(request.user))
        async with gate.preparing(request, ticket):
            spool = await batches_workbook(
                gate,
                ticket,
                state.pool,
                request.user,
                date_from,
                date_to,
                lang or language_of(request),
            )
        return GatedStream(
            ticket,
            file_chunks(spool),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": 'attachment; filename="radura-batches.xlsx"'},
        )
