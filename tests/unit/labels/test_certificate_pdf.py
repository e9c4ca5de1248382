"""The treatment certificate prints every value as written, or marks and names what its fonts
cannot print: an Arabic or Hebrew name (set reversed and unjoined) never becomes empty boxes."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium

from labels.certificate_pdf import (
    REPLACEMENT,
    ROWS,
    CertificateFacts,
    certificate_pdf,
    treatment_certificate_text,
)
from tests.unit.labels.samples import decode_all, render_page, squash
from tests.unit.labels.test_export_certificate_pdf import drawn_characters, text_of

URI = "https://radura.example.id/01/08992430257852/10/L4A7805/21/05HA4JMSDJ?s=" + "A" * 86


def facts(**changes: Any) -> CertificateFacts:
    values: dict[str, Any] = {key: f"{key} value" for _, _, key in ROWS}
    values |= {
        "label_uri": URI,
        "code": "PFYHTMJ6FN",
        "purpose_id": "Memperpanjang masa simpan",
        "purpose_en": "Extend shelf life",
        "facility_licence": None,
    }
    return CertificateFacts(**(values | changes))


def test_values_the_fonts_hold_print_as_written() -> None:
    assert treatment_certificate_text("Rendang Uni — 上海") == "Rendang Uni — 上海"
    pdf = certificate_pdf(facts(producer="Rendang Uni Tangerang"))
    assert "Produsen Producer Rendang Uni Tangerang" in text_of(pdf)
    assert REPLACEMENT not in text_of(pdf)


def test_letters_no_font_has_are_marked_and_named_in_order() -> None:
    producer = "Dapur שלום مرح"
    printed = treatment_certificate_text(producer)
    assert printed == (
        f"Dapur {REPLACEMENT * 4} {REPLACEMENT * 3} ({REPLACEMENT} = U+05E9, U+05DC, U+05D5, "
        "U+05DD, U+0645, U+0631, U+062D)"
    )
    pdf = certificate_pdf(
        facts(producer=producer, recalled_at="8 Desember 2026", recall_reason="Alasan مرح")
    )
    text = text_of(pdf)
    assert squash(f"Produsen Producer {printed}") in text
    assert f"Alasan {REPLACEMENT * 3} ({REPLACEMENT} = U+0645, U+0631, U+062D)" in text
    drawn = {char for char, _, _ in drawn_characters(pdf)}
    assert not drawn & set("שלוםمرح")
    page = render_page(pdfium.PdfDocument(pdf), 0)
    assert decode_all(page) == [URI]  # the label's QR still verifies
