"""Properties of radura-sl/3 (SPEC.md §4 "Changes in radura-sl/3"), checked by Hypothesis."""

from datetime import timedelta

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.shelf_life import ShelfLifeRefused, estimate_shelf_life, rederive
from tests.unit.shelf_life.test_shelf_life_properties import (
    TOLERANCE_DAYS,
    _number,
    doses_kgy,
    model_inputs,
    temperatures_c,
)

PACKAGINGS = ["air", "vacuum", "map", "hermetic"]
REDUCED_OXYGEN = {"vacuum", "map", "hermetic"}
CHILL_LIMIT_C = {"fish_seafood": 3.0, "processed_fish": 3.0, "meat_poultry": 4.0}
REFUSED = -1  # a pack the model will not date sorts below every date
uncertainties_pct = st.one_of(st.just(0.0), st.integers(0, 20).map(float), st.floats(0, 20))


@st.composite
def sl3_inputs(draw: st.DrawFn) -> ShelfLifeInputs:
    """Any inputs, every packaging, and a study with its three conditions — often ones the
    batch meets, so that both sides of each condition are exercised."""
    inputs = draw(model_inputs())
    changes: dict[str, object] = {
        "packaging": draw(st.sampled_from(PACKAGINGS)),
        "expanded_uncertainty_pct": draw(uncertainties_pct),
    }
    if inputs.validated_shelf_life_days is not None:
        changes |= {
            "validated_study_temp_c": draw(
                st.one_of(st.just(inputs.storage_temp_c), temperatures_c)
            ),
            "validated_study_dose_kgy": draw(st.one_of(st.just(0.0), doses_kgy)),
            "validated_study_packaging": draw(
                st.one_of(st.just(changes["packaging"]), st.sampled_from(PACKAGINGS))
            ),
        }
    return msgspec.structs.replace(inputs, **changes)


def _result(inputs: ShelfLifeInputs, model: str = "radura-sl/3") -> ShelfLifeResult | None:
    try:
        return estimate_shelf_life(inputs, model)
    except ShelfLifeRefused:
        return None


def _days(inputs: ShelfLifeInputs, model: str = "radura-sl/3") -> int:
    result = _result(inputs, model)
    return REFUSED if result is None else result.extended_days


def _as_sl2(inputs: ShelfLifeInputs) -> ShelfLifeInputs:
    """The same product as radura-sl/2 reads it: `hermetic` is vacuum, a study has no
    conditions."""
    return msgspec.structs.replace(
        inputs,
        packaging="vacuum" if inputs.packaging == "hermetic" else inputs.packaging,
        validated_study_temp_c=None,
        validated_study_dose_kgy=None,
        validated_study_packaging=None,
    )


def _without_study(inputs: ShelfLifeInputs) -> ShelfLifeInputs:
    return msgspec.structs.replace(
        inputs,
        validated_shelf_life_days=None,
        validated_study_ref=None,
        validated_study_temp_c=None,
        validated_study_dose_kgy=None,
        validated_study_packaging=None,
    )


@given(sl3_inputs())
def test_never_dates_longer_than_radura_sl2(inputs: ShelfLifeInputs) -> None:
    sl2_days = _days(_as_sl2(inputs), "radura-sl/2")
    result = _result(inputs)
    if result is None:
        return
    if sl2_days == REFUSED:
        # The one case sl/2 refused and sl/3 dates (SPEC §4 refusal 2, DOMAIN §8.1): a warm
        # reduced-oxygen pack that a study at its temperature and packaging covers. sl/3 holds
        # it to the 10-day cap unless aw < 0.97 or pH < 5.0 — where sl/2 would not refuse.
        assert inputs.packaging in REDUCED_OXYGEN and "validated_study" in result.rules
        assert result.extended_days <= 10
        return
    assert result.extended_days <= sl2_days


@given(sl3_inputs(), doses_kgy, doses_kgy)
def test_more_dose_never_shortens(inputs: ShelfLifeInputs, dose_a: float, dose_b: float) -> None:
    low, high = sorted((dose_a, dose_b))
    assert _days(msgspec.structs.replace(inputs, dose_min_kgy=low)) <= _days(
        msgspec.structs.replace(inputs, dose_min_kgy=high)
    )


@given(sl3_inputs(), uncertainties_pct, uncertainties_pct)
def test_more_uncertainty_never_lengthens(inputs: ShelfLifeInputs, u_a: float, u_b: float) -> None:
    low, high = sorted((u_a, u_b))
    assert _days(msgspec.structs.replace(inputs, expanded_uncertainty_pct=low)) >= _days(
        msgspec.structs.replace(inputs, expanded_uncertainty_pct=high)
    )


