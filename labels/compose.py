"""Where everything on one label goes (mm, origin top-left): shared by SVG, PNG and PDF.

The QR (with its 4-module quiet zone) sits top-right, the code and `Pindai untuk cek keaslian`
centred under it, the Radura symbol beside the two headline lines, the rest in a text
column on the left. Text wraps, then shrinks, down to the layout's readable minimum
(`LabelSpec.min_text_pt`, 4.5 pt: an x-height of about 0.9 mm). When the content still does
not fit, the text continues on a second (or third) label of the same size — a panel here,
marked "(lanjutan 2/2 · code)"; the first always carries the QR, the code and the headlines.

Why: next to a QR of 0.4 mm modules (26 mm with its quiet zone for a realistic URI), every
§5.2 item of a typical batch fits one 40×30 mm label only at about 2.3 pt and one 50×30 mm
label at about 3 pt, which nobody can read; scannable QR and readable text win over label
count. A4 stickers hold typical content on one label (70×37 mm at ~4.75 pt); 120-character
product and facility names continue on a second 70×37 sticker.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import msgspec

from labels.codes import readable_code
from labels.qr import QUIET_ZONE_MODULES
from labels.typography import (
    ASCENT_EM,
    MM_PER_PT,
    line_height_mm,
    single_spaced,
    text_width_mm,
    words,
    wrap_spans,
)
from labels.wording import Lang, label_phrases, phrase
from schemas.labels import LabelContent

MIN_MODULE_MM = 0.4
MAX_PANELS = 3
_SIZE_STEP_PT = 0.25
_PARAGRAPH_GAP_EM = 0.12
_COLUMN_GAP_MM = 0.6
_CODE_MIN_PT = 3.5
_CODE_MAX_PT = 7.0
_SYMBOL_BESIDE_MIN_SHARE = 0.7

# (wording key, bold, size relative to the body, headline: beside the symbol, and shrunk
# rather than cut when its longest word is wider than the column)
_Paragraph = tuple[str, bool, float, bool]
_PARAGRAPHS: tuple[_Paragraph, ...] = (
    ("irradiated_food", True, 1.3, True),
    ("do_not_reirradiate", True, 1.0, True),
    ("product_name", True, 1.1, False),
    ("net_content", False, 1.0, False),
    ("producer", False, 1.0, False),
    ("registration", False, 1.0, False),
    ("lot", False, 1.0, False),
    ("best_before", True, 1.0, False),
    ("storage", False, 1.0, False),
    ("purpose", False, 1.0, False),
    ("irradiated_on", False, 1.0, False),
    ("facility", False, 1.0, False),
)
# What a shopper must see without the rest of the pair (a continuation label may be lost or
# stuck elsewhere on the pack): with the symbol, these stay on the first label.
SAFETY_KEYS = ("irradiated_food", "do_not_reirradiate", "best_before", "storage")
# Text that continues on a second label moves the safety texts up, right after the headlines.
_SAFETY_FIRST: tuple[_Paragraph, ...] = tuple(
    sorted(_PARAGRAPHS, key=lambda paragraph: paragraph[0] not in SAFETY_KEYS)
)
# "Pindai untuk cek keaslian" joins the text when there is no room for it under the QR.
_SCAN_PARAGRAPH: _Paragraph = ("scan", False, 1.0, False)
# A paragraph split across two labels leaves at least this many lines on the first.
_MIN_LINES_BEFORE_BREAK = 2


class LabelFitError(ValueError):
    """The label cannot be laid out within the layout's limits (QR module, text size)."""


