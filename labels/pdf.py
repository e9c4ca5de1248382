"""PDF sheets of labels (reportlab), fast enough for 100 000 serials.

What makes it fast: everything a batch's labels share (text, Radura symbol) is drawn once
into a PDF form XObject and placed per cell with one `Do`; the QR of each cell is a single
filled path of merged horizontal runs in module units (one `cm` scales it), written as raw
operators; only the code line is set as text per cell.
"""

from __future__ import annotations

import datetime
import io
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import msgspec
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas

from labels.codes import readable_code
from labels.compose import LabelGeometry, TextLine, code_line, compose_label
from labels.layouts import DEFAULT_DPI, PageLayout, check_dpi, get_layout
from labels.pdf_metadata import describe
from labels.qr import QUIET_ZONE_MODULES, QrMatrix, qr_matrix
from labels.radura_symbol import pdf_path_ops
from labels.typography import MM_PER_PT, PDF_FONT_NAMES, register_pdf_fonts
from labels.wording import Lang, phrase
from schemas.labels import LabelContent

PT_PER_MM = 1 / MM_PER_PT

# Binary (Flate only) streams: ASCII85 on top costs a pure-Python pass over every byte and
# makes the file 25 % larger. reportlab reads this flag when it writes the file.
rl_config.useA85 = 0


def serial_cells(base: LabelContent, serials: Iterable[tuple[str, str]]) -> Iterator[LabelContent]:
    """One cell per (serial, uri) pair, everything else as in the batch label `base`."""
    for serial, uri in serials:
        yield msgspec.structs.replace(base, serial=serial, uri=uri)


def _qr_ops(matrix: QrMatrix, x_pt: float, y_top_pt: float, module_pt: float) -> str:
    runs = " ".join(f"{col} {row} {length} 1 re" for row, col, length in matrix.dark_runs())
    # Flip y in the matrix so rows count downwards from the top edge, in module units.
    return f"q 0 g {module_pt:.5f} 0 0 {-module_pt:.5f} {x_pt:.3f} {y_top_pt:.3f} cm {runs} f Q"


class _SheetWriter:
    """Places labels cell by cell, page by page, on one reportlab canvas."""

    def __init__(
        self,
        stream: BinaryIO,
        layout: PageLayout,
        lang: Lang,
        created_at: datetime.datetime | None = None,
        dpi: int = DEFAULT_DPI,
    ) -> None:
        register_pdf_fonts()
        self.stream = stream
        self.layout = layout
        self.lang = lang
        self.dpi = dpi
        self.canvas = Canvas(
            stream,
            pagesize=(layout.page_width_mm * PT_PER_MM, layout.page_height_mm * PT_PER_MM),
            pageCompression=1,
            invariant=1,  # no timestamps or random ids: the same labels give the same bytes
        )
        self.created_at = created_at
        self.slot = 0
        self.pages = 0
        # id(geometry) -> (geometry, form name); the geometry is kept so its id stays unique.
        self.forms: dict[int, tuple[LabelGeometry, str]] = {}

    def _draw_text(self, line: TextLine, height_mm: float) -> None:
        self.canvas.setFont(PDF_FONT_NAMES[line.bold], line.size_pt)
        self.canvas.drawString(
            line.left_mm * PT_PER_MM, (height_mm - line.baseline_mm) * PT_PER_MM, line.text
        )

    def _form(self, geometry: LabelGeometry) -> str:
        """The form of what every sticker of this geometry shares: the symbol and the texts."""
        known = self.forms.get(id(geometry))
        if known is not None:
            return known[1]
        spec = geometry.spec
        name = f"RaduraLabel{len(self.forms)}"
        self.canvas.beginForm(name, 0, 0, spec.width_mm * PT_PER_MM, spec.height_mm * PT_PER_MM)
        symbol = geometry.symbol
        self.canvas.addLiteral(
            "0 g\n"
            + pdf_path_ops(
                symbol.x_mm * PT_PER_MM,
                (spec.height_mm - symbol.y_mm) * PT_PER_MM,
                symbol.size_mm * PT_PER_MM,
            )
        )
        for line in geometry.lines:
            self._draw_text(line, spec.height_mm)
        self.canvas.endForm()
        self.forms[id(geometry)] = (geometry, name)
        return name

    def _show_page(self) -> None:
        self.canvas.showPage()
        _compress_last_page(self.canvas)

    def _next_slot(self) -> int:
        """The next free cell of the page, starting a page when one is full."""
        if self.slot == self.layout.cells_per_page:
            self._show_page()
            self.pages += 1
            self.slot = 0
        self.slot += 1
        return self.slot - 1

    def _sticker(
        self, slot: int, geometry: LabelGeometry, content: LabelContent, matrix: QrMatrix
    ) -> None:
        x_mm, top_mm = self.layout.cell_origin_mm(slot)
        bottom_mm = self.layout.page_height_mm - top_mm - self.layout.label.height_mm
        canvas = self.canvas
        canvas.saveState()
        canvas.translate(x_mm * PT_PER_MM, bottom_mm * PT_PER_MM)
        canvas.doForm(self._form(geometry))
        origin_mm = QUIET_ZONE_MODULES * geometry.module_mm
        canvas.addLiteral(
            _qr_ops(
                matrix,
                (geometry.qr.x_mm + origin_mm) * PT_PER_MM,
                (geometry.spec.height_mm - geometry.qr.y_mm - origin_mm) * PT_PER_MM,
                geometry.module_mm * PT_PER_MM,
            )
        )
        self._draw_text(code_line(geometry, content), geometry.spec.height_mm)
        canvas.restoreState()

    def add(self, content: LabelContent) -> None:
        if self.slot == 0 and self.pages == 0:  # the first label names the document
            describe(
                self.canvas,
                title=f"Label Radura: {content.product_name} ({readable_code(content.code)})",
                author=content.producer_name,
                subject=f"{phrase('irradiated_food', self.lang)} · {content.lot}",
                created_at=self.created_at,
            )
        matrix = qr_matrix(content.uri)
        slot = self._next_slot()
        spec = self.layout.label_at(slot, self.dpi)
        geometry = compose_label(content, spec, matrix.size, self.lang)
        self._sticker(slot, geometry, content, matrix)

    def close(self) -> None:
        self._show_page()
        _direct_output.stream = self.stream
        try:
            self.canvas.save()
        finally:
            _direct_output.stream = None


