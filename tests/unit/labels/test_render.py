"""Rendered labels (SVG, PNG, PDF): decoded, verified, every text present, nothing clipped."""

from __future__ import annotations

import datetime
import io
import itertools
import xml.etree.ElementTree as ET
from typing import get_args

import msgspec
import pytest
from PIL import Image

from labels.compose import (
    MIN_MODULE_MM,
    LabelFitError,
    LabelGeometry,
    code_line,
    compose_label,
)
from labels.fit import fits
from labels.layouts import PageLayout, get_layout
from labels.pdf import PT_PER_MM, render_pdf, serial_cells
from labels.png import label_png
from labels.qr import qr_matrix
from labels.signing import Keyring
from labels.svg import label_svg
from labels.uri import LabelUriError, parse_label_uri
from labels.wording import PURPOSES, WORDING
from schemas.labels import LabelContent, Purpose
from tests.unit.labels.samples import (
    DEMO_FACILITY,
    DEMO_PRODUCT,
    LONG_FACILITY,
    LONG_PRODUCT,
    TODAY,
    batch_content,
    decode_all,
    decode_png,
    decode_zbar,
    mandatory_texts,
    page_text,
    pdf_pages,
    rasterize_svg,
    render_page,
    serial_contents,
    squash,
)

KEYRING = Keyring.generate()
OFFLINE = Keyring.from_jwks(KEYRING.jwks())
SVG = "{http://www.w3.org/2000/svg}"
DPI = 300


def _assert_genuine(uri: str) -> None:
    """The decoded URI verifies with the keyring and offline with its JWKS."""
    parsed = parse_label_uri(uri, today=TODAY)
    assert parsed.signature_b64 is not None
    assert KEYRING.verify(parsed.signed_message, parsed.signature_b64).valid
    assert OFFLINE.verify(parsed.signed_message, parsed.signature_b64).valid


# The layouts whose stickers hold the sample labels (the smallest rolls never hold a signed
# code; 58×40 holds the batch label but not a serial's larger QR at 203 dpi).
HOLDING = ["a4-3x8", "a4-2x5", "thermal-80x50"]


def _has_producer(layout: str) -> bool:
    return get_layout(layout).label.producer_texts


def _assert_texts(text: str, content: LabelContent, producer: bool = True) -> None:
    """Every §5.2 text is on the sticker."""
    flat = squash(text)
    missing = [p for p in mandatory_texts(content, producer) if squash(p) not in flat]
    assert not missing, f"missing on the label: {missing}"


def _svg_texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def _geometry(content: LabelContent, layout: PageLayout) -> LabelGeometry:
    return compose_label(content, layout.label, qr_matrix(content.uri).size)


def test_wording_is_complete() -> None:
    assert set(PURPOSES) == set(get_args(Purpose))
    assert len(PURPOSES) == 10
    for indonesian, english in [*WORDING.values(), *PURPOSES.values()]:
        assert indonesian.strip() and english.strip()


@pytest.mark.parametrize("layout", [*HOLDING, "thermal-58x40"])
def test_label_svg_decodes_and_shows_every_text(layout: str) -> None:
    content = batch_content(KEYRING)
    svg = label_svg(content, layout)
    assert decode_png(rasterize_svg(svg)) == [content.uri]
    _assert_genuine(content.uri)
    texts = _svg_texts(svg)
    text = " ".join(element.text or "" for element in texts)
    _assert_texts(text, content, _has_producer(layout))
    # The Radura symbol: a filled path of Bézier curves of our own.
    assert any("C" in (path.get("d") or "") for path in ET.fromstring(svg).iter(f"{SVG}path"))


def test_label_svg_in_english() -> None:
    content = batch_content(KEYRING)
    text = " ".join(t.text or "" for t in _svg_texts(label_svg(content, "a4-2x5", "en")))
    for phrase in ("IRRADIATED FOOD", "DO NOT IRRADIATE AGAIN", "Best before: 31-01-2027"):
        assert phrase in squash(text)
    assert "PANGAN IRADIASI" not in text


@pytest.mark.parametrize("dpi", [300, 600])
def test_label_png_decodes(dpi: int) -> None:
    content = serial_contents(KEYRING, 1)[0]
    png = label_png(content, dpi)
    image = Image.open(io.BytesIO(png))
    assert image.size == (round(70 * dpi / 25.4), round(37 * dpi / 25.4))
    assert round(image.info["dpi"][0]) == dpi
    assert decode_png(png) == [content.uri]
    _assert_genuine(content.uri)


def test_label_png_rejects_silly_dpi() -> None:
    with pytest.raises(ValueError):
        label_png(batch_content(KEYRING), dpi=20)


def _cell_image(page: Image.Image, layout: PageLayout, slot: int) -> Image.Image:
    x_mm, y_mm = layout.cell_origin_mm(slot)
    scale = DPI / 25.4
    box = (x_mm, y_mm, x_mm + layout.label.width_mm, y_mm + layout.label.height_mm)
    return page.crop(tuple(round(v * scale) for v in box))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", HOLDING)
