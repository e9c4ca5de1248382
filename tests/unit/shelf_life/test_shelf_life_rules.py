"""radura-sl/1 rule by rule, against values worked out by hand from SPEC.md §4."""

from datetime import date
from fractions import Fraction

import pytest

from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.shelf_life import estimate_shelf_life as estimate_current
from service.shelf_life import sl1
from tests.unit.shelf_life.inputs import PRODUCTION_DATE, make_inputs

STUDY_REF = "Lab Mikrobiologi Pangan, laporan 12/2023"


def estimate_sl1(inputs: ShelfLifeInputs) -> ShelfLifeResult:
    """radura-sl/1, which still re-derives every label released under it."""
    return estimate_current(inputs, sl1.VERSION)


def test_spec_chicken_example() -> None:
    # SPEC §4: chicken, S0 5 d at 8 °C, stored at 8 °C, air, D_min 3.0 kGy → m 2.0, E 10 d.
    inputs = make_inputs()
    result = estimate_sl1(inputs)
    assert result.model == sl1.VERSION == "radura-sl/1"
    assert result.base_days == 5
    assert result.adjusted_base_days == 5.0
    assert result.multiplier == 2.0
    assert result.extended_days == 10
    assert result.best_before == date(2024, 3, 11)
    assert result.storage_temp_c == 8.0
    assert result.rules == ["dose_credit_capped"]
    assert result.inputs == inputs


def test_dose_credit_below_cap() -> None:
    # m = 1 + 1.5/3 = 1.5; 5 · 1.5 = 7.5 → 7
    result = estimate_sl1(make_inputs(dose_min_kgy=1.5))
    assert result.multiplier == 1.5
    assert result.extended_days == 7
    assert result.rules == ["dose_credit"]


def test_dose_credit_is_exact_at_whole_days() -> None:
    # m = 1 + 2.4/3 = 1.8 exactly; 15 · 1.8 = 27 (in binary floating point 26.999999999999996)
    result = estimate_sl1(make_inputs(base_shelf_life_days=15, dose_min_kgy=2.4))
    assert result.extended_days == 27


def test_inputs_are_read_as_the_decimals_they_were_written_as() -> None:
    # 2.4 kGy is 2.4, not the binary float 2.39999…: m = 1 + 2.4/3 = 9/5 exactly
    derivation = sl1.derive(make_inputs(base_shelf_life_days=15, dose_min_kgy=2.4))
    assert derivation.multiplier == Fraction(9, 5)
    assert derivation.model_days == 27


def test_an_unmeasurably_small_warming_does_not_cost_a_day() -> None:
    # 8.000000000001 °C against 8 °C: B = 5 · (18/18.000000000001)² = 4.99999999999944…
    derivation = sl1.derive(make_inputs(storage_temp_c=8.000000000001, dose_min_kgy=0.0))
    assert derivation.adjusted_base_days < 5
    assert derivation.extended_days == 5
    # a real warming, however small, still counts: 8.1 °C gives 5 · (18/18.1)² = 4.945 → 4
    assert estimate_sl1(make_inputs(storage_temp_c=8.1, dose_min_kgy=0.0)).extended_days == 4


def test_zero_dose_with_a_credit_purpose_gives_factor_one() -> None:
    result = estimate_sl1(make_inputs(dose_min_kgy=0.0))
    assert result.multiplier == 1.0
    assert result.extended_days == 5
    assert result.rules == ["dose_credit"]


def test_dose_above_cap_is_capped() -> None:
    # 1 + 7/3 = 3.33 → capped at 2.0
    result = estimate_sl1(make_inputs(purpose="eliminate_salmonella", dose_min_kgy=7.0))
    assert result.multiplier == 2.0
    assert result.extended_days == 10
    assert result.rules == ["dose_credit_capped"]


def test_colder_storage_earns_nothing() -> None:
    result = estimate_sl1(make_inputs(storage_temp_c=2.0, dose_min_kgy=0.0))
    assert result.adjusted_base_days == 5.0
    assert result.extended_days == 5
    assert result.rules == ["dose_credit"]


