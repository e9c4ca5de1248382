"""radura-sl/2 rule by rule, against values worked out by hand from SPEC.md §4 and its "Changes",
and the published cases of DOMAIN.md §7 that radura-sl/1 beat."""

from fractions import Fraction

import pytest

from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.shelf_life import ShelfLifeRefused, sl2
from service.shelf_life import estimate_shelf_life as estimate_any
from service.shelf_life.sl2 import derive
from tests.unit.shelf_life.inputs import make_inputs


def estimate_shelf_life(inputs: ShelfLifeInputs, model: str = sl2.VERSION) -> ShelfLifeResult:
    """radura-sl/2, which still re-derives every label released under it (radura-sl/1 when
    named)."""
    return estimate_any(inputs, model)


STUDY_REF = "Lab Mikrobiologi Pangan, laporan 12/2023"


def strawberries(**overrides: object) -> dict[str, object]:
    """Fresh strawberries for shelf-life extension (fresh_produce, legal maximum 2.5 kGy)."""
    return {"category": "fresh_produce", "purpose": "extend_shelf_life", "packaging": "air"} | (
        overrides
    )


# --- step 2: the dose multiplier --------------------------------------------------------------


def test_spec_chicken_example_is_unchanged() -> None:
    # SPEC §4: chicken, S0 5 d at 8 °C, air, D_min 3.0 kGy → m = min(2, 1 + 3/3) = 2, E = 10 d.
    result = estimate_shelf_life(make_inputs())
    assert result.model == "radura-sl/2"
    assert (result.multiplier, result.extended_days) == (2.0, 10)
    assert result.rules == ["dose_credit_capped"]


def test_dose_credit_below_the_cap() -> None:
    # chicken 1.5 kGy: m = 1 + 1.5/3 = 1.5; E = floor(5 · 1.5) = floor(7.5) = 7
    result = estimate_shelf_life(make_inputs(dose_min_kgy=1.5))
    assert (result.multiplier, result.extended_days, result.rules) == (1.5, 7, ["dose_credit"])


def test_no_credit_low_dose_just_below_one_kgy() -> None:
    # chicken 0.99 kGy: radura-sl/1 gave m = 1.33 (E = 6); below 1.0 kGy sl/2 gives m = 1, E = 5
    result = estimate_shelf_life(make_inputs(dose_min_kgy=0.99))
    assert (result.multiplier, result.extended_days) == (1.0, 5)
    assert result.rules == ["no_credit_low_dose"]
    assert "di bawah 1,0 kGy" in result.explanation.id
    assert "below 1.0 kGy" in result.explanation.en


def test_exactly_one_kgy_earns_the_credit() -> None:
    # chicken 1.0 kGy: m = 1 + 1/3 = 4/3; E = floor(5 · 4/3) = floor(6.67) = 6
    derivation = derive(make_inputs(dose_min_kgy=1.0))
    assert derivation.multiplier == Fraction(4, 3)
    assert derivation.extended_days == 6


def test_low_dose_is_listed_with_every_other_reason() -> None:
    # onions at 0.1 kGy: purpose, category and dose each deny the credit; all are listed
    result = estimate_shelf_life(
        make_inputs(category="bulbs_tubers", purpose="sprout_inhibition", dose_min_kgy=0.1)
    )
    assert result.rules == ["no_credit_purpose", "no_credit_category", "no_credit_low_dose"]


@pytest.mark.parametrize(
    ("category", "dose_kgy", "base_days", "multiplier", "days"),
    [
        # m = min(1.5, 1 + D/4): 1.2 kGy → 1.3, E = floor(8 · 1.3) = floor(10.4) = 10
        ("fresh_produce", 1.2, 8, 1.3, 10),
        # 2.0 kGy → 1.5 exactly, E = 12
        ("fresh_produce", 2.0, 8, 1.5, 12),
        # 3.0 kGy → 1 + 0.75 = 1.75, capped at 1.5; E = floor(10 · 1.5) = 15
        ("processed_produce", 3.0, 10, 1.5, 15),
    ],
)
def test_dose_credit_produce(
    category: str, dose_kgy: float, base_days: int, multiplier: float, days: int
) -> None:
    result = estimate_shelf_life(
        make_inputs(
            category=category,
            dose_min_kgy=dose_kgy,
            base_shelf_life_days=base_days,
            reference_temp_c=8.0,
            storage_temp_c=8.0,
        )
    )
    assert result.rules == ["dose_credit_produce"]
    assert (result.multiplier, result.extended_days) == (multiplier, days)


def test_mango_at_its_legal_maximum_earns_nothing() -> None:
    # mango's Annex I maximum is 0.75 kGy, below the 1.0 kGy threshold
    result = estimate_shelf_life(make_inputs(category="mango", dose_min_kgy=0.75))
    assert (result.multiplier, result.rules) == (1.0, ["no_credit_low_dose"])