def test_pdf_serial_cells_decode_verify_and_show_every_text(name: str) -> None:
    layout = get_layout(name)
    cells = serial_contents(KEYRING, layout.cells_per_page + 2)
    done: list[int] = []
    pdf = render_pdf(cells, name, progress=done.append)
    assert done[-1] == len(cells) and done == sorted(done)
    document = pdf_pages(pdf)
    assert len(document) == -(-len(cells) // layout.cells_per_page)  # one cell per serial
    first_page = render_page(document, 0, DPI)
    if layout.cells_per_page > 1:
        # Every cell of the first page: its own URI, exactly once, verifiable.
        for index, content in enumerate(cells[: layout.cells_per_page]):
            cell = _cell_image(first_page, layout, index)
            assert decode_all(cell) == [content.uri]
            assert decode_zbar(cell) == [content.uri]
            _assert_genuine(content.uri)
        _assert_texts(page_text(document, [0]), cells[0])
        for content in cells[: layout.cells_per_page]:
            assert content.serial is not None
            assert f"{content.serial[:5]} {content.serial[5:]}" in page_text(document, [0])
    else:
        # One sticker per page, each with its own QR.
        for index, content in enumerate(cells[:3]):
            page = first_page if index == 0 else render_page(document, index, DPI)
            assert decode_all(page) == [content.uri]
            assert decode_zbar(page) == [content.uri]
            _assert_genuine(content.uri)
            _assert_texts(page_text(document, [index]), content, _has_producer(name))


def test_pdf_copies_of_the_batch_label() -> None:
    content = batch_content(KEYRING)
    made_at = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)
    pdf = render_pdf([content] * 30, "a4-2x5", created_at=made_at)
    document = pdf_pages(pdf)
    assert len(document) == 3
    layout = get_layout("a4-2x5")
    page = render_page(document, 2, DPI)
    assert decode_all(_cell_image(page, layout, 9)) == [content.uri]
    # The same input and moment give the same bytes (no random ids), so results can be cached.
    assert render_pdf([content] * 30, "a4-2x5", created_at=made_at) == pdf


def test_a_tampered_uri_on_a_label_fails_verification() -> None:
    content = serial_contents(KEYRING, 1)[0]
    decoded = decode_png(label_png(content, 300))[0]
    tampered = decoded.replace("/21/", "/21/0", 1)[: len(decoded)]
    with pytest.raises((LabelUriError, AssertionError)):
        _assert_genuine(tampered)


def _long_content(layout: str) -> LabelContent:
    """The longest names the layout holds: 120 characters each, or the demo's on 70×37 mm."""
    long = batch_content(
        KEYRING, product_name=LONG_PRODUCT, facility_name=LONG_FACILITY, serial=None
    )
    if fits(layout, long):
        return long
    return batch_content(KEYRING, product_name=DEMO_PRODUCT, facility_name=DEMO_FACILITY)


@pytest.mark.parametrize("name", HOLDING)
def test_long_names_fit_their_boxes_in_the_layout(name: str) -> None:
    layout = get_layout(name)
    long = _long_content(name)
    content = serial_contents(
        KEYRING, 1, product_name=long.product_name, facility_name=long.facility_name
    )[0]
    geometry = _geometry(content, layout)
    spec = layout.label
    assert geometry.body_pt >= 5.0
    lines = sorted(geometry.lines, key=lambda line: line.top_mm)
    qr, symbol = geometry.qr, geometry.symbol
    for line in lines:
        assert line.size_pt >= 5.0, line
        assert line.width_mm <= line.box_width_mm + 1e-6, line
        assert line.left_mm >= 0 and line.x_mm + line.box_width_mm <= spec.width_mm + 1e-6
        assert line.top_mm >= 0 and line.bottom_mm <= spec.height_mm + 1e-6, line
        beside_qr = line.top_mm < qr.y_mm + qr.size_mm
        if line.key != "scan" and beside_qr:
            assert line.x_mm + line.box_width_mm <= qr.x_mm + 1e-6, line
        if line.key == "scan":
            assert line.top_mm >= qr.y_mm + qr.size_mm - 1e-6, line
        symbol_right = symbol.x_mm + symbol.size_mm
        symbol_bottom = symbol.y_mm + symbol.size_mm
        assert line.left_mm >= symbol_right or line.top_mm >= symbol_bottom - 1e-6, line
    code = code_line(geometry, content)
    serial = str(content.serial)
    assert code.width_mm <= geometry.code.box_width_mm + 1e-6
    assert code.text == f"7KQ2M 9XW4T / {serial[:5]} {serial[5:]}"
    assert code.top_mm >= qr.y_mm + qr.size_mm and code.bottom_mm <= spec.height_mm
    body = [line for line in lines if line.key != "scan"]
    for above, below in itertools.pairwise(body):
        assert above.bottom_mm <= below.top_mm + 1e-6, (above, below)

    def printed(key: str) -> str:
        return "".join(line.text for line in geometry.lines if line.key == key)

    # Not a character lost, wherever the lines broke (spaces aside).
    assert "".join(printed("product_name").split()) == "".join(long.product_name.split())
    everything = "".join("".join(line.text for line in geometry.lines).split())
    assert "".join(long.facility_name.split()) in everything


