"""The trace report of one batch (SPEC §13.1): `GET /api/v1/batches/{id}/trace.xlsx` and `.csv`.

What FDA FSMA 204 asks of a shipper within 24 hours as a sortable spreadsheet, one row per
shipment: the traceability lot code and its source, the product, quantity and unit, where it was
shipped from and to (name, city, country, GLN), when, and the reference document. Cancelled
shipments stay in the list, marked, so the record is whole. The workbook adds a second sheet with
the treatment record: facility, licence, irradiator, dates, the absorbed doses and every
dosimeter. The CSV holds the shipments alone, its text guarded against formulas as the batch
export's is; the workbook writes text as text cells (never a formula) through the same helpers
as `batches.xlsx`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator
from typing import IO, Annotated, Any, Literal
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from schemas.batches import BatchRecord
from service.batches import queries as batch_queries
from service.batches.customers import BUYER_READERS
from service.batches.export.batches_csv import csv_cell
from service.batches.export.batches_xlsx import (
    NUMBER_FORMATS,
    XLSX_MEDIA_TYPE,
    Kind,
    cell_writers,
    file_chunks,
    finished_workbook,
    open_workbook,
)
from service.console.i18n import language_of, translations
from service.core.auth import AuthUser, roles
from service.core.db import Db, connection
from service.core.download_gate import DownloadGate, GatedStream, Ticket, owner_of, pages
from service.core.errors import NotFound
from service.core.gettext_marker import N_

READERS = roles(*BUYER_READERS)

# column → (header msgid, kind of cell, width in characters): the FSMA 204 shipping KDEs
SHIPMENT_COLUMNS: dict[str, tuple[str, Kind, float]] = {
    "traceability_lot_code": (N_("Traceability lot code"), "text", 18),
    "tlc_source": (N_("Lot code assigned by"), "text", 30),
    "batch_code": (N_("Code"), "text", 14),
    "product": (N_("Product"), "text", 30),
    "gtin": (N_("GTIN"), "text", 16),
    "quantity": (N_("Quantity"), "number", 10),
    "unit": (N_("Unit"), "text", 8),
    "ship_from_name": (N_("Shipped from"), "text", 30),
    "ship_from_city": (N_("Shipped from: city"), "text", 18),
    "ship_from_country": (N_("Shipped from: country"), "text", 14),
    "ship_from_gln": (N_("Shipped from: GLN"), "text", 16),
    "ship_to_name": (N_("Shipped to"), "text", 30),
    "ship_to_city": (N_("Shipped to: city"), "text", 18),
    "ship_to_country": (N_("Shipped to: country"), "text", 12),
    "ship_to_gln": (N_("Shipped to: GLN"), "text", 16),
    "ship_date": (N_("Ship date"), "date", 12),
    "shipped_at": (N_("Shipped (WIB)"), "moment", 18),
    "document_no": (N_("Reference document"), "text", 18),
    "market": (N_("Market"), "text", 8),
    "serial_from": (N_("First label position"), "number", 10),
    "serial_to": (N_("Last label position"), "number", 10),
    "status": (N_("Status"), "text", 12),
    "cancelled_at": (N_("Cancelled (WIB)"), "moment", 18),
    "cancel_reason": (N_("Reason for cancelling"), "text", 30),
}
COLUMNS = tuple(SHIPMENT_COLUMNS)

TRACE_QUERY = """
SELECT b.lot AS traceability_lot_code,
       concat_ws(', ', producer.name, producer.city, producer.country) AS tlc_source,
       b.code AS batch_code, p.name AS product, p.gtin, s.quantity, s.unit,
       producer.name AS ship_from_name, producer.city AS ship_from_city,
       producer.country AS ship_from_country, producer.gln AS ship_from_gln,
       c.name AS ship_to_name, c.city AS ship_to_city, c.country AS ship_to_country,
       c.gln AS ship_to_gln,
       (s.shipped_at AT TIME ZONE 'Asia/Jakarta')::date AS ship_date, s.shipped_at,
       s.document_no, s.market, s.serial_from, s.serial_to,
       CASE WHEN s.cancelled_at IS NULL THEN 'shipped' ELSE 'cancelled' END AS status,
       s.cancelled_at, s.cancel_reason,
       s.created_at AS _created_at, s.id AS _id  -- the page's place, never written out
