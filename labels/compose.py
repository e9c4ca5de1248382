"""Where everything on one sticker goes (mm, origin top-left): shared by SVG, PNG and PDF.

Every sticker stands alone (SPEC §5.2, DOMAIN §8.8): a pack may carry only one of the stickers
printed for it, so each carries PANGAN IRADIASI, the Radura symbol, the purpose, TIDAK BOLEH
DIIRADIASI ULANG, the facility's name and city, month/year and country of irradiation, the
product name, production code and date, best-before, storage and the QR; a label printed for
an export market adds that market's statutory words next to the name. There are no
continuation stickers: what does not fit a layout is refused for it (`LabelFitError`; see
`labels.fit`). Stickers smaller than 70×37 mm leave off the producer, the registration number
and the net content (they are on the producer's own label and on the scan page).

The QR (with its 4-module quiet zone) sits top-right, the code and `Pindai untuk cek keaslian`
centred under it; the Radura symbol sits top-left beside the headlines. The other texts flow
down what is left, each line as wide as the symbol and the QR block leave it at its height, so
text runs the whole width under them. Text never goes below 5 pt (`MIN_TEXT_PT`).

The search takes the largest body text (less what a closer setting costs, `_STYLES`), then for
it the largest QR module, down to 0.4 mm (`MIN_MODULE_MM`); on a roll printer
(`LabelSpec.dot_mm`) a module is a whole number of the printer's dots and the QR starts on a
dot, so every module prints the same. A word wider than its line is cut (never clipped) only
when nothing else fits. Each setting's largest size is found by bisection, so a sticker that
fits nowhere is refused after a handful of tries.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import msgspec

from labels.codes import CODE_LENGTH, CROCKFORD_ALPHABET, readable_code
from labels.qr import QUIET_ZONE_MODULES
from labels.typography import (
    ASCENT_EM,
    GLUE,
    LINE_HEIGHT_EM,
    MM_PER_PT,
    SOLID_LINE_HEIGHT_EM,
    TIGHT_LINE_HEIGHT_EM,
    single_spaced,
    take_line,
    text_width_mm,
    words,
)
from labels.wording import Lang, label_phrases
from schemas.labels import LabelContent

MIN_TEXT_PT = 5.0
MIN_MODULE_MM = 0.4
_SIZE_STEP_PT = 0.25
_MODULE_STEP_MM = 0.02
_GAP_MM = 0.6  # between the text and the symbol or the QR block
_CODE_MAX_PT = 6.0
_EPSILON = 1e-9

# (wording key, bold, size relative to the body, headline: shrunk, not cut, when its longest
# word is wider than its line; run-in group: on a crowded sticker the texts of one group run on
# in one paragraph, "Kode produksi: L1 · Tanggal produksi: 01-11-2025")
_Paragraph = tuple[str, bool, float, bool, str]
PARAGRAPHS: tuple[_Paragraph, ...] = (
    ("irradiated_food", True, 1.3, True, ""),
    ("do_not_reirradiate", True, 1.0, True, ""),
    ("product_name", True, 1.1, False, ""),
    # an export market's statutory words, next to the name (DOMAIN §8.10; SPEC §13.3)
    ("market_words", True, 1.0, True, ""),
    ("net_content", False, 1.0, False, "product"),
    ("purpose", False, 1.0, False, "irradiation"),
    ("irradiated_on", False, 1.0, False, "irradiation"),
    ("facility", False, 1.0, False, "irradiation"),
    ("lot", False, 1.0, False, "codes"),
    ("production_date", False, 1.0, False, "codes"),
    ("best_before", True, 1.0, False, ""),
    ("storage", False, 1.0, False, "storage"),
    ("thaw", False, 1.0, False, "storage"),
    ("producer", False, 1.0, False, "producer"),
    ("registration", False, 1.0, False, "producer"),
)
# Between the texts of a run-in paragraph; the no-break space keeps the dot off a line's start.
RUN_IN_SEPARATOR = "\u00a0· "
# What a sticker smaller than 70×37 mm leaves off (SPEC §5.2).
PRODUCER_KEYS = frozenset({"net_content", "producer", "registration"})


class LabelFitError(ValueError):
    """The sticker cannot hold everything it must within its limits (QR module, 5 pt text)."""


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
    """One sticker's size and limits; text sizes in pt, lengths in mm."""

    width_mm: float
    height_mm: float
    max_module_mm: float  # a short URI does not get modules larger than this
    # Text and dark modules keep this far from the edges: at least 2 mm inside a label (die
    # cuts and printer registration wander), more on a sheet's outer labels (labels.layouts).
    padding: Insets
    max_text_pt: float
    producer_texts: bool = True  # net content, producer and registration number
    dot_mm: float | None = None  # a roll printer's dot: QR modules are whole dots

    @property
    def module_sizes_mm(self) -> tuple[float, ...]:
        """The QR module sizes to try, largest first (none when the dot is too coarse)."""
        if self.dot_mm is not None:
            most = math.floor(self.max_module_mm / self.dot_mm + _EPSILON)
            least = math.ceil(MIN_MODULE_MM / self.dot_mm - _EPSILON)
            return tuple(dots * self.dot_mm for dots in range(most, least - 1, -1))
        steps = math.floor((self.max_module_mm - MIN_MODULE_MM) / _MODULE_STEP_MM + _EPSILON)
        sizes = [self.max_module_mm - step * _MODULE_STEP_MM for step in range(steps + 1)]
        if self.max_module_mm >= MIN_MODULE_MM and sizes[-1] > MIN_MODULE_MM + _EPSILON:
            sizes.append(MIN_MODULE_MM)
        return tuple(sizes)


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
class LabelGeometry:
    """One sticker: `lines` are the texts every sticker of the batch shares (the scan hint
    among them); `code` is the slot of the code under the QR, as wide as the widest code of
    the batch (`code_line` draws each sticker's own)."""

    spec: LabelSpec
    body_pt: float
    module_mm: float
    lines: tuple[TextLine, ...]
    symbol: Box
    qr: Box  # the square with its quiet zone
    code: TextLine


