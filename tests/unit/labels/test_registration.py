"""Registration numbers as BPOM prints them, read from the stored form (DOMAIN §8.7)."""

from __future__ import annotations

import pytest

from labels.registration import (
    normalize_registration_no,
    printed_registration_no,
    registration_caption,
    registration_type,
)
from labels.signing import Keyring
from labels.wording import label_phrases
from tests.unit.labels.samples import batch_content

KEYRING = Keyring.generate()


@pytest.mark.parametrize(
    ("stored", "printed", "kind"),
    [
        ("MD123456789012", "BPOM RI MD 123456789012", "MD"),
        ("ML123456789012", "BPOM RI ML 123456789012", "ML"),
        ("P-IRT206367401004527", "P-IRT No. 206367401004527", "P-IRT"),
        ("PSAT-PD12345678", "PSAT PD 12345678", "PSAT"),
        ("PSAT-PL98765432109876543210", "PSAT PL 98765432109876543210", "PSAT"),
        ("PSAT-PDUK12345678", "PSAT PDUK 12345678", "PSAT"),
        # still grouped as typed (a label drawn from a script): read all the same
        ("P-IRT 2063674010045-27", "P-IRT No. 206367401004527", "P-IRT"),
    ],
)
def test_printed_as_bpom_prints_them(stored: str, printed: str, kind: str) -> None:
    assert printed_registration_no(stored) == printed
    assert registration_type(stored) == kind


@pytest.mark.parametrize("odd", ["BPOM RI MD 224510001234567", "SP 1234/13.10/99", "MD12345"])
def test_a_number_of_no_known_form_is_printed_as_stored(odd: str) -> None:
    assert printed_registration_no(odd) == odd
    assert registration_type(odd) is None
    assert registration_caption(odd) == "Nomor pendaftaran"


def test_a_p_irt_number_is_not_called_an_izin_edar() -> None:
    assert registration_caption("MD123456789012") == "Nomor izin edar"
    assert registration_caption("ML123456789012", "en") == "Marketing authorisation number"
    assert registration_caption("P-IRT206367401004527") == "Nomor P-IRT"
    assert registration_caption("PSAT-PD12345678") == "Nomor pendaftaran PSAT"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("MD 2245-1000-1234", "MD224510001234"),
        ("P-IRT-2063-6740-1004-527", "P-IRT206367401004527"),
        ("PSAT PD 1234 5678", "PSAT-PD12345678"),
        ("PSAT-PDUK-1234-5678", "PSAT-PDUK12345678"),
    ],
)
def test_normalized_to_the_stored_form(given: str, stored: str) -> None:
    assert normalize_registration_no(given) == stored
    assert normalize_registration_no(stored) == stored


@pytest.mark.parametrize(
    "wrong", ["MD12345678901", "P-IRT12345678901234", "PSAT PD 1234567", "TR 123456789", ""]
)
def test_other_shapes_are_refused(wrong: str) -> None:
    with pytest.raises(ValueError, match="P-IRT and 15 digits"):
        normalize_registration_no(wrong)


def test_the_label_prints_the_bpom_form_not_no_reg() -> None:
    content = batch_content(KEYRING, registration_no="MD224510001234")
    for lang in ("id", "en"):
        text = label_phrases(content, lang)["registration"]
        assert text == "BPOM\u00a0RI\u00a0MD\u00a0224510001234"  # never split across lines
    pirt = label_phrases(batch_content(KEYRING, registration_no="P-IRT206367401004527"))
    assert pirt["registration"] == "P-IRT\u00a0No.\u00a0206367401004527"