# --- the rules radura-sl/2 keeps from radura-sl/1 ---------------------------------------------


def test_temp_adjust_q10_with_produce_credit() -> None:
    # processed produce, S0 18 d at 20 °C, stored at 30 °C: B = 18 · 3^(−1) = 6;
    # m = 1 + 2/4 = 1.5; E = floor(9) = 9
    result = estimate_shelf_life(
        make_inputs(
            category="processed_produce",
            base_shelf_life_days=18,
            reference_temp_c=20.0,
            storage_temp_c=30.0,
            dose_min_kgy=2.0,
        )
    )
    assert (result.adjusted_base_days, result.multiplier, result.extended_days) == (6.0, 1.5, 9)
    assert result.rules == ["temp_adjust_q10", "dose_credit_produce"]


def test_temp_adjust_sqrt() -> None:
    # chicken S0 5 d at 8 °C stored at 12 °C: B = 5 · (18/22)² = 3.347; m = 2; E = floor(6.69) = 6
    result = estimate_shelf_life(make_inputs(storage_temp_c=12.0))
    assert result.extended_days == 6
    assert result.rules == ["temp_adjust_sqrt", "dose_credit_capped"]


def test_no_credit_frozen() -> None:
    # fish S0 270 d at −18 °C, stored at −18 °C, 2 kGy: frozen, m = 1, E = 270
    result = estimate_shelf_life(
        make_inputs(
            category="fish_seafood",
            base_shelf_life_days=270,
            reference_temp_c=-18.0,
            storage_temp_c=-18.0,
            dose_min_kgy=2.0,
        )
    )
    assert (result.multiplier, result.extended_days, result.rules) == (
        1.0,
        270,
        ["no_credit_frozen"],
    )


def test_validated_study_outranks_the_model() -> None:
    # chicken with a 7-day study: the model's 10 days give way to the study's 7
    result = estimate_shelf_life(
        make_inputs(validated_shelf_life_days=7, validated_study_ref=STUDY_REF)
    )
    assert result.extended_days == 7
    assert result.rules == ["dose_credit_capped", "validated_study"]


# --- the dose corrected for uncertainty -------------------------------------------------------


def test_the_credit_uses_the_dose_less_its_uncertainty() -> None:
    # chicken 3.0 kGy, U = 5 %: dose used 3.0 · 0.95 = 2.85; m = 1 + 2.85/3 = 1.95;
    # E = floor(5 · 1.95) = floor(9.75) = 9 (10 without the uncertainty)
    result = estimate_shelf_life(make_inputs(expanded_uncertainty_pct=5.0))
    assert (result.multiplier, result.extended_days, result.rules) == (1.95, 9, ["dose_credit"])
    assert "dikurangi ketidakpastian 5 %: 2,85 kGy" in result.explanation.id
    assert "less the 5 % uncertainty: 2.85 kGy" in result.explanation.en


def test_uncertainty_can_take_a_dose_below_the_threshold() -> None:
    # 1.05 kGy, U = 6 %: 1.05 · 0.94 = 0.987 < 1.0 → no credit, E = 5
    result = estimate_shelf_life(make_inputs(dose_min_kgy=1.05, expanded_uncertainty_pct=6.0))
    assert (result.multiplier, result.extended_days) == (1.0, 5)
    assert result.rules == ["no_credit_low_dose"]


# --- step 5: reduced-oxygen packs -------------------------------------------------------------


def _vacuum_fish(storage_temp_c: float, **overrides: object) -> ShelfLifeInputs:
    # fish, S0 = 20 d at 0 °C, vacuum, 2 kGy: a base long enough for the cap to matter
    fields: dict[str, object] = {
        "category": "fish_seafood",
        "base_shelf_life_days": 20,
        "reference_temp_c": 0.0,
        "storage_temp_c": storage_temp_c,
        "packaging": "vacuum",
        "dose_min_kgy": 2.0,
    }
    return make_inputs(**(fields | overrides))


def test_vacuum_at_three_degrees_has_no_cap() -> None:
    # T = 3: B = 20 · (10/13)² = 11.83; m = 1 + 2/3; E = floor(19.72) = 19, no cap
    result = estimate_shelf_life(_vacuum_fish(3.0))
    assert result.extended_days == 19
    assert "vacuum_chilled_cap" not in result.rules


def test_vacuum_at_eight_degrees_is_capped_at_ten_days() -> None:
    # T = 8: B = 20 · (10/18)² = 6.17; E = floor(6.17 · 5/3) = floor(10.29) = 10 → cap 10
    result = estimate_shelf_life(_vacuum_fish(8.0))
    assert result.extended_days == 10
    assert result.rules == ["temp_adjust_sqrt", "dose_credit", "vacuum_chilled_cap"]


