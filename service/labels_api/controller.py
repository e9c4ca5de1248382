"""HTTP endpoints that issue serials and render a batch's labels (SVG, PNG, PDF, CSV)."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from functools import lru_cache
from typing import IO, Annotated, Any, BinaryIO, Literal, TypeVar, cast
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
from schemas.label_issue import LabelIssueRequest, LabelsIssued
from schemas.labels import LabelContent
from service.batches.export_xlsx import XLSX_MEDIA_TYPE, file_chunks, text_workbook
from service.batches.idempotency import IdempotencyKey
from service.console.i18n import language_of, translations
from service.core.auth import AuthUser, roles
from service.core.db import Db, connection
from service.core.errors import Unavailable
from service.core.gettext_marker import N_
from service.labels_api.content import BatchLabel, load_batch_label, serial_uri
from service.labels_api.fitting import (
    fitted_png,
    fitted_svg,
    pdf_file_name,
    refit,
    require_fit,
)
from service.labels_api.render_gate import RenderCancelled, RenderGate, return_freed_memory
from service.labels_api.serials import (
    MAX_LABELS_PER_PDF,
    issue_serials_once,
    iter_serials,
    serials_page,
)

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
# PDFs larger than this spill from memory to a temporary file while they are written (a
# 10 000-label roll is some 30 MB: on disk, not on top of the renderer's own peak)
_PDF_SPOOL_BYTES = 4 * 1024 * 1024

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


async def _render_sheet(request: Request[AuthUser, None, State], render: Callable[[], T]) -> T:
    """Run a sheet's CPU-heavy drawing in a worker thread, within the process's render limits
    (503 past them)."""
    gate: RenderGate = request.app.state.render_gate
    try:
        async with gate.slot(request.user.organization_id):
            return await anyio.to_thread.run_sync(render)
    except RenderCancelled:
        raise Unavailable(
            "server_stopping", "The server stopped during the render; retry shortly."
        ) from None


def _peek(items: Iterable[T]) -> tuple[T, Iterator[T]]:
    """The first item and an iterator over all of them, the first included."""
    iterator = iter(items)
    first = next(iterator)
    return first, itertools.chain((first,), iterator)


async def _file_chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(256 * 1024):
            yield chunk
    finally:
        spool.close()


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

    @post(
        "/{batch_id:uuid}/labels",
        operation_id="issueLabels",
        opt=roles("producer", "admin"),
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
    ) -> Response[str]:
        """The batch label as one sticker of `layout`, in SVG: every mandatory text of BPOM
        3/2018 in Bahasa Indonesia."""
        label = await self._label(request, batch_id)
        svg = await _off_loop(request, fitted_svg, label.content, layout)
        return Response(svg, media_type=SVG, headers=SVG_HEADERS)

    @get("/{batch_id:uuid}/label.png", operation_id="getLabelPng", opt=READERS, media_type=PNG)
    async def label_png(
        self,
        request: Request[AuthUser, None, State],
        batch_id: FromPath[UUID],
        dpi: Dpi = 300,
        layout: LayoutParam = "a4-3x8",
    ) -> Response[bytes]:
        """The batch label as one sticker of `layout`, a PNG at `dpi`."""
        label = await self._label(request, batch_id)
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
    ) -> Stream:
        """A printable sheet or roll: with `copies`, the batch label repeated; otherwise one
        sticker per issued serial in issue order (or one page of batch labels when none are
        issued yet). Every sticker carries everything; a layout that cannot hold it answers 422
        `layout_too_small` with `smallest_fitting_layout`. One PDF holds at most 10 000
        labels: `from` and `count` page through more."""
        label = await self._label(request, batch_id)
        state = request.app.state
        base_url = state.settings.public_base_url
        serials: list[str] = []
        if not copies:
            async with connection(state.pool) as conn:
                serials = await serials_page(conn, batch_id, first, count)

        def render() -> IO[bytes]:
            cells: Iterable[LabelContent]
            if serials:
                uris = ((s, serial_uri(label, s, state.signing_keys, base_url)) for s in serials)
                cells = serial_cells(label.content, uris)
            else:
                repeat = copies or get_layout(layout).cells_per_page
                cells = itertools.repeat(label.content, repeat)
            # every serial URI of a batch has the same length: the first sticker stands for all
            first_cell, cells = _peek(cells)
            require_fit(layout, first_cell, dpi)
            spool = tempfile.SpooledTemporaryFile(max_size=_PDF_SPOOL_BYTES)  # noqa: SIM115
            try:
                refit(
                    layout,
                    first_cell,
                    lambda: render_pdf_to(
                        cast(BinaryIO, spool), gate.checked(cells), layout, dpi=dpi
                    ),
                    dpi,
                )
            except BaseException:
                spool.close()
                raise
            finally:
                return_freed_memory()
            spool.seek(0)
            return spool

        gate: RenderGate = state.render_gate
        spool = await _render_sheet(request, render)
        return Stream(
            _file_chunks(spool),
            media_type=PDF,
            headers={
                "Content-Disposition": (
                    f'attachment; filename="{pdf_file_name(label.ref.code, layout, dpi)}"'
                )
            },
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
            Literal["id", "en"] | None,
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
        base_url = state.settings.public_base_url
        gettext = translations(lang or language_of(request)).gettext

        async def rows() -> AsyncIterator[list[str]]:
            async for serial in iter_serials(state.pool, batch_id):
                yield [serial, serial_uri(label, serial, state.signing_keys, base_url)]

        spool = await text_workbook(
            gettext(N_("Serials")), [gettext(N_("Serial")), gettext(N_("Link"))], [14, 80], rows()
        )
        return Stream(
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
        base_url = state.settings.public_base_url

        async def rows() -> AsyncIterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(["serial", "uri"])
            n = 0
            async for serial in iter_serials(state.pool, batch_id):
                writer.writerow([serial, serial_uri(label, serial, state.signing_keys, base_url)])
                n += 1
                if n % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        return Stream(
            rows(),
            media_type="text/csv",  # Litestar adds "; charset=utf-8" to text/ types
            headers={"Content-Disposition": f'attachment; filename="radura-{label.ref.code}.csv"'},
        )
