"""The label typeface (DejaVu Sans Condensed, shipped in labels/fonts/): metrics and wrapping.

A market's statutory words may need letters DejaVu lacks (China's 辐照食品): those characters
are set in the fallback font, a subset of Noto Sans CJK SC Bold shipped beside DejaVu
(labels/fonts/subset_cjk.py cuts it), measured and embedded run by run like DejaVu. The export
certificate prints whatever a shipment says (a Chinese importer's name and address), so its
fallback is a larger cut of the same script: the 3,755 level-1 hanzi of GB 2312 and CJK
punctuation in Noto Sans CJK SC Regular (`CERTIFICATE_FALLBACK_FONT_FILE`, 1 MB, loaded only
by the certificate); every function that measures or splits text takes the fallback it uses.

One set of metrics (the TTF advance widths, read through reportlab) serves SVG, PNG and PDF,
so a line that fits in one fits in all. DejaVu has ≤, °, − and all Indonesian letters; the
condensed cut keeps DejaVu's large x-height (readable at 5 pt) and sets a tenth more text on a
line, which a 70×37 mm sticker that carries every particular needs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
FONT_FILES = {
    False: FONT_DIR / "DejaVuSansCondensed.ttf",
    True: FONT_DIR / "DejaVuSansCondensed-Bold.ttf",
}
PDF_FONT_NAMES = {False: "RaduraSans", True: "RaduraSans-Bold"}
# Characters DejaVu lacks, in both weights (only the bold cut is shipped: a few kB).
FALLBACK_FONT_FILE = FONT_DIR / "NotoSansSC-Bold-subset.ttf"
PDF_FALLBACK_FONT = "RaduraCJK"
# The export certificate's CJK font: GB 2312's level-1 hanzi, CJK punctuation, full-width forms
CERTIFICATE_FALLBACK_FONT_FILE = FONT_DIR / "NotoSansSC-Regular-gb2312.ttf"
PDF_CERTIFICATE_FALLBACK_FONT = "RaduraCJKText"
# each font by its PDF name, as the PNG renderer loads it
FONT_FILE_BY_PDF_NAME = {
    PDF_FONT_NAMES[False]: FONT_FILES[False],
    PDF_FONT_NAMES[True]: FONT_FILES[True],
    PDF_FALLBACK_FONT: FALLBACK_FONT_FILE,
    PDF_CERTIFICATE_FALLBACK_FONT: CERTIFICATE_FALLBACK_FONT_FILE,
}
# DejaVu has nothing from U+2E00 on (CJK radicals onward): a text without such characters is
# set in DejaVu alone, without looking at each character
_BEYOND_DEJAVU = re.compile("[\u2e00-\ud7ff\uf900-\U0010ffff]")
# Unicode's bidirectional classes of letters written right to left
_RIGHT_TO_LEFT = frozenset({"R", "AL"})
SVG_FONT_FAMILY = "'DejaVu Sans Condensed', 'DejaVu Sans', 'Bitstream Vera Sans', sans-serif"
# An SVG opened on its own may load no font (its Content-Security-Policy), so a run set in the
# fallback font names the CJK fonts a viewer may have; the PDF and PNG carry the subset itself.
SVG_FALLBACK_FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
)
MM_PER_PT = 25.4 / 72
ASCENT_EM = 0.76  # DejaVu Sans ascent and descent, as reportlab reads the font
DESCENT_EM = 0.24
LINE_HEIGHT_EM = 1.18
TIGHT_LINE_HEIGHT_EM = 1.1  # a crowded sticker's lines: still 0.1 em between descender and ascender
# the last resort's lines: a descender and the ascender under it still 0.05 em (a 300 dpi
# printer's dot at 5 pt) apart
SOLID_LINE_HEIGHT_EM = 1.05
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
    pdfmetrics.registerFont(TTFont(PDF_FALLBACK_FONT, str(FALLBACK_FONT_FILE)))


@lru_cache(maxsize=1)
def register_certificate_font() -> None:
    """Make the certificate's CJK font known to reportlab too (once per process, 0.15 s: only
    a process that draws a certificate pays for it)."""
    register_pdf_fonts()
    font = TTFont(PDF_CERTIFICATE_FALLBACK_FONT, str(CERTIFICATE_FALLBACK_FONT_FILE))
    pdfmetrics.registerFont(font)


@cache
def _characters(name: str) -> frozenset[int]:
    """The characters (code points) the font of this PDF name has a glyph for."""
    if name == PDF_CERTIFICATE_FALLBACK_FONT:
        register_certificate_font()
    else:
        register_pdf_fonts()
    font = pdfmetrics.getFont(name)
    assert isinstance(font, TTFont)
    return frozenset(font.face.charToGlyph)


def font_runs(
    text: str, bold: bool = False, fallback: str = PDF_FALLBACK_FONT
) -> list[tuple[str, str]]:
    """`text` as (PDF font name, run) pieces: DejaVu where it has the character, the fallback
    font (the labels' or the certificate's CJK font) where only it has it."""
    primary = PDF_FONT_NAMES[bold]
    if not _BEYOND_DEJAVU.search(text):
        return [(primary, text)]
    in_primary, in_fallback = _characters(primary), _characters(fallback)
    runs: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        name = fallback if code not in in_primary and code in in_fallback else primary
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + char)
        else:
            runs.append((name, char))
    return runs


def missing_characters(text: str, fallback: str = PDF_FALLBACK_FONT) -> str:
    """The characters of `text` the labels (or, with the certificate's `fallback`, the export
    certificate) cannot print: those neither DejaVu nor the fallback has (they would print as
    empty boxes), and letters written right to left (Arabic, Hebrew). DejaVu has
    Arabic letters, but the labels set every line left to right, glyph by glyph: Arabic would
    print reversed and unjoined, a wrong word on a statutory label, so it is refused until the
    labels shape text (`market_words_missing`)."""
    regular, bold = _characters(PDF_FONT_NAMES[False]), _characters(PDF_FONT_NAMES[True])
    in_fallback = _characters(fallback)
    missing = (
        char
        for char in text
        if not char.isspace()
        and (
            unicodedata.bidirectional(char) in _RIGHT_TO_LEFT
            or (not (ord(char) in regular and ord(char) in bold) and ord(char) not in in_fallback)
        )
    )
    return "".join(dict.fromkeys(missing))


def text_width_mm(
    text: str, size_pt: float, bold: bool = False, fallback: str = PDF_FALLBACK_FONT
) -> float:
    register_pdf_fonts()
    text = text.replace(GLUE, " ")
    width_pt = sum(
        pdfmetrics.stringWidth(run, name, size_pt) for name, run in font_runs(text, bold, fallback)
    )
    return width_pt * MM_PER_PT


def line_height_mm(size_pt: float) -> float:
    return size_pt * LINE_HEIGHT_EM * MM_PER_PT


def _cut_points(
    word: str,
    start: int,
    size_pt: float,
    bold: bool,
    width_mm: float,
    fallback: str = PDF_FALLBACK_FONT,
) -> list[int]:
    """Offsets (within `word`) where a word wider than the line is cut; each piece fits."""

    def width(piece: str) -> float:
        return text_width_mm(piece, size_pt, bold, fallback)

    cuts = []
    begin = 0
    while width(word[begin:]) > width_mm and len(word) - begin > 1:
        end = begin + 1
        while end < len(word) and width(word[begin : end + 1]) <= width_mm:
            end += 1
        cuts.append(start + end)
        begin = end
    return cuts


def wrap_spans(
    text: str, size_pt: float, bold: bool, width_mm: float, fallback: str = PDF_FALLBACK_FONT
) -> tuple[list[tuple[int, int]], bool]:
    """Greedy word wrap as (start, end) offsets into `text`, and whether a word had to be cut.

    A word longer than the line is cut so that nothing is ever clipped (a Chinese name, written
    without spaces, is one word: it is cut between characters where the line is full).
    """
    spans: list[tuple[int, int]] = []
    line_start = line_end = -1
    was_cut = False
    for match in _WORD.finditer(text):
        start, end = match.span()
        if (
            line_start >= 0
            and text_width_mm(text[line_start:end], size_pt, bold, fallback) <= width_mm
        ):
            line_end = end
            continue
        if line_start >= 0:
            spans.append((line_start, line_end))
        line_start = start
        for cut in _cut_points(match.group(), start, size_pt, bold, width_mm, fallback):
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


def wrap_text(
    text: str, size_pt: float, bold: bool, width_mm: float, fallback: str = PDF_FALLBACK_FONT
) -> list[str]:
    """The lines of `text` wrapped to `width_mm`; see `wrap_spans`."""
    # Runs of spaces inside a line print as one, as in HTML.
    spans = wrap_spans(text, size_pt, bold, width_mm, fallback)[0]
    return [single_spaced(text[a:b]) for a, b in spans]
