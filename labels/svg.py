"""SVG labels and bare QR codes: real <text> elements, the QR as one path of merged runs."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from labels.compose import LabelGeometry, TextLine, code_line, compose_label
from labels.layouts import DEFAULT_DPI, get_layout
from labels.qr import QUIET_ZONE_MODULES, QrMatrix, qr_matrix
from labels.radura_symbol import svg_path_data
from labels.typography import (
    MM_PER_PT,
    PDF_FALLBACK_FONT,
    SVG_FALLBACK_FONT_FAMILY,
    SVG_FONT_FAMILY,
    font_runs,
)
from labels.wording import Lang
from schemas.labels import LabelContent

QR_MODULE_MM = 0.5  # default print size of a bare QR module


def _qr_run_path(matrix: QrMatrix) -> str:
    """Path data in module units, one closed rectangle per horizontal run of dark modules."""
    return "".join(f"M{col} {row}h{length}v1h-{length}z" for row, col, length in matrix.dark_runs())


def qr_svg(uri: str, module_mm: float = QR_MODULE_MM) -> str:
    """The bare QR for `uri` (level M, 4-module quiet zone), `module_mm` per module."""
    matrix = qr_matrix(uri)
    side = matrix.size + 2 * QUIET_ZONE_MODULES
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{side * module_mm:.2f}mm" height="{side * module_mm:.2f}mm" '
        f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path transform="translate({QUIET_ZONE_MODULES} {QUIET_ZONE_MODULES})" '
        f'd="{_qr_run_path(matrix)}" fill="#000"/></svg>'
    )


def _text(line: TextLine) -> str:
    weight = ' font-weight="bold"' if line.bold else ""
    # textLength pins the width we measured, so a substitute font can never overflow the box.
    return (
        f'<text x="{line.left_mm:.3f}" y="{line.baseline_mm:.3f}" '
        f'font-size="{line.size_pt * MM_PER_PT:.3f}"{weight} '
        f'textLength="{line.width_mm:.3f}" lengthAdjust="spacingAndGlyphs">'
        f"{_runs(line)}</text>"
    )


def _runs(line: TextLine) -> str:
    """The line's text, a run DejaVu lacks (China's 辐照食品) in a tspan naming CJK fonts."""
    runs = font_runs(line.text, line.bold)
    if len(runs) == 1 and runs[0][0] != PDF_FALLBACK_FONT:
        return escape(line.text)
    family = quoteattr(SVG_FALLBACK_FONT_FAMILY)
    return "".join(
        f"<tspan font-family={family}>{escape(run)}</tspan>"
        if name == PDF_FALLBACK_FONT
        else escape(run)
        for name, run in runs
    )


def _sticker(geometry: LabelGeometry, content: LabelContent, matrix: QrMatrix) -> list[str]:
    symbol, qr = geometry.symbol, geometry.qr
    origin = QUIET_ZONE_MODULES * geometry.module_mm
    x_mm, y_mm = qr.x_mm + origin, qr.y_mm + origin
    parts = [
        f'<rect width="{geometry.spec.width_mm}" height="{geometry.spec.height_mm}" fill="#fff"/>',
        f'<path d="{svg_path_data(symbol.x_mm, symbol.y_mm, symbol.size_mm)}" fill="#000"/>',
        f'<path transform="translate({x_mm:.3f} {y_mm:.3f}) '
        f'scale({geometry.module_mm:.5f})" d="{_qr_run_path(matrix)}" fill="#000" '
        'shape-rendering="crispEdges"/>',
        f'<g font-family={quoteattr(SVG_FONT_FAMILY)} fill="#000">',
    ]
    parts.extend(_text(line) for line in (*geometry.lines, code_line(geometry, content)))
    parts.append("</g>")
    return parts


def label_svg(
    content: LabelContent, layout: str = "a4-3x8", lang: Lang = "id", dpi: int = DEFAULT_DPI
) -> str:
    """One sticker at the size of `layout`'s (on a roll, for a printer of `dpi`);
    `LabelFitError` when it cannot hold everything."""
    spec = get_layout(layout).sticker(dpi)
    matrix = qr_matrix(content.uri)
    geometry = compose_label(content, spec, matrix.size, lang)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{spec.width_mm}mm" height="{spec.height_mm}mm" '
        f'viewBox="0 0 {spec.width_mm} {spec.height_mm}">',
        f"<title>{escape(content.product_name)} · lot {escape(content.lot)}</title>",
        *_sticker(geometry, content, matrix),
        "</svg>",
    ]
    return "".join(parts)
