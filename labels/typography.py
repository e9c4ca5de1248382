"""The label typeface (DejaVu Sans Condensed, shipped in labels/fonts/): metrics and wrapping.

One set of metrics (the TTF advance widths, read through reportlab) serves SVG, PNG and PDF,
so a line that fits in one fits in all. DejaVu has ≤, °, − and all Indonesian letters; the
condensed cut keeps DejaVu's large x-height (readable at 5 pt) and sets a tenth more text on a
line, which a 70×37 mm sticker that carries every particular needs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
FONT_FILES = {
    False: FONT_DIR / "DejaVuSansCondensed.ttf",
    True: FONT_DIR / "DejaVuSansCondensed-Bold.ttf",
}
PDF_FONT_NAMES = {False: "RaduraSans", True: "RaduraSans-Bold"}
SVG_FONT_FAMILY = "'DejaVu Sans Condensed', 'DejaVu Sans', 'Bitstream Vera Sans', sans-serif"
MM_PER_PT = 25.4 / 72
ASCENT_EM = 0.76  # DejaVu Sans ascent and descent, as reportlab reads the font
DESCENT_EM = 0.24
LINE_HEIGHT_EM = 1.18
TIGHT_LINE_HEIGHT_EM = 1.1  # a crowded sticker's lines: still 0.1 em between descender and ascender
# A line may break at any space but these, which hold "8 °C" or "P-IRT 2063…" together.
# A space where a line may not break, printed as an ordinary space: it holds a two-word heading
# ("Tanggal produksi:") together without putting a no-break space into the printed text.
GLUE = "\ue000"
NO_BREAK_SPACES = "\u00a0\u202f" + GLUE
_WORD = re.compile(rf"(?:[^\s]|[{NO_BREAK_SPACES}])+")
_BREAKABLE_SPACES = re.compile(rf"[^\S{NO_BREAK_SPACES}]+")


def words(text: str) -> list[str]:
    """The pieces of `text` between the spaces where a line may break."""
    return _WORD.findall(text)


def single_spaced(text: str) -> str:
    """`text` with each run of breakable spaces printed as one space, ends trimmed (as HTML),
    and glue printed as a space."""
    return _BREAKABLE_SPACES.sub(" ", text).strip().replace(GLUE, " ")


@lru_cache(maxsize=1)
def register_pdf_fonts() -> None:
    """Make the label fonts known to reportlab (once per process)."""
    for bold, path in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(PDF_FONT_NAMES[bold], str(path)))


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    register_pdf_fonts()
    text = text.replace(GLUE, " ")
    return pdfmetrics.stringWidth(text, PDF_FONT_NAMES[bold], size_pt) * MM_PER_PT


def line_height_mm(size_pt: float) -> float:
    return size_pt * LINE_HEIGHT_EM * MM_PER_PT


def _cut_points(word: str, start: int, size_pt: float, bold: bool, width_mm: float) -> list[int]:
    """Offsets (within `word`) where a word wider than the line is cut; each piece fits."""
    cuts = []
    begin = 0
    while text_width_mm(word[begin:], size_pt, bold) > width_mm and len(word) - begin > 1:
        end = begin + 1
        while end < len(word) and text_width_mm(word[begin : end + 1], size_pt, bold) <= width_mm:
            end += 1
        cuts.append(start + end)
        begin = end
    return cuts


def wrap_spans(
    text: str, size_pt: float, bold: bool, width_mm: float
) -> tuple[list[tuple[int, int]], bool]:
    """Greedy word wrap as (start, end) offsets into `text`, and whether a word had to be cut.

    A word longer than the line is cut so that nothing is ever clipped.
    """
    spans: list[tuple[int, int]] = []
    line_start = line_end = -1
    was_cut = False
    for match in _WORD.finditer(text):
        start, end = match.span()
        if line_start >= 0 and text_width_mm(text[line_start:end], size_pt, bold) <= width_mm:
            line_end = end
            continue
        if line_start >= 0:
            spans.append((line_start, line_end))
        line_start = start
        for cut in _cut_points(match.group(), start, size_pt, bold, width_mm):
            spans.append((line_start, cut))
            line_start, was_cut = cut, True
        line_end = end
    if line_start >= 0:
        spans.append((line_start, line_end))
    return spans, was_cut


def take_line(
    text: str, start: int, size_pt: float, bold: bool, width_mm: float
) -> tuple[int, int, int, bool] | None:
    """The next line of `text` from offset `start` in a line `width_mm` wide: (where the line
    starts, where it ends, where the next one starts, whether a word had to be cut); None when
    no text is left.

    Greedy like `wrap_spans`, for lines whose widths differ (a line beside the QR is narrower
    than one below it). A word wider than the line is cut, never clipped.
    """
    first = _WORD.search(text, start)
    if first is None:
        return None
    line_start, end = first.span()
    if text_width_mm(text[line_start:end], size_pt, bold) > width_mm:
        cuts = _cut_points(first.group(), line_start, size_pt, bold, width_mm)
        cut = cuts[0] if cuts else end  # one glyph wider than the line: the caller refuses it
        return line_start, cut, cut, True
    for match in _WORD.finditer(text, end):
        if text_width_mm(text[line_start : match.end()], size_pt, bold) > width_mm:
            return line_start, end, match.start(), False
        end = match.end()
    return line_start, end, len(text), False


def wrap_text(text: str, size_pt: float, bold: bool, width_mm: float) -> list[str]:
    """The lines of `text` wrapped to `width_mm`; see `wrap_spans`."""
    # Runs of spaces inside a line print as one, as in HTML.
    return [single_spaced(text[a:b]) for a, b in wrap_spans(text, size_pt, bold, width_mm)[0]]