@dataclass(frozen=True, slots=True)
class _Rect:
    left: float
    top: float
    right: float
    bottom: float

    def beside(self, top: float, bottom: float) -> bool:
        """Whether a line from `top` to `bottom` runs beside this rectangle."""
        return top < self.bottom - _EPSILON and bottom > self.top + _EPSILON


def qr_box(spec: LabelSpec, matrix_size: int, module_mm: float) -> Box:
    """The QR square (quiet zone included) for a matrix of that size, top-right: its dark
    modules keep the padding, its quiet zone stays on the sticker, and on a roll printer the
    first module starts on a dot."""
    quiet = QUIET_ZONE_MODULES * module_mm
    dark = matrix_size * module_mm
    pad = spec.padding
    x_mm = spec.width_mm - max(pad.right, quiet) - dark
    y_mm = max(pad.top, quiet)
    if spec.dot_mm is not None:
        x_mm = math.floor(x_mm / spec.dot_mm + _EPSILON) * spec.dot_mm
        y_mm = math.ceil(y_mm / spec.dot_mm - _EPSILON) * spec.dot_mm
    return Box(x_mm - quiet, y_mm - quiet, dark + 2 * quiet)


@cache
def widest_serial() -> str:
    """The serial whose readable form is widest: the code slot has room for any."""
    widest = max(CROCKFORD_ALPHABET, key=lambda char: text_width_mm(char, 10.0, True))
    return widest * CODE_LENGTH  # serials are as long as codes


def _centred_under(qr: Box, spec: LabelSpec, width_mm: float) -> float | None:
    """The left edge of a line `width_mm` wide centred under the QR, moved left as far as the
    right padding asks; None when it does not fit the sticker at all."""
    centre = qr.x_mm + qr.size_mm / 2
    left = min(centre - width_mm / 2, spec.width_mm - spec.padding.right - width_mm)
    return left if left >= spec.padding.left - _EPSILON else None


@dataclass(frozen=True, slots=True)
class _Style:
    """How closely the texts are set: one paragraph each with a little air between them, or,
    on a crowded sticker, each group's texts run on with lines closer together."""

    run_in: bool
    gap_em: float  # between paragraphs
    leading_em: float  # line height
    name_scale: float  # the product name's size relative to the body
    # how much smaller (pt) the text may be set in the styles before this one, which read better
    cost_pt: float
    merged: tuple[tuple[str, str], ...] = ()  # (group, the group it runs on in)
    glued: bool = True  # a heading ("Tanggal produksi:") is never broken across lines

    def line_mm(self, size_pt: float) -> float:
        return size_pt * self.leading_em * MM_PER_PT

    def group(self, group: str) -> str:
        return dict(self.merged).get(group, group)


