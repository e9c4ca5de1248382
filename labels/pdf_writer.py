"""A PDF written front to back, page by page: what a sheet of thousands of labels needs.

reportlab keeps a whole document until `save()`, so a 10 000-label roll reached its reader only
after the last label. Here each page's objects go out as soon as the page is finished (its
content stream, its page object, its QR images); what can only be known at the end follows the
last page: the font subsets (every glyph used), the shared resources, the page tree, the
catalog, the document information and the cross-reference table. Earlier objects point forward
to those by numbers reserved at the start, which PDF allows. Memory holds one page and the
byte offset of every object (8 bytes each), whatever the number of pages.

Text is set in the label's TrueType fonts, subset as reportlab subsets them (its `TTFont`
assigns the codes and cuts the font program), with a ToUnicode map so the text can be searched,
copied and read back. The output is checked by `qpdf --check` and pypdfium2 in the tests.
"""

from __future__ import annotations

import datetime
import hashlib
import zlib
from array import array
from typing import Protocol

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

from labels.typography import PDF_FALLBACK_FONT, PDF_FONT_NAMES, font_runs, register_pdf_fonts

_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def _text_string(text: str) -> str:
    """A PDF text string that holds any character: UTF-16BE with its byte order mark, in hex."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def pdf_date(at: datetime.datetime) -> str:
    """`D:YYYYMMDDHHmmSS+00'00'` in UTC."""
    return at.astimezone(datetime.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


class ByteSink(Protocol):
    """Where a PDF goes: a file, a socket's buffer, a spool read behind the writer."""

    def write(self, data: bytes, /) -> object: ...


class _DocumentKey:
    """Stands for one document in reportlab's per-document font state (a weak key)."""


class _SubsetFont:
    """One label font in one document: its subsets, named /F{n}_{subset} in the resources."""

    def __init__(self, key: object, name: str, number: int) -> None:
        register_pdf_fonts()
        font = pdfmetrics.getFont(name)
        assert isinstance(font, TTFont)
        self.font = font
        self.key = key  # reportlab keeps its subset assignment per document object
        self.prefix = f"/F{number}_"

    def show(self, text: str, size_pt: float) -> str:
        """Operators setting `text` at `size_pt` from the current point."""
        return " ".join(
            f"{self.prefix}{subset} {size_pt:g} Tf <{codes.hex()}> Tj"
            for subset, codes in self.font.splitString(text, self.key)
        )

    def subsets(self) -> list[list[int]]:
        """The characters of each subset by code; none when the document set no text in it."""
        state = self.font.state.get(self.key)
        return [] if state is None else [list(subset) for subset in state.subsets]

    def forget(self) -> None:
        self.font.state.pop(self.key, None)


