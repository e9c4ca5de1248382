"""Every sticker stands alone (SPEC §5.2, DOMAIN §8.8).

Each sticker of every layout is read back from the PDF within its own rectangle (pypdfium2):
every particular is there, every glyph stays inside it and off the QR, nothing is set below
5 pt, and its QR decodes (zxing-cpp and zbar) at the printed size. On a roll the QR's modules
are whole printer dots and start on a dot. A layout that cannot hold a product refuses it, and
`labels.fit` says so before anything is drawn.
"""

from __future__ import annotations

import msgspec
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from labels.compose import MIN_MODULE_MM, LabelFitError, compose_label
from labels.fit import fits, fitting_layouts, smallest_fitting_layout
from labels.layouts import LABEL_MARGIN_MM, LAYOUTS, PageLayout, get_layout
from labels.pdf import PT_PER_MM, render_pdf
from labels.qr import qr_matrix
from labels.signing import Keyring
from labels.svg import label_svg
from schemas.labels import LabelContent
from tests.unit.labels.samples import (
    DEMO_FACILITY,
    DEMO_PRODUCT,
    LONG_FACILITY,
    LONG_PRODUCT,
    SHORT_LOT,
    decode_all,
    decode_zbar,
    mandatory_texts,
    serial_contents,
    squash,
)

KEYRING = Keyring.generate()
TOLERANCE_MM = 0.05  # glyph boxes are read back from the file's rounded coordinates

# Names and lots from short to the longest: the long pair (120 characters each) and the
# 20-character lower-case lot make the largest signed QR (version 10).
CASES: dict[str, dict[str, object]] = {
    "short": {
        "product_name": "Rendang Daging Sapi",
        "facility_name": "IGMP BRIN",
        "lot": SHORT_LOT,
    },
    "demo": {"product_name": DEMO_PRODUCT, "facility_name": DEMO_FACILITY},
    "long": {"product_name": LONG_PRODUCT, "facility_name": LONG_FACILITY},
    # labels for an export market (SPEC §13.3): its statutory words beside every particular,
    # in Chinese (the shipped CJK subset) and in English, and one word longer than any line
    "short-CN": {
        "product_name": "Rendang Daging Sapi",
        "facility_name": "IGMP BRIN",
        "lot": SHORT_LOT,
        "market_words": "辐照食品",
    },
    "short-EU": {
        "product_name": "Rendang Daging Sapi",
        "facility_name": "IGMP BRIN",
        "lot": SHORT_LOT,
        "market_words": "treated with ionising radiation",
    },
    "demo-US": {
        "product_name": DEMO_PRODUCT,
        "facility_name": DEMO_FACILITY,
        "market_words": "Treated with radiation",
    },
    "long-CN": {
        "product_name": LONG_PRODUCT,
        "facility_name": LONG_FACILITY,
        "market_words": "辐照食品",
    },
    "long-word": {
        "product_name": "Rendang Daging Sapi",
        "facility_name": "IGMP BRIN",
        "lot": SHORT_LOT,
        "market_words": "mitionisierendenStrahlenbehandeltesLebensmittel",
    },
}
# What each layout holds (at 203 dpi on a roll). 70×37 mm holds real names (the demo's, with
# the largest QR), with a market's words too; the 120-character pair needs 80×50 or 105×57 mm,
# and so it does with a market's words. 58×40 mm holds short names with short words; a word
# longer than any line is cut across lines (never clipped) once nothing else fits.
MARKET_CASES = {"short-CN", "short-EU", "demo-US", "long-CN", "long-word"}
HOLDS = {
    "a4-3x8": {"short", "demo", "short-CN", "short-EU", "demo-US", "long-word"},
    "a4-2x5": {"short", "demo", "long", *MARKET_CASES},
    "thermal-80x50": {"short", "demo", "long", *MARKET_CASES},
    "thermal-58x40": {"short", "short-CN", "short-EU", "long-word"},
    "thermal-50x30": set(),
    "thermal-40x30": set(),
}
FITTING = [(layout, case) for layout, cases in HOLDS.items() for case in sorted(cases)]
REFUSED = [(layout, case) for layout in HOLDS for case in CASES if case not in HOLDS[layout]]


def _stickers(layout: PageLayout, case: str) -> list[LabelContent]:
    """A page of serial stickers (every cell of a sheet, edges included) or two roll pages."""
    count = layout.cells_per_page if layout.sheet else 2
    return serial_contents(KEYRING, count, **CASES[case])


def _sticker_rect(layout: PageLayout, page: pdfium.PdfPage, slot: int) -> tuple[float, ...]:
    """Cell `slot` as (left, bottom, right, top) in PDF points."""
    x_mm, top_mm = layout.cell_origin_mm(slot)
    height_pt = page.get_height()
    return (
        x_mm * PT_PER_MM,
        height_pt - (top_mm + layout.label.height_mm) * PT_PER_MM,
        (x_mm + layout.label.width_mm) * PT_PER_MM,
        height_pt - top_mm * PT_PER_MM,
    )