_STYLES = (
    _Style(False, 0.12, LINE_HEIGHT_EM, 1.1, cost_pt=0.0),
    _Style(True, 0.0, TIGHT_LINE_HEIGHT_EM, 1.0, cost_pt=1.0),
    # the last resort: two long runs, the net content, the irradiation and the codes, then
    # storage and the producer, broken wherever a line is full, the lines set closer still (a
    # real name with a market's words and the largest QR on a sheet's corner sticker needs it)
    _Style(
        True,
        0.0,
        SOLID_LINE_HEIGHT_EM,
        1.0,
        cost_pt=1.75,
        merged=(
            ("product", "irradiation"),
            ("codes", "irradiation"),
            ("storage", "after"),
            ("producer", "after"),
        ),
        glued=False,
    ),
)


def _text_line(
    key: str,
    text: str,
    x_mm: float,
    y_mm: float,
    size: float,
    bold: bool,
    box_mm: float,
    style: _Style,
) -> TextLine:
    """A line whose slot starts `y_mm` from the top (the text centred in its line height)."""
    height = style.line_mm(size)
    return TextLine(
        key=key,
        text=text,
        x_mm=x_mm,
        baseline_mm=y_mm + (height - size * MM_PER_PT) / 2 + ASCENT_EM * size * MM_PER_PT,
        size_pt=size,
        bold=bold,
        width_mm=text_width_mm(text, size, bold),
        box_width_mm=box_mm,
    )


def _under_qr(
    spec: LabelSpec, qr: Box, size: float, code_sample: str, scan: str, style: _Style
) -> tuple[TextLine, TextLine] | None:
    """The code slot and the scan hint under the QR at `size`, or None if they do not fit."""
    y = qr.y_mm + qr.size_mm
    placed = []
    for key, text, bold in (("code", code_sample, True), ("scan", scan, False)):
        width = text_width_mm(text, size, bold)
        left = _centred_under(qr, spec, width)
        if left is None:
            return None
        placed.append(_text_line(key, text, left, y, size, bold, width, style))
        y += style.line_mm(size)
    if y > spec.height_mm - spec.padding.bottom + _EPSILON:
        return None
    return placed[0], placed[1]


def _slot(line: TextLine, style: _Style) -> _Rect:
    """The rectangle a line takes, its line height included."""
    height = style.line_mm(line.size_pt)
    top = line.baseline_mm - ASCENT_EM * line.size_pt * MM_PER_PT
    top -= (height - line.size_pt * MM_PER_PT) / 2
    return _Rect(line.x_mm, top, line.x_mm + line.box_width_mm, top + height)


_Flowing = tuple[str, str, bool, float, bool]  # key, text, bold, size, headline


def _flow(
    paragraphs: list[_Flowing],
    spec: LabelSpec,
    symbol: _Rect,
    obstacles: tuple[_Rect, ...],
    allow_cuts: bool,
    style: _Style,
) -> list[TextLine] | None:
    """Every paragraph's lines, top down, beside the symbol and the QR block and then under
    them; None when they run past the bottom (or need a cut word and may not)."""
    pad = spec.padding
    bottom = spec.height_mm - pad.bottom

    def span(top: float, height: float) -> tuple[float, float]:
        left, right = pad.left, spec.width_mm - pad.right
        if symbol.beside(top, top + height):
            left = symbol.right + _GAP_MM
        for obstacle in obstacles:
            if obstacle.beside(top, top + height):
                right = min(right, obstacle.left - _GAP_MM)
        return left, right

    def below_what_narrows(top: float, height: float) -> float | None:
        narrowing = [r.bottom for r in (symbol, *obstacles) if r.beside(top, top + height)]
        return min(narrowing) if narrowing else None

    lines: list[TextLine] = []
    y = pad.top
    for key, text, bold, size, headline in paragraphs:
        if headline:  # shrunk (not below 5 pt) until its longest word fits its first line
            left, right = span(y, style.line_mm(size))
            longest = max(text_width_mm(word, size, bold) for word in words(text))
            if longest > right - left:
                size = max(MIN_TEXT_PT, size * (right - left) / longest)
        height = style.line_mm(size)
        start = 0
        while text[start:].strip():
            if y + height > bottom + _EPSILON:
                return None
            left, right = span(y, height)
            taken = take_line(text, start, size, bold, right - left)
            if taken is None:
                break
            line_start, end, next_start, was_cut = taken
            line_text = single_spaced(text[line_start:end])
            width = text_width_mm(line_text, size, bold)
            fits_here = width <= right - left + _EPSILON
            # once words may be cut, a long word is cut where it stands: moving it below the
            # QR would leave the room beside the QR empty on a sticker that is already full.
            # A heading glued together ("Baik digunakan sebelum:") still moves down first.
            cut_here = was_cut and allow_cuts and GLUE not in words(text[line_start:])[0]
            if not fits_here or (was_cut and not cut_here):
                lower = below_what_narrows(y, height)
                if lower is not None:  # wider further down: the line moves there
                    y = lower
                    continue
                if not allow_cuts or not fits_here:
                    return None
            lines.append(_text_line(key, line_text, left, y, size, bold, right - left, style))
            start = next_start
            y += height
        y += style.gap_em * size * MM_PER_PT
    return lines