FROM shipments s
JOIN batches b ON b.id = s.batch_id
JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
JOIN organizations producer ON producer.id = b.producer_id
JOIN customers c ON c.id = s.customer_id
WHERE s.batch_id = $1
  AND ($2::timestamptz IS NULL OR (s.shipped_at, s.created_at, s.id) > ($2, $3, $4))
ORDER BY s.shipped_at, s.created_at, s.id
LIMIT $5
"""

SHIPMENTS_SHEET = N_("Shipments")
TREATMENT_SHEET = N_("Treatment record")
DOSIMETER_HEADERS = (
    N_("Dosimeter"),
    N_("Type"),
    N_("Position"),
    N_("Absorbed dose (kGy)"),
    N_("Calibration"),
)

Lang = Annotated[
    Literal["id", "en"] | None,
    QueryParameter(
        description="Language of the headers: Bahasa Indonesia unless `en` is asked for or the "
        "console session's language is English."
    ),
]

# shipments per page: one read on a connection held for it alone, one chunk sent (a batch's
# shipments are hundreds, rarely thousands, but nothing bounds them but its quantity)
PAGE_SHIPMENTS = 500
Page = list[asyncpg.Record]


async def shipment_page(pool: asyncpg.Pool, batch_id: UUID, after: Page) -> Page:
    """The shipments that follow the last of `after` in ship order (the first when empty)."""
    last = after[-1] if after else None
    async with connection(pool) as conn:
        return await conn.fetch(
            TRACE_QUERY,
            batch_id,
            last["shipped_at"] if last else None,
            last["_created_at"] if last else None,
            last["_id"] if last else None,
            PAGE_SHIPMENTS,
        )


def shipment_pages(pool: asyncpg.Pool, batch_id: UUID, first: Page) -> AsyncIterator[Page]:
    """`first`, then each next page, read only when the one before has been used."""
    return pages(first, PAGE_SHIPMENTS, lambda last: shipment_page(pool, batch_id, last))


def file_name(record: BatchRecord, extension: str) -> str:
    return f"radura-trace-{record.code.strip()}.{extension}"


async def _readable_batch(db: asyncpg.Connection, batch_id: UUID, user: AuthUser) -> BatchRecord:
    record = await batch_queries.batch_record(db, batch_id, user)
    if record is None:
        raise NotFound("batch")
    return record


def _treatment_facts(record: BatchRecord) -> list[tuple[str, Kind, Any]]:
    """The treatment record as (label msgid, kind, value) rows; a value may be None."""
    t = record.treatment
    receipt = record.receipt
    rows: list[tuple[str, Kind, Any]] = [
        (N_("Code"), "text", record.code.strip()),
        (N_("Traceability lot code"), "text", record.lot),
        (N_("Product"), "text", record.product.name),
        (N_("GTIN"), "text", record.product.gtin),
        (N_("Purpose of irradiation"), "text", record.product.purpose),
        (N_("Producer"), "text", record.producer.name),
        (N_("Facility"), "text", record.facility.name),
        (N_("Production date"), "date", record.production_date),
        (N_("Quantity"), "number", record.quantity),
        (N_("Unit"), "text", record.unit),
        (N_("Received (WIB)"), "moment", receipt.received_at if receipt else None),
        (N_("Quantity received"), "number", receipt.quantity_received if receipt else None),
    ]
    if t is not None:
        rows += [
            (N_("BAPETEN licence"), "text", t.facility_licence_no),
            (N_("Irradiator"), "text", t.irradiator.name),
            (N_("Radiation source"), "text", t.irradiator.source_type),
            (N_("Irradiation run"), "text", t.run_id),
            (N_("Irradiation started (WIB)"), "moment", t.started_at),
            (N_("Irradiation ended (WIB)"), "moment", t.ended_at),
            (N_("Product temperature (°C)"), "number", t.product_temp_c),
            (N_("Dose map"), "text", t.dose_map.name if t.dose_map else None),
            (N_("Expanded uncertainty (%)"), "number", t.expanded_uncertainty_pct),
            (N_("Minimum absorbed dose (kGy)"), "dose", t.dose_min_kgy),
            (N_("Maximum absorbed dose (kGy)"), "dose", t.dose_max_kgy),
            (N_("Dose uniformity ratio (DUR)"), "ratio", t.dur),
            (N_("Validated minimum dose (kGy)"), "dose", t.product_min_dose_kgy),
            (N_("Maximum absorbed dose allowed (kGy)"), "dose", t.legal_max_dose_kgy),
            (N_("Conforming"), "boolean", t.conforming),
        ]
    release = record.release
    rows += [
        (N_("QA officer"), "text", release.by.name if release else None),
        (N_("Released (WIB)"), "moment", release.at if release else None),
        (N_("Best before"), "date", record.best_before),
        (N_("Status"), "text", record.status),
        (N_("Recalled (WIB)"), "moment", record.recall.at if record.recall else None),
        (N_("Recall reason"), "text", record.recall.reason if record.recall else None),
    ]
    return rows


def _write_treatment_sheet(
    sheet: Worksheet,
    record: BatchRecord,
    formats: dict[Kind, Format],
    header: Format,
    gettext: Any,
) -> None:
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 4, 16)
    row = 0
    for msgid, kind, value in _treatment_facts(record):
        sheet.write_string(row, 0, gettext(msgid), header)
        if value is not None:
            cell_writers(sheet, formats, [kind])[0](row, 1, value)
        row += 1
    if record.treatment is None:
        return
    row += 1
    for col, msgid in enumerate(DOSIMETER_HEADERS):
        sheet.write_string(row, col, gettext(msgid), header)
    writers = cell_writers(sheet, formats, ["text", "text", "text", "dose", "text"])
    for dosimeter in record.treatment.dosimeters:
        row += 1
        values = (
            dosimeter.dosimeter_id,
            dosimeter.type,
            dosimeter.position,
            dosimeter.dose_kgy,
            dosimeter.calibration_ref,
        )
        for col, (write, value) in enumerate(zip(writers, values, strict=True)):
            if value is not None:
                write(row, col, value)


def _write_shipments(ticket: Ticket, writers: list[Any], first_row: int, page: Page) -> None:
    for row, shipment in enumerate(ticket.checked(page), start=first_row):
        for col, (column, write) in enumerate(zip(COLUMNS, writers, strict=True)):
            value = shipment[column]
            if value is not None:
                write(row, col, value.strip() if column == "batch_code" else value)


async def trace_xlsx(
    gate: DownloadGate, ticket: Ticket, pool: asyncpg.Pool, record: BatchRecord, lang: str
) -> IO[bytes]:
    """The two-sheet workbook as an open, already unlinked temporary file at its start; the
    cells of each page of shipments written in the downloads' worker thread."""
    gettext = translations(lang).gettext
    work = tempfile.TemporaryDirectory(prefix="radura-trace-")
    try:
        path = os.path.join(work.name, "trace.xlsx")
        book = open_workbook(path, work.name)
        formats: dict[Kind, Format] = {
            kind: book.add_format({"num_format": pattern})
            for kind, pattern in NUMBER_FORMATS.items()
        }
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        # constant-memory mode writes rows in order, sheet by sheet: shipments first
        sheet = book.add_worksheet(gettext(SHIPMENTS_SHEET))
        for col, (msgid, _kind, width) in enumerate(SHIPMENT_COLUMNS.values()):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, gettext(msgid), header)
        sheet.freeze_panes(1, 0)
        writers = cell_writers(sheet, formats, [kind for _m, kind, _w in SHIPMENT_COLUMNS.values()])
        rows = 0
        first = await shipment_page(pool, record.id, [])
        async for page in shipment_pages(pool, record.id, first):
            await gate.run(ticket, _write_shipments, ticket, writers, rows + 1, page)
            rows += len(page)
        sheet.autofilter(0, 0, rows, len(COLUMNS) - 1)
        treatment = book.add_worksheet(gettext(TREATMENT_SHEET))
        _write_treatment_sheet(treatment, record, formats, header, gettext)
        return await finished_workbook(book, path)
    finally:
        work.cleanup()  # the open handle keeps the file readable; the name is gone


