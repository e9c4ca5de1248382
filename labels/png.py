"""PNG labels and bare QR codes, drawn with Pillow from the same layout as SVG and PDF."""

from __future__ import annotations

import io
import math
import threading

from PIL import Image, ImageDraw, ImageFont

from labels.compose import LabelGeometry, TextLine, code_line, compose_label
from labels.layouts import DEFAULT_DPI, get_layout
from labels.qr import QUIET_ZONE_MODULES, QrMatrix, qr_matrix
from labels.radura_symbol import polygons
from labels.svg import QR_MODULE_MM
from labels.typography import FONT_FILE_BY_PDF_NAME, MM_PER_PT, font_runs
from labels.wording import Lang
from schemas.labels import LabelContent

MIN_DPI, MAX_DPI = 72, 1200
MM_PER_INCH = 25.4


# One FreeType face must not be used by two threads at once (the web app renders in a
# thread pool), so each thread keeps its own fonts.
_thread_fonts = threading.local()


def _font(name: str, size_px: float) -> ImageFont.FreeTypeFont:
    """The font of this PDF name (DejaVu's regular or bold, or the CJK fallback) at a size."""
    fonts: dict[tuple[str, float], ImageFont.FreeTypeFont] = _thread_fonts.__dict__.setdefault(
        "fonts", {}
    )
    font = fonts.get((name, size_px))
    if font is None:
        if len(fonts) > 64:
            fonts.clear()
        path = str(FONT_FILE_BY_PDF_NAME[name])
        font = fonts[name, size_px] = ImageFont.truetype(path, size=size_px)
    return font


def _png_bytes(image: Image.Image, dpi: float | None) -> bytes:
    buffer = io.BytesIO()
    if dpi is None:
        image.save(buffer, format="PNG", optimize=True)
    else:
        image.save(buffer, format="PNG", optimize=True, dpi=(dpi, dpi))
    return buffer.getvalue()


def qr_png(uri: str, module_px: int = 8, dpi: int | None = None) -> bytes:
    """The bare QR (level M, 4-module quiet zone) as a 1-bit PNG.

    With `dpi`, modules are sized for 0.5 mm in print at that resolution (and the PNG says so).
    """
    if dpi is not None:
        if not MIN_DPI <= dpi <= MAX_DPI:
            raise ValueError(f"dpi must be {MIN_DPI}-{MAX_DPI}")
        module_px = max(1, math.ceil(dpi * QR_MODULE_MM / MM_PER_INCH))
    if not 1 <= module_px <= 100:
        raise ValueError("module_px must be 1-100")
    matrix = qr_matrix(uri)
    side = matrix.size + 2 * QUIET_ZONE_MODULES
    quiet = "0" * QUIET_ZONE_MODULES
    rows = [quiet * 2 + "0" * matrix.size] * QUIET_ZONE_MODULES
    rows = rows + [quiet + row + quiet for row in matrix.row_strings()] + rows
    # '1' = dark becomes 0 (black) in an 8-bit grey image.
    pixels = "".join(rows).translate(str.maketrans("01", "\xff\x00")).encode("latin-1")
    image = Image.frombytes("L", (side, side), pixels)
    image = image.resize((side * module_px, side * module_px), Image.Resampling.NEAREST)
    return _png_bytes(image.convert("1"), dpi)


def _draw_text(draw: ImageDraw.ImageDraw, line: TextLine, scale: float) -> None:
    """The line run by run, each in the font that has its characters (China's 辐照食品 in the
    CJK fallback), as the PDF sets it."""
    runs = font_runs(line.text, line.bold)
    size_px = round(line.size_pt * MM_PER_PT * scale, 2)
    width_px = sum(_font(name, size_px).getlength(run) for name, run in runs)
    box_px = line.box_width_mm * scale
    if width_px > box_px:
        # FreeType hinting can make a line a hair wider than the TTF advances say.
        size_px = round(size_px * box_px / width_px * 0.99, 2)
        width_px = sum(_font(name, size_px).getlength(run) for name, run in runs)
    x_px = line.x_mm * scale + ((box_px - width_px) / 2 if line.centred else 0.0)
    for name, run in runs:
        font = _font(name, size_px)
        draw.text((x_px, line.baseline_mm * scale), run, font=font, fill=0, anchor="ls")
        x_px += font.getlength(run)


def _draw_qr(
    draw: ImageDraw.ImageDraw, matrix: QrMatrix, x_px: float, y_px: float, module_px: float
) -> None:
    def edge(origin: float, index: int) -> int:
        # Rounding each module edge keeps modules within one pixel of each other in size.
        return round(origin + index * module_px)

    for row, col, length in matrix.dark_runs():
        draw.rectangle(
            (
                edge(x_px, col),
                edge(y_px, row),
                edge(x_px, col + length) - 1,
                edge(y_px, row + 1) - 1,
            ),
            fill=0,
        )


def _draw_sticker(
    draw: ImageDraw.ImageDraw,
    geometry: LabelGeometry,
    content: LabelContent,
    matrix: QrMatrix,
    scale: float,
) -> None:
    symbol, qr = geometry.symbol, geometry.qr
    for polygon in polygons(symbol.x_mm * scale, symbol.y_mm * scale, symbol.size_mm * scale):
        draw.polygon(polygon, fill=0)
    origin = QUIET_ZONE_MODULES * geometry.module_mm
    _draw_qr(
        draw,
        matrix,
        (qr.x_mm + origin) * scale,
        (qr.y_mm + origin) * scale,
        geometry.module_mm * scale,
    )
    for line in (*geometry.lines, code_line(geometry, content)):
        _draw_text(draw, line, scale)


def label_png(
    content: LabelContent,
    dpi: int = 300,
    layout: str = "a4-3x8",
    lang: Lang = "id",
    printer_dpi: int = DEFAULT_DPI,
) -> bytes:
    """One sticker as a greyscale PNG at `dpi` (72-1200), at the size of `layout`'s (on a
    roll, laid out for a printer of `printer_dpi`); `LabelFitError` when it cannot hold
    everything."""
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be {MIN_DPI}-{MAX_DPI}")
    spec = get_layout(layout).sticker(printer_dpi)
    matrix = qr_matrix(content.uri)
    geometry = compose_label(content, spec, matrix.size, lang)
    scale = dpi / MM_PER_INCH
    image = Image.new("L", (round(spec.width_mm * scale), round(spec.height_mm * scale)), 255)
    _draw_sticker(ImageDraw.Draw(image), geometry, content, matrix, scale)
    return _png_bytes(image, dpi)
