"""PNG labels and bare QR codes, drawn with Pillow from the same layout as SVG and PDF."""

from __future__ import annotations

import io
import math
import threading

from PIL import Image, ImageDraw, ImageFont

from labels.compose import LabelGeometry, Panel, TextLine, code_line, compose_label
from labels.layouts import get_layout
from labels.qr import QUIET_ZONE_MODULES, QrMatrix, qr_matrix
from labels.radura_symbol import polygons
from labels.svg import PANEL_GAP_MM, QR_MODULE_MM
from labels.typography import FONT_FILES, MM_PER_PT
from labels.wording import Lang
from schemas.labels import LabelContent

MIN_DPI, MAX_DPI = 72, 1200
MM_PER_INCH = 25.4


# One FreeType face must not be used by two threads at once (the web app renders in a
# thread pool), so each thread keeps its own fonts.
_thread_fonts = threading.local()


def _font(bold: bool, size_px: float) -> ImageFont.FreeTypeFont:
    fonts: dict[tuple[bool, float], ImageFont.FreeTypeFont] = _thread_fonts.__dict__.setdefault(
        "fonts", {}
    )
    font = fonts.get((bold, size_px))
    if font is None:
        if len(fonts) > 64:
            fonts.clear()
        font = fonts[bold, size_px] = ImageFont.truetype(str(FONT_FILES[bold]), size=size_px)
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


def _draw_text(draw: ImageDraw.ImageDraw, line: TextLine, scale: float, dy_px: float) -> None:
    size_px = line.size_pt * MM_PER_PT * scale
    font = _font(line.bold, round(size_px, 2))
    width_px = font.getlength(line.text)
    box_px = line.box_width_mm * scale
    if width_px > box_px:
        # FreeType hinting can make a line a hair wider than the TTF advances say.
        font = _font(line.bold, round(size_px * box_px / width_px * 0.99, 2))
        width_px = font.getlength(line.text)
    left_px = line.x_mm * scale + ((box_px - width_px) / 2 if line.centred else 0.0)
    draw.text(
        (left_px, line.baseline_mm * scale + dy_px), line.text, font=font, fill=0, anchor="ls"
    )


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


def _draw_panel(
    draw: ImageDraw.ImageDraw,
    panel: Panel,
    geometry: LabelGeometry,
    content: LabelContent,
    matrix: QrMatrix,
    scale: float,
    dy_px: float,
) -> None:
    if panel.symbol is not None:
        symbol = panel.symbol
        for polygon in polygons(
            symbol.x_mm * scale, symbol.y_mm * scale + dy_px, symbol.size_mm * scale
        ):
            draw.polygon(polygon, fill=0)
    if panel.qr is not None:
        origin = QUIET_ZONE_MODULES * geometry.module_mm
        _draw_qr(
            draw,
            matrix,
            (panel.qr.x_mm + origin) * scale,
            (panel.qr.y_mm + origin) * scale + dy_px,
            geometry.module_mm * scale,
        )
    for line in panel.lines:
        _draw_text(draw, line, scale, dy_px)
    if panel.code is not None:
        _draw_text(draw, code_line(panel.code, content), scale, dy_px)


def label_png(
    content: LabelContent, dpi: int = 300, layout: str = "a4-3x8", lang: Lang = "id"
) -> bytes:
    """One label as a greyscale PNG at `dpi` (72-1200), at the size of `layout`'s sticker."""
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be {MIN_DPI}-{MAX_DPI}")
    spec = get_layout(layout).label
    matrix = qr_matrix(content.uri)
    geometry = compose_label(content, spec, matrix.size, lang)
    scale = dpi / MM_PER_INCH
    count = len(geometry.panels)
    height_mm = count * spec.height_mm + (count - 1) * PANEL_GAP_MM
    image = Image.new("L", (round(spec.width_mm * scale), round(height_mm * scale)), 255)
    draw = ImageDraw.Draw(image)
    for index, panel in enumerate(geometry.panels):
        dy_px = index * (spec.height_mm + PANEL_GAP_MM) * scale
        if index:
            gap_top = dy_px - PANEL_GAP_MM * scale
            draw.rectangle((0, gap_top, image.width, dy_px - 1), fill=230)
        _draw_panel(draw, panel, geometry, content, matrix, scale, dy_px)
    return _png_bytes(image, dpi)
