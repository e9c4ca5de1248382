"""PDF sheets of labels, written page by page as they are made (`labels.pdf_writer`).

What makes it fast: everything a batch's stickers share (texts, Radura symbol) is drawn once
per sticker layout into a PDF form XObject and placed per cell with one `Do`; the QR of each
cell is a 1-bit image mask of its modules (a byte per 8 modules) scaled to the module size,
encoded by zxing-cpp (`labels.qr_bulk`); only the code line is set as text per cell. A page
goes to the output as soon as its last cell is drawn, so a reader (a browser, a printer spool)
gets the first page at once, and memory holds one page however long the sheet.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Iterator

import msgspec

from labels.codes import readable_code
from labels.compose import LabelGeometry, TextLine, code_line, compose_label
from labels.layouts import DEFAULT_DPI, PageLayout, check_dpi, get_layout
from labels.pdf_writer import ByteSink, PdfWriter
from labels.qr import QUIET_ZONE_MODULES, QrMatrix, qr_matrix
from labels.qr_bulk import bulk_matrix
from labels.radura_symbol import pdf_path_ops
from labels.typography import MM_PER_PT
from labels.wording import Lang, phrase
from schemas.labels import LabelContent

PT_PER_MM = 1 / MM_PER_PT


def serial_cells(base: LabelContent, serials: Iterable[tuple[str, str]]) -> Iterator[LabelContent]:
    """One cell per (serial, uri) pair, everything else as in the batch label `base`."""
    for serial, uri in serials:
        yield msgspec.structs.replace(base, serial=serial, uri=uri)


def qr_mask_rows(matrix: QrMatrix) -> bytes:
    """The modules as a 1-bit image, rows from the top, 1 = dark, each row padded to a byte."""
    n = matrix.size
    modules = format(matrix.bits, f"0{n * n}b")[::-1]  # character row * n + col
    pad = "0" * (-n % 8)
    rows = pad.join(modules[row * n : (row + 1) * n] for row in range(n)) + pad
    return int(rows, 2).to_bytes(len(rows) // 8, "big")


class _SheetWriter:
    """Places labels cell by cell on pages written as each fills."""

    def __init__(
        self,
        stream: ByteSink,
        layout: PageLayout,
        lang: Lang,
        created_at: datetime.datetime | None = None,
        dpi: int = DEFAULT_DPI,
    ) -> None:
        self.pdf = PdfWriter(
            stream, layout.page_width_mm * PT_PER_MM, layout.page_height_mm * PT_PER_MM
        )
        self.layout = layout
        self.lang = lang
        self.dpi = dpi
        self.created_at = created_at
        self.info: dict[str, str] | None = None
        self.cells: list[str] = []  # the operators of the page being filled
        self.images: list[int] = []
        # id(geometry) -> (geometry, form name); the geometry is kept so its id stays unique.
        self.forms: dict[int, tuple[LabelGeometry, str]] = {}
        self.version: int | None = None  # the first URI's QR version, every URI's of a batch
        self.last: tuple[str, QrMatrix, bytes] | None = None  # copies repeat one URI

    @property
    def pages(self) -> int:
        return self.pdf.page_count

    def _text(self, line: TextLine, height_mm: float) -> str:
        return self.pdf.text(
            line.bold,
            line.size_pt,
            line.left_mm * PT_PER_MM,
            (height_mm - line.baseline_mm) * PT_PER_MM,
            line.text,
        )

    def _form(self, geometry: LabelGeometry) -> str:
        """The form of what every sticker of this geometry shares: the symbol and the texts."""
        known = self.forms.get(id(geometry))
        if known is not None:
            return known[1]
        spec = geometry.spec
        symbol = geometry.symbol
        ops = [
            "0 g",
            pdf_path_ops(
                symbol.x_mm * PT_PER_MM,
                (spec.height_mm - symbol.y_mm) * PT_PER_MM,
                symbol.size_mm * PT_PER_MM,
            ),
        ]
        ops += [self._text(line, spec.height_mm) for line in geometry.lines]
        name = self.pdf.form(
            f"L{len(self.forms)}",
            spec.width_mm * PT_PER_MM,
            spec.height_mm * PT_PER_MM,
            "\n".join(ops),
        )
        self.forms[id(geometry)] = (geometry, name)
        return name

    def _qr(self, uri: str) -> tuple[QrMatrix, bytes]:
        if self.last is not None and self.last[0] == uri:
            return self.last[1], self.last[2]
        if self.version is None:
            self.version = qr_matrix(uri).version
        matrix = bulk_matrix(uri, self.version)
        rows = qr_mask_rows(matrix)
        self.last = (uri, matrix, rows)
        return matrix, rows

    def add(self, content: LabelContent) -> None:
        if self.info is None:  # the first label names the document
            self.info = {
                "Title": f"Label Radura: {content.product_name} ({readable_code(content.code)})",
                "Author": content.producer_name,
                "Subject": f"{phrase('irradiated_food', self.lang)} · {content.lot}",
                "Creator": "Radura",
            }
        matrix, rows = self._qr(content.uri)
        slot = len(self.cells)
        spec = self.layout.label_at(slot, self.dpi)
        geometry = compose_label(content, spec, matrix.size, self.lang)
        form = self._form(geometry)
        x_mm, top_mm = self.layout.cell_origin_mm(slot)
        bottom_mm = self.layout.page_height_mm - top_mm - self.layout.label.height_mm
        module_mm = geometry.module_mm
        origin_mm = QUIET_ZONE_MODULES * module_mm
        side_pt = matrix.size * module_mm * PT_PER_MM
        qr_top_pt = (spec.height_mm - geometry.qr.y_mm - origin_mm) * PT_PER_MM
        image = self.pdf.image_mask(matrix.size, matrix.size, rows)
        self.images.append(image)
        code = self._text(code_line(geometry, content), spec.height_mm)
        self.cells.append(
            f"q 1 0 0 1 {x_mm * PT_PER_MM:.3f} {bottom_mm * PT_PER_MM:.3f} cm /{form} Do "
            f"q {side_pt:.4f} 0 0 {side_pt:.4f} {(geometry.qr.x_mm + origin_mm) * PT_PER_MM:.3f} "
            f"{qr_top_pt - side_pt:.3f} cm /I{image} Do Q {code} Q"
        )
        if len(self.cells) == self.layout.cells_per_page:
            self._finish_page()

    def _finish_page(self) -> None:
        self.pdf.page("\n".join(self.cells), self.images)
        self.cells, self.images = [], []

    def close(self) -> None:
        if self.cells or not self.pages:  # a sheet of no labels is one empty page
            self._finish_page()
        self.pdf.close(
            self.info or {"Creator": "Radura"},
            self.created_at or datetime.datetime.now(datetime.UTC),
        )


def render_pdf_to(
    stream: ByteSink,
    cells: Iterable[LabelContent],
    layout: str | PageLayout,
    progress: Callable[[int], None] | None = None,
    lang: Lang = "id",
    created_at: datetime.datetime | None = None,
    dpi: int = DEFAULT_DPI,
) -> int:
    """Write a PDF of `cells` (one sticker each, in order) to `stream`, each page as soon as it
    is full; return the cell count.

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
