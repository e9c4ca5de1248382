"""D_min, D_max and conformity from dosimeter positions and a dose map (SPEC §3.3), by hand."""

from __future__ import annotations

import math
import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.dose_maps import DoseMapCreate, DoseMapUsed
from service.batches.treatment.doses import judge_doses
from service.core.errors import RuleViolation


def dose_map(ratio_min: float = 0.9, ratio_max: float = 1.3, uncertainty_pct: float = 0.0):  # type: ignore[no-untyped-def]
    return DoseMapUsed(
        id=uuid.uuid4(),
        name="Tote",
        loading_pattern="2 tote",
        reference_position="R1",
        ratio_min=ratio_min,
        ratio_max=ratio_max,
        expanded_uncertainty_pct=uncertainty_pct,
        study_ref="PQ-1",
        performed_on=date(2025, 7, 14),
    )


def test_without_a_map_only_min_and_max_positions_count() -> None:
    verdict = judge_doses(
        [("min", 1.5), ("max", 3.0), ("reference", 1.2), ("other", 3.4)],
        None,
        product_min_dose_kgy=1.5,
        legal_max_dose_kgy=3.0,
    )
    assert (verdict.dose_min_kgy, verdict.dose_max_kgy, verdict.dur) == (1.5, 3.0, 2.0)
    assert verdict.conforming and verdict.nonconformities == []
    assert verdict.expanded_uncertainty_pct == 0
    assert (verdict.dose_min_corrected_kgy, verdict.dose_max_corrected_kgy) == (1.5, 3.0)


def test_both_nonconformities_without_a_map() -> None:
    verdict = judge_doses(
        [("min", 1.0), ("max", 3.5), ("min", 2.0)],
        None,
        product_min_dose_kgy=1.5,
        legal_max_dose_kgy=3.0,
    )
    assert (verdict.dose_min_kgy, verdict.dose_max_kgy) == (1.0, 3.5)
    assert verdict.nonconformities == ["dose_below_minimum", "dose_above_legal_maximum"]


@pytest.mark.parametrize(
    ("readings", "missing"),
    [
        ([("reference", 2.0), ("reference", 2.2)], "minimum"),
        ([("min", 2.0), ("other", 2.2)], "maximum"),
    ],
)
def test_unknown_extremes_without_a_map(readings, missing) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        judge_doses(readings, None, product_min_dose_kgy=1, legal_max_dose_kgy=3)
    assert refused.value.code == "dose_map_required"
    assert refused.value.extra["missing"] == missing


def test_a_map_scales_the_reference_readings() -> None:
    # D_min = 2.0 × 0.9 = 1.8, D_max = 2.2 × 1.3 = 2.86, exactly (no binary rounding)
    verdict = judge_doses(
        [("reference", 2.0), ("reference", 2.2)],
        dose_map(),
        product_min_dose_kgy=1.5,
        legal_max_dose_kgy=3.0,
    )
    assert (verdict.dose_min_kgy, verdict.dose_max_kgy) == (1.8, 2.86)
    assert verdict.dur == 2.86 / 1.8


def test_extreme_positions_are_combined_with_the_ratios() -> None:
    # the lower minimum and the higher maximum win: min reading 1.7 < 1.8; ratio 2.6 > max 2.5
    verdict = judge_doses(
        [("reference", 2.0), ("min", 1.7), ("max", 2.5)],
        dose_map(),
        product_min_dose_kgy=1.5,
        legal_max_dose_kgy=3.0,
    )
    assert (verdict.dose_min_kgy, verdict.dose_max_kgy) == (1.7, 2.6)


def test_the_uncertainty_can_make_a_conforming_reading_nonconforming() -> None:
    # 1.8 × 0.85 = 1.53 ≥ 1.5 raw, but 1.53 × 0.95 = 1.4535; 2.5 × 1.18 = 2.95, × 1.05 = 3.0975
    verdict = judge_doses(
        [("reference", 1.8), ("reference", 2.5)],
        dose_map(0.85, 1.18, 5.0),
        product_min_dose_kgy=1.5,
        legal_max_dose_kgy=3.0,
    )
    assert (verdict.dose_min_kgy, verdict.dose_max_kgy) == (1.53, 2.95)
    assert (verdict.dose_min_corrected_kgy, verdict.dose_max_corrected_kgy) == (1.4535, 3.0975)
    assert verdict.nonconformities == ["dose_below_minimum", "dose_above_legal_maximum"]
    same_without_u = judge_doses(
        [("reference", 1.8), ("reference", 2.5)],
        dose_map(0.85, 1.18, 0.0),
        product_min_dose_kgy=1.5,
        legal_max_dose_kgy=3.0,
    )
    assert same_without_u.conforming