def test_sqrt_model_storage_above_reference() -> None:
    # fish, S0 10 d at 0 °C, stored at 10 °C: B = 10 · (10/20)² = 2.5; m = 1.5 → 3.75 → 3
    result = estimate_sl1(
        make_inputs(
            category="fish_seafood",
            purpose="reduce_pathogens",
            base_shelf_life_days=10,
            reference_temp_c=0.0,
            storage_temp_c=10.0,
            dose_min_kgy=1.5,
        )
    )
    assert result.adjusted_base_days == 2.5
    assert result.multiplier == 1.5
    assert result.extended_days == 3
    assert result.best_before == date(2024, 3, 4)
    assert result.rules == ["temp_adjust_sqrt", "dose_credit"]


def test_sqrt_model_is_exact_at_whole_days() -> None:
    # meat, S0 9 d at 2 °C, stored at 8 °C: B = 9 · (12/18)² = 4 exactly; m = 1.5 → 6
    result = estimate_sl1(
        make_inputs(base_shelf_life_days=9, reference_temp_c=2.0, dose_min_kgy=1.5)
    )
    assert result.adjusted_base_days == 4.0
    assert result.extended_days == 6
    # fish, S0 49 d at 2 °C, stored at 11 °C: B = 49 · (12/21)² = 16 exactly (floats: 15.99…)
    result = estimate_sl1(
        make_inputs(
            category="fish_seafood",
            purpose="control_parasites",
            base_shelf_life_days=49,
            reference_temp_c=2.0,
            storage_temp_c=11.0,
        )
    )
    assert result.extended_days == 16
    assert result.rules == ["temp_adjust_sqrt", "no_credit_purpose"]


@pytest.mark.parametrize(
    ("storage_temp_c", "expected_base", "expected_days"),
    [
        (30.0, 6.0, 9),  # 18 · 3^-1 = 6; · 1.5 = 9
        (40.0, 2.0, 3),  # 18 · 3^-2 = 2; · 1.5 = 3
        (25.0, 10.392304845413264, 15),  # 18 / √3 = 10.3923; · 1.5 = 15.588 → 15
    ],
)
def test_q10_storage_above_reference(
    storage_temp_c: float, expected_base: float, expected_days: int
) -> None:
    result = estimate_sl1(
        make_inputs(
            category="processed_produce",
            base_shelf_life_days=18,
            reference_temp_c=20.0,
            storage_temp_c=storage_temp_c,
            dose_min_kgy=1.5,
        )
    )
    assert result.adjusted_base_days == pytest.approx(expected_base, rel=1e-12)
    assert result.extended_days == expected_days
    assert result.rules == ["temp_adjust_q10", "dose_credit"]


def test_frozen_storage_gets_no_credit() -> None:
    result = estimate_sl1(
        make_inputs(
            category="fish_seafood",
            base_shelf_life_days=180,
            reference_temp_c=-18.0,
            storage_temp_c=-18.0,
            dose_min_kgy=2.0,
        )
    )
    assert result.multiplier == 1.0
    assert result.extended_days == 180
    assert result.best_before == date(2024, 8, 28)
    assert result.rules == ["no_credit_frozen"]


def test_frozen_threshold_is_inclusive() -> None:
    at_threshold = make_inputs(reference_temp_c=-12.0, storage_temp_c=-12.0)
    assert estimate_sl1(at_threshold).rules == ["no_credit_frozen"]
    assert estimate_sl1(at_threshold).extended_days == 5
    just_above = make_inputs(reference_temp_c=-11.5, storage_temp_c=-11.5)
    assert estimate_sl1(just_above).rules == ["dose_credit_capped"]
    assert estimate_sl1(just_above).extended_days == 10


def test_sqrt_category_warmer_but_still_below_t_min_uses_q10() -> None:
    # shrimp, S0 270 d at −28 °C, stored at −18 °C: the square-root rate is zero at both, so Q10:
    # 270 · 3^-1 = 90
    result = estimate_sl1(
        make_inputs(
            category="fish_seafood",
            base_shelf_life_days=270,
            reference_temp_c=-28.0,
            storage_temp_c=-18.0,
        )
    )
    assert result.adjusted_base_days == 90.0
    assert result.extended_days == 90
    assert result.rules == ["temp_adjust_q10", "no_credit_frozen"]


