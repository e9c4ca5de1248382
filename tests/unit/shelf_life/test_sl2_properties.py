"""Properties of radura-sl/2 (SPEC.md §4 and its "Changes"), checked by Hypothesis."""

import math
from datetime import timedelta

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.shelf_life import ShelfLifeRefused, rederive, sl2
from service.shelf_life import estimate_shelf_life as estimate_any
from tests.unit.shelf_life.test_shelf_life_properties import (
    TOLERANCE_DAYS,
    doses_kgy,
    model_inputs,
    temperatures_c,
)


def estimate_shelf_life(inputs: ShelfLifeInputs, model: str = sl2.VERSION) -> ShelfLifeResult:
    """radura-sl/2, which still re-derives every label released under it (radura-sl/1 when
    named)."""
    return estimate_any(inputs, model)


PRODUCE = ["fresh_produce", "processed_produce", "mango"]
uncertainties_pct = st.one_of(st.just(0.0), st.integers(0, 20).map(float), st.floats(0, 20))
REFUSED = -1  # a pack the model will not date sorts below every date


@st.composite
def sl2_inputs(draw: st.DrawFn) -> ShelfLifeInputs:
    inputs = draw(model_inputs())
    return msgspec.structs.replace(inputs, expanded_uncertainty_pct=draw(uncertainties_pct))


def _days(inputs: ShelfLifeInputs) -> int:
    try:
        return estimate_shelf_life(inputs).extended_days
    except ShelfLifeRefused:
        return REFUSED


def _without_study(inputs: ShelfLifeInputs) -> ShelfLifeInputs:
    return msgspec.structs.replace(inputs, validated_shelf_life_days=None, validated_study_ref=None)


def _dose_used_kgy(inputs: ShelfLifeInputs) -> float:
    return inputs.dose_min_kgy * (1 - inputs.expanded_uncertainty_pct / 100)


@given(sl2_inputs(), st.floats(0, 0.999))
def test_no_credit_below_one_kgy(inputs: ShelfLifeInputs, dose_kgy: float) -> None:
    inputs = msgspec.structs.replace(inputs, dose_min_kgy=dose_kgy)
    try:
        result = estimate_shelf_life(inputs)
    except ShelfLifeRefused:
        return
    assert result.multiplier == 1.0
    assert "dose_credit" not in result.rules and "dose_credit_produce" not in result.rules


@given(sl2_inputs())
def test_a_dose_that_falls_below_one_kgy_after_the_uncertainty_earns_nothing(
    inputs: ShelfLifeInputs,
) -> None:
    if _dose_used_kgy(inputs) >= 1.0:
        return
    try:
        result = estimate_shelf_life(inputs)
    except ShelfLifeRefused:
        return
    assert result.multiplier == 1.0


@given(sl2_inputs(), st.sampled_from(PRODUCE))
def test_produce_never_gets_more_than_one_and_a_half_times_its_base(
    inputs: ShelfLifeInputs, category: str
) -> None:
    inputs = _without_study(msgspec.structs.replace(inputs, category=category))
    try:
        result = estimate_shelf_life(inputs)
    except ShelfLifeRefused:
        return
    assert result.multiplier <= 1.5
    assert result.extended_days <= math.floor(1.5 * result.adjusted_base_days + TOLERANCE_DAYS)


@given(sl2_inputs(), st.sampled_from(["vacuum", "map"]), st.floats(8.001, 60))
def test_a_warm_reduced_oxygen_pack_without_control_is_never_dated(
    inputs: ShelfLifeInputs, packaging: str, storage_temp_c: float
) -> None:
    inputs = msgspec.structs.replace(
        inputs, packaging=packaging, storage_temp_c=storage_temp_c, water_activity=None, ph=None
    )
    try:
        result = estimate_shelf_life(inputs)
    except ShelfLifeRefused as refusal:
        assert refusal.code == "vacuum_requires_chilling"
        return
    # only a validated sterilising process is dated at that temperature
    assert "sterile_validated" in result.rules


@given(sl2_inputs(), doses_kgy, doses_kgy)
def test_more_dose_never_shortens(inputs: ShelfLifeInputs, dose_a: float, dose_b: float) -> None:
    low, high = sorted((dose_a, dose_b))
    assert _days(msgspec.structs.replace(inputs, dose_min_kgy=low)) <= _days(
        msgspec.structs.replace(inputs, dose_min_kgy=high)
    )


@given(sl2_inputs(), uncertainties_pct, uncertainties_pct)
def test_more_uncertainty_never_lengthens(inputs: ShelfLifeInputs, u_a: float, u_b: float) -> None:
    low, high = sorted((u_a, u_b))
    assert _days(msgspec.structs.replace(inputs, expanded_uncertainty_pct=low)) >= _days(
        msgspec.structs.replace(inputs, expanded_uncertainty_pct=high)
    )


@given(sl2_inputs(), temperatures_c, temperatures_c)
def test_warmer_storage_never_lengthens_within_a_storage_regime(
    inputs: ShelfLifeInputs, temp_a: float, temp_b: float
) -> None:
    colder, warmer = sorted((temp_a, temp_b))
    if colder <= -12 < warmer:
        warmer = colder  # the frozen switch of step 2, as in radura-sl/1
    assert _days(msgspec.structs.replace(inputs, storage_temp_c=colder)) >= _days(
        msgspec.structs.replace(inputs, storage_temp_c=warmer)
    )


@given(sl2_inputs())
def test_without_a_study_never_more_than_twice_the_base(inputs: ShelfLifeInputs) -> None:
    try:
        result = estimate_shelf_life(_without_study(inputs))
    except ShelfLifeRefused:
        return
    assert 0 <= result.extended_days <= 2 * result.adjusted_base_days + TOLERANCE_DAYS


@given(sl2_inputs())
def test_never_more_optimistic_than_radura_sl1(inputs: ShelfLifeInputs) -> None:
    sl1_days = estimate_shelf_life(inputs, "radura-sl/1").extended_days
    assert _days(inputs) <= sl1_days


@given(sl2_inputs())
def test_result_is_rederivable_from_its_stored_inputs(inputs: ShelfLifeInputs) -> None:
    try:
        result = estimate_shelf_life(inputs)
    except ShelfLifeRefused:
        return
    assert result.model == "radura-sl/2"
    assert result.best_before - inputs.production_date == timedelta(days=result.extended_days)
    restored = msgspec.json.decode(msgspec.json.encode(result), type=ShelfLifeResult)
    assert rederive(restored) == result
