"""Labels that print well: every glyph measured in the rendered PDF (pypdfium2) keeps 2 mm
inside its label and 4 mm inside an A4 sheet; numbers with their units never wrap; the PDF
says what it is, whose it is and when it was made."""

from __future__ import annotations

import datetime

import pypdfium2 as pdfium
import pytest

from labels.compose import compose_label
from labels.fit import fits
from labels.layouts import LABEL_MARGIN_MM, SHEET_MARGIN_MM, PageLayout, get_layout
from labels.pdf import PT_PER_MM, render_pdf
from labels.qr import qr_matrix
from labels.signing import Keyring
from labels.typography import text_width_mm, wrap_text
from labels.wording import label_phrases
from schemas.labels import LabelContent
from tests.unit.labels.samples import (
    DEMO_FACILITY,
    DEMO_PRODUCT,
    LONG_FACILITY,
    LONG_PRODUCT,
    pdf_pages,
    serial_contents,
)

KEYRING = Keyring.generate()
TOLERANCE_MM = 0.05  # glyph boxes are read back from the file's rounded coordinates


def _glyph_boxes_mm(page: pdfium.PdfPage) -> list[tuple[str, float, float, float, float]]:
    """(character, left, top, right, bottom) of every printed glyph, mm from the top-left."""
    height_pt = page.get_height()
    text = page.get_textpage()
    boxes = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if not char.strip():
            continue
        left, bottom, right, top = text.get_charbox(index)
        boxes.append(
            (
                char,
                left / PT_PER_MM,
                (height_pt - top) / PT_PER_MM,
                right / PT_PER_MM,
                (height_pt - bottom) / PT_PER_MM,
            )
        )
    return boxes


def _cell_of(layout: PageLayout, x_mm: float, y_mm: float) -> tuple[float, float]:
    """Top-left corner of the cell holding the point."""
    for index in range(layout.cells_per_page):
        left, top = layout.cell_origin_mm(index)
        label = layout.label
        if left <= x_mm <= left + label.width_mm and top <= y_mm <= top + label.height_mm:
            return left, top
    raise AssertionError(f"({x_mm:.1f}, {y_mm:.1f}) mm is in no label")


def _sheet(name: str) -> list[LabelContent]:
    """A full page of serial stickers with real long names, then one with the longest names
    where the layout holds them."""
    layout = get_layout(name)
    demo = serial_contents(
        KEYRING, layout.cells_per_page, product_name=DEMO_PRODUCT, facility_name=DEMO_FACILITY
    )
    long = serial_contents(
        KEYRING, layout.cells_per_page, product_name=LONG_PRODUCT, facility_name=LONG_FACILITY
    )
    return demo + (long if fits(layout, long[0]) else [])


# the layouts that hold a sticker with a signed code (50×30 and 40×30 never do)
HOLDING = ["a4-3x8", "a4-2x5", "thermal-80x50"]


@pytest.mark.parametrize("name", HOLDING)
def test_every_glyph_keeps_clear_of_label_and_sheet_edges(name: str) -> None:
    layout = get_layout(name)
    document = pdf_pages(render_pdf(_sheet(name), layout))
    label = layout.label
    measured = 0
    for page in document:
        for char, left, top, right, bottom in _glyph_boxes_mm(page):
            measured += 1
            cell_x, cell_y = _cell_of(layout, (left + right) / 2, (top + bottom) / 2)
            inside = (
                left - cell_x,
                top - cell_y,
                cell_x + label.width_mm - right,
                cell_y + label.height_mm - bottom,
            )
            assert min(inside) >= LABEL_MARGIN_MM - TOLERANCE_MM, (char, name, inside)
            if layout.sheet:
                from_sheet = (
                    left,
                    top,
                    layout.page_width_mm - right,
                    layout.page_height_mm - bottom,
                )
                assert min(from_sheet) >= SHEET_MARGIN_MM - TOLERANCE_MM, (char, name, from_sheet)
    assert measured > 1000  # really read the text of every label


@pytest.mark.parametrize("name", ["a4-3x8", "a4-2x5"])
def test_only_the_labels_on_a_sheet_edge_are_padded_more(name: str) -> None:
    layout = get_layout(name)
    paddings = {layout.label_at(index).padding for index in range(layout.cells_per_page)}
    assert len(paddings) > 1
    assert min(min(p.top, p.right, p.bottom, p.left) for p in paddings) == LABEL_MARGIN_MM


@pytest.mark.parametrize("width_mm", [8 + step / 2 for step in range(40)])
def test_numbers_and_their_units_never_wrap_inside(width_mm: float) -> None:
    content = serial_contents(KEYRING, 1, registration_no="P-IRT 206367401234567")[0]
    texts = label_phrases(content)
    for key, whole in (
        ("storage", "8\u00a0°C"),
        ("net_content", "250\u00a0g"),
        ("registration", "P-IRT\u00a0No.\u00a0206367401234567"),
    ):
        if text_width_mm(whole, 4.5) > width_mm:
            continue  # only a cut, never a wrap, splits what is wider than the line
        lines = wrap_text(texts[key], 4.5, False, width_mm)
        assert any(whole in line for line in lines), lines


@pytest.mark.parametrize(
    ("number", "printed"),
    [
        ("P-IRT206367401234567", "P-IRT No. 206367401234567"),
        ("MD224510001234", "BPOM RI MD 224510001234"),
        ("PSAT-PDUK12345678901234567890", "PSAT PDUK 12345678901234567890"),  # the longest
    ],
)
@pytest.mark.parametrize("name", HOLDING)
def test_a_registration_number_is_printed_whole_on_every_layout_that_carries_it(
    name: str, number: str, printed: str
) -> None:
    content = serial_contents(KEYRING, 1, registration_no=number)[0]
    geometry = compose_label(content, get_layout(name).label, qr_matrix(content.uri).size)
    lines = [line.text for line in geometry.lines]
    assert any(printed.replace(" ", "\u00a0") in line for line in lines), lines


def test_the_pdf_says_what_it_is_whose_and_when() -> None:
    content = serial_contents(KEYRING, 1)[0]
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    document = pdfium.PdfDocument(render_pdf([content], "a4-3x8"))
    info = document.get_metadata_dict()
    assert info["Author"] == content.producer_name
    assert content.product_name in info["Title"] and "7KQ2M 9XW4T" in info["Title"]
    created = datetime.datetime.strptime(info["CreationDate"][2:16], "%Y%m%d%H%M%S")
    created = created.replace(tzinfo=datetime.UTC)
    assert before <= created <= datetime.datetime.now(datetime.UTC)
    at = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    stamped = pdfium.PdfDocument(render_pdf([content], "a4-3x8", created_at=at))
    assert stamped.get_metadata_dict()["CreationDate"].startswith("D:20260304050607")
