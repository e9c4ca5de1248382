"""HTTP endpoints that issue serials and render a batch's labels (SVG, PNG, PDF, CSV)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from labels.layouts import get_layout
from labels.pdf import render_pdf_to, serial_cells
from labels.png import qr_png
from labels.svg import qr_svg
from schemas.common import Lang
from schemas.label_issue import LabelIssueRequest, LabelsIssued
from schemas.labels import LabelContent
from schemas.markets import Language, MarketCode
from service.batches import actions
from service.batches.export.batches_xlsx import (
    XLSX_MEDIA_TYPE,
    TextSheet,
    file_chunks,
)
from service.batches.idempotency import IdempotencyKey
from service.batches.labelling.content import BatchLabel, load_batch_label, serial_uri
from service.batches.labelling.fitting import (
    fitted_png,
    fitted_svg,
    pdf_file_name,
    refit,
    require_fit,
)
from service.batches.labelling.market_words import label_for_market
from service.batches.labelling.serials import (
    MAX_LABELS_PER_PDF,
    issue_serials_once,
    serials_page,
)
from service.console.i18n import language_of, translations
from service.core.auth import AuthUser, roles
from service.core.db import Db, connection
from service.core.download_gate import DownloadGate, GatedStream, owner_of
from service.core.gettext_marker import N_
from service.labels_api import serial_downloads
from service.labels_api.render_gate import RenderGate, return_freed_memory
from service.labels_api.sheet_stream import SheetSpool, start_sheet

# every layout of labels.layouts, in its order (a unit test holds them equal)
Layout = Literal[
    "a4-3x8", "a4-2x5", "thermal-80x50", "thermal-58x40", "thermal-50x30", "thermal-40x30"
]
LayoutParam = Annotated[
    Layout,
    QueryParameter(
        description=(
            "The sheet or roll. Every sticker carries everything: a layout whose stickers "
            "cannot hold this batch's label answers 422 `layout_too_small` with "
            "`smallest_fitting_layout`."
        )
    ),
]
PrinterDpi = Annotated[
    Literal[203, 300],
    QueryParameter(
        description=(
            "The roll printer's resolution: QR modules are whole printer dots (4 at 203 dpi, "
            "0.5 mm). A4 sheets ignore it."
        )
    ),
]
Dpi = Annotated[int, QueryParameter(ge=72, le=1200, description="Resolution of the PNG.")]
Copies = Annotated[
    int | None,
    QueryParameter(
        ge=1, le=MAX_LABELS_PER_PDF, description="Repeat the batch label this many times."
    ),
]
FirstSerial = Annotated[
    int,
    QueryParameter(
        query="from", ge=0, description="Skip this many serials (in issue order) first."
    ),
]
SerialCount = Annotated[
    int | None,
    QueryParameter(
        ge=1,
        le=MAX_LABELS_PER_PDF,
        description="How many serials from `from` (at most 10 000; all of them by default).",
    ),
]
MarketParam = Annotated[
    MarketCode | None,
    QueryParameter(
        pattern=r"^[A-Z]{2,3}$",
        description=(
            "An export market (`US`, `CN`, `EU`; a union's member country stands for the "
            "union): every sticker carries that market's statutory words next to the product "
            "name, as its table gives them. 422 `market_unknown` for a market the table does "
            "not know, `market_not_permitted` (with every failed rule) when the batch may not "
            "go there; `ID` prints the home label."
        ),
    ),
]
LabelLanguageParam = Annotated[
    Language | None,
    QueryParameter(
        pattern=r"^[a-z]{2}$",
        description=(
            "The language of the market's words (ISO 639-1): for the EU the buyer country's "
            "(422 `market_language_needed` without it); elsewhere the market's own by default "
            "(`en` for the US, `zh` for China). Words the table lacks for it: 422 "
            "`market_words_missing` (the table holds English and Chinese); without `market`, "
            "422 `market_needed`."
        ),
    ),
]
SVG = "image/svg+xml"
# An SVG opened on its own is a document that could run script or load from elsewhere: like the
# HTML pages, it may load nothing, run nothing and is never sniffed as anything else.
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}
PNG = "image/png"
PDF = "application/pdf"
# a deterministic label is rendered once per process; the signature is deterministic too
_CACHE_SIZE = 256

READERS = roles("producer", "regulator", "admin")
T = TypeVar("T")


@lru_cache(maxsize=_CACHE_SIZE)
def _qr_svg(uri: str) -> str:
    return qr_svg(uri)


@lru_cache(maxsize=_CACHE_SIZE)
def _qr_png(uri: str, dpi: int) -> bytes:
    return qr_png(uri, dpi=dpi)


async def _off_loop(
    request: Request[AuthUser, None, State], render: Callable[..., T], *args: Any
) -> T:
    """Draw one label (an SVG or PNG: milliseconds) in a worker thread, a few at a time per
    process."""
    gate: RenderGate = request.app.state.render_gate
    return await anyio.to_thread.run_sync(render, *args, limiter=gate.single_labels)


def _peek(items: Iterable[T]) -> tuple[T, Iterator[T]]:
    """The first item and an iterator over all of them, the first included."""
    iterator = iter(items)
    first = next(iterator)
    return first, itertools.chain((first,), iterator)


class LabelsController(Controller):
    path = "/api/v1/batches"
    tags = ["labels"]

    async def _label(self, request: Request[AuthUser, None, State], batch_id: UUID) -> BatchLabel:
        """The batch's label, read on a connection held only for the read: none is ever kept
        across the CPU work of a render."""
        state = request.app.state
        async with connection(state.pool) as conn:
            return await load_batch_label(
                conn, batch_id, request.user, state.signing_keys, state.settings.public_base_url
            )

    async def _market_label(
        self,
        request: Request[AuthUser, None, State],
        batch_id: UUID,
        market: str | None,
        lang: str | None,
    ) -> tuple[BatchLabel, str | None]:
        """The batch's label with the words of `market`, if one is named, and the market's
        code (see `label_for_market`)."""
        label = await self._label(request, batch_id)
        if market is None and lang is None:
            return label, None
        async with connection(request.app.state.pool) as conn:
            return await label_for_market(conn, label, market, lang)

    @post(
        "/{batch_id:uuid}/labels",
        operation_id="issueLabels",
        opt=actions.route_roles("labels"),
        status_code=201,
    )
    async def issue_labels(
        self,
        db: Db,
        request: Request[AuthUser, None, State],
        batch_id: FromPath[UUID],
        data: JSONBody[LabelIssueRequest],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[LabelsIssued]:
        """Issue `count` new serials (1–100 000) for a released batch; each gets its own signed
        QR. A batch has at most its quantity plus a tenth for pieces, and 1 000 000 in any case
        (422 `serial_limit`). With an `Idempotency-Key` a retry returns the first answer and
        issues nothing."""
        issued, _ = await issue_serials_once(
            db, request.user, batch_id, data.count, idempotency_key
        )
        return Response(issued, status_code=201)

    @get("/{batch_id:uuid}/label.svg", operation_id="getLabelSvg", opt=READERS, media_type=SVG)
    async def label_svg(
        self,
        request: Request[AuthUser, None, State],
        batch_id: FromPath[UUID],
        layout: LayoutParam = "a4-3x8",
        market: MarketParam = None,
        lang: LabelLanguageParam = None,
    ) -> Response[str]:
        """The batch label as one sticker of `layout`, in SVG: every mandatory text of BPOM
        3/2018 in Bahasa Indonesia; with `market` (and `lang`) also that export market's
        statutory words, refused as for `getLabelsPdf`. The SVG names its fonts rather than
        carrying them: words in Chinese need a CJK font where it is opened (the PDF and PNG
        carry theirs)."""
        label, _ = await self._market_label(request, batch_id, market, lang)
        svg = await _off_loop(request, fitted_svg, label.content, layout)
        return Response(svg, media_type=SVG, headers=SVG_HEADERS)

    @get("/{batch_id:uuid}/label.png", operation_id="getLabelPng", opt=READERS, media_type=PNG)
    async def label_png(
        self,
        request: Request[AuthUser, None, State],
        batch_id: FromPath[UUID],
        dpi: Dpi = 300,
        layout: LayoutParam = "a4-3x8",
        market: MarketParam = None,
        lang: LabelLanguageParam = None,
    ) -> Response[bytes]:
        """The batch label as one sticker of `layout`, a PNG at `dpi`; with `market` (and
        `lang`) also that export market's statutory words, refused as for `getLabelsPdf`."""
        label, _ = await self._market_label(request, batch_id, market, lang)
        png = await _off_loop(request, fitted_png, label.content, dpi, layout)
        return Response(png, media_type=PNG)

    @get("/{batch_id:uuid}/qr.svg", operation_id="getQrSvg", opt=READERS, media_type=SVG)
    async def qr_svg(
        self, request: Request[AuthUser, None, State], batch_id: FromPath[UUID]
    ) -> Response[str]:
        """The bare QR code of the batch label (error correction M, quiet zone 4)."""
        label = await self._label(request, batch_id)
        svg = await _off_loop(request, _qr_svg, label.content.uri)
        return Response(svg, media_type=SVG, headers=SVG_HEADERS)

    @get("/{batch_id:uuid}/qr.png", operation_id="getQrPng", opt=READERS, media_type=PNG)
    async def qr_png(
        self,
        request: Request[AuthUser, None, State],
        batch_id: FromPath[UUID],
        dpi: Dpi = 300,
    ) -> Response[bytes]:
        """The bare QR code as PNG at `dpi` (0.4 mm modules)."""
        label = await self._label(request, batch_id)
        png = await _off_loop(request, _qr_png, label.content.uri, dpi)
        return Response(png, media_type=PNG)

    @get("/{batch_id:uuid}/labels.pdf", operation_id="getLabelsPdf", opt=READERS, media_type=PDF)
    async def labels_pdf(
        self,
        request: Request[AuthUser, None, State],
        batch_id: FromPath[UUID],
        layout: LayoutParam = "a4-3x8",
        dpi: PrinterDpi = 203,
        copies: Copies = None,
        first: FirstSerial = 0,
        count: SerialCount = None,
        market: MarketParam = None,
        lang: LabelLanguageParam = None,
    ) -> Stream:
        """A printable sheet or roll: with `copies`, the batch label repeated; otherwise one
        sticker per issued serial in issue order (or one page of batch labels when none are
        issued yet). Every sticker carries everything; a layout that cannot hold it answers 422
        `layout_too_small` with `smallest_fitting_layout`. One PDF holds at most 10 000
        labels: `from` and `count` page through more. With `market` (and `lang`), every
        sticker also carries that export market's statutory words."""
        label, market_code = await self._market_label(request, batch_id, market, lang)
        state = request.app.state
        gate: RenderGate = state.render_gate
        base_url = state.settings.public_base_url
        serials: list[str] = []
        if not copies:
            async with connection(state.pool) as conn:
                serials = await serials_page(conn, batch_id, first, count)
        cells: Iterable[LabelContent]
        labels = len(serials) or copies or get_layout(layout).cells_per_page
        if serials:
            uris = ((s, serial_uri(label, s, state.signing_keys, base_url)) for s in serials)
            cells = serial_cells(label.content, uris)
        else:
            cells = itertools.repeat(label.content, copies or get_layout(layout).cells_per_page)
        # every serial URI of a batch has the same length: the first sticker stands for all,
        # checked before the response starts so that a layout too small is still a 422
        first_cell, cells = _peek(cells)
        await _off_loop(request, require_fit, layout, first_cell, dpi)

        def render(spool: SheetSpool) -> None:
            """Draw the sheet into `spool` page by page, until done or the download ends."""
            checked = spool.checked(gate.checked(cells))
            try:
                refit(
                    layout,
                    first_cell,
                    lambda: render_pdf_to(spool, checked, layout, dpi=dpi),
                    dpi,
                )
            finally:
                return_freed_memory()

        spool = await start_sheet(gate, request.user.organization_id, labels, render)
        file_name = pdf_file_name(label.ref.code, layout, dpi, market_code)
        return Stream(
            spool.chunks(),
            media_type=PDF,
            headers={"Content-Disposition": (f'attachment; filename="{file_name}"')},
        )

    @get(
        "/{batch_id:uuid}/labels.xlsx",
        operation_id="getLabelsXlsx",
        opt=READERS,
        media_type=XLSX_MEDIA_TYPE,
    )
    async def labels_xlsx(
        self,
        request: Request[AuthUser, None, State],
        batch_id: FromPath[UUID],
        lang: Annotated[
            Lang | None,
            QueryParameter(
                description="Language of the headers: Bahasa Indonesia unless `en` is asked "
                "for or the console session's language is English."
            ),
        ] = None,
    ) -> Stream:
        """The rows of `getLabelsCsv` as an Excel workbook: every serial and its signed URI as
        text cells, under a frozen header row with an autofilter."""
        label = await self._label(request, batch_id)
        state = request.app.state
        gettext = translations(lang or language_of(request)).gettext
        links = serial_downloads.Links(label, state.signing_keys, state.settings.public_base_url)

        def new_sheet() -> TextSheet:
            return TextSheet(
                gettext(N_("Serials")), [gettext(N_("Serial")), gettext(N_("Link"))], [14, 80]
            )

        gate: DownloadGate = state.download_gate
        ticket = gate.admit(owner_of(request.user))
        async with gate.preparing(request, ticket):
            spool = await serial_downloads.workbook(
                gate, ticket, state.pool, batch_id, links, new_sheet
            )
        return GatedStream(
            ticket,
            file_chunks(spool),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="radura-{label.ref.code}.xlsx"'},
        )

    @get(
        "/{batch_id:uuid}/labels.csv",
        operation_id="getLabelsCsv",
        opt=READERS,
        media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types
    )
    async def labels_csv(
        self, request: Request[AuthUser, None, State], batch_id: FromPath[UUID]
    ) -> Stream:
        """Every issued serial with its signed URI (`serial,uri`), for a print shop."""
        label = await self._label(request, batch_id)
        state = request.app.state
        links = serial_downloads.Links(label, state.signing_keys, state.settings.public_base_url)
        gate: DownloadGate = state.download_gate
        ticket = gate.admit(owner_of(request.user))
        # the first page before the answer starts: a database that does not answer is a 503
        async with gate.preparing(request, ticket):
            first = await serial_downloads.serial_page(state.pool, batch_id, [])
        return GatedStream(
            ticket,
            serial_downloads.csv_chunks(gate, ticket, state.pool, batch_id, links, first),
            media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types
            headers={"Content-Disposition": f'attachment; filename="radura-{label.ref.code}.csv"'},
        )
