"""Page layouts for printing stickers: A4 sticker sheets and one-sticker roll pages (mm).

- `a4-3x8`: 24 stickers of 70×37 mm, edge to edge, 0.5 mm top margin (the common 3×8 sheet).
- `a4-2x5`: 10 stickers of 105×57 mm, 6 mm top margin (the common 2×5 sheet).
- `thermal-80x50`, `thermal-58x40`: one sticker per page, for the 80 mm and 58 mm roll
  printers common and cheap in Indonesia.
- `thermal-50x30`, `thermal-40x30`: listed, but a signed code with its quiet zone, the code
  and the scan hint under it leave no room there for the rest (they never fit).

Every sticker stands alone (labels.compose). Whether a layout holds a product's sticker is
decided by laying it out (`labels.fit.fits`): `a4-3x8`, `a4-2x5` and `thermal-80x50` hold
every realistic product; `thermal-58x40` holds short names.

Margins: text and dark modules keep 2 mm inside every label edge (die cuts and printer
registration wander by about a millimetre), and on A4 sheets 4 mm from the sheet's edges, where
most office printers cannot print: a sticker on the edge of an edge-to-edge sheet keeps its
text further in on that side (`PageLayout.label_at`).

Roll printers print whole dots: at 203 dpi a 0.4 mm module would be 3.2 dots and print
unevenly, so on a roll a module is a whole number of dots (4 at 203 dpi: 0.5 mm; 5 at 300
dpi: 0.42 mm) and the QR starts on a dot (`LabelSpec.dot_mm`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from labels.compose import Insets, LabelSpec

LABEL_MARGIN_MM = 2.0
SHEET_MARGIN_MM = 4.0
MM_PER_INCH = 25.4
ROLL_DPIS = (203, 300)  # the resolutions of roll label printers
DEFAULT_DPI = 203


def check_dpi(dpi: int) -> int:
    """`dpi` if it is a roll printer's resolution; ValueError naming them otherwise."""
    if dpi not in ROLL_DPIS:
        raise ValueError(f"dpi must be one of {', '.join(map(str, ROLL_DPIS))}")
    return dpi


@dataclass(frozen=True, slots=True)
class PageLayout:
    name: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    left_mm: float  # the first cell's top-left corner
    top_mm: float
    column_pitch_mm: float  # cell width plus any gap
    row_pitch_mm: float
    label: LabelSpec  # its padding is the label's own margin
    sheet: bool = True  # one sheet of many labels (A4), not one label per page (a roll)

    @property
    def cells_per_page(self) -> int:
        return self.columns * self.rows

    def cell_origin_mm(self, index: int) -> tuple[float, float]:
        """Top-left corner of cell `index` (row by row) on its page."""
        row, column = divmod(index % self.cells_per_page, self.columns)
        return self.left_mm + column * self.column_pitch_mm, self.top_mm + row * self.row_pitch_mm

    @property
    def size_text(self) -> str:
        """The sticker's size as people name it: `70 × 37 mm`."""
        return f"{self.label.width_mm:g} × {self.label.height_mm:g} mm"

    @property
    def area_mm2(self) -> float:
        return self.label.width_mm * self.label.height_mm

    def sticker(self, dpi: int = DEFAULT_DPI) -> LabelSpec:
        """One sticker of this layout on its own (an SVG or PNG), for a roll printer of `dpi`."""
        if self.sheet:
            return self.label
        return dataclasses.replace(self.label, dot_mm=MM_PER_INCH / check_dpi(dpi))

    def label_at(self, index: int, dpi: int = DEFAULT_DPI) -> LabelSpec:
        """The sticker to compose for cell `index` of a page: padded more on a sheet's edge,
        with a roll printer's dots."""
        spec = self.sticker(dpi)
        return dataclasses.replace(spec, padding=spec.padding.union(self._sheet_insets(index)))

    def cell_specs(self, dpi: int = DEFAULT_DPI) -> tuple[LabelSpec, ...]:
        """Every different sticker a page of this layout composes (the edges are padded more)."""
        return tuple(dict.fromkeys(self.label_at(i, dpi) for i in range(self.cells_per_page)))

    def _sheet_insets(self, index: int) -> Insets:
        if not self.sheet:
            return Insets.even(0.0)
        x_mm, y_mm = self.cell_origin_mm(index)
        label = self.label
        return Insets(
            top=SHEET_MARGIN_MM - y_mm,
            right=SHEET_MARGIN_MM - (self.page_width_mm - x_mm - label.width_mm),
            bottom=SHEET_MARGIN_MM - (self.page_height_mm - y_mm - label.height_mm),
            left=SHEET_MARGIN_MM - x_mm,
        )


def _roll(
    width_mm: float, height_mm: float, max_text_pt: float, max_module_mm: float
) -> PageLayout:
    """One sticker per page of a roll; smaller than 70×37 mm it leaves the producer off."""
    return PageLayout(
        name=f"thermal-{width_mm:g}x{height_mm:g}",
        page_width_mm=width_mm,
        page_height_mm=height_mm,
        columns=1,
        rows=1,
        left_mm=0,
        top_mm=0,
        column_pitch_mm=width_mm,
        row_pitch_mm=height_mm,
        sheet=False,
        label=LabelSpec(
            width_mm=width_mm,
            height_mm=height_mm,
            max_module_mm=max_module_mm,
            padding=Insets.even(LABEL_MARGIN_MM),
            max_text_pt=max_text_pt,
            producer_texts=width_mm >= 70 and height_mm >= 37,
        ),
    )


LAYOUTS: dict[str, PageLayout] = {
    "a4-3x8": PageLayout(
        name="a4-3x8",
        page_width_mm=210,
        page_height_mm=297,
        columns=3,
        rows=8,
        left_mm=0,
        top_mm=0.5,
        column_pitch_mm=70,
        row_pitch_mm=37,
        label=LabelSpec(
            width_mm=70,
            height_mm=37,
            max_module_mm=0.42,
            padding=Insets.even(LABEL_MARGIN_MM),
            max_text_pt=7.0,
        ),
    ),
    "a4-2x5": PageLayout(
        name="a4-2x5",
        page_width_mm=210,
        page_height_mm=297,
        columns=2,
        rows=5,
        left_mm=0,
        top_mm=6,
        column_pitch_mm=105,
        row_pitch_mm=57,
        label=LabelSpec(
            width_mm=105,
            height_mm=57,
            max_module_mm=0.6,
            padding=Insets.even(LABEL_MARGIN_MM),
            max_text_pt=8.0,
        ),
    ),
    # 5 dots at 203 dpi (0.63 mm) for a short URI, 4 (0.5 mm) when the text needs the room
    "thermal-80x50": _roll(80, 50, max_text_pt=8.0, max_module_mm=0.63),
    "thermal-58x40": _roll(58, 40, max_text_pt=7.0, max_module_mm=0.51),
    "thermal-50x30": _roll(50, 30, max_text_pt=6.5, max_module_mm=0.51),
    "thermal-40x30": _roll(40, 30, max_text_pt=6.5, max_module_mm=0.51),
}


def get_layout(name: str) -> PageLayout:
    """The layout called `name`; ValueError listing the known names otherwise."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; known: {', '.join(LAYOUTS)}") from None
