"""An export market's statutory words on a label (SPEC §13.3): every seeded word prints in the
shipped fonts (Chinese from the Noto Sans CJK SC subset), is measured and embedded run by run,
sits next to the product name, and a PDF carrying it is still a valid PDF whose text reads back.
Where the layout rule is checked sticker by sticker: tests/unit/labels/test_stickers.py."""

from __future__ import annotations

import io
import math
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import quoteattr

import fontTools.ttLib
import msgspec
import pypdfium2 as pdfium
import pytest
import resvg_py
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from labels.compose import TextLine, compose_label
from labels.layouts import get_layout
from labels.pdf import render_pdf
from labels.png import label_png
from labels.qr import qr_matrix
from labels.signing import Keyring
from labels.svg import label_svg
from labels.typography import (
    FALLBACK_FONT_FILE,
    FONT_FILES,
    MM_PER_PT,
    PDF_FALLBACK_FONT,
    PDF_FONT_NAMES,
    SVG_FALLBACK_FONT_FAMILY,
    font_runs,
    missing_characters,
    text_width_mm,
)
from labels.wording import label_phrases
from tests.unit.batches.markets.seeded_rules import seeded_rules
from tests.unit.labels.samples import SHORT_LOT, decode_png, serial_contents

KEYRING = Keyring.generate()
HOLDING = ["a4-3x8", "a4-2x5", "thermal-80x50", "thermal-58x40"]


def _seeded_words() -> set[str]:
    return {
        word
        for rules in seeded_rules().values()
        for rule in rules
        for words in rule.statutory_words.values()
        for word in words
    }


def _label(words: str) -> msgspec.Struct:
    content = serial_contents(
        KEYRING, 1, product_name="Lada hitam bubuk", facility_name="IGMP BRIN", lot=SHORT_LOT
    )[0]
    return msgspec.structs.replace(content, market_words=words)


def test_every_seeded_word_prints_in_the_shipped_fonts() -> None:
    words = _seeded_words()
    assert {"Treated with radiation", "irradiated", "辐照食品"} <= words
    for word in words:
        assert missing_characters(word) == "", word
    # Chinese is set in the fallback, the rest in DejaVu
    assert font_runs("辐照食品", bold=True) == [(PDF_FALLBACK_FONT, "辐照食品")]
    assert font_runs("Irradiated 辐照食品", bold=True) == [
        (PDF_FONT_NAMES[True], "Irradiated "),
        (PDF_FALLBACK_FONT, "辐照食品"),
    ]
    assert font_runs("Treated with radiation") == [
        (PDF_FONT_NAMES[False], "Treated with radiation")
    ]
    # a CJK glyph is a full em: four of them at 10 pt are 40 pt wide, not a fallback's guess
    assert text_width_mm("辐照食品", 10, bold=True) == pytest.approx(40 * 25.4 / 72)


def test_letters_no_label_font_has_are_named() -> None:
    # Japanese 放射線 (only 照 is in the subset), Thai: added with their fonts, as data
    assert set(missing_characters("放射線照射")) == {"放", "射", "線"}
    assert missing_characters("ฉายรังสี") != ""
    assert missing_characters("treated with ionising radiation") == ""


def test_letters_written_right_to_left_are_refused_though_dejavu_has_them() -> None:
    # GCC's label language: DejaVu draws each Arabic letter, but a line set left to right
    # without shaping would print the word reversed and unjoined
    arabic = "مشعع"
    dejavu_bold = fontTools.ttLib.TTFont(FONT_FILES[True]).getBestCmap()
    assert all(ord(char) in dejavu_bold for char in arabic)
    assert set(missing_characters(f"Irradiated {arabic}")) == set(arabic)
    assert missing_characters("עברית") != ""  # Hebrew: right to left as well
    assert missing_characters("Irradié · Bestrahlt · Napromieniowane") == ""


def test_the_shipped_subset_is_small_and_licensed() -> None:
    assert FALLBACK_FONT_FILE.stat().st_size < 20_000
    licence = (FALLBACK_FONT_FILE.parent / "OFL-NotoSansCJK.txt").read_text(encoding="utf-8")
    assert "SIL Open Font License, Version 1.1" in licence
    assert FALLBACK_FONT_FILE.name in licence


