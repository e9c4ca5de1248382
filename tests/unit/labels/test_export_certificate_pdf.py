"""The export certificate page on its own: one A4 page whose text holds every fact, whose QR
decodes to the link it was given, the market's words printed only where the font has their
glyphs, a Chinese consignee drawn in the certificate's CJK font (the characters read back, each
in that font, each glyph the right one and not a box), a character no font has never drawn,
and RECALLED across a recalled batch's."""

from __future__ import annotations

import ctypes
import re
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from labels.export_certificate_pdf import (
    REPLACEMENT,
    ROWS,
    ExportCertificateFacts,
    certificate_text,
    export_certificate_pdf,
    printable,
)
from labels.typography import CERTIFICATE_FALLBACK_FONT_FILE, FALLBACK_FONT_FILE
from tests.unit.labels.samples import decode_all, render_page, squash

URI = "https://radura.example.id/c/RDR-EC-2026-000042?s=" + "A" * 96


def facts(**changes: Any) -> ExportCertificateFacts:
    values: dict[str, Any] = {name: f"{name} value" for _, name in ROWS}
    values |= {
        "number": "RDR-EC-2026-000042",
        "uri": URI,
        "issued_on": "2026-12-08",
        "conformity": "The consignment was irradiated in conformity with Codex CXS 106.",
    }
    return ExportCertificateFacts(**(values | changes))


