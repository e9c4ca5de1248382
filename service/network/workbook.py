"""The network's figures as an Excel workbook (`GET /api/v1/network/export.xlsx`): a summary
sheet, shipments by market and month, export-ready products per market, and recalls. A few
hundred rows at most (aggregates, not records), so the workbook is built in memory in a worker
thread. Every text is written with `write_string`, so a name that looks like a formula is never
one; headers are in the reader's language."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from schemas.batches import JAKARTA
from schemas.network import NetworkDashboard
from service.console.i18n import translations
from service.core.gettext_marker import N_

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SUMMARY_ROWS = (
    (N_("Producers in the network"), "producers"),
    (N_("Irradiated products"), "irradiated_products"),
    (N_("Batches released this month"), "batches_this_month"),
    (N_("Shipments at home"), "shipments_home"),
    (N_("Shipments abroad"), "shipments_abroad"),
)
SHIPMENT_HEADERS = (N_("Month"), N_("Market"), N_("Unit"), N_("Shipments"), N_("Quantity"))
READY_HEADERS = (N_("Market"), N_("Export-ready products"))
RECALL_HEADERS = (
    N_("Code"),
    N_("Lot"),
    N_("Product"),
    N_("Producer"),
    N_("Recalled at (WIB)"),
    N_("Reason"),
    N_("Customers who received it"),
    N_("Acknowledged"),
    N_("Acknowledged share"),
)


def _table(
    sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]], bold: Any
) -> None:
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
        sheet.set_column(column, column, max(12, len(header) + 2))
    for r, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, column, value)
            else:
                sheet.write_number(r, column, value)
    sheet.freeze_panes(1, 0)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(headers) - 1)


def network_workbook(figures: NetworkDashboard, lang: str) -> bytes:
    """The workbook's bytes: four sheets, headers in `lang`."""
    _ = translations(lang).gettext
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    summary = book.add_worksheet(_("Summary"))
    summary.set_column(0, 0, 34)
    summary.set_column(1, 1, 40)
    summary.write_string(0, 0, _("Network"), bold)
    summary.write_string(0, 1, figures.name)
    summary.write_string(1, 0, _("Month"), bold)
    summary.write_string(1, 1, figures.month)
    for row, (label, field) in enumerate(SUMMARY_ROWS, start=2):
        summary.write_string(row, 0, _(label), bold)
        summary.write_number(row, 1, getattr(figures, field))
    _table(
        book.add_worksheet(_("Shipments")),
        [_(h) for h in SHIPMENT_HEADERS],
        [(m.month, m.market, m.unit, m.shipments, m.quantity) for m in figures.shipments],
        bold,
    )
    _table(
        book.add_worksheet(_("Export markets")),
        [_(h) for h in READY_HEADERS],
        [(e.market, e.products) for e in figures.export_ready],
        bold,
    )
    _table(
        book.add_worksheet(_("Recalls")),
        [_(h) for h in RECALL_HEADERS],
        [
            (
                r.code,
                r.lot,
                r.product_name,
                r.producer_name,
                r.recalled_at.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M"),
                r.reason,
                r.customers,
                r.acknowledged,
                r.acknowledged_share,
            )
            for r in figures.recalls
        ],
        bold,
    )
    book.close()
    return out.getvalue()