CSV_HEADER = ",".join(COLUMNS) + "\r\n"


def _csv_text(ticket: Ticket, page: Page) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for shipment in ticket.checked(page):
        values = dict(shipment)
        values["batch_code"] = values["batch_code"].strip()
        if float(values["quantity"]).is_integer():  # 30 packs, not 30.0
            values["quantity"] = int(values["quantity"])
        writer.writerow([csv_cell(values[column]) for column in COLUMNS])
    return buffer.getvalue()


async def trace_csv_chunks(
    gate: DownloadGate, ticket: Ticket, pool: asyncpg.Pool, batch_id: UUID, first: Page
) -> AsyncIterator[str]:
    """The shipments as CSV, the header first, then a page at a time."""
    yield CSV_HEADER
    async for page in shipment_pages(pool, batch_id, first):
        yield await gate.run(ticket, _csv_text, ticket, page)


class TraceController(Controller):
    path = "/api/v1/batches"
    tags = ["shipments"]

    @get(
        "/{batch_id:uuid}/trace.xlsx",
        operation_id="getTraceXlsx",
        opt=READERS,
        media_type=XLSX_MEDIA_TYPE,
    )
    async def trace_workbook(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        batch_id: FromPath[UUID],
        lang: Lang = None,
    ) -> Stream:
        """Where the batch went, as FSMA 204 asks at shipping: one sortable row per shipment
        (traceability lot code and its source, product, quantity and unit, shipped from and to
        with name, city, country and GLN, ship date and time in WIB, reference document,
        market, label positions, cancelled ones marked), and a second sheet with the treatment
        record and every dosimeter. Text cells are never formulas."""
        record = await _readable_batch(db, batch_id, request.user)
        state = request.app.state
        gate: DownloadGate = state.download_gate
        ticket = gate.admit(owner_of(request.user))
        async with gate.preparing(request, ticket):
            spool = await trace_xlsx(gate, ticket, state.pool, record, lang or language_of(request))
        disposition = f'attachment; filename="{file_name(record, "xlsx")}"'
        return GatedStream(
            ticket,
            file_chunks(spool),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": disposition},
        )

    @get(
        "/{batch_id:uuid}/trace.csv",
        operation_id="getTraceCsv",
        opt=READERS,
        media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types
    )
    async def trace_csv(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        state: State,
        batch_id: FromPath[UUID],
    ) -> Stream:
        """The shipments of the trace report as CSV (one row each, the workbook's first sheet):
        times in Asia/Jakarta with their offset, text that a spreadsheet would run as a formula
        prefixed with an apostrophe."""
        record = await _readable_batch(db, batch_id, request.user)
        disposition = f'attachment; filename="{file_name(record, "csv")}"'
        gate: DownloadGate = state.download_gate
        ticket = gate.admit(owner_of(request.user))
        # the first page before the answer starts: a database that does not answer is a 503
        async with gate.preparing(request, ticket):
            first = await shipment_page(state.pool, record.id, [])
        return GatedStream(
            ticket,
            trace_csv_chunks(gate, ticket, state.pool, record.id, first),
            media_type="text/csv",
            headers={"Content-Disposition": disposition},
        )