def _glyphs(textpage: pdfium.PdfTextPage) -> list[tuple[str, float, tuple[float, ...]]]:
    """(character, font size in pt, box as left, bottom, right, top in points) of every glyph."""
    glyphs = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if char.strip():
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
            glyphs.append((char, size, textpage.get_charbox(index)))
    return glyphs


def _pages_and_slots(layout: PageLayout, count: int) -> list[tuple[int, int]]:
    return [divmod(index, layout.cells_per_page) for index in range(count)]


# an A4 sheet is laid out the same for any printer; a roll for a 203 or a 300 dpi one
PRINTED = [
    (layout, case, dpi)
    for layout, case in FITTING
    for dpi in ((203,) if LAYOUTS[layout].sheet else (203, 300))
]


@pytest.mark.parametrize(("name", "case", "dpi"), PRINTED)
def test_every_sticker_carries_every_particular_inside_it(name: str, case: str, dpi: int) -> None:
    layout = get_layout(name)
    cells = _stickers(layout, case)
    document = pdfium.PdfDocument(render_pdf(cells, name, dpi=dpi))
    assert len(document) == -(-len(cells) // layout.cells_per_page)  # one cell per sticker
    producer = layout.label.width_mm >= 70 and layout.label.height_mm >= 37
    pages: dict[int, tuple[pdfium.PdfTextPage, list[tuple[str, float, tuple[float, ...]]]]] = {}
    for content, (page_index, slot) in zip(
        cells, _pages_and_slots(layout, len(cells)), strict=True
    ):
        page = document[page_index]
        if page_index not in pages:
            textpage = page.get_textpage()
            pages[page_index] = (textpage, _glyphs(textpage))
        textpage, glyphs = pages[page_index]
        left, bottom, right, top = _sticker_rect(layout, page, slot)
        text = squash(textpage.get_text_bounded(left, bottom, right, top))
        # a word longer than any line is cut across lines (never clipped): it reads whole
        # once the line breaks are taken out
        unbroken = text.replace(" ", "")
        missing = [
            p
            for p in mandatory_texts(content, producer)
            if squash(p) not in text and not (" " not in p and p in unbroken)
        ]
        assert not missing, (name, case, slot, missing, text)
        serial = str(content.serial)
        assert f"{serial[:5]} {serial[5:]}" in text  # its own code under its own QR
        assert "lanjutan" not in text
        if not producer:  # left off a sticker smaller than 70×37 mm
            assert content.producer_name not in text and "Reg" not in text
        geometry = compose_label(content, layout.label_at(slot, dpi), qr_matrix(content.uri).size)
        qr = geometry.qr
        qr_rect = (
            left + qr.x_mm * PT_PER_MM,
            top - (qr.y_mm + qr.size_mm) * PT_PER_MM,
            left + (qr.x_mm + qr.size_mm) * PT_PER_MM,
            top - qr.y_mm * PT_PER_MM,
        )
        inside = 0
        margin = (LABEL_MARGIN_MM - TOLERANCE_MM) * PT_PER_MM
        for char, size, (g_left, g_bottom, g_right, g_top) in glyphs:
            if not (left <= (g_left + g_right) / 2 <= right and bottom <= g_bottom <= top):
                continue  # another sticker's
            inside += 1
            assert size >= 5.0 - 1e-3, (name, case, char, size)
            assert g_left >= left + margin and g_right <= right - margin, (name, char)
            assert g_bottom >= bottom + margin and g_top <= top - margin, (name, char)
            overlaps_qr = (g_right > qr_rect[0] and g_left < qr_rect[2]) and (
                g_top > qr_rect[1] and g_bottom < qr_rect[3]
            )
            assert not overlaps_qr, (name, case, char)
        assert inside > 200  # really read this sticker's text


@pytest.mark.parametrize(("name", "case"), FITTING)
def test_the_qr_decodes_at_the_printed_size(name: str, case: str) -> None:
    layout = get_layout(name)
    cells = _stickers(layout, case)[:3]
    for dpi in (203, 300) if not layout.sheet else (300,):
        document = pdfium.PdfDocument(render_pdf(cells, name, dpi=dpi))
        for content, (page_index, slot) in zip(
            cells, _pages_and_slots(layout, len(cells)), strict=True
        ):
            page = document[page_index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            x_mm, y_mm = layout.cell_origin_mm(slot)
            scale = dpi / 25.4
            box = (x_mm, y_mm, x_mm + layout.label.width_mm, y_mm + layout.label.height_mm)
            sticker = image.crop(tuple(round(v * scale) for v in box))  # type: ignore[arg-type]
            assert decode_all(sticker) == [content.uri], (name, case, dpi, slot)
            assert decode_zbar(sticker) == [content.uri], (name, case, dpi, slot)


@pytest.mark.parametrize("name", [n for n, page in LAYOUTS.items() if not page.sheet])
@pytest.mark.parametrize("dpi", [203, 300])
def test_on_a_roll_modules_are_whole_printer_dots_from_a_dot(name: str, dpi: int) -> None:
    cells = _stickers(get_layout(name), "short")
    if "short" not in HOLDS[name]:
        with pytest.raises(LabelFitError):
            render_pdf(cells, name, dpi=dpi)
        return
    page = pdfium.PdfDocument(render_pdf(cells, name, dpi=dpi))[0]
    dots_per_pt = dpi / 72
    # the QR is one 1-bit image mask of its modules, scaled to the module size
    (qr,) = [
        obj for obj in page.get_objects(max_depth=1) if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE
    ]
    side_pt, _, _, height_pt, x_pt, bottom_pt = qr.get_matrix().get()
    modules, rows = qr.get_px_size()
    assert modules == rows and side_pt == height_pt
    module_pt, top_pt = side_pt / modules, bottom_pt + height_pt
    module_dots = module_pt * dots_per_pt
    # 4 dots at 203 dpi (0.50 mm), 5 or 6 at 300 dpi (0.42 or 0.51 mm): never under 0.4 mm
    assert module_dots == pytest.approx(round(module_dots), abs=0.01)
    assert round(module_dots) * 25.4 / dpi >= MIN_MODULE_MM
    assert round(module_dots) in ({4, 5} if dpi == 203 else {5, 6, 7})
    from_left, from_top = x_pt * dots_per_pt, (page.get_height() - top_pt) * dots_per_pt
    assert from_left == pytest.approx(round(from_left), abs=0.01)
    assert from_top == pytest.approx(round(from_top), abs=0.01)


@pytest.mark.parametrize(("name", "case"), REFUSED)
def test_a_layout_that_cannot_hold_the_sticker_refuses_it(name: str, case: str) -> None:
    layout = get_layout(name)
    page = _stickers(layout, case)
    content = page[0]
    assert not fits(name, content)
    # a sheet's page: some of its stickers (those on the sheet's edges, padded more) cannot
    with pytest.raises(LabelFitError):
        render_pdf(page, name)
    try:  # a lone sticker, whose edges are the label's own
        compose_label(content, layout.sticker(), qr_matrix(content.uri).size)
    except LabelFitError:
        with pytest.raises(LabelFitError):
            label_svg(content, name)


@pytest.mark.parametrize(("name", "case"), FITTING)
def test_fits_says_yes_exactly_where_the_pdf_renders(name: str, case: str) -> None:
    content = _stickers(get_layout(name), case)[0]
    assert fits(name, content)
    assert fits(name, content, dpi=300)


@pytest.mark.parametrize(
    ("case", "smallest"),
    # by sticker area: 58×40 (2 320 mm²) < 70×37 (2 590) < 80×50 (4 000) < 105×57 (5 985)
    [("short", "thermal-58x40"), ("demo", "a4-3x8"), ("long", "thermal-80x50")],
)
def test_the_smallest_fitting_layout(case: str, smallest: str) -> None:
    content = serial_contents(KEYRING, 1, **CASES[case])[0]
    assert smallest_fitting_layout(content) == smallest
    listed = fitting_layouts(content)
    assert list(listed) == [
        "thermal-40x30",
        "thermal-50x30",
        "thermal-58x40",
        "a4-3x8",
        "thermal-80x50",
        "a4-2x5",
    ]
    assert {name for name, ok in listed.items() if ok} == {
        name for name, cases in HOLDS.items() if case in cases
    }


def test_no_layout_holds_a_sticker_whose_qr_has_no_room() -> None:
    content = serial_contents(KEYRING, 1)[0]
    absurd = msgspec.structs.replace(content, uri=content.uri + "x" * 900)  # version 25
    assert smallest_fitting_layout(absurd) is None


def test_a_roll_printer_is_203_or_300_dpi() -> None:
    content = serial_contents(KEYRING, 1, **CASES["short"])[0]
    for dpi in (200, 600, 0):
        with pytest.raises(ValueError, match="203, 300"):
            render_pdf([content], "thermal-80x50", dpi=dpi)


def test_every_layout_is_listed_wherever_layouts_are_listed() -> None:
    import argparse
    from typing import get_args

    from service.cli import build_parser
    from service.labels_api.controller import Layout

    assert list(get_args(Layout)) == list(LAYOUTS)
    labels = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    ).choices["labels"]
    render = next(a for a in labels._actions if isinstance(a, argparse._SubParsersAction)).choices[
        "render"
    ]
    options = {action.dest: action for action in render._actions}
    assert list(options["layout"].choices) == list(LAYOUTS)
    assert list(options["dpi"].choices) == [203, 300] and options["dpi"].default == 203


@pytest.mark.parametrize("name", ["a4-3x8", "a4-2x5", "thermal-80x50"])
def test_a_heading_is_never_broken_across_two_lines(name: str) -> None:
    content = serial_contents(KEYRING, 1, **CASES["demo"])[0]
    geometry = compose_label(content, get_layout(name).label, qr_matrix(content.uri).size)
    texts = [line.text for line in geometry.lines]
    # the demo's long facility name breaks lines right after "Kode produksi: …" and the like
    assert len(texts) > 12
    for first_word in ("Tujuan", "Fasilitas", "Kode", "Tanggal", "Baik", "Diproduksi"):
        assert not any(text.endswith(first_word) for text in texts), (first_word, texts)
    assert not any("\ue000" in text for text in texts)  # glue prints as a space
    assert any("Tanggal produksi: " in text for text in texts)