class _DirectPDFFile(pdfdoc.PDFFile):
    """reportlab's output collector, writing each formatted object straight to the stream a
    sheet is being saved to instead of joining the whole file in memory first (which doubled a
    large roll's peak at save). Only for saves this module starts (`_direct_output`); any other
    reportlab user in the process gets the plain collector."""

    def __init__(self, pdfVersion: tuple[int, int] = pdfdoc.PDF_VERSION_DEFAULT) -> None:
        super().__init__(pdfVersion)
        stream = getattr(_direct_output, "stream", None)
        if stream is not None:
            for header in self.strings:
                stream.write(header)
            self.strings: list[bytes] = []
            self.write = stream.write  # format() then returns b"", which save() writes


_direct_output = threading.local()
# reportlab looks the collector's class up by name at each save
pdfdoc.PDFFile = _DirectPDFFile


def _compress_last_page(canvas: Canvas) -> None:
    """Deflate the page just finished now rather than when the file is saved.

    reportlab keeps every page's operators as text until `save()`, several kB a label.
    Compressed straight away a page takes a tenth of that, and the file's bytes do not change
    (the same zlib call and /Filter; reportlab leaves a stream that has a /Filter alone).
    """
    page = canvas._doc.Pages.pages[-1]
    text = page.stream
    stream = PDFStream(
        content=zlib.compress(text.encode("utf8") if isinstance(text, str) else text)
    )
    stream.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
    stream.__Comment__ = "page stream"
    page.Contents = stream
    page.stream = None


def render_pdf_to(
    stream: BinaryIO,
    cells: Iterable[LabelContent],
    layout: str | PageLayout,
    progress: Callable[[int], None] | None = None,
    lang: Lang = "id",
    created_at: datetime.datetime | None = None,
    dpi: int = DEFAULT_DPI,
) -> int:
    """Write a PDF of `cells` (one sticker each, in order) to `stream`; return the cell count.

    `progress(done)` is called after every page and at the end. On a roll, QR modules are
    whole dots of a `dpi` printer (203 or 300). A sticker that cannot hold everything raises
    `LabelFitError` (check first with `labels.fit.fits`). The document information names the
    first label's product and producer, and `created_at` (default: now).
    """
    page_layout = layout if isinstance(layout, PageLayout) else get_layout(layout)
    writer = _SheetWriter(stream, page_layout, lang, created_at, check_dpi(dpi))
    done = 0
    for content in cells:
        page_before = writer.pages
        writer.add(content)
        done += 1
        if progress is not None and writer.pages != page_before:
            progress(done)
    writer.close()
    if progress is not None:
        progress(done)
    return done


def render_pdf(
    cells: Iterable[LabelContent],
    layout: str | PageLayout,
    progress: Callable[[int], None] | None = None,
    lang: Lang = "id",
    created_at: datetime.datetime | None = None,
    dpi: int = DEFAULT_DPI,
) -> bytes:
    """The PDF of `cells` as bytes; see `render_pdf_to`."""
    buffer = io.BytesIO()
    render_pdf_to(buffer, cells, layout, progress, lang, created_at, dpi)
    return buffer.getvalue()