# A text's heading of two or three words before its colon ("Tanggal produksi:").
_HEADING = re.compile(r"[^:\s]+(?: [^:\s]+){1,2}:")


def _glue_heading(text: str) -> str:
    """`text` whose heading never breaks across two lines."""
    heading = _HEADING.match(text)
    if heading is None:
        return text
    return heading.group().replace(" ", GLUE) + text[heading.end() :]


def _paragraphs(
    texts: dict[str, str], spec: LabelSpec, body_pt: float, style: _Style
) -> list[_Flowing]:
    """The paragraphs to flow at `body_pt`; run in, each group's texts as one."""
    flowing: list[_Flowing] = []
    last_group = ""
    for key, bold, scale, headline, group in PARAGRAPHS:
        text = texts.get(key, "").strip()
        if not text or (key in PRODUCER_KEYS and not spec.producer_texts):
            continue
        if key == "product_name":
            scale = style.name_scale
        elif style.glued and not headline:
            text = _glue_heading(text)
        group = style.group(group)
        if style.run_in and group and group == last_group:
            first_key, first_text, first_bold, first_size, first_headline = flowing[-1]
            joined = first_text + RUN_IN_SEPARATOR + text
            flowing[-1] = (first_key, joined, first_bold, first_size, first_headline)
        else:
            flowing.append((key, text, bold, body_pt * scale, headline))
        last_group = group
    return flowing


def _body_sizes(spec: LabelSpec) -> list[float]:
    """The body sizes to try, largest first, down to 5 pt."""
    steps = math.floor((spec.max_text_pt - MIN_TEXT_PT) / _SIZE_STEP_PT + _EPSILON)
    return [spec.max_text_pt - step * _SIZE_STEP_PT for step in range(steps + 1)]


