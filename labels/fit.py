"""Which layouts hold a product's sticker, decided by laying it out with the real font metrics.

One answer for the API (422 `layout_too_small`), the CLI and the console: a layout fits when
every cell of its page (a sheet's edge cells are padded more) holds the whole sticker.
"""

from __future__ import annotations

from labels.compose import LabelFitError, compose_label
from labels.layouts import DEFAULT_DPI, LAYOUTS, PageLayout, get_layout
from labels.qr import qr_matrix
from labels.wording import Lang
from schemas.labels import LabelContent


def fits(
    layout: str | PageLayout, content: LabelContent, dpi: int = DEFAULT_DPI, lang: Lang = "id"
) -> bool:
    """Whether every sticker of `layout` holds `content` (its QR encodes `content.uri`: give a
    serial's to answer for serial labels), on a roll printer of `dpi`."""
    page = layout if isinstance(layout, PageLayout) else get_layout(layout)
    matrix_size = qr_matrix(content.uri).size
    try:
        for spec in page.cell_specs(dpi):
            compose_label(content, spec, matrix_size, lang)
    except LabelFitError:
        return False
    return True


def fitting_layouts(
    content: LabelContent, dpi: int = DEFAULT_DPI, lang: Lang = "id"
) -> dict[str, bool]:
    """Every layout's name, smallest sticker first, and whether it holds `content`."""
    by_size = sorted(LAYOUTS.values(), key=lambda page: page.area_mm2)
    return {page.name: fits(page, content, dpi, lang) for page in by_size}


def smallest_fitting_layout(
    content: LabelContent, dpi: int = DEFAULT_DPI, lang: Lang = "id"
) -> str | None:
    """The layout with the smallest sticker that holds `content`; None when none does."""
    return next((name for name, ok in fitting_layouts(content, dpi, lang).items() if ok), None)
