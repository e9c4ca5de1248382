"""The page's CSP hash, escaping and size; label links keep `s` last; query handling."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from schemas.verify import FacilityInfo, ProducerInfo, ProductInfo, RecallInfo, TreatmentInfo
from service.verify import page
from service.verify.controller import _representation, _split_query
from service.verify.resolver.linkset import label_href, label_linkset, resolver_description
from service.verify.view import LabelView


def _view(
    name: str = "Rendang", recall: RecallInfo | None = None, country: str = "Indonesia"
) -> LabelView:
    return LabelView(
        batch_id=uuid4(),
        code="7KQ2M9XW4T",
        serial="8H3JQ2KD0A",
        lot="L1",
        status="released",
        best_before=date(2026, 12, 31),
        storage_temp_c=4.0,
        product=ProductInfo(
            name=name,
            category="meat_poultry",
            registration_no="MD224010001234",
            gtin="08991234567895",
        ),
        producer=ProducerInfo(name="UMKM Rendang " + name, city="Tangerang"),
        treatment=TreatmentInfo(
            facility=FacilityInfo(name="IGMP — BRIN " + name, address="Puspiptek, Setu " + name),
            irradiated_on="2026-01",
            purpose="extend_shelf_life",
            source_type="cobalt-60",
            dose_min_kgy=2.5,
            dose_max_kgy=2.9,
        ),
        recall=recall,
        category_names=("Daging", "Meat"),
        irradiation_country=country,
        net_content="250 g",
        unsigned_path="/v/7KQ2M9XW4T/8H3JQ2KD0A",
    )


def test_the_csp_hash_is_the_hash_of_the_inline_style() -> None:
    html = page.render("genuine", "id", _view(), "?lang=en")
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in page.CONTENT_SECURITY_POLICY
    assert (
        "<script" not in html and " style=" not in html and " on" not in html.replace(" only", "")
    )


def test_the_page_shows_the_marks_and_words_of_the_label() -> None:
    html = page.render("genuine", "id", _view(country="Malaysia"), "?lang=en")
    assert "<strong>PANGAN IRADIASI</strong>" in html
    # the Radura symbol as inline vector paths, the label's own, named for screen readers
    (symbol,) = re.findall(r'<svg class="radura"[^>]*>.*?</svg>', html, re.S)
    assert 'aria-label="Simbol Radura' in symbol and '<path d="M' in symbol
    assert "<img" not in html
    for words in (
        "Nomor izin edar",
        "Tanggal iradiasi",
        "Kode produksi (lot)",
        "Simpan pada suhu maksimal 4\u00a0°C",  # the number keeps its unit on its line
        "Memperpanjang umur simpan",
        "01/2026, Malaysia",  # the facility's country, not a fixed word
    ):
        assert words in html, words
    english = page.render("genuine", "en", _view(), "?lang=id")
    assert "PANGAN IRADIASI" in english and "Irradiated food" in english
    assert "Extending shelf life" in english
    assert "Store at 4\u00a0°C at most" in english


@pytest.mark.parametrize(
    ("stored", "caption_id", "caption_en", "printed"),
    [
        ("MD224010001234", "Nomor izin edar", "Marketing authorisation number",
         "BPOM RI MD 224010001234"),
        ("P-IRT206367401004527", "Nomor P-IRT", "P-IRT number", "P-IRT No. 206367401004527"),
        ("PSAT-PD12345678", "Nomor pendaftaran PSAT", "PSAT registration number",
         "PSAT PD 12345678"),
    ],
)  # fmt: skip
def test_the_registration_number_is_printed_as_bpom_prints_it_under_its_name(
    stored: str, caption_id: str, caption_en: str, printed: str
) -> None:
    view = _view()
    view.product = ProductInfo(
        name="Rendang", category="meat_poultry", registration_no=stored, gtin=None
    )
    # it may wrap between the scheme and the digits, never inside either
    scheme, digits = printed.rsplit(" ", 1)
    shown = f"{scheme.replace(' ', chr(0xA0))} {digits}"
    for lang, caption in (("id", caption_id), ("en", caption_en)):
        html = page.render("genuine", lang, view, "?lang=en")
        assert f"<dt>{caption}</dt><dd>{shown}</dd>" in html
        if stored.startswith("P-IRT"):  # a P-IRT number is not an izin edar
            assert "izin edar" not in html and "authorisation" not in html


def test_numbers_follow_the_page_language() -> None:
    assert page.scan_count(1234567, "id") == b"1.234.567"
    assert page.scan_count(1234567, "en") == b"1,234,567"
    assert page.scan_count(7, "id") == b"7"
    view = _view()
    dose = f"{view.treatment.dose_min_kgy:g}–{view.treatment.dose_max_kgy:g}"
    indonesian = page.render("genuine", "id", view, "?lang=en")
    english = page.render("genuine", "en", view, "?lang=id")
    assert f'<dd class="nb">{dose.replace(".", ",")}\u00a0kGy</dd>' in indonesian
    assert f'<dd class="nb">{dose}\u00a0kGy</dd>' in english


def test_an_invalid_label_says_nothing_of_irradiation() -> None:
    # a label Radura did not issue says nothing about irradiation
    assert b"PANGAN IRADIASI" not in page.invalid_page("id")


def test_producer_text_is_escaped() -> None:
    html = page.render("genuine", "en", _view('<script>alert("x")</script>'), "?lang=id")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("verdict", ["genuine", "expired", "suspect", "recalled"])
def test_page_stays_small_with_long_texts(verdict: str) -> None:
    recall = RecallInfo(reason="R" * 1000, at=datetime(2026, 2, 1, tzinfo=UTC))
    html = page.render(verdict, "id", _view("N" * 200, recall), "?lang=en")
    assert len(html.encode()) < 30_000


def test_the_page_with_its_symbol_stays_light() -> None:
    html = page.render("genuine", "id", _view(), "?lang=en")
    assert len(html.encode()) < 9_000  # a cheap phone on a slow network
    assert page.SCAN_COUNT_SLOT in html


def test_invalid_page_is_the_same_for_every_reason() -> None:
    assert page.invalid_page("id") == page.invalid_page("id")
    assert b"Pindai sekali lagi dari dekat" in page.invalid_page("id")


def test_links_keep_the_signature_last() -> None:
    assert label_href("https://r.test", "/01/08991234567895/10/L1?17=261231", "SIG", "lang=en") == (
        "https://r.test/01/08991234567895/10/L1?17=261231&lang=en&s=SIG"
    )
    assert label_href("", "/v/7KQ2M9XW4T", "SIG") == "/v/7KQ2M9XW4T?s=SIG"
    linkset = label_linkset("https://r.test", "/v/7KQ2M9XW4T", "SIG", "t")
    (context,) = linkset["linkset"]
    assert all(
        link["href"].endswith("s=SIG")
        for rel, links in context.items()
        if rel not in ("anchor", "itemDescription") and "jwks" not in rel
        for link in links
    )
    assert resolver_description("https://r.test")["resolverRoot"] == "https://r.test"


def test_reader_parameters_are_taken_out_of_the_label_query() -> None:
    assert _split_query("17=261231&s=SIG") == ("17=261231&s=SIG", None, None)
    assert _split_query("lang=en&17=261231&s=SIG") == ("17=261231&s=SIG", "en", None)
    assert _split_query("s=SIG&linkType=gs1%3AcertificationInfo") == (
        "s=SIG",
        None,
        "gs1:certificationInfo",
    )


@pytest.mark.parametrize(
    ("accept", "link_type", "expected"),
    [
        (None, None, "page"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None, "page"),
        ("application/json", None, "json"),
        ("application/linkset+json", None, "linkset"),
        ("*/*", None, "page"),
        ("image/png", None, "page"),
        ("text/html", "all", "linkset"),
        ("application/json", "gs1:certificationInfo", "certificate"),
        ("application/json", "gs1:pip", "page"),
        ("application/json", "gs1:unknownThing", "json"),
    ],
)
def test_representation(accept: str | None, link_type: str | None, expected: str) -> None:
    assert _representation(accept, link_type) == expected


def test_a_producers_number_is_dialled_everywhere_and_chatted_only_on_a_mobile() -> None:
    mobile = page.phone_links("+62 812-3456-7890")
    assert (mobile["tel"], mobile["whatsapp"]) == (
        "tel:+6281234567890",
        "https://wa.me/6281234567890",
    )
    landline = page.phone_links("(021) 756 0000")
    assert (landline["tel"], landline["whatsapp"]) == ("tel:+62217560000", None)