def test_frozen_base_is_not_carried_over_to_chilled_storage() -> None:
    # S0 established at −18 °C (square-root rate zero) says nothing about 4 °C: B = 0
    result = estimate_sl1(
        make_inputs(
            category="fish_seafood",
            base_shelf_life_days=180,
            reference_temp_c=-18.0,
            storage_temp_c=4.0,
        )
    )
    assert result.adjusted_base_days == 0.0
    assert result.extended_days == 0
    assert result.best_before == PRODUCTION_DATE
    assert result.rules == ["temp_adjust_sqrt", "dose_credit_capped"]


def test_sprout_inhibition_gets_no_credit() -> None:
    result = estimate_sl1(
        make_inputs(
            category="bulbs_tubers",
            purpose="sprout_inhibition",
            base_shelf_life_days=60,
            reference_temp_c=25.0,
            storage_temp_c=25.0,
            dose_min_kgy=0.1,
        )
    )
    assert result.multiplier == 1.0
    assert result.extended_days == 60
    assert result.rules == ["no_credit_purpose", "no_credit_category"]


def test_spices_get_no_credit_even_for_a_microbial_purpose() -> None:
    # S0 365 d at 25 °C, stored at 30 °C: 365 / √3 = 210.73 → 210
    result = estimate_sl1(
        make_inputs(
            category="spices_herbs",
            purpose="reduce_microbial_load",
            base_shelf_life_days=365,
            reference_temp_c=25.0,
            storage_temp_c=30.0,
            dose_min_kgy=6.5,
        )
    )
    assert result.multiplier == 1.0
    assert result.extended_days == 210
    assert result.rules == ["temp_adjust_q10", "no_credit_category"]


@pytest.mark.parametrize(
    "purpose", ["delay_ripening", "disinfestation", "quarantine", "control_parasites"]
)
def test_purposes_without_credit(purpose: str) -> None:
    result = estimate_sl1(make_inputs(category="fresh_produce", purpose=purpose))
    assert result.extended_days == 5
    assert result.rules == ["no_credit_purpose"]


def _sterile_meal(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "category": "ready_meal_sterile",
        "purpose": "sterilisation",
        "base_shelf_life_days": 5,
        "reference_temp_c": 30.0,
        "storage_temp_c": 30.0,
        "packaging": "vacuum",
        "dose_min_kgy": 46.0,
        "validated_shelf_life_days": 548,
        "validated_study_ref": "BATAN rendang 45 kGy",
    }
    fields.update(overrides)
    return fields


def test_sterile_meal_takes_the_study_and_escapes_the_cap() -> None:
    result = estimate_sl1(make_inputs(**_sterile_meal()))
    assert result.extended_days == 548
    assert result.best_before == date(2025, 8, 31)
    assert result.rules == ["no_credit_purpose", "validated_study", "sterile_validated"]


def test_sterile_minimum_dose_is_inclusive() -> None:
    result = estimate_sl1(make_inputs(**_sterile_meal(dose_min_kgy=45.0)))
    assert result.extended_days == 548
    assert "sterile_validated" in result.rules


def test_under_dosed_sterile_meal_does_not_get_the_study() -> None:
    # 44.9 kGy is not sterilising: the model's 5 days stand, and the vacuum cap is in force
    result = estimate_sl1(make_inputs(**_sterile_meal(dose_min_kgy=44.9)))
    assert result.extended_days == 5
    assert result.rules == ["no_credit_purpose", "vacuum_chilled_cap"]
    # even with a documented control lifting the cap, the study cannot raise the date
    result = estimate_sl1(make_inputs(**_sterile_meal(dose_min_kgy=10.0, water_activity=0.9)))
    assert result.extended_days == 5
    assert result.rules == ["no_credit_purpose"]


def test_under_dosed_sterile_meal_study_can_still_lower_the_date() -> None:
    result = estimate_sl1(
        make_inputs(
            **_sterile_meal(
                dose_min_kgy=10.0, base_shelf_life_days=30, validated_shelf_life_days=20, ph=4.5
            )
        )
    )
    assert result.extended_days == 20
    assert result.rules == ["no_credit_purpose", "validated_study"]


def test_sterilising_dose_without_a_study_is_not_sterile() -> None:
    result = estimate_sl1(
        make_inputs(**_sterile_meal(validated_shelf_life_days=None, validated_study_ref=None))
    )
    assert result.extended_days == 5
    assert result.rules == ["no_credit_purpose", "vacuum_chilled_cap"]