def test_vacuum_above_eight_degrees_is_refused() -> None:
    with pytest.raises(ShelfLifeRefused) as refused:
        estimate_shelf_life(_vacuum_fish(8.5))
    assert refused.value.code == "vacuum_requires_chilling"
    assert "8,5 °C" in refused.value.explanation_id
    assert "at most 8 °C" in refused.value.explanation_en


def test_map_above_eight_degrees_is_refused_too() -> None:
    with pytest.raises(ShelfLifeRefused):
        estimate_shelf_life(_vacuum_fish(12.0, packaging="map"))


def test_a_documented_control_lets_a_warm_vacuum_pack_be_dated() -> None:
    # aw 0.95 < 0.97: no cap and no refusal; T = 12: B = 20 · (10/22)² = 4.13, E = floor(6.88)
    result = estimate_shelf_life(_vacuum_fish(12.0, water_activity=0.95))
    assert result.extended_days == 6
    assert "vacuum_chilled_cap" not in result.rules


def test_a_validated_sterile_meal_is_dated_at_thirty_degrees() -> None:
    result = estimate_shelf_life(
        make_inputs(
            category="ready_meal_sterile",
            purpose="sterilisation",
            base_shelf_life_days=5,
            reference_temp_c=30.0,
            storage_temp_c=30.0,
            packaging="vacuum",
            dose_min_kgy=46.0,
            validated_shelf_life_days=540,
            validated_study_ref=STUDY_REF,
        )
    )
    assert result.extended_days == 540
    assert result.rules == ["no_credit_purpose", "validated_study", "sterile_validated"]


def test_a_sterile_meal_whose_corrected_dose_is_below_45_kgy_is_refused() -> None:
    # 46 kGy less 5 % is 43.7 kGy: not a sterilising process, so a warm vacuum pack
    with pytest.raises(ShelfLifeRefused):
        estimate_shelf_life(
            make_inputs(
                category="ready_meal_sterile",
                purpose="sterilisation",
                reference_temp_c=30.0,
                storage_temp_c=30.0,
                packaging="vacuum",
                dose_min_kgy=46.0,
                expanded_uncertainty_pct=5.0,
                validated_shelf_life_days=540,
                validated_study_ref=STUDY_REF,
            )
        )


# --- the published cases radura-sl/1 beat (DOMAIN.md §7; SPEC.md §4 "Changes") ---------------


@pytest.mark.parametrize("dose_kgy", [0.3, 0.6, 0.9])
def test_published_strawberries_at_3c_gain_nothing_at_low_dose(dose_kgy: float) -> None:
    # Source: DOMAIN.md §7, "strawberries at 3 °C gained nothing at 0.3–0.9 kGy (the lethal dose
    # for Botrytis is 5.4–9.7 kGy)". Base 14 d at 3 °C: radura-sl/1 gave 15–18 d (1–4 extra).
    inputs = make_inputs(
        **strawberries(
            base_shelf_life_days=14,
            reference_temp_c=3.0,
            storage_temp_c=3.0,
            dose_min_kgy=dose_kgy,
        )
    )
    assert estimate_shelf_life(inputs, "radura-sl/1").extended_days > 14
    result = estimate_shelf_life(inputs)
    assert result.extended_days == 14
    assert result.rules == ["no_credit_low_dose"]


def test_published_strawberries_at_8c_and_2kgy_stay_within_the_study() -> None:
    # Source: DOMAIN.md §4 and §7, "at 8 °C, 2 kGy took 7–8 days to 11–12". Untreated 8 d:
    # radura-sl/1: m = 1 + 2/3, E = floor(13.33) = 13 > 12; radura-sl/2: m = 1.5, E = 12.
    inputs = make_inputs(
        **strawberries(
            base_shelf_life_days=8, reference_temp_c=8.0, storage_temp_c=8.0, dose_min_kgy=2.0
        )
    )
    assert estimate_shelf_life(inputs, "radura-sl/1").extended_days == 13
    assert estimate_shelf_life(inputs).extended_days == 12


def test_published_vacuum_pack_at_30c_is_not_dated() -> None:
    # Source: DOMAIN.md §7, "the 10-day rule for non-proteolytic C. botulinum (UK FSA) assumes
    # chilled storage at 3–8 °C; it gives no basis to date a non-sterile vacuum or MAP pack kept
    # warmer". Pepes ikan, S0 14 d at 30 °C, vacuum, 5 kGy: radura-sl/1 dated it 10 days.
    inputs = make_inputs(
        category="processed_fish",
        purpose="reduce_pathogens",
        base_shelf_life_days=14,
        reference_temp_c=30.0,
        storage_temp_c=30.0,
        packaging="vacuum",
        dose_min_kgy=5.0,
    )
    assert estimate_shelf_life(inputs, "radura-sl/1").extended_days == 10
    with pytest.raises(ShelfLifeRefused) as refused:
        estimate_shelf_life(inputs)
    assert refused.value.code == "vacuum_requires_chilling"
