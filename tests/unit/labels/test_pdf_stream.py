"""The label PDF is written front to back: each page goes out when it is full, and the file is
a valid PDF by qpdf's structural check and pypdfium2's reading."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from labels.layouts import get_layout
from labels.pdf import render_pdf, render_pdf_to
from labels.signing import Keyring
from schemas.labels import LabelContent
from tests.unit.labels.samples import serial_contents

KEYRING = Keyring.generate()
HOLDING = ["a4-3x8", "a4-2x5", "thermal-80x50"]


class _Sink:
    """Records what a writer has handed on so far."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.writes = 0

    def write(self, data: bytes) -> int:
        self.data += data
        self.writes += 1
        return len(data)


@pytest.mark.parametrize("name", HOLDING)
def test_each_page_is_written_before_the_next_label_is_drawn(name: str) -> None:
    layout = get_layout(name)
    per_page = layout.cells_per_page
    cells = serial_contents(KEYRING, 3 * per_page)
    sink = _Sink()
    pages_out: list[int] = []

    def watched() -> Iterator[LabelContent]:
        for index, content in enumerate(cells):
            if index and index % per_page == 0:
                # the page just filled is in the output already, its cells drawn in it
                pages_out.append(sink.data.count(b"/Type /Page "))
            yield content

    render_pdf_to(sink, watched(), name)
    assert pages_out == [1, 2]
    assert sink.writes >= 3  # one write per page at least, not one at the end
    assert len(pdfium.PdfDocument(bytes(sink.data))) == 3


@pytest.mark.parametrize("name", HOLDING)
def test_qpdf_finds_no_error_in_any_layout(name: str, tmp_path: Path) -> None:
    layout = get_layout(name)
    cells = serial_contents(KEYRING, layout.cells_per_page + 1)
    path = tmp_path / "labels.pdf"
    path.write_bytes(render_pdf(cells, name))
    checked = subprocess.run(
        ["qpdf", "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No syntax or stream encoding errors found" in checked.stdout
    assert len(pdfium.PdfDocument(path.read_bytes())) == 2


def test_a_sheet_of_no_labels_is_one_empty_page() -> None:
    document = pdfium.PdfDocument(render_pdf([], "a4-3x8"))
    assert len(document) == 1
    assert document[0].get_textpage().get_text_range() == ""
