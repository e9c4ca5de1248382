"""The bilingual explanation: one clause per rule, decimal comma in Indonesian, the final days."""

import pytest

from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.shelf_life import estimate_shelf_life as estimate_current
from service.shelf_life import sl1
from tests.unit.shelf_life.inputs import make_inputs


def estimate_sl1(inputs: ShelfLifeInputs) -> ShelfLifeResult:
    """radura-sl/1, which still re-derives every label released under it."""
    return estimate_current(inputs, sl1.VERSION)


def test_spec_chicken_example_reads_as_specified() -> None:
    explanation = estimate_sl1(make_inputs()).explanation
    assert explanation.id == (
        "Umur simpan dasar 5 hari pada 8 °C; dosis serap minimum terukur 3,0 kGy memberi "
        "faktor 2,0 (batas atas) → 10 hari."
    )
    assert explanation.en == (
        "Base shelf life 5 days at 8 °C; measured minimum dose 3.0 kGy gives a factor of 2.0 "
        "(the cap) → 10 days."
    )


def test_indonesian_uses_a_decimal_comma() -> None:
    # sqrt: 5 · (18/22.5)² = 3.2; m = 1 + 1.5/3 = 1.5; 4.8 → 4
    explanation = estimate_sl1(make_inputs(storage_temp_c=12.5, dose_min_kgy=1.5)).explanation
    assert "12,5 °C" in explanation.id and "3,2 hari" in explanation.id
    assert "faktor 1,5" in explanation.id and explanation.id.endswith("→ 4 hari.")
    assert "12.5 °C" in explanation.en and "3.2 days" in explanation.en
    assert "factor of 1.5" in explanation.en and explanation.en.endswith("→ 4 days.")


def test_shown_factor_is_truncated_not_rounded_up() -> None:
    # m = 1 + 2/3 = 1.666…: shown as 1,66, never 1,67
    explanation = estimate_sl1(make_inputs(dose_min_kgy=2.0)).explanation
    assert "faktor 1,66" in explanation.id


@pytest.mark.parametrize(
    ("overrides", "fragment_id", "fragment_en"),
    [
        ({"storage_temp_c": 12.0}, "model akar kuadrat (T_min −10 °C)", "square-root model"),
        ({"category": "fresh_produce", "storage_temp_c": 18.0}, "Q10 = 3: 1,66 hari", "Q10 = 3"),
        (
            {"purpose": "control_parasites"},
            "tujuan mengontrol infeksi oleh parasit tertentu",
            "controlling infection by specific parasites earns no",
        ),
        ({"category": "dry_goods", "purpose": "reduce_microbial_load"}, "dibatasi mutu", "quality"),
        (
            {"reference_temp_c": -18.0, "storage_temp_c": -18.0},
            "beku (≤ −12 °C) dibatasi oksidasi",
            "frozen storage (≤ −12 °C)",
        ),
        (
            {"packaging": "vacuum"},
            "paling lama 10 hari",
            "at most 10 days (non-proteolytic C. botulinum)",
        ),
        ({"packaging": "vacuum", "ph": 4.6}, "pH 4,6 < 5,0", "no 10-day limit"),
        (
            {"validated_shelf_life_days": 1, "validated_study_ref": "Uji 3/2024"},
            "studi umur simpan tervalidasi (Uji 3/2024) menetapkan 1 hari",
            "(Uji 3/2024) sets 1 day",
        ),
        ({"storage_temp_c": 2.0}, "tanpa tambahan untuk suhu lebih dingin", "colder storage"),
    ],
)
def test_each_rule_has_a_clause(
    overrides: dict[str, object], fragment_id: str, fragment_en: str
) -> None:
    explanation = estimate_sl1(make_inputs(**overrides)).explanation
    assert fragment_id in explanation.id
    assert fragment_en in explanation.en


def test_sterile_meal_is_explained() -> None:
    explanation = estimate_sl1(
        make_inputs(
            category="ready_meal_sterile",
            purpose="sterilisation",
            reference_temp_c=30.0,
            storage_temp_c=30.0,
            packaging="vacuum",
            dose_min_kgy=46.0,
            validated_shelf_life_days=548,
            validated_study_ref="BATAN",
        )
    ).explanation
    assert "proses sterilisasi tervalidasi" in explanation.id
    assert "46,0 kGy ≥ 45,0 kGy" in explanation.id
    assert "paling lama" not in explanation.id
    assert explanation.en.endswith("→ 548 days.")