@dataclass(frozen=True, slots=True)
class _Sticker:
    """What one sticker's layout search works from."""

    spec: LabelSpec
    texts: dict[str, str]
    scan: str
    code_sample: str
    blocks: tuple[tuple[float, Box], ...]  # (module, QR box) whose QR block fits, largest first

    def attempt(
        self, body_pt: float, style: _Style, block: tuple[float, Box], allow_cuts: bool
    ) -> LabelGeometry | None:
        """The sticker at this size, in this style, with this QR; None if it does not fit."""
        spec, pad = self.spec, self.spec.padding
        module_mm, qr = block
        under = None
        for code_pt in dict.fromkeys((min(body_pt, _CODE_MAX_PT), MIN_TEXT_PT)):
            under = under or _under_qr(spec, qr, code_pt, self.code_sample, self.scan, style)
        if under is None:
            return None
        code, scan_line = under
        symbol_mm = style.line_mm(1.3 * body_pt) + style.line_mm(body_pt)
        symbol = _Rect(pad.left, pad.top, pad.left + symbol_mm, pad.top + symbol_mm)
        qr_rect = _Rect(qr.x_mm, qr.y_mm, qr.x_mm + qr.size_mm, qr.y_mm + qr.size_mm)
        obstacles = (qr_rect, _slot(code, style), _slot(scan_line, style))
        paragraphs = _paragraphs(self.texts, spec, body_pt, style)
        lines = _flow(paragraphs, spec, symbol, obstacles, allow_cuts, style)
        if lines is None:
            return None
        box = Box(pad.left, pad.top, symbol_mm)
        return LabelGeometry(spec, body_pt, module_mm, (*lines, scan_line), box, qr, code)

    def largest_size(self, style: _Style, allow_cuts: bool) -> float | None:
        """The largest body size at which `style` fits with the smallest QR (a binary search:
        smaller text never needs more room); None when not even 5 pt does."""
        sizes = _body_sizes(self.spec)
        smallest_qr = self.blocks[-1]
        if self.attempt(sizes[-1], style, smallest_qr, allow_cuts) is None:
            return None
        fitting, failing = len(sizes) - 1, -1  # indexes: sizes[fitting] fits
        while fitting - failing > 1:
            middle = (fitting + failing) // 2
            if self.attempt(sizes[middle], style, smallest_qr, allow_cuts) is None:
                failing = middle
            else:
                fitting = middle
        return sizes[fitting]

    def best(self, allow_cuts: bool) -> LabelGeometry | None:
        """The best reading layout: the largest text, less what a closer style costs; then the
        largest QR module at that size."""
        chosen: tuple[float, float, float, _Style] | None = None
        for style in _STYLES:
            size = self.largest_size(style, allow_cuts)
            if size is not None:
                rank = (size - style.cost_pt, -style.cost_pt, size, style)
                chosen = rank if chosen is None or rank[:2] > chosen[:2] else chosen
        if chosen is None:
            return None
        *_, size, style = chosen
        for block in self.blocks:
            geometry = self.attempt(size, style, block, allow_cuts)
            if geometry is not None:
                return geometry
        raise AssertionError("the smallest QR fitted at this size")  # pragma: no cover


@lru_cache(maxsize=256)
def _compose(content: LabelContent, spec: LabelSpec, matrix_size: int, lang: Lang) -> LabelGeometry:
    texts = label_phrases(content, lang)
    scan = texts.pop("scan")
    code_sample = readable_code(content.code, widest_serial() if content.serial else None)
    tight = _STYLES[-1]
    blocks = []  # (module, QR box) for each module size whose QR block fits at 5 pt
    for module_mm in spec.module_sizes_mm:
        qr = qr_box(spec, matrix_size, module_mm)
        if qr.x_mm + QUIET_ZONE_MODULES * module_mm < spec.padding.left - _EPSILON:
            continue
        if _under_qr(spec, qr, MIN_TEXT_PT, code_sample, scan, tight) is not None:
            blocks.append((module_mm, qr))
    if not blocks:
        modules = matrix_size + 2 * QUIET_ZONE_MODULES
        raise LabelFitError(
            f"a {matrix_size}-module QR needs {modules * MIN_MODULE_MM:.1f} mm with 0.4 mm "
            "modules, and the code and the scan hint at 5 pt under it: this sticker is too small"
        )
    sticker = _Sticker(spec, texts, scan, code_sample, tuple(blocks))
    # a word is cut only when nothing else fits
    geometry = sticker.best(allow_cuts=False) or sticker.best(allow_cuts=True)
    if geometry is None:
        raise LabelFitError(
            f"the sticker's texts do not fit {spec.width_mm:g}×{spec.height_mm:g} mm at 5 pt"
        )
    return geometry


def compose_label(
    content: LabelContent, spec: LabelSpec, matrix_size: int, lang: Lang = "id"
) -> LabelGeometry:
    """Lay out one sticker for a QR matrix of `matrix_size` modules (quiet zone excluded);
    `LabelFitError` when it cannot hold everything it must.

    Stickers that differ only in URI and serial share one layout (and one cache entry): the
    code slot has room for the widest serial.
    """
    static = msgspec.structs.replace(
        content, uri="", serial=widest_serial() if content.serial else None
    )
    return _compose(static, spec, matrix_size, lang)


def code_line(geometry: LabelGeometry, content: LabelContent) -> TextLine:
    """This sticker's code (its own serial), centred under the QR within the code slot."""
    slot = geometry.code
    text = readable_code(content.code, content.serial)
    width = text_width_mm(text, slot.size_pt, True)
    centred = _centred_under(geometry.qr, geometry.spec, width)
    lowest, highest = slot.x_mm, slot.x_mm + slot.box_width_mm - width
    left = min(max(lowest if centred is None else centred, lowest), highest)
    return dataclasses.replace(slot, text=text, x_mm=left, width_mm=width, box_width_mm=width)
