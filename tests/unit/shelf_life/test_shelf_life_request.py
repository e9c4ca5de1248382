"""Decoding the public preview body: ranges, enums, paired fields, unknown fields."""

from datetime import date
from typing import Any

import msgspec
import pytest

from schemas.shelf_life import ShelfLifeEstimateRequest, ShelfLifeInputs

VALID: dict[str, Any] = {
    "category": "meat_poultry",
    "purpose": "extend_shelf_life",
    "base_shelf_life_days": 5,
    "reference_temp_c": 8,
    "storage_temp_c": 8.5,
    "packaging": "air",
    "dose_min_kgy": 3.0,
    "production_date": "2024-03-01",
}
STUDY: dict[str, Any] = {
    "validated_shelf_life_days": 12,
    "validated_study_ref": "Lab 7",
    "validated_study_temp_c": 8,
    "validated_study_dose_kgy": 2.5,
    "validated_study_packaging": "air",
}


def _decode(**changes: Any) -> ShelfLifeEstimateRequest:
    body = {**VALID, **changes}
    body = {key: value for key, value in body.items() if value is not ...}
    return msgspec.json.decode(msgspec.json.encode(body), type=ShelfLifeEstimateRequest)


def _error(**changes: Any) -> str:
    with pytest.raises(msgspec.ValidationError) as caught:
        _decode(**changes)
    return str(caught.value)


def test_valid_body_becomes_model_inputs() -> None:
    request = _decode(water_activity=0.95, **STUDY)
    assert request.to_inputs() == ShelfLifeInputs(
        category="meat_poultry",
        purpose="extend_shelf_life",
        base_shelf_life_days=5,
        reference_temp_c=8.0,
        storage_temp_c=8.5,
        packaging="air",
        dose_min_kgy=3.0,
        production_date=date(2024, 3, 1),
        water_activity=0.95,
        validated_shelf_life_days=12,
        validated_study_ref="Lab 7",
        validated_study_temp_c=8.0,
        validated_study_dose_kgy=2.5,
        validated_study_packaging="air",
    )


def test_optional_fields_may_be_null() -> None:
    request = _decode(water_activity=None, ph=None, validated_shelf_life_days=None)
    assert request.water_activity is None and request.validated_shelf_life_days is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_shelf_life_days", 0),
        ("base_shelf_life_days", 3651),
        ("base_shelf_life_days", "5"),
        ("reference_temp_c", -40.1),
        ("storage_temp_c", 60.5),
        ("dose_min_kgy", -0.1),
        ("dose_min_kgy", 100.5),
        ("water_activity", 1.01),
        ("water_activity", -0.01),
        ("ph", 14.2),
        ("validated_shelf_life_days", 0),
        ("validated_shelf_life_days", 3651),
        ("validated_study_temp_c", 61),
        ("validated_study_dose_kgy", -1),
        ("validated_study_packaging", "jar"),
        ("min_dose_kgy", 0),
        ("process_validation_ref", "x" * 121),
        ("process_validation_ref", "Lab\t7"),
        ("packaging", "foil"),
        ("purpose", "make_it_last"),
        ("category", "Meat Poultry"),
        ("category", "meat_poultry\n"),
        ("category", ""),
        ("production_date", "2024-02-30"),
        ("production_date", "9999-12-31"),
        ("production_date", "1999-12-31"),
    ],
)
def test_bad_value_names_its_field(field: str, value: Any) -> None:
    extra = STUDY if field.startswith("validated_") else {}
    assert _error(**(extra | {field: value})).endswith(f"`$.{field}`")


def test_range_ends_are_accepted() -> None:
    request = _decode(
        base_shelf_life_days=3650,
        reference_temp_c=-40,
        storage_temp_c=60,
        dose_min_kgy=100,
        water_activity=0,
        ph=14,
    )
    assert request.dose_min_kgy == 100.0


def test_study_days_require_a_study_reference() -> None:
    message = _error(validated_shelf_life_days=30)
    assert "validated_study_ref" in message
    assert message.endswith("`$.validated_study_ref`")


@pytest.mark.parametrize("ref", ["", "   ", " Lab 7", "Lab 7\n", "Lab\n7", "Lab\t7"])
def test_study_reference_must_be_one_printable_line(ref: str) -> None:
    assert _error(**(STUDY | {"validated_study_ref": ref})).endswith("`$.validated_study_ref`")


@pytest.mark.parametrize(
    "missing", ["validated_study_temp_c", "validated_study_dose_kgy", "validated_study_packaging"]
)
def test_a_study_needs_each_of_its_conditions(missing: str) -> None:
    # radura-sl/3 holds a study only inside its temperature, dose and packaging
    assert _error(**(STUDY | {missing: ...})).endswith(f"`$.{missing}`")


def test_study_conditions_without_a_study_are_refused() -> None:
    message = _error(validated_study_temp_c=4)
    assert message.endswith("`$.validated_shelf_life_days`")


def test_hermetic_packaging_and_the_product_fields_are_accepted() -> None:
    request = _decode(
        packaging="hermetic", name="Sambal", min_dose_kgy=1.5, process_validation_ref="PV-1"
    )
    assert request.to_inputs().packaging == "hermetic"
    assert (request.min_dose_kgy, request.process_validation_ref) == (1.5, "PV-1")


def test_missing_required_field_is_named() -> None:
    assert "production_date" in _error(production_date=...)
    assert "dose_min_kgy" in _error(dose_min_kgy=...)


def test_unknown_fields_are_refused() -> None:
    assert "colour" in _error(colour="red")