def _chilled_pack(**overrides: object) -> dict[str, object]:
    # meat, S0 7 d at 4 °C, stored at 4 °C, 3.0 kGy: 7 · 2 = 14 before any cap
    fields: dict[str, object] = {
        "base_shelf_life_days": 7,
        "reference_temp_c": 4.0,
        "storage_temp_c": 4.0,
        "packaging": "vacuum",
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize("packaging", ["vacuum", "map"])
def test_reduced_oxygen_pack_above_3c_is_capped_at_10_days(packaging: str) -> None:
    result = estimate_sl1(make_inputs(**_chilled_pack(packaging=packaging)))
    assert result.extended_days == 10
    assert result.best_before == date(2024, 3, 11)
    assert result.rules == ["dose_credit_capped", "vacuum_chilled_cap"]


@pytest.mark.parametrize(
    ("overrides", "expected_days"),
    [
        ({"water_activity": 0.96}, 14),  # aw < 0.97 is a control
        ({"ph": 4.9}, 14),  # pH < 5.0 is a control
        ({"water_activity": 0.97}, 10),  # strictly below: 0.97 is not
        ({"ph": 5.0}, 10),
        ({"water_activity": 0.99, "ph": 4.2}, 14),  # one control is enough
        ({"packaging": "air"}, 14),
        ({"reference_temp_c": 3.0, "storage_temp_c": 3.0}, 14),  # 3 °C itself is safe
        ({"reference_temp_c": 3.5, "storage_temp_c": 3.5}, 10),
    ],
)
def test_cap_conditions(overrides: dict[str, object], expected_days: int) -> None:
    result = estimate_sl1(make_inputs(**_chilled_pack(**overrides)))
    assert result.extended_days == expected_days
    assert ("vacuum_chilled_cap" in result.rules) == (expected_days == 10)


def test_cap_is_listed_while_in_force_even_when_not_binding() -> None:
    result = estimate_sl1(make_inputs(**_chilled_pack(base_shelf_life_days=3)))
    assert result.extended_days == 6
    assert result.rules == ["dose_credit_capped", "vacuum_chilled_cap"]


def _studied(**overrides: object) -> dict[str, object]:
    # processed fish, S0 10 d at 4 °C, 2.0 kGy: model 10 · 5/3 = 16.67 → 16
    fields: dict[str, object] = {
        "category": "processed_fish",
        "base_shelf_life_days": 10,
        "reference_temp_c": 4.0,
        "storage_temp_c": 4.0,
        "dose_min_kgy": 2.0,
        "validated_shelf_life_days": 21,
        "validated_study_ref": STUDY_REF,
    }
    fields.update(overrides)
    return fields


def test_validated_study_outranks_the_model() -> None:
    result = estimate_sl1(make_inputs(**_studied()))
    assert result.extended_days == 21
    assert result.best_before == date(2024, 3, 22)
    assert result.rules == ["dose_credit", "validated_study"]
    assert estimate_sl1(make_inputs(**_studied(validated_shelf_life_days=None))).extended_days == 16


def test_validated_study_shorter_than_the_model_wins_too() -> None:
    assert estimate_sl1(make_inputs(**_studied(validated_shelf_life_days=12))).extended_days == 12


def test_validated_study_is_still_capped() -> None:
    result = estimate_sl1(make_inputs(**_studied(packaging="map")))
    assert result.extended_days == 10
    assert result.rules == ["dose_credit", "validated_study", "vacuum_chilled_cap"]
    lifted = estimate_sl1(make_inputs(**_studied(packaging="map", ph=4.5)))
    assert lifted.extended_days == 21


def test_validated_study_applies_to_frozen_storage() -> None:
    result = estimate_sl1(
        make_inputs(
            **_studied(reference_temp_c=-18.0, storage_temp_c=-18.0, validated_shelf_life_days=365)
        )
    )
    assert result.extended_days == 365
    assert result.rules == ["no_credit_frozen", "validated_study"]


def test_hand_built_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="dose_min_kgy"):
        estimate_sl1(make_inputs(dose_min_kgy=-1.0))
    with pytest.raises(ValueError, match="base_shelf_life_days"):
        estimate_sl1(make_inputs(base_shelf_life_days=0))
    with pytest.raises(ValueError, match="finite"):
        estimate_sl1(make_inputs(storage_temp_c=float("nan")))