@given(sl3_inputs(), temperatures_c, temperatures_c)
def test_warmer_storage_never_lengthens_within_a_storage_regime(
    inputs: ShelfLifeInputs, temp_a: float, temp_b: float
) -> None:
    colder, warmer = sorted((temp_a, temp_b))
    if colder <= -12 < warmer:
        warmer = colder  # the frozen switch of step 2, as in radura-sl/1 and radura-sl/2
    assert _days(msgspec.structs.replace(inputs, storage_temp_c=colder)) >= _days(
        msgspec.structs.replace(inputs, storage_temp_c=warmer)
    )


@given(sl3_inputs(), st.sampled_from(sorted(REDUCED_OXYGEN)), _number(10, 60))
def test_a_warm_reduced_oxygen_pack_is_dated_only_with_a_control_that_stops_group_i(
    inputs: ShelfLifeInputs, packaging: str, storage_temp_c: float
) -> None:
    inputs = msgspec.structs.replace(inputs, packaging=packaging, storage_temp_c=storage_temp_c)
    result = _result(inputs)
    if result is None:
        return
    dry = inputs.water_activity is not None and inputs.water_activity <= 0.85
    acid = inputs.ph is not None and inputs.ph <= 4.6
    sterile = "sterile_validated" in result.rules
    applicable_study = "validated_study" in result.rules
    assert dry or acid or sterile or applicable_study


@given(sl3_inputs())
def test_no_credit_above_the_chill_limits(inputs: ShelfLifeInputs) -> None:
    limit = CHILL_LIMIT_C.get(inputs.category)
    result = _result(inputs)
    if result is None or limit is None or inputs.storage_temp_c <= limit:
        return
    assert result.multiplier == 1.0
    assert "no_credit_warm_storage" in result.rules


@given(sl3_inputs(), _number(0, 0.85))
def test_no_credit_for_dry_food(inputs: ShelfLifeInputs, water_activity: float) -> None:
    result = _result(msgspec.structs.replace(inputs, water_activity=water_activity))
    if result is None:
        return
    assert result.multiplier == 1.0
    assert "no_credit_dry" in result.rules


@given(sl3_inputs())
def test_raw_fish_and_meat_above_ten_degrees_are_dated_only_when_dried(
    inputs: ShelfLifeInputs,
) -> None:
    if inputs.category not in ("fish_seafood", "meat_poultry") or inputs.storage_temp_c <= 10:
        return
    if _result(inputs) is not None:
        assert inputs.water_activity is not None and inputs.water_activity <= 0.85


@given(sl3_inputs())
def test_a_study_never_lengthens_a_date_outside_its_conditions(inputs: ShelfLifeInputs) -> None:
    result = _result(inputs)
    if result is None or "study_not_applicable" not in result.rules:
        return
    assert inputs.validated_shelf_life_days is not None
    assert result.extended_days <= inputs.validated_shelf_life_days
    assert result.extended_days <= _days(_without_study(inputs))


@given(sl3_inputs())
def test_without_a_study_never_more_than_twice_the_base(inputs: ShelfLifeInputs) -> None:
    result = _result(_without_study(inputs))
    if result is None:
        return
    assert 0 <= result.extended_days <= 2 * result.adjusted_base_days + TOLERANCE_DAYS


@given(sl3_inputs())
def test_without_credit_study_or_cap_the_date_is_the_floor_of_the_base(
    inputs: ShelfLifeInputs,
) -> None:
    result = _result(_without_study(inputs))
    if result is None or result.multiplier != 1.0 or "vacuum_chilled_cap" in result.rules:
        return
    base = result.adjusted_base_days
    assert base - 1 - TOLERANCE_DAYS < result.extended_days <= base + TOLERANCE_DAYS


@given(sl3_inputs())
def test_result_is_rederivable_from_its_stored_inputs(inputs: ShelfLifeInputs) -> None:
    result = _result(inputs)
    if result is None:
        return
    assert result.model == "radura-sl/3"
    assert result.best_before - inputs.production_date == timedelta(days=result.extended_days)
    restored = msgspec.json.decode(msgspec.json.encode(result), type=ShelfLifeResult)
    assert rederive(restored) == result


@given(sl3_inputs())
def test_every_refusal_names_a_code_a_field_and_both_languages(inputs: ShelfLifeInputs) -> None:
    try:
        estimate_shelf_life(inputs)
    except ShelfLifeRefused as refused:
        codes = [refusal.code for refusal in refused.refusals]
        order = [
            "study_conditions_missing",
            "raw_food_requires_chilling",
            "vacuum_requires_chilling",
            "reduced_oxygen_uncontrolled",
            "study_not_applicable",
        ]
        assert codes == sorted(codes, key=order.index)  # SPEC §4's order, each once
        assert len(set(codes)) == len(codes)
        for refusal in refused.refusals:
            assert refusal.field and refusal.explanation_id and refusal.explanation_en
