"""Rendered labels (SVG, PNG, PDF): decoded, verified, every text present, nothing clipped."""

from __future__ import annotations

import datetime
import io
import itertools
import re
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
    qr_box,
)
from labels.layouts import LAYOUTS, PageLayout, get_layout
from labels.pdf import PT_PER_MM, render_pdf, serial_cells
from labels.png import label_png
from labels.qr import qr_matrix
from labels.signing import Keyring
from labels.svg import label_svg
from labels.uri import LabelUriError, parse_label_uri
from labels.wording import PURPOSES, WORDING
from schemas.labels import LabelContent, Purpose
from tests.unit.labels.samples import (
    LONG_FACILITY,
    LONG_PRODUCT,
    TODAY,
    batch_content,
    decode_all,
    decode_png,
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


def _body(text: str) -> str:
    """The text without what may sit between two parts of a paragraph that continues on the
    next label: the lines under the QR and the continuation marker."""
    body = re.sub(r"\(lanjutan \d/\d · [0-9A-Z ]+\)", " ", squash(text))
    body = body.replace("Pindai untuk cek keaslian", " ")
    return squash(re.sub(r"[0-9A-Z]{5} [0-9A-Z]{5}( / [0-9A-Z]{5} [0-9A-Z]{5})?", " ", body))


def _assert_texts(text: str, content: LabelContent) -> None:
    """Every §5.2 text is on the label."""
    flat, body = squash(text), _body(text)
    missing = [
        phrase
        for phrase in mandatory_texts(content)
        if squash(phrase) not in flat and squash(phrase) not in body
    ]
    assert not missing, f"missing on the label: {missing}"


def _svg_texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def _geometry(content: LabelContent, layout: PageLayout) -> LabelGeometry:
    return compose_label(content, layout.label, qr_matrix(content.uri).size)


def _panel_count(content: LabelContent, layout: PageLayout) -> int:
    return len(_geometry(content, layout).panels)


def test_wording_is_complete() -> None:
    assert set(PURPOSES) == set(get_args(Purpose))
    assert len(PURPOSES) == 10
    for indonesian, english in [*WORDING.values(), *PURPOSES.values()]:
        assert indonesian.strip() and english.strip()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_label_svg_decodes_and_shows_every_text(layout: str) -> None:
    content = batch_content(KEYRING)
    svg = label_svg(content, layout)
    assert decode_png(rasterize_svg(svg)) == [content.uri]
    _assert_genuine(content.uri)
    texts = _svg_texts(svg)
    _assert_texts(" ".join(element.text or "" for element in texts), content)
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


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_pdf_serial_cells_decode_verify_and_show_every_text(name: str) -> None:
    layout = get_layout(name)
    cells = serial_contents(KEYRING, layout.cells_per_page + 2)
    done: list[int] = []
    pdf = render_pdf(cells, name, progress=done.append)
    assert done[-1] == len(cells) and done == sorted(done)
    document = pdf_pages(pdf)
    panels = _panel_count(cells[0], layout)
    assert len(document) == -(-len(cells) * panels // layout.cells_per_page)
    first_page = render_page(document, 0, DPI)
    if layout.cells_per_page > 1:
        # Every cell of the first page: its own URI, exactly once, verifiable.
        first_cells = layout.cells_per_page // panels
        for index, content in enumerate(cells[:first_cells]):
            decoded = decode_all(_cell_image(first_page, layout, index * panels))
            assert decoded == [content.uri]
            _assert_genuine(content.uri)
        _assert_texts(page_text(document, [0]), cells[0])
        for content in cells[:first_cells]:
            assert content.serial is not None
            assert f"{content.serial[:5]} {content.serial[5:]}" in page_text(document, [0])
    else:
        # One label per page: the first page of each cell holds its QR.
        for index, content in enumerate(cells[:3]):
            page = first_page if index == 0 else render_page(document, index * panels, DPI)
            assert decode_all(page) == [content.uri]
            _assert_genuine(content.uri)
            _assert_texts(page_text(document, range(index * panels, (index + 1) * panels)), content)


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


def _long_content() -> LabelContent:
    return batch_content(
        KEYRING, product_name=LONG_PRODUCT, facility_name=LONG_FACILITY, serial=None
    )


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_long_names_fit_their_boxes_in_the_layout(name: str) -> None:
    layout = get_layout(name)
    content = serial_contents(KEYRING, 1, product_name=LONG_PRODUCT, facility_name=LONG_FACILITY)[0]
    geometry = _geometry(content, layout)
    spec = layout.label
    assert geometry.body_pt >= spec.min_text_pt
    for panel in geometry.panels:
        lines = sorted(panel.lines, key=lambda line: line.top_mm)
        for line in lines:
            assert line.width_mm <= line.box_width_mm + 1e-6, line
            assert line.left_mm >= 0 and line.x_mm + line.box_width_mm <= spec.width_mm + 1e-6
            assert line.top_mm >= 0 and line.bottom_mm <= spec.height_mm + 1e-6, line
            if panel.qr is not None and line.key != "scan":
                assert line.x_mm + line.box_width_mm <= panel.qr.x_mm + 1e-6, line
            if panel.qr is not None and line.key == "scan":
                assert line.top_mm >= panel.qr.y_mm + panel.qr.size_mm - 1e-6, line
            if panel.symbol is not None:
                symbol_right = panel.symbol.x_mm + panel.symbol.size_mm
                symbol_bottom = panel.symbol.y_mm + panel.symbol.size_mm
                assert line.left_mm >= symbol_right or line.top_mm >= symbol_bottom - 1e-6, line
        if panel.code is not None:
            code = code_line(panel.code, content)
            serial = str(content.serial)
            assert code.width_mm <= code.box_width_mm + 1e-6
            assert code.text == f"7KQ2M 9XW4T / {serial[:5]} {serial[5:]}"
            assert panel.qr is not None and code.top_mm >= panel.qr.y_mm + panel.qr.size_mm
            assert code.bottom_mm <= spec.height_mm
        body = [line for line in lines if line.key not in ("scan", "code")]
        for above, below in itertools.pairwise(body):
            assert above.bottom_mm <= below.top_mm + 1e-6, (above, below)

    def printed(key: str) -> str:
        return "".join(line.text for p in geometry.panels for line in p.lines if line.key == key)

    # Not a character lost, wherever the lines broke (spaces aside).
    assert "".join(printed("product_name").split()) == "".join(LONG_PRODUCT.split())
    assert "".join(LONG_FACILITY.split()) in "".join(printed("facility").split())


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_long_names_are_never_clipped_in_the_pdf(name: str) -> None:
    layout = get_layout(name)
    content = _long_content()
    geometry = _geometry(content, layout)
    document = pdf_pages(render_pdf([content], name))
    text = page_text(document, range(len(document)))
    _assert_texts(text, content)
    flat = "".join(_body(text).split())
    assert "".join(LONG_PRODUCT.split()) in flat and "".join(LONG_FACILITY.split()) in flat
    # Every glyph lies inside its own label and outside the QR (PDF points, y up). One item
    # fills slots 0, 1, … of the first page (A4), or pages 0, 1, … (thermal): its panels.
    qr = geometry.panels[0].qr
    assert qr is not None
    tolerance = 0.2
    page_height = layout.page_height_mm * PT_PER_MM
    for page_index in range(len(document)):
        textpage = document[page_index].get_textpage()
        checked = 0
        for index in range(textpage.count_chars()):
            if not textpage.get_text_range(index, 1).strip():
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            slot = _slot_at(layout, (left + right) / 2, (bottom + top) / 2)
            x0, y0, x1, y1 = _cell_rect(layout, slot)
            assert x0 - tolerance <= left and right <= x1 + tolerance
            assert y0 - tolerance <= bottom and top <= y1 + tolerance
            panel_index = page_index if layout.cells_per_page == 1 else slot
            if panel_index == 0:  # the lines under the QR end above its bottom edge
                qr_left = x0 + qr.x_mm * PT_PER_MM
                qr_top = page_height - (layout.cell_origin_mm(slot)[1] + qr.y_mm) * PT_PER_MM
                qr_bottom = qr_top - qr.size_mm * PT_PER_MM
                overlaps = right > qr_left + tolerance and bottom < qr_top and top > qr_bottom
                assert not overlaps, textpage.get_text_range(index, 1)
            checked += 1
        assert checked > 20


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


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_qr_modules_are_at_least_0_4_mm_for_the_longest_realistic_uri(name: str) -> None:
    layout = get_layout(name)
    content = serial_contents(KEYRING, 1)[0]  # 20-character lower-case lot, serial, signature
    matrix = qr_matrix(content.uri)
    assert matrix.version >= 10  # really the large case
    box, module_mm = qr_box(layout.label, matrix.size)
    assert module_mm >= MIN_MODULE_MM
    assert box.size_mm == pytest.approx(module_mm * (matrix.size + 8))
    assert box.x_mm >= 0 and box.x_mm + box.size_mm <= layout.label.width_mm + 1e-9
    assert box.y_mm >= 0 and box.y_mm + box.size_mm <= layout.label.height_mm
    assert _geometry(content, layout).module_mm == module_mm


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


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("purpose", ["reduce_pathogens", "control_parasites"])
def test_the_longest_annex_purposes_fit_every_layout(layout: str, purpose: str) -> None:
    # the annex's own words are the longest a label prints in its purpose line
    content = batch_content(KEYRING, purpose=purpose)
    svg = label_svg(content, layout)
    assert decode_png(rasterize_svg(svg)) == [content.uri]
    body = _body(" ".join(element.text or "" for element in _svg_texts(svg)))
    assert f"Tujuan iradiasi: {PURPOSES[purpose][0]}" in body