class PdfWriter:
    """Objects written in order to `out`; `page()` sends a finished page on at once."""

    def __init__(self, out: ByteSink, width_pt: float, height_pt: float) -> None:
        self._out = out
        self._buffer = bytearray()
        self._written = 0
        self._offsets = array("Q", [0])  # object number → byte offset (0: the free head)
        self._digest = hashlib.md5(usedforsecurity=False)  # the file's /ID
        self._media_box = f"[0 0 {width_pt:.4f} {height_pt:.4f}]"
        self._page_numbers = array("L")
        key = _DocumentKey()
        # DejaVu in both weights, and the fallback for what DejaVu lacks (a market's words)
        names = (PDF_FONT_NAMES[False], PDF_FONT_NAMES[True], PDF_FALLBACK_FONT)
        self._fonts = {name: _SubsetFont(key, name, n) for n, name in enumerate(names)}
        self._forms: dict[str, int] = {}
        self.catalog = self.reserve()
        self.pages = self.reserve()
        self.font_dict = self.reserve()
        self.info = self.reserve()
        self._emit(_HEADER)

    # --- objects --------------------------------------------------------------------------

    def reserve(self) -> int:
        """A number for an object written later."""
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _emit(self, data: bytes) -> None:
        self._buffer += data
        self._written += len(data)

    def _object(self, number: int, body: str | bytes) -> None:
        self._offsets[number] = self._written
        data = body.encode("latin-1") if isinstance(body, str) else body
        self._emit(b"%d 0 obj\n%s\nendobj\n" % (number, data))

    def _stream(self, number: int, entries: str, data: bytes, compress: bool = True) -> None:
        if compress:
            data = zlib.compress(data)
            entries += " /Filter /FlateDecode"
        self._offsets[number] = self._written
        head = f"{number} 0 obj\n<< {entries} /Length {len(data)} >>\nstream\n"
        self._emit(head.encode("latin-1") + data + b"\nendstream\nendobj\n")

    def flush(self) -> None:
        """Hand what is buffered to the output."""
        if self._buffer:
            data = bytes(self._buffer)
            self._digest.update(data)
            self._out.write(data)
            self._buffer = bytearray()

    # --- drawing --------------------------------------------------------------------------

    def text(self, bold: bool, size_pt: float, x_pt: float, y_pt: float, text: str) -> str:
        """Operators for one line of text whose baseline starts at (x, y)."""
        shown = " ".join(
            self._fonts[name].show(run, size_pt) for name, run in font_runs(text, bold)
        )
        return f"BT {x_pt:.3f} {y_pt:.3f} Td {shown} ET"

    def form(self, name: str, width_pt: float, height_pt: float, content: str) -> str:
        """A form XObject drawn by `/name Do`, written now."""
        number = self.reserve()
        self._forms[name] = number
        entries = (
            f"/Type /XObject /Subtype /Form /BBox [0 0 {width_pt:.4f} {height_pt:.4f}] "
            f"/Resources << /Font {self.font_dict} 0 R >>"
        )
        self._stream(number, entries, content.encode("latin-1"))
        return name

    def image_mask(self, width: int, height: int, rows: bytes) -> int:
        """A 1-bit stencil (1 paints, rows from the top, each a whole number of bytes), written
        now; its object number names it in `page()`'s `images`."""
        number = self.reserve()
        entries = (
            f"/Type /XObject /Subtype /Image /Width {width} /Height {height} "
            "/ImageMask true /BitsPerComponent 1 /Decode [1 0]"
        )
        # a QR's modules are close to random: deflating them saves little and costs time
        self._stream(number, entries, rows, compress=False)
        return number

    def page(self, content: str, images: list[int]) -> None:
        """A finished page (its operators and the image objects they draw as `/I{number}`),
        written and sent on."""
        contents = self.reserve()
        self._stream(contents, "", content.encode("latin-1"))
        page = self.reserve()
        own = " ".join(f"/I{n} {n} 0 R" for n in images)
        self._object(
            page,
            f"<< /Type /Page /Parent {self.pages} 0 R /MediaBox {self._media_box} "
            f"/Contents {contents} 0 R /Resources << /Font {self.font_dict} 0 R "
            f"/XObject << {self._form_names()} {own} >> /ProcSet [/PDF /Text /ImageB] >> >>",
        )
        self._page_numbers.append(page)
        self.flush()

    def _form_names(self) -> str:
        return " ".join(f"/{name} {number} 0 R" for name, number in self._forms.items())

    @property
    def page_count(self) -> int:
        return len(self._page_numbers)

    # --- the end --------------------------------------------------------------------------

    def close(self, info: dict[str, str], created_at: datetime.datetime) -> None:
        """Write the fonts, page tree, catalog, information and cross-references; flush."""
        try:
            self._write_fonts()
        finally:
            for font in self._fonts.values():
                font.forget()
        kids = " ".join(f"{n} 0 R" for n in self._page_numbers)
        self._object(
            self.pages, f"<< /Type /Pages /Count {len(self._page_numbers)} /Kids [{kids}] >>"
        )
        self._object(self.catalog, f"<< /Type /Catalog /Pages {self.pages} 0 R >>")
        stamp = pdf_date(created_at)
        entries = " ".join(f"/{key} {_text_string(value)}" for key, value in info.items())
        self._object(
            self.info,
            f"<< {entries} /Producer (Radura) /CreationDate ({stamp}) /ModDate ({stamp}) >>",
        )
        self.flush()
        file_id = self._digest.hexdigest()
        xref_at = self._written
        count = len(self._offsets)
        rows = [f"xref\n0 {count}\n0000000000 65535 f \n"]
        rows.extend(f"{offset:010d} 00000 n \n" for offset in self._offsets[1:])
        rows.append(
            f"trailer\n<< /Size {count} /Root {self.catalog} 0 R /Info {self.info} 0 R "
            f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        self._emit("".join(rows).encode("latin-1"))
        self.flush()

    def _write_fonts(self) -> None:
        """Every subset of every font the pages used, and the dictionary naming them."""
        names = []
        for font in self._fonts.values():
            for n, subset in enumerate(font.subsets()):
                names.append(f"{font.prefix}{n} {self._subset(font, n, subset)} 0 R")
        self._object(self.font_dict, "<< " + " ".join(names) + " >>")

    def _subset(self, font: _SubsetFont, n: int, subset: list[int]) -> int:
        """A TrueType subset (code i shows character subset[i]) as reportlab writes one."""
        face = font.font.face
        base_name = (SUBSETN(n) + b"+" + face.name + face.subfontNameX).decode("latin-1")
        program = self.reserve()
        cut = face.makeSubset(subset)
        self._stream(program, f"/Length1 {len(cut)}", cut)
        descriptor = self.reserve()
        bbox = " ".join(str(v) for v in face.bbox)
        flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        self._object(
            descriptor,
            f"<< /Type /FontDescriptor /FontName /{base_name} /Flags {flags} "
            f"/FontBBox [{bbox}] /ItalicAngle {face.italicAngle} /Ascent {face.ascent} "
            f"/Descent {face.descent} /CapHeight {face.capHeight} /StemV {face.stemV} "
            f"/MissingWidth {face.defaultWidth} /FontFile2 {program} 0 R >>",
        )
        to_unicode = self.reserve()
        self._stream(to_unicode, "", makeToUnicodeCMap(base_name, subset).encode("latin-1"))
        number = self.reserve()
        widths = " ".join(f"{face.getCharWidth(code):g}" for code in subset)
        self._object(
            number,
            f"<< /Type /Font /Subtype /TrueType /Name {font.prefix}{n} /BaseFont /{base_name} "
            f"/FirstChar 0 /LastChar {len(subset) - 1} /Widths [{widths}] "
            f"/FontDescriptor {descriptor} 0 R /ToUnicode {to_unicode} 0 R >>",
        )
        return number
