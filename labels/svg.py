"""SVG labels and bare QR codes: real <text> elements, the QR as one path of merged runs."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from labels.compose import LabelGeometry, Panel, TextLine, code_line, compose_label
from labels.layouts import get_layout
from labels.qr import QUIET_ZONE_MODULES, QrMatrix, qr_matrix
from labels.radura_symbol import svg_path_data
from labels.typography import MM_PER_PT, SVG_FONT_FAMILY
from labels.wording import Lang
from schemas.labels import LabelContent

PANEL_GAP_MM = 3.0  # between the labels of one multi-label item, when shown together
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
        f"{escape(line.text)}</text>"
    )


def _panel(
    panel: Panel, geometry: LabelGeometry, content: LabelContent, matrix: QrMatrix
) -> list[str]:
    parts = [
        f'<rect width="{geometry.spec.width_mm}" height="{geometry.spec.height_mm}" fill="#fff"/>'
    ]
    if panel.symbol is not None:
        symbol = panel.symbol
        parts.append(
            f'<path d="{svg_path_data(symbol.x_mm, symbol.y_mm, symbol.size_mm)}" fill="#000"/>'
        )
    if panel.qr is not None:
        origin = QUIET_ZONE_MODULES * geometry.module_mm
        x_mm, y_mm = panel.qr.x_mm + origin, panel.qr.y_mm + origin
        parts.append(
            f'<path transform="translate({x_mm:.3f} {y_mm:.3f}) '
            f'scale({geometry.module_mm:.5f})" d="{_qr_run_path(matrix)}" fill="#000" '
            'shape-rendering="crispEdges"/>'
        )
    lines = list(panel.lines)
    if panel.code is not None:
        lines.append(code_line(panel.code, content))
    parts.append(f'<g font-family={quoteattr(SVG_FONT_FAMILY)} fill="#000">')
    parts.extend(_text(line) for line in lines)
    parts.append("</g>")
    return parts


def label_svg(content: LabelContent, layout: str = "a4-3x8", lang: Lang = "id") -> str:
    """One label at the size of `layout`'s sticker; labels that continue are stacked below."""
    spec = get_layout(layout).label
    matrix = qr_matrix(content.uri)
    geometry = compose_label(content, spec, matrix.size, lang)
    count = len(geometry.panels)
    height = count * spec.height_mm + (count - 1) * PANEL_GAP_MM
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{spec.width_mm}mm" height="{height:.2f}mm" '
        f'viewBox="0 0 {spec.width_mm} {height:.2f}">',
        f"<title>{escape(content.product_name)} · lot {escape(content.lot)}</title>",
    ]
    for index, panel in enumerate(geometry.panels):
        offset = index * (spec.height_mm + PANEL_GAP_MM)
        parts.append(f'<g transform="translate(0 {offset:.2f})">')
        parts.extend(_panel(panel, geometry, content, matrix))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
