"""Which registration scheme a product may carry: every rule alone, several at once, the 7-day
rule against a date computed by hand, and the 422 that names them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from schemas.shelf_life import ShelfLifeInputs
from service.batches.products.registration import (
    check_registration_type,
    registration_rule_failures,
)
from service.core.errors import RuleViolation
from service.shelf_life import ShelfLifeRefused, estimate_shelf_life

TODAY = date(2026, 12, 10)
PIRT = "P-IRT206367401004527"


def _product(**changes: Any) -> dict[str, Any]:
    """Bumbu kering, a P-IRT product that passes every rule (kept a year at 30 °C)."""
    return {
        "registration_no": PIRT,
        "category": "spices_herbs",
        "purpose": "reduce_microbial_load",
        "min_dose_kgy": 6.5,
        "base_shelf_life_days": 365,
        "reference_temp_c": 30.0,
        "storage_temp_c": 30.0,
        "packaging": "air",
        "water_activity": 0.45,
        "ph": None,
        "validated_shelf_life_days": None,
        "validated_study_ref": None,
        "validated_study_temp_c": None,
        "validated_study_dose_kgy": None,
        "validated_study_packaging": None,
    } | changes


def _rules(**changes: Any) -> list[str]:
    return [f.rule for f in registration_rule_failures(_product(**changes), today=TODAY)]


def test_a_p_irt_dry_spice_kept_a_year_passes() -> None:
    assert _rules() == []


def test_p_irt_is_refused_for_a_sterile_meal() -> None:
    sterile = {
        "category": "ready_meal_sterile",
        "purpose": "sterilisation",
        "min_dose_kgy": 45,
        "base_shelf_life_days": 5,
        "packaging": "vacuum",
        "water_activity": None,
        "validated_shelf_life_days": 540,
        "validated_study_ref": "BATAN-PAIR/2019",
        "validated_study_temp_c": 30.0,
        "validated_study_dose_kgy": 45.0,
        "validated_study_packaging": "vacuum",
    }
    assert _rules(**sterile) == ["pirt_sterile_meal"]
    assert _rules(**sterile, registration_no="MD224510001234") == []


@pytest.mark.parametrize(("storage_temp_c", "refused"), [(-18, True), (-12, True), (-11.5, False)])
def test_p_irt_is_refused_for_frozen_storage(storage_temp_c: float, refused: bool) -> None:
    rules = _rules(storage_temp_c=storage_temp_c, reference_temp_c=storage_temp_c)
    assert rules == (["pirt_frozen"] if refused else [])


@pytest.mark.parametrize("category", ["fish_seafood", "processed_fish", "meat_poultry"])
@pytest.mark.parametrize(
    ("water_activity", "refused"), [(None, True), (0.95, True), (0.86, True), (0.85, False)]
)
def test_p_irt_admits_animal_products_only_when_dried(
    category: str, water_activity: float | None, refused: bool
) -> None:
    rules = _rules(
        category=category,
        purpose="extend_shelf_life",
        min_dose_kgy=1.5,
        base_shelf_life_days=60,
        reference_temp_c=4,
        storage_temp_c=4,
        water_activity=water_activity,
    )
    assert rules == (["pirt_animal_not_dried"] if refused else [])


def _warm_vegetables(dose_kgy: float, storage_temp_c: float = 30) -> dict[str, Any]:
    """Processed vegetables kept 5 days untreated at their own storage temperature."""
    return {
        "category": "processed_produce",
        "purpose": "extend_shelf_life",
        "min_dose_kgy": dose_kgy,
        "base_shelf_life_days": 5,
        "reference_temp_c": storage_temp_c,
        "storage_temp_c": storage_temp_c,
        "water_activity": None,
    }


def test_p_irt_is_refused_for_food_the_model_dates_under_7_days_when_warm() -> None:
    # by hand: produce earns m = min(1.5, 1 + D/4 kGy); 5 days × (1 + 1.0/4) = 6.25 → 6 days
    [failure] = registration_rule_failures(_product(**_warm_vegetables(1.0)), today=TODAY)
    assert (failure.rule, failure.days) == ("pirt_under_7_days_warm", 6)
    assert "dates it 6 days" in failure.message and "30 °C" in failure.message
    # 5 days × min(1.5, 1 + 2.0/4) = 7.5 → 7 days: enough
    assert _rules(**_warm_vegetables(2.0)) == []
    # 6 days, but below room temperature: not this rule's business
    assert _rules(**_warm_vegetables(1.0, storage_temp_c=24)) == []
    # 25 °C is room temperature already: 6 days again
    assert _rules(**_warm_vegetables(1.0, storage_temp_c=25)) == ["pirt_under_7_days_warm"]


def test_a_date_the_model_refuses_is_another_rules_refusal() -> None:
    vacuum = _product(**_warm_vegetables(1.0), packaging="vacuum")
    inputs = ShelfLifeInputs(
        category="processed_produce",
        purpose="extend_shelf_life",
        base_shelf_life_days=5,
        reference_temp_c=30,
        storage_temp_c=30,
        packaging="vacuum",
        dose_min_kgy=1.0,
        production_date=TODAY,
    )
    with pytest.raises(ShelfLifeRefused):  # vacuum without a control, kept warm
        estimate_shelf_life(inputs)
    assert registration_rule_failures(vacuum, today=TODAY) == []


def test_several_rules_fail_at_once() -> None:
    frozen_fish = _product(
        category="fish_seafood",
        purpose="extend_shelf_life",
        min_dose_kgy=1.5,
        base_shelf_life_days=270,
        reference_temp_c=-18,
        storage_temp_c=-18,
        water_activity=None,
    )
    assert [f.rule for f in registration_rule_failures(frozen_fish, today=TODAY)] == [
        "pirt_frozen",
        "pirt_animal_not_dried",
    ]
    with pytest.raises(RuleViolation) as refused:
        check_registration_type(frozen_fish, today=TODAY)
    assert refused.value.code == "registration_type_not_allowed"
    assert refused.value.extra["registration_type"] == "P-IRT"
    assert [e["rule"] for e in refused.value.extra["errors"]] == [
        "pirt_frozen",
        "pirt_animal_not_dried",
    ]
    assert {e["field"] for e in refused.value.extra["errors"]} == {"registration_no"}
    # the message names both rules
    assert "frozen food" in refused.value.detail and "only when dried" in refused.value.detail


@pytest.mark.parametrize("category", ["fresh_produce", "mango", "mangosteen", "bulbs_tubers"])
def test_psat_is_for_plant_origin_fresh_food(category: str) -> None:
    assert _rules(category=category, registration_no="PSAT-PD12345678") == []


@pytest.mark.parametrize(
    "category", ["fish_seafood", "meat_poultry", "processed_produce", "spices_herbs"]
)
def test_psat_is_refused_elsewhere(category: str) -> None:
    assert _rules(category=category, registration_no="PSAT-PL12345678") == [
        "psat_plant_origin_only"
    ]


@pytest.mark.parametrize("number", ["MD224510001234", "ML812345678901", None])
def test_md_ml_or_no_number_is_never_refused(number: str | None) -> None:
    frozen_sterile_fish = {
        "category": "fish_seafood",
        "storage_temp_c": -18,
        "water_activity": None,
        "registration_no": number,
    }
    assert _rules(**frozen_sterile_fish) == []
    check_registration_type(_product(**frozen_sterile_fish), today=TODAY)


def test_a_product_stored_before_the_rules_is_told_to_be_edited() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_registration_type(
            _product(category="meat_poultry", water_activity=None), today=TODAY, before_batch=True
        )
    assert "edit the product" in refused.value.detail
    assert "only when dried" in refused.value.detail