def text_of(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return squash(" ".join(page.get_textpage().get_text_range() for page in document))


def test_one_page_with_every_fact_and_the_qr() -> None:
    pdf = export_certificate_pdf(facts())
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    text = text_of(pdf)
    for label, name in ROWS:
        assert f"{label} {name} value" in text, label
    assert "Certificate No. RDR-EC-2026-000042" in text
    assert "CXS 106" in text
    assert "RECALLED" not in text
    assert decode_all(render_page(document, 0, dpi=200)) == [URI]


def test_market_words_print_only_in_letters_the_fonts_have() -> None:
    assert printable("Diiradiasi / Irradié")
    assert printable("辐照食品")  # in the bundled CJK subset
    assert printable("上海海鲜贸易有限公司")  # GB 2312 level 1, in the certificate's font
    assert not printable("放射線照射")  # Japanese: GB 2312 has 线, not 線
    pdf = export_certificate_pdf(facts(market_words=[("ms", "Diiradiasi"), ("zh", "辐照食品")]))
    text = text_of(pdf)
    assert "Diiradiasi (ms)" in text
    assert "辐照食品 (zh)" in text
    fonts = {font.split("+")[-1] for font in embedded_fonts(pdf)}
    assert "NotoSansCJKsc-Regular" in fonts, fonts  # the certificate's CJK font, embedded


def embedded_fonts(pdf: bytes) -> list[str]:
    """The BaseFont names the PDF's font dictionaries carry."""
    return [name.decode() for name in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+#_-]+)", pdf)]


def test_a_recalled_batch_says_so_and_still_verifies() -> None:
    pdf = export_certificate_pdf(
        facts(recalled_at="2026-12-09 10:00 WIB", recall_reason="Kemasan bocor")
    )
    text = text_of(pdf)
    assert "DITARIK / RECALLED 2026-12-09 10:00 WIB" in text
    assert "Kemasan bocor" in text
    assert decode_all(render_page(pdfium.PdfDocument(pdf), 0, dpi=200)) == [URI]


CONSIGNEE = "上海海鲜贸易有限公司, 上海市浦东新区, China"
CJK_FONT = "NotoSansCJKsc-Regular"


def drawn_characters(pdf: bytes) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """Each character the first page draws: (character, its font's name without the subset
    tag, its glyph's box in points)."""
    page = pdfium.PdfDocument(pdf)[0]
    text = page.get_textpage()
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    drawn = []
    for index in range(text.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(text.raw, index)
        if pdfium_c.FPDFText_IsGenerated(text.raw, index) or code in (0, 10, 13):
            continue
        pdfium_c.FPDFText_GetFontInfo(text.raw, index, buffer, len(buffer), ctypes.byref(flags))
        font = buffer.value.decode().split("+")[-1]
        drawn.append((chr(code), font, text.get_charbox(index)))
    return drawn


def glyph_image(image: Image.Image) -> Image.Image:
    """The ink of a greyscale image (its tight box), scaled to 48×48: one glyph's shape,
    whatever its size and place."""
    inverted = ImageChops.invert(image.convert("L"))
    box = inverted.getbbox()
    assert box is not None, "no ink"
    return inverted.crop(box).resize((48, 48))


def difference(a: Image.Image, b: Image.Image) -> float:
    return float(ImageStat.Stat(ImageChops.difference(a, b)).mean[0])


def font_glyph(char: str) -> Image.Image:
    font = ImageFont.truetype(str(CERTIFICATE_FALLBACK_FONT_FILE), 96)
    image = Image.new("L", (140, 140), 255)
    ImageDraw.Draw(image).text((10, 10), char, font=font, fill=0)
    return glyph_image(image)


def test_a_chinese_consignee_prints_in_the_certificate_cjk_font() -> None:
    """The consignee's name and city in Chinese read back from the PDF as written, each hanzi
    drawn in the embedded certificate CJK font, whose cmap has it, and the drawn glyph is that
    character's, not the font's empty box (.notdef)."""
    pdf = export_certificate_pdf(facts(consignee=CONSIGNEE))
    assert f"Consignee {CONSIGNEE}" in text_of(pdf)
    cmap = TTFont(CERTIFICATE_FALLBACK_FONT_FILE).getBestCmap()
    hanzi = [(c, font, box) for c, font, box in drawn_characters(pdf) if ord(c) >= 0x3000]
    assert "".join(c for c, _, _ in hanzi) == "上海海鲜贸易有限公司上海市浦东新区"
    scale = 400 / 72
    page = pdfium.PdfDocument(pdf)[0]
    rendered = page.render(scale=scale).to_pil().convert("L")
    height = page.get_height()
    notdef = font_glyph("線")  # not in the font: drawn as its .notdef box
    for char, font, (left, bottom, right, top) in hanzi:
        assert font == CJK_FONT, (char, font)
        assert ord(char) in cmap, char
        crop = rendered.crop(
            (
                int(left * scale) - 2,
                int((height - top) * scale) - 2,
                int(right * scale) + 3,
                int((height - bottom) * scale) + 3,
            )
        )
        drawn = glyph_image(crop)
        near, box = difference(drawn, font_glyph(char)), difference(drawn, notdef)
        assert near < box / 2, (char, near, box)


def test_the_certificate_font_holds_gb2312_level_1_and_stays_small() -> None:
    level_1 = [
        bytes((row, cell)).decode("gb2312")
        for row in range(0xB0, 0xD8)
        for cell in range(0xA1, 0xFA if row == 0xD7 else 0xFF)
    ]
    assert len(level_1) == 3755
    cmap = TTFont(CERTIFICATE_FALLBACK_FONT_FILE).getBestCmap()
    assert all(ord(char) in cmap for char in level_1)
    assert all(ord(char) in cmap for char in "，。、：；（）「」【】　￥")
    assert CERTIFICATE_FALLBACK_FONT_FILE.stat().st_size < 2_500_000
    assert FALLBACK_FONT_FILE.stat().st_size < 20_000  # the labels keep their few kB
    licence = (CERTIFICATE_FALLBACK_FONT_FILE.parent / "OFL-NotoSansCJK.txt").read_text()
    assert CERTIFICATE_FALLBACK_FONT_FILE.name in licence


def test_a_character_no_font_has_is_replaced_and_named_never_boxed() -> None:
    """𠮷 (U+20BB7, beyond GB 2312) and Arabic (which would print reversed and unjoined) are
    printed as U+FFFD with a note naming each in order; every other character as written."""
    name = "𠮷野家 مرح, Tokyo"
    assert certificate_text("上海海鲜贸易有限公司") == "上海海鲜贸易有限公司"
    printed = certificate_text(name)
    assert printed == (
        f"{REPLACEMENT}野家 {REPLACEMENT * 3}, Tokyo (each {REPLACEMENT} in turn: U+20BB7, "
        "U+0645, U+0631, U+062D, characters this certificate's fonts lack)"
    )
    assert certificate_text("A\U00020bb7") == (
        f"A{REPLACEMENT} ({REPLACEMENT} is U+20BB7, a character this certificate's fonts lack)"
    )
    pdf = export_certificate_pdf(facts(consignee=name, recall_reason="𠮷", recalled_at="x"))
    text = text_of(pdf)
    assert squash(f"Consignee {printed}") in text
    drawn = drawn_characters(pdf)
    assert not {c for c, _, _ in drawn} & {"\U00020bb7", "م", "ر", "ح"}
    assert ("野", CJK_FONT) in {(c, font) for c, font, _ in drawn}
