"""The words of a sticker (DOMAIN §8.9, §8.11): storage, frozen storage with the minus sign,
thawing vacuum-packed frozen fish, the production code and date, the scan hint."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from labels.pdf import render_pdf
from labels.signing import Keyring
from labels.wording import label_phrases, storage_phrases
from tests.unit.labels.samples import batch_content, squash

KEYRING = Keyring.generate()
MINUS = "\u2212"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("temp_c", "indonesian", "english"),
    [
        (8, f"Simpan pada suhu maksimal 8{NBSP}°C", f"Store at 8{NBSP}°C at most"),
        (4.5, f"Simpan pada suhu maksimal 4,5{NBSP}°C", f"Store at 4.5{NBSP}°C at most"),
        (-2, f"Simpan pada suhu maksimal {MINUS}2{NBSP}°C", f"Store at {MINUS}2{NBSP}°C at most"),
        # −11.5 °C is chilled, not frozen
        (
            -11.5,
            f"Simpan pada suhu maksimal {MINUS}11,5{NBSP}°C",
            f"Store at {MINUS}11.5{NBSP}°C at most",
        ),
        # from −12 °C down, the words of DOMAIN §8.9 whatever the temperature
        (
            -12,
            f"Simpan beku pada suhu {MINUS}18{NBSP}°C atau lebih dingin",
            f"Store frozen at {MINUS}18{NBSP}°C or colder",
        ),
        (
            -25,
            f"Simpan beku pada suhu {MINUS}18{NBSP}°C atau lebih dingin",
            f"Store frozen at {MINUS}18{NBSP}°C or colder",
        ),
    ],
)
def test_storage_words(temp_c: float, indonesian: str, english: str) -> None:
    assert storage_phrases(temp_c) == {"storage": indonesian}
    assert storage_phrases(temp_c, lang="en") == {"storage": english}
    assert "-" not in indonesian  # never the hyphen-minus


@pytest.mark.parametrize(
    ("category", "packaging", "temp_c", "thaw"),
    [
        ("fish_seafood", "vacuum", -18, True),
        ("processed_fish", "vacuum", -12, True),
        ("fish_seafood", "air", -18, False),  # not vacuum-packed
        ("fish_seafood", "map", -18, False),
        ("meat_poultry", "vacuum", -18, False),  # not fish
        ("fish_seafood", "vacuum", 2, False),  # not frozen
    ],
)
def test_vacuum_packed_frozen_fish_is_thawed_in_the_refrigerator(
    category: str, packaging: str, temp_c: float, thaw: bool
) -> None:
    indonesian = storage_phrases(temp_c, category, packaging)
    english = storage_phrases(temp_c, category, packaging, lang="en")
    assert indonesian.get("thaw") == ("Cairkan di dalam lemari es" if thaw else None)
    assert english.get("thaw") == ("Thaw in the refrigerator" if thaw else None)


def test_a_sticker_says_kode_produksi_its_production_date_and_how_to_check_it() -> None:
    texts = label_phrases(batch_content(KEYRING, lot="RDG-2511-07"))
    assert texts["lot"] == "Kode produksi: RDG-2511-07"
    assert texts["production_date"] == "Tanggal produksi: 01-11-2025"
    assert texts["scan"] == "Pindai untuk cek keaslian"
    # the facility's name and city, not its street address
    assert texts["facility"] == "Fasilitas iradiasi: Iradiator Gamma Merah Putih (IGMP) BRIN, " + (
        "Tangerang Selatan"
    )
    english = label_phrases(batch_content(KEYRING), "en")
    assert english["production_date"] == "Production date: 01-11-2025"
    assert english["lot"].startswith("Production code: ")


def test_frozen_fish_stickers_print_the_freezer_and_thawing_words() -> None:
    content = batch_content(
        KEYRING,
        product_name="Tuna Loin Beku",
        storage_temp_c=-18,
        category="fish_seafood",
        packaging="vacuum",
    )
    for layout in ("a4-3x8", "thermal-80x50"):
        page = pdfium.PdfDocument(render_pdf([content], layout))[0]
        text = squash(page.get_textpage().get_text_range())
        assert "Simpan beku pada suhu −18 °C atau lebih dingin" in text, layout
        assert "Cairkan di dalam lemari es" in text, layout
        assert "maksimal" not in text
