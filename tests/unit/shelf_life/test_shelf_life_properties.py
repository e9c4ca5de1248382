"""Properties SPEC.md §4 demands of radura-sl/1, checked by Hypothesis over the input range."""

from datetime import date, timedelta
from typing import get_args

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from schemas.common import Purpose
from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.shelf_life import estimate_shelf_life as estimate_current
from service.shelf_life import sl1

# A millionth of a day: the model floors B · m after rounding to 1e-9 day, so a floor checked
# from the (float) adjusted base may differ only when B sits this close to a whole day.
TOLERANCE_DAYS = 1e-6
FROZEN_MAX_C = -12.0  # SPEC §4 step 2

CATEGORIES = [
    "fish_seafood",
    "processed_fish",
    "meat_poultry",
    "fresh_produce",
    "processed_produce",
    "mango",
    "mangosteen",
    "bulbs_tubers",
    "dry_goods",
    "spices_herbs",
    "ready_meal_sterile",
]
PURPOSES = list(get_args(Purpose))


def estimate_sl1(inputs: ShelfLifeInputs) -> ShelfLifeResult:
    """radura-sl/1, which still re-derives every label released under it."""
    return estimate_current(inputs, sl1.VERSION)


def _number(low: float, high: float) -> st.SearchStrategy[float]:
    # Whole and one-decimal values are what producers type; arbitrary floats find the edges.
    return st.one_of(
        st.integers(int(low), int(high)).map(float),
        st.integers(int(low * 10), int(high * 10)).map(lambda tenths: tenths / 10),
        st.floats(low, high, allow_nan=False),
    )


temperatures_c = _number(-40, 60)
doses_kgy = _number(0, 100)


@st.composite
def model_inputs(draw: st.DrawFn) -> ShelfLifeInputs:
    study_days = draw(st.none() | st.integers(1, 3650))
    return ShelfLifeInputs(
        category=draw(st.sampled_from(CATEGORIES)),
        purpose=draw(st.sampled_from(PURPOSES)),
        base_shelf_life_days=draw(st.integers(1, 3650)),
        reference_temp_c=draw(temperatures_c),
        storage_temp_c=draw(temperatures_c),
        packaging=draw(st.sampled_from(["air", "vacuum", "map"])),
        dose_min_kgy=draw(doses_kgy),
        production_date=draw(st.dates(date(2000, 1, 1), date(2199, 12, 31))),
        water_activity=draw(st.none() | _number(0, 1)),
        ph=draw(st.none() | _number(0, 14)),
        validated_shelf_life_days=study_days,
        validated_study_ref=None if study_days is None else "study",
    )


def _days(inputs: ShelfLifeInputs) -> int:
    return estimate_sl1(inputs).extended_days


@given(model_inputs(), doses_kgy, doses_kgy)
def test_more_dose_never_shortens(inputs: ShelfLifeInputs, dose_a: float, dose_b: float) -> None:
    low, high = sorted((dose_a, dose_b))
    assert _days(msgspec.structs.replace(inputs, dose_min_kgy=low)) <= _days(
        msgspec.structs.replace(inputs, dose_min_kgy=high)
    )


@given(model_inputs(), temperatures_c, temperatures_c)
def test_warmer_storage_never_lengthens(
    inputs: ShelfLifeInputs, temp_a: float, temp_b: float
) -> None:
    colder, warmer = sorted((temp_a, temp_b))
    colder_result = estimate_sl1(msgspec.structs.replace(inputs, storage_temp_c=colder))
    warmer_result = estimate_sl1(msgspec.structs.replace(inputs, storage_temp_c=warmer))
    if colder_result.extended_days < warmer_result.extended_days:
        # The one exception SPEC §4 itself creates: step 2 withdraws the dose credit at or below
        # −12 °C, so leaving the frozen range can only gain days through that credit.
        assert colder <= FROZEN_MAX_C < warmer
        assert "no_credit_frozen" in colder_result.rules
        assert "no_credit_frozen" not in warmer_result.rules


@given(model_inputs(), temperatures_c, temperatures_c)
def test_warmer_storage_never_lengthens_within_a_storage_regime(
    inputs: ShelfLifeInputs, temp_a: float, temp_b: float
) -> None:
    colder, warmer = sorted((temp_a, temp_b))
    if colder <= FROZEN_MAX_C < warmer:
        warmer = colder  # both frozen or both not: no exception applies
    assert _days(msgspec.structs.replace(inputs, storage_temp_c=colder)) >= _days(
        msgspec.structs.replace(inputs, storage_temp_c=warmer)
    )


@given(model_inputs())
def test_without_credit_study_or_cap_the_date_is_the_floor_of_the_base(
    inputs: ShelfLifeInputs,
) -> None:
    inputs = msgspec.structs.replace(
        inputs, validated_shelf_life_days=None, validated_study_ref=None
    )
    result = estimate_sl1(inputs)
    if result.multiplier != 1.0 or "vacuum_chilled_cap" in result.rules:
        return
    base = result.adjusted_base_days
    assert base - 1 - TOLERANCE_DAYS < result.extended_days <= base + TOLERANCE_DAYS


@given(model_inputs())
def test_without_a_study_never_more_than_twice_the_base(inputs: ShelfLifeInputs) -> None:
    inputs = msgspec.structs.replace(
        inputs, validated_shelf_life_days=None, validated_study_ref=None
    )
    result = estimate_sl1(inputs)
    assert 0 <= result.extended_days <= 2 * result.adjusted_base_days + TOLERANCE_DAYS
    assert 1.0 <= result.multiplier <= 2.0


@given(model_inputs())
def test_adjusted_base_never_exceeds_the_base(inputs: ShelfLifeInputs) -> None:
    result = estimate_sl1(inputs)
    assert 0 <= result.adjusted_base_days <= result.base_days
    if inputs.storage_temp_c <= inputs.reference_temp_c:
        assert result.adjusted_base_days == result.base_days


@given(model_inputs())
def test_reduced_oxygen_chilled_without_control_never_exceeds_ten_days(
    inputs: ShelfLifeInputs,
) -> None:
    inputs = msgspec.structs.replace(
        inputs, packaging="vacuum", water_activity=None, ph=None, storage_temp_c=4.0
    )
    result = estimate_sl1(inputs)
    if "sterile_validated" not in result.rules:
        assert result.extended_days <= 10


@given(model_inputs())
def test_best_before_is_production_date_plus_days(inputs: ShelfLifeInputs) -> None:
    result = estimate_sl1(inputs)
    assert result.best_before - inputs.production_date == timedelta(days=result.extended_days)


@given(model_inputs())
def test_result_is_deterministic_and_rederivable_from_its_stored_inputs(
    inputs: ShelfLifeInputs,
) -> None:
    result = estimate_sl1(inputs)
    assert estimate_sl1(inputs) == result
    stored = msgspec.json.encode(result)
    restored = msgspec.json.decode(stored, type=ShelfLifeResult)
    assert restored == result
    assert msgspec.json.encode(estimate_sl1(restored.inputs)) == stored
