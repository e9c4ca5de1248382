"""Page layouts for printing labels: A4 sticker sheets and one-label thermal pages (mm).

- `a4-3x8`: 24 stickers of 70×37 mm, edge to edge, 0.5 mm top margin (the common 3×8 sheet).
- `a4-2x5`: 10 stickers of 105×57 mm, 6 mm top margin (the common 2×5 sheet).
- `thermal-50x30`, `thermal-40x30`: one label per page, for roll printers.

Margins: text and dark modules keep 2 mm inside every label edge (die cuts and printer
registration wander by about a millimetre), and on A4 sheets 4 mm from the sheet's edges, where
most office printers cannot print: a sticker on the edge of an edge-to-edge sheet keeps its
text further in on that side (`PageLayout.label_at`).

Thermal QR boxes are 26 mm: 65 modules (a version-10 symbol with its quiet zone, enough for
a ~40-character base URL, a 20-character lot and a serial) at the 0.4 mm minimum. On 40×30
mm that leaves too little room for every §5.2 item at a readable size, so long content
continues on the next label of the roll (see labels.compose), and the body text may go down
to 4 pt there so that the safety texts still fit the first label beside the QR.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from labels.compose import Insets, LabelSpec

LABEL_MARGIN_MM = 2.0
SHEET_MARGIN_MM = 4.0


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

    def label_at(self, first_cell: int, cells: int = 1) -> LabelSpec:
        """The label to compose for `cells` consecutive cells from `first_cell` (a label with
        its continuations): padded on each side as much as the most exposed of those cells."""
        padding = self.label.padding
        for index in range(first_cell, first_cell + cells):
            padding = padding.union(self._sheet_insets(index))
        return dataclasses.replace(self.label, padding=padding)

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
            qr_box_mm=31,
            max_module_mm=0.42,
            padding=Insets.even(LABEL_MARGIN_MM),
            min_text_pt=4.5,
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
            qr_box_mm=42,
            max_module_mm=0.6,
            padding=Insets.even(LABEL_MARGIN_MM),
            min_text_pt=5.0,
            max_text_pt=9.0,
        ),
    ),
    "thermal-50x30": PageLayout(
        name="thermal-50x30",
        page_width_mm=50,
        page_height_mm=30,
        columns=1,
        rows=1,
        left_mm=0,
        top_mm=0,
        column_pitch_mm=50,
        row_pitch_mm=30,
        sheet=False,
        label=LabelSpec(
            width_mm=50,
            height_mm=30,
            qr_box_mm=26,
            max_module_mm=0.4,
            padding=Insets.even(LABEL_MARGIN_MM),
            min_text_pt=4.5,
            max_text_pt=6.5,
        ),
    ),
    "thermal-40x30": PageLayout(
        name="thermal-40x30",
        page_width_mm=40,
        page_height_mm=30,
        columns=1,
        rows=1,
        left_mm=0,
        top_mm=0,
        column_pitch_mm=40,
        row_pitch_mm=30,
        sheet=False,
        label=LabelSpec(
            width_mm=40,
            height_mm=30,
            qr_box_mm=26,
            max_module_mm=0.4,
            padding=Insets.even(LABEL_MARGIN_MM),
            min_text_pt=4.0,
            max_text_pt=6.5,
        ),
    ),
}


def get_layout(name: str) -> PageLayout:
    """The layout called `name`; ValueError listing the known names otherwise."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; known: {', '.join(LAYOUTS)}") from None