def test_a_map_without_a_reference_still_needs_the_extremes() -> None:
    with pytest.raises(RuleViolation) as refused:
        judge_doses(
            [("max", 2.0), ("other", 2.2)], dose_map(), product_min_dose_kgy=1, legal_max_dose_kgy=3
        )
    assert refused.value.code == "dose_map_required"


doses = st.floats(min_value=0.001, max_value=100)
positions = st.sampled_from(["min", "max", "reference", "other"])


@given(
    st.lists(st.tuples(positions, doses), min_size=2, max_size=20),
    st.floats(0.2, 1),  # the ratio bounds a dose map is held to
    st.floats(1, 5),
    st.floats(0, 20),
    doses,
    doses,
)
def test_dose_verdict_properties(readings, ratio_min, ratio_max, u_pct, product_min, legal_max):  # type: ignore[no-untyped-def]
    try:
        verdict = judge_doses(
            readings,
            dose_map(ratio_min, ratio_max, u_pct),
            product_min_dose_kgy=product_min,
            legal_max_dose_kgy=legal_max,
        )
    except RuleViolation:
        has_min = any(p in ("min", "reference") for p, _ in readings)
        has_max = any(p in ("max", "reference") for p, _ in readings)
        assert not (has_min and has_max)
        return
    # never above the lowest reading at a min position, nor below the highest at a max position
    lows = [d for p, d in readings if p == "min"]
    highs = [d for p, d in readings if p == "max"]
    assert all(verdict.dose_min_kgy <= low for low in lows)
    assert all(verdict.dose_max_kgy >= high for high in highs)
    assert verdict.dose_min_corrected_kgy <= verdict.dose_min_kgy * (1 + 1e-12)
    assert verdict.dose_max_corrected_kgy >= verdict.dose_max_kgy * (1 - 1e-12)
    assert math.isfinite(verdict.dur)
    assert verdict.conforming == (verdict.nonconformities == [])
    # conformity is judged on the corrected doses (floats compared with a rounding margin)
    low, high = verdict.dose_min_corrected_kgy, verdict.dose_max_corrected_kgy
    if verdict.conforming:
        assert low >= product_min * (1 - 1e-12) and high <= legal_max * (1 + 1e-12)
    else:
        assert low <= product_min * (1 + 1e-12) or high >= legal_max * (1 - 1e-12)


@pytest.mark.parametrize(("ratio_min", "ratio_max"), [(5e-324, 1.1), (1e-300, 1.1), (0.9, 7.5)])
def test_a_map_stored_before_the_ratio_bounds_is_a_422_not_an_infinite_dur(
    ratio_min: float, ratio_max: float
) -> None:
    with pytest.raises(RuleViolation) as refused:
        judge_doses(
            [("reference", 2.0), ("reference", 2.2)],
            dose_map(ratio_min, ratio_max),
            product_min_dose_kgy=1.5,
            legal_max_dose_kgy=10.0,
        )
    assert refused.value.code == "dose_map_out_of_bounds"


def test_a_dose_map_built_in_code_is_held_to_the_bounds_too() -> None:
    fields = {
        "name": "Tote",
        "loading_pattern": "2 tote",
        "reference_position": "R1",
        "expanded_uncertainty_pct": 4.0,
        "study_ref": "PQ-1",
        "performed_on": date(2025, 7, 14),
    }
    assert DoseMapCreate(ratio_min=0.2, ratio_max=5.0, **fields).ratio_max == 5.0
    with pytest.raises(ValueError, match=r"ratio_min: must be between 0\.2 and 1"):
        DoseMapCreate(ratio_min=5e-324, ratio_max=5.0, **fields)