@pytest.mark.parametrize("name", HOLDING)
def test_long_names_are_never_clipped_in_the_pdf(name: str) -> None:
    layout = get_layout(name)
    content = _long_content(name)
    geometry = _geometry(content, layout)
    document = pdf_pages(render_pdf([content], name))
    assert len(document) == 1
    text = page_text(document, [0])
    _assert_texts(text, content)
    flat = "".join(squash(text).split())
    assert "".join(content.product_name.split()) in flat
    assert "".join(content.facility_name.split()) in flat
    # Every glyph lies inside the first sticker and outside its QR (PDF points, y up).
    qr = geometry.qr
    tolerance = 0.2
    page_height = layout.page_height_mm * PT_PER_MM
    textpage = document[0].get_textpage()
    checked = 0
    for index in range(textpage.count_chars()):
        if not textpage.get_text_range(index, 1).strip():
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        slot = _slot_at(layout, (left + right) / 2, (bottom + top) / 2)
        assert slot == 0
        x0, y0, x1, y1 = _cell_rect(layout, slot)
        assert x0 - tolerance <= left and right <= x1 + tolerance
        assert y0 - tolerance <= bottom and top <= y1 + tolerance
        qr_left = x0 + qr.x_mm * PT_PER_MM
        qr_top = page_height - (layout.cell_origin_mm(slot)[1] + qr.y_mm) * PT_PER_MM
        qr_bottom = qr_top - qr.size_mm * PT_PER_MM
        overlaps = right > qr_left + tolerance and bottom < qr_top and top > qr_bottom
        assert not overlaps, textpage.get_text_range(index, 1)
        checked += 1
    assert checked > 200


def _slot_at(layout: PageLayout, x: float, y: float) -> int:
    for slot in range(layout.cells_per_page):
        x0, y0, x1, y1 = _cell_rect(layout, slot)
        if x0 <= x <= x1 and y0 <= y <= y1:
            return slot
    raise AssertionError(f"glyph at ({x:.1f}, {y:.1f}) pt is outside every label")


def _cell_rect(layout: PageLayout, slot: int) -> tuple[float, float, float, float]:
    """Cell `slot` as (left, bottom, right, top) in PDF points."""
    x_mm, top_mm = layout.cell_origin_mm(slot)
    page_height = layout.page_height_mm
    return (
        x_mm * PT_PER_MM,
        (page_height - top_mm - layout.label.height_mm) * PT_PER_MM,
        (x_mm + layout.label.width_mm) * PT_PER_MM,
        (page_height - top_mm) * PT_PER_MM,
    )


@pytest.mark.parametrize("name", HOLDING)
def test_qr_modules_are_at_least_0_4_mm_for_the_longest_realistic_uri(name: str) -> None:
    layout = get_layout(name)
    content = serial_contents(KEYRING, 1)[0]  # 20-character lower-case lot, serial, signature
    matrix = qr_matrix(content.uri)
    assert matrix.version >= 10  # really the large case
    geometry = _geometry(content, layout)
    box, module_mm = geometry.qr, geometry.module_mm
    assert module_mm >= MIN_MODULE_MM - 1e-9
    assert box.size_mm == pytest.approx(module_mm * (matrix.size + 8))
    assert box.x_mm >= 0 and box.x_mm + box.size_mm <= layout.label.width_mm + 1e-9
    assert box.y_mm >= 0 and box.y_mm + box.size_mm <= layout.label.height_mm


def test_a_uri_too_long_for_a_thermal_qr_is_refused() -> None:
    content = msgspec.structs.replace(
        serial_contents(KEYRING, 1)[0],
        uri="https://radura.example.id/" + "x" * 240,  # version 12: 73 modules
    )
    with pytest.raises(LabelFitError, match=r"0\.4 mm"):
        render_pdf([content], "thermal-40x30")
    # The A4 layouts have room for it.
    assert decode_all(render_page(pdf_pages(render_pdf([content], "a4-2x5")), 0, DPI))


def test_serial_cells_helper() -> None:
    base = batch_content(KEYRING)
    cells = list(serial_cells(base, [("8H3JQ2KD0A", "u1"), ("9H3JQ2KD0A", "u2")]))
    assert [(c.serial, c.uri) for c in cells] == [("8H3JQ2KD0A", "u1"), ("9H3JQ2KD0A", "u2")]
    assert cells[0].product_name == base.product_name


@pytest.mark.parametrize("layout", [*HOLDING, "thermal-58x40"])
@pytest.mark.parametrize("purpose", ["reduce_pathogens", "control_parasites"])
def test_the_longest_annex_purposes_fit_every_layout(layout: str, purpose: str) -> None:
    # the annex's own words are the longest a label prints in its purpose line
    content = batch_content(KEYRING, purpose=purpose)
    svg = label_svg(content, layout)
    assert decode_png(rasterize_svg(svg)) == [content.uri]
    body = squash(" ".join(element.text or "" for element in _svg_texts(svg)))
    assert f"Tujuan iradiasi: {PURPOSES[purpose][0]}" in body