@dataclass(frozen=True, slots=True)
class Insets:
    """How far text and dark modules keep from each edge of a label (mm)."""

    top: float
    right: float
    bottom: float
    left: float

    @classmethod
    def even(cls, mm: float) -> Insets:
        return cls(mm, mm, mm, mm)

    def union(self, other: Insets) -> Insets:
        """The larger inset on every side."""
        return Insets(
            max(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
            max(self.left, other.left),
        )


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """One label's size and limits; text sizes in pt, lengths in mm."""

    width_mm: float
    height_mm: float
    qr_box_mm: float  # the largest QR square, quiet zone included
    max_module_mm: float  # a short URI does not get modules larger than this
    # Text and dark modules keep this far from the edges: at least 2 mm inside a label (die
    # cuts and printer registration wander), more on a sheet's outer labels (labels.layouts).
    padding: Insets
    min_text_pt: float  # the readable minimum for body text on this label
    max_text_pt: float


@dataclass(frozen=True, slots=True)
class Box:
    x_mm: float
    y_mm: float
    size_mm: float


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text: `x_mm` is the left edge of its box, `width_mm` its measured width."""

    key: str
    text: str
    x_mm: float
    baseline_mm: float
    size_pt: float
    bold: bool
    width_mm: float
    box_width_mm: float
    centred: bool = False

    @property
    def left_mm(self) -> float:
        offset = (self.box_width_mm - self.width_mm) / 2 if self.centred else 0.0
        return self.x_mm + offset

    @property
    def top_mm(self) -> float:
        return self.baseline_mm - ASCENT_EM * self.size_pt * MM_PER_PT

    @property
    def bottom_mm(self) -> float:
        return self.top_mm + self.size_pt * MM_PER_PT


@dataclass(frozen=True, slots=True)
class Panel:
    """One physical label: the first has the QR, the symbol and the code; the rest only text."""

    lines: tuple[TextLine, ...]
    symbol: Box | None = None
    qr: Box | None = None
    code: TextLine | None = None  # its text is a worst-case sample; draw the real code there


@dataclass(frozen=True, slots=True)
class LabelGeometry:
    spec: LabelSpec
    body_pt: float
    module_mm: float
    panels: tuple[Panel, ...]


@dataclass(frozen=True, slots=True)
class _Column:
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float


def qr_box(spec: LabelSpec, matrix_size: int, below_mm: float = 0.0) -> tuple[Box, float]:
    """The QR square (quiet zone included) and its module size, for a matrix of that size,
    leaving `below_mm` under the square for the code line(s) above the bottom padding."""
    modules = matrix_size + 2 * QUIET_ZONE_MODULES
    pad = spec.padding
    # The quiet zone is blank, so it may overlap the padding; dark modules may not. The
    # square's bottom, max(0, top - 4 m) + modules * m, must stay within `room` of the top.
    room = spec.height_mm - pad.bottom - below_mm
    if room <= modules * pad.top / QUIET_ZONE_MODULES:
        tallest_mm = (room - pad.top) / (modules - QUIET_ZONE_MODULES)
    else:
        tallest_mm = room / modules
    module_mm = min(spec.max_module_mm, spec.qr_box_mm / modules, tallest_mm)
    if module_mm < MIN_MODULE_MM - 1e-9:
        raise LabelFitError(
            f"a {matrix_size}-module QR needs {modules * MIN_MODULE_MM:.1f} mm for 0.4 mm "
            f"modules; this label has {min(spec.qr_box_mm, room):.1f} mm (shorten the base URL "
            "or the lot, or choose a larger layout)"
        )
    size = modules * module_mm
    quiet_mm = QUIET_ZONE_MODULES * module_mm
    x_mm = spec.width_mm - max(0.0, pad.right - quiet_mm) - size
    return Box(x_mm, max(0.0, pad.top - quiet_mm), size), module_mm


def _code_lines(
    spec: LabelSpec, qr: Box, texts: tuple[tuple[str, str, bool], ...]
) -> list[TextLine]:
    """The code (and, given room, the scan hint) centred under the QR, as large as fits."""
    top = qr.y_mm + qr.size_mm
    available = spec.height_mm - spec.padding.bottom - top
    # under the QR's square, short of the right padding (the quiet zone may overlap it)
    left_mm = qr.x_mm
    width_mm = min(qr.x_mm + qr.size_mm, spec.width_mm - spec.padding.right) - left_mm

    def fits(size: float) -> bool:
        widths = (text_width_mm(text, size, bold) for _, text, bold in texts)
        return all(width <= width_mm for width in widths) and (
            len(texts) * line_height_mm(size) <= available + 1e-9
        )

    size = _CODE_MAX_PT
    while size > _CODE_MIN_PT and not fits(size):
        size -= _SIZE_STEP_PT
    size = max(size, _CODE_MIN_PT)
    if len(texts) * line_height_mm(size) > available + 1e-9:
        raise LabelFitError("no room under the QR for the code")
    lines = []
    for index, (key, text, bold) in enumerate(texts):
        height = line_height_mm(size)
        baseline = top + index * height + (height - size * MM_PER_PT) / 2
        width = text_width_mm(text, size, bold)
        if width > width_mm and key != "code":  # only the code is narrowed, like a serial's
            raise LabelFitError("no room under the QR for the scan hint")
        lines.append(
            TextLine(
                key=key,
                text=text,
                x_mm=left_mm,
                baseline_mm=baseline + ASCENT_EM * size * MM_PER_PT,
                size_pt=size * min(1.0, width_mm / width),
                bold=bold,
                width_mm=min(width, width_mm),
                box_width_mm=width_mm,
                centred=True,
            )
        )
    return lines


def _qr_and_code_lines(
    spec: LabelSpec, matrix_size: int, code_sample: str, scan_text: str
) -> tuple[Box, float, list[TextLine]]:
    """The QR with the code and the scan hint under it; on a label too short for both (the
    thermal rolls, with a long URI), the code alone, and the hint goes into the text."""
    code = ("code", code_sample, True)
    try:
        qr, module_mm = qr_box(spec, matrix_size, 2 * line_height_mm(_CODE_MIN_PT))
        return qr, module_mm, _code_lines(spec, qr, (code, ("scan", scan_text, False)))
    except LabelFitError:
        qr, module_mm = qr_box(spec, matrix_size, line_height_mm(_CODE_MIN_PT))
        return qr, module_mm, _code_lines(spec, qr, (code,))


@dataclass(frozen=True, slots=True)
class _Flowed:
    panels: list[list[TextLine]]
    symbol: Box


def _paragraph_size(text: str, size: float, bold: bool, headline: bool, width_mm: float) -> float:
    """Headlines shrink until their longest word fits the column; other text is cut instead."""
    if not headline:
        return size
    longest = max((text_width_mm(word, size, bold) for word in words(text)), default=0.0)
    return size * min(1.0, width_mm / longest) if longest else size


def _line(
    key: str, text: str, column: _Column, shift: float, y: float, size: float, bold: bool
) -> TextLine:
    height = line_height_mm(size)
    return TextLine(
        key=key,
        text=text,
        x_mm=column.x_mm + shift,
        baseline_mm=y + (height - size * MM_PER_PT) / 2 + ASCENT_EM * size * MM_PER_PT,
        size_pt=size,
        bold=bold,
        width_mm=text_width_mm(text, size, bold),
        box_width_mm=column.width_mm - shift,
    )


def _flow(
    texts: dict[str, str],
    order: tuple[_Paragraph, ...],
    body_pt: float,
    first: _Column,
    rest: _Column,
    panels: int,
    allow_cuts: bool,
) -> _Flowed | None:
    """Lines per panel at `body_pt`; None when they need more panels (or a cut word), or
    when a safety text would not be on the first label."""
    symbol_mm = line_height_mm(1.3 * body_pt) + line_height_mm(body_pt)
    indent = symbol_mm + _COLUMN_GAP_MM
    # Beside the headlines when that leaves them a useful width, else above them.
    beside = first.width_mm - indent >= _SYMBOL_BESIDE_MIN_SHARE * first.width_mm
    symbol = Box(first.x_mm, first.y_mm, symbol_mm)
    placed: list[list[TextLine]] = [[]]
    column, y = first, first.y_mm + (0.0 if beside else indent)
    # A continuation label starts with a marker line (filled in once the count is known).
    marker_mm = line_height_mm(body_pt) + _PARAGRAPH_GAP_EM * body_pt * MM_PER_PT
    for key, bold, scale, headline in order:
        text = texts.get(key, "").strip()
        while text:
            shift = indent if headline and beside and column is first else 0.0
            width = column.width_mm - shift
            size = _paragraph_size(text, body_pt * scale, bold, headline, width)
            height = line_height_mm(size)
            spans, was_cut = wrap_spans(text, size, bold, width)
            if was_cut and not allow_cuts:
                return None
            for index, (start, end) in enumerate(spans):
                if y + height > column.y_mm + column.height_mm + 1e-9:
                    if len(placed) == panels or (key in SAFETY_KEYS and len(placed) == 1):
                        return None
                    if _orphaned(text[:start], index):
                        # the paragraph's opening (its heading) moves with the rest
                        del placed[-1][len(placed[-1]) - index :]
                        start = 0
                    placed.append([])
                    column, y = rest, rest.y_mm + marker_mm
                    # The rest of the paragraph is wrapped again for the new column.
                    text = text[start:].strip()
                    break
                line_text = single_spaced(text[start:end])
                placed[-1].append(_line(key, line_text, column, shift, y, size, bold))
                y += height
            else:
                text = ""
                y += _PARAGRAPH_GAP_EM * size * MM_PER_PT
    return _Flowed(placed, symbol)


def _orphaned(kept: str, kept_lines: int) -> bool:
    """Whether the part of a paragraph left before a label break is too little to stand alone:
    fewer than two lines, or nothing past its heading ("Fasilitas iradiasi:")."""
    if kept_lines == 0:
        return False
    heading_only = kept.rstrip().endswith(":")
    return kept_lines < _MIN_LINES_BEFORE_BREAK or heading_only


@lru_cache(maxsize=64)
def _compose(content: LabelContent, spec: LabelSpec, matrix_size: int, lang: Lang) -> LabelGeometry:
    texts = label_phrases(content, lang)
    code_sample = readable_code(content.code, content.serial)
    qr, module_mm, under_qr = _qr_and_code_lines(spec, matrix_size, code_sample, texts["scan"])
    if len(under_qr) == 2:
        del texts["scan"]
    code_slot, *scan_line = under_qr
    marker = phrase("continued", lang)
    pad = spec.padding
    height_mm = spec.height_mm - pad.top - pad.bottom
    first = _Column(pad.left, pad.top, qr.x_mm - _COLUMN_GAP_MM - pad.left, height_mm)
    rest = _Column(pad.left, pad.top, spec.width_mm - pad.left - pad.right, height_mm)
    # Prefer fewer labels, then larger text, and cut a word only when nothing else fits.
    for allow_cuts in (False, True):
        for panels in range(1, MAX_PANELS + 1):
            order = _PARAGRAPHS if panels == 1 else _SAFETY_FIRST
            if "scan" in texts:
                order = (*order, _SCAN_PARAGRAPH)
            body_pt = spec.max_text_pt
            while body_pt >= spec.min_text_pt - 1e-9:
                flowed = _flow(texts, order, body_pt, first, rest, panels, allow_cuts)
                if flowed is not None:
                    total = len(flowed.panels)
                    head = Panel(
                        lines=(*flowed.panels[0], *scan_line),
                        symbol=flowed.symbol,
                        qr=qr,
                        code=code_slot,
                    )
                    tail = tuple(
                        Panel(
                            lines=(
                                _marker_line(marker, number, total, content.code, body_pt, rest),
                                *lines,
                            )
                        )
                        for number, lines in enumerate(flowed.panels[1:], start=2)
                    )
                    return LabelGeometry(spec, body_pt, module_mm, (head, *tail))
                body_pt -= _SIZE_STEP_PT
    raise LabelFitError(f"label text does not fit {MAX_PANELS} labels of this size")


def _marker_line(
    marker: str, number: int, total: int, code: str, body_pt: float, column: _Column
) -> TextLine:
    text = f"({marker} {number}/{total} · {readable_code(code)})"
    size = body_pt
    width = text_width_mm(text, size, False)
    if width > column.width_mm:  # only on absurdly narrow labels
        size *= column.width_mm / width
    return _line("continued", text, column, 0.0, column.y_mm, size, False)


def compose_label(
    content: LabelContent, spec: LabelSpec, matrix_size: int, lang: Lang = "id"
) -> LabelGeometry:
    """Lay out one label for a QR matrix of `matrix_size` modules (quiet zone excluded).

    Labels that differ only in URI and serial share one layout (and one cache entry); the
    code line is sized with the batch code standing in for the serial, and `code_line`
    shrinks it for a serial that happens to be wider.
    """
    serial_sample = content.code if content.serial else None
    static = msgspec.structs.replace(content, uri="", serial=serial_sample)
    return _compose(static, spec, matrix_size, lang)


def code_line(slot: TextLine, content: LabelContent) -> TextLine:
    """The code line of this label (its own serial) in the slot, shrunk if wider than it."""
    text = readable_code(content.code, content.serial)
    width = text_width_mm(text, slot.size_pt, True)
    if width <= slot.box_width_mm:
        return dataclasses.replace(slot, text=text, width_mm=width)
    size = slot.size_pt * slot.box_width_mm / width
    return dataclasses.replace(slot, text=text, width_mm=slot.box_width_mm, size_pt=size)
