"""Builds model inputs for shelf-life tests: the SPEC §4 chicken example unless told otherwise."""

from datetime import date
from typing import Any

from schemas.shelf_life import ShelfLifeInputs

PRODUCTION_DATE = date(2024, 3, 1)


def make_inputs(**overrides: Any) -> ShelfLifeInputs:
    fields: dict[str, Any] = {
        "category": "meat_poultry",
        "purpose": "extend_shelf_life",
        "base_shelf_life_days": 5,
        "reference_temp_c": 8.0,
        "storage_temp_c": 8.0,
        "packaging": "air",
        "dose_min_kgy": 3.0,
        "production_date": PRODUCTION_DATE,
    }
    fields.update(overrides)
    return ShelfLifeInputs(**fields)