def test_the_words_sit_next_to_the_product_name_on_every_layout() -> None:
    content = _label("辐照食品")
    assert label_phrases(content)["market_words"] == "辐照食品"
    assert "market_words" not in label_phrases(_label(""))
    for name in HOLDING:
        layout = get_layout(name)
        for spec in layout.cell_specs():
            geometry = compose_label(content, spec, qr_matrix(content.uri).size)
            keys = [line.key for line in geometry.lines]
            name_at = max(i for i, key in enumerate(keys) if key == "product_name")
            assert keys[name_at + 1] == "market_words", (name, keys)
            words = next(line for line in geometry.lines if line.key == "market_words")
            assert words.bold and words.size_pt >= 5.0
            assert words.left_mm + words.width_mm <= spec.width_mm - spec.padding.right + 1e-6


@pytest.mark.parametrize("name", HOLDING)
def test_a_pdf_with_chinese_words_is_valid_and_reads_back(name: str, tmp_path: Path) -> None:
    layout = get_layout(name)
    cells = [_label("辐照食品")] * (layout.cells_per_page + 1)
    pdf = render_pdf(cells, name)
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    checked = subprocess.run(
        ["qpdf", "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert b"/BaseFont /AAAAAA+NotoSansCJKsc-Bold" in pdf  # the subset is embedded
    document = pdfium.PdfDocument(pdf)
    first = document[0].get_textpage().get_text_range()
    assert first.count("辐照食品") == layout.cells_per_page
    # a label without the words does not carry the Chinese font
    plain = render_pdf([_label("")], name)
    assert b"NotoSansCJK" not in plain


def _words_region(png: bytes, line: TextLine, scale: float) -> Image.Image:
    box = (
        math.floor(line.left_mm * scale),
        math.floor(line.top_mm * scale),
        math.ceil((line.left_mm + line.width_mm) * scale),
        math.ceil((line.bottom_mm + 0.3 * line.size_pt * MM_PER_PT) * scale),
    )
    return Image.open(io.BytesIO(png)).convert("L").crop(box)


def _drawn_in(font_file: Path, line: TextLine, size: tuple[int, int], scale: float) -> bytes:
    """The words alone in one font, where the label puts them, as a PNG."""
    image = Image.new("L", size, 255)
    font = ImageFont.truetype(str(font_file), size=round(line.size_pt * MM_PER_PT * scale, 2))
    ImageDraw.Draw(image).text(
        (line.left_mm * scale, line.baseline_mm * scale), line.text, font=font, fill=0, anchor="ls"
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_png_draws_chinese_in_the_shipped_subset_not_as_boxes() -> None:
    dpi, scale = 300, 300 / 25.4
    content = _label("辐照食品")
    png = label_png(content, dpi, "a4-3x8")
    assert decode_png(png) == [content.uri]
    spec = get_layout("a4-3x8").sticker()
    geometry = compose_label(content, spec, qr_matrix(content.uri).size)
    line = next(line for line in geometry.lines if line.key == "market_words")
    size = Image.open(io.BytesIO(png)).size
    drawn = _words_region(png, line, scale)
    in_subset = _words_region(_drawn_in(FALLBACK_FONT_FILE, line, size, scale), line, scale)
    in_dejavu = _words_region(_drawn_in(FONT_FILES[True], line, size, scale), line, scale)

    def difference(a: Image.Image, b: Image.Image) -> float:
        return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean)

    # the glyphs of 辐照食品, where the label puts them; not DejaVu's empty boxes
    assert difference(drawn, in_subset) < difference(drawn, in_dejavu) / 4, (
        difference(drawn, in_subset),
        difference(drawn, in_dejavu),
    )


def test_an_svg_names_cjk_fonts_for_the_chinese_words() -> None:
    content = _label("辐照食品")
    svg = label_svg(content, "a4-3x8")
    assert f"<tspan font-family={quoteattr(SVG_FALLBACK_FONT_FAMILY)}>辐照食品</tspan>" in svg
    ET.fromstring(svg)  # still well-formed
    # where the viewer has the font (here: the shipped subset), the words print and the QR reads
    png = resvg_py.svg_to_bytes(
        svg_string=svg,
        dpi=300,
        background="#ffffff",
        skip_system_fonts=True,
        font_files=[str(path) for path in (*FONT_FILES.values(), FALLBACK_FONT_FILE)],
    )
    assert decode_png(bytes(png)) == [content.uri]
    # a label without words has no tspan at all
    assert "<tspan" not in label_svg(_label(""), "a4-3x8")
