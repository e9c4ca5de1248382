"""Cut the Chinese fonts from Debian's fonts-noto-cjk: the label font and the certificate font.

- `python labels/fonts/subset_cjk.py [TEXT]` cuts the label font, NotoSansSC-Bold-subset.ttf
  (Noto Sans CJK SC Bold), to the characters of the seeded statutory words and TEXT. Run it
  when the statutory words of a market gain a character the subset lacks; labels print only
  the market's words in Chinese, so a few kilobytes suffice.
- `python labels/fonts/subset_cjk.py --certificate` cuts the certificate font,
  NotoSansSC-Regular-gb2312.ttf (Noto Sans CJK SC Regular), to the 3,755 level-1 hanzi of
  GB 2312 (the common characters: rows 16-55, 0xB0A1-0xD7F9), CJK symbols and punctuation and
  the full-width forms. The export certificate prints whatever the shipment says (a Chinese
  importer's name and address), not only the seeded words, so it needs the common characters
  rather than a handful; the rare ones (GB 2312 level 2 and beyond) are left out to keep the
  file near 1 MB instead of Noto's 20 MB.

Both need fontTools (a dev dependency) and `apt-get install fonts-noto-cjk`; the fonts they
cut are committed, so a label or a certificate prints on any machine.

Noto Sans CJK is an OpenType font with PostScript (CFF) outlines; reportlab, which measures the
text and embeds its fonts, reads only TrueType outlines, so the subset's outlines are
converted to quadratic curves (fontTools' cu2qu, within a thousandth of the em).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
SOURCE = NOTO_DIR / "NotoSansCJK-Bold.ttc"
CERTIFICATE_SOURCE = NOTO_DIR / "NotoSansCJK-Regular.ttc"
SOURCE_INDEX = 2  # Noto Sans CJK SC: the simplified forms China's labels use
TARGET = Path(__file__).with_name("NotoSansSC-Bold-subset.ttf")
CERTIFICATE_TARGET = Path(__file__).with_name("NotoSansSC-Regular-gb2312.ttf")
# The characters of the seeded statutory words (migrations/0165, 0175): GB 7718-2011's 辐照食品.
SEEDED_TEXT = "辐照食品"
_MAX_ERROR_EM = 0.001


def gb2312_level_1() -> str:
    """The 3,755 level-1 hanzi of GB 2312, in its order (rows 16-55; row 55 ends at 0xF9)."""
    return "".join(
        bytes((row, cell)).decode("gb2312")
        for row in range(0xB0, 0xD8)
        for cell in range(0xA1, 0xFA if row == 0xD7 else 0xFF)
    )


def certificate_characters() -> str:
    """What the certificate font holds: level-1 hanzi, CJK symbols and punctuation (U+3000-
    U+303F: 、。「」【】…), the full-width forms (U+FF01-U+FF5E: ，：（）…), the half-width
    CJK punctuation (U+FF5F-U+FF65) and the full-width signs (U+FFE0-U+FFE6: ￥…)."""
    ranges = ((0x3000, 0x303F), (0xFF01, 0xFF65), (0xFFE0, 0xFFE6))
    marks = "".join(chr(code) for first, last in ranges for code in range(first, last + 1))
    return gb2312_level_1() + marks


def _to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines by TrueType ones (as fontTools' otf2ttf snippet does)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    max_error = _MAX_ERROR_EM * font["head"].unitsPerEm
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_error, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        width, _ = hmtx.metrics[name]
        hmtx.metrics[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: CID fonts have none worth keeping
    font.sfntVersion = "\x00\x01\x00\x00"


def cut(text: str, source: Path = SOURCE, target: Path = TARGET) -> None:
    font = TTFont(source, fontNumber=SOURCE_INDEX)
    options = subset.Options()
    options.layout_features = []  # no shaping: the text is set glyph by glyph
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    # the ideographic space (U+3000) is kept: DejaVu lacks it
    subsetter.populate(unicodes=sorted({ord(c) for c in text if c not in " \t\n\r"}))
    subsetter.subset(font)
    _to_truetype(font)
    font.save(target)


def cut_certificate_font() -> None:
    cut(certificate_characters(), CERTIFICATE_SOURCE, CERTIFICATE_TARGET)


if __name__ == "__main__":
    if sys.argv[1:] == ["--certificate"]:
        cut_certificate_font()
        print(CERTIFICATE_TARGET, CERTIFICATE_TARGET.stat().st_size, "bytes")
    else:
        cut(SEEDED_TEXT + "".join(sys.argv[1:]))
        print(TARGET, TARGET.stat().st_size, "bytes")
