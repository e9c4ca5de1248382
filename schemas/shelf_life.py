"""Shelf-life value types: the model's inputs and result, and the public preview request body."""

from datetime import date
from typing import Annotated, Any, Literal

import msgspec

from schemas.common import (
    NAME_PATTERN,
    Name,
    Purpose,
    check_one_line,
    check_public_texts,
    text_field_error,
)

# `hermetic`: a sealed jar, bottle, can or retort pouch, or food covered in oil (radura-sl/3;
# reduced-oxygen like vacuum and MAP, DOMAIN.md §8.2)
Packaging = Literal["air", "vacuum", "map", "hermetic"]

# Only the shape is checked here; whether the code exists is a question for the food-category
# table (a 422 from the service, not a 400 from decoding). msgspec searches with Python's `re`,
# where `$` also matches before a final newline; the `(?!\n)` refuses that newline.
CategoryCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_]{0,63}$(?!\n)",
        description="Food-category code from GET /api/v1/food-categories, e.g. `meat_poultry`.",
        examples=["meat_poultry"],
    ),
]
ShelfLifeDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]
TemperatureC = Annotated[float, msgspec.Meta(ge=-40, le=60)]
DoseKgy = Annotated[float, msgspec.Meta(ge=0, le=100)]
WaterActivity = Annotated[float, msgspec.Meta(ge=0, le=1)]
Ph = Annotated[float, msgspec.Meta(ge=0, le=14)]
ProcessValidationRef = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=120,
        pattern=NAME_PATTERN,
        description="Reference of the validation that the minimum dose achieves the purpose, "
        "required when it is below the purpose's typical minimum.",
    ),
]
StudyRef = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=300,
        pattern=NAME_PATTERN,
        description="Reference of the storage study of the treated product (report, lab, date).",
    ),
]

# Wide enough for any real production date; narrow enough that production_date + any shelf life
# stays a valid date (date.max is 9999-12-31, which would otherwise overflow into a 500).
PRODUCTION_DATE_MIN: date = date(2000, 1, 1)
PRODUCTION_DATE_MAX: date = date(2199, 12, 31)


class ShelfLifeInputs(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the model reads; stored with each result so any date can be re-derived."""

    category: str
    purpose: str
    base_shelf_life_days: int
    reference_temp_c: float
    storage_temp_c: float
    packaging: Packaging
    dose_min_kgy: float
    production_date: date
    water_activity: float | None = None
    ph: float | None = None
    validated_shelf_life_days: int | None = None
    validated_study_ref: str | None = None
    # radura-sl/2 credits D_min·(1 − U); results stored by radura-sl/1 have no such field
    expanded_uncertainty_pct: float = 0.0
    # radura-sl/3: what the study validated; results stored by earlier versions have none
    validated_study_temp_c: float | None = None
    validated_study_dose_kgy: float | None = None
    validated_study_packaging: Packaging | None = None


class ShelfLifeExplanation(msgspec.Struct, frozen=True, kw_only=True):
    """The derivation in words a producer can read: Bahasa Indonesia and English."""

    id: str
    en: str


class ShelfLifeResult(msgspec.Struct, frozen=True, kw_only=True):
    """SPEC.md §4 result object, plus the inputs it was computed from."""

    model: str
    base_days: int
    adjusted_base_days: float
    multiplier: float
    extended_days: int
    best_before: date
    storage_temp_c: float
    rules: list[str]
    explanation: ShelfLifeExplanation
    inputs: ShelfLifeInputs


STUDY_CONDITIONS = (
    "validated_study_temp_c",
    "validated_study_dose_kgy",
    "validated_study_packaging",
)


def check_study_fields(body: Any) -> None:
    """A study comes with its reference and the three conditions it validated (radura-sl/3:
    it holds only inside them); conditions without a study are a mistake too. A 400 names the
    first missing field."""
    study_days = body.validated_shelf_life_days
    if study_days is not None and body.validated_study_ref is None:
        raise text_field_error(
            "validated_study_ref", "required when `validated_shelf_life_days` is set"
        )
    for field in STUDY_CONDITIONS:
        given = getattr(body, field) is not None
        if study_days is not None and not given:
            raise text_field_error(
                field, "required with a study: a study holds only where it was done"
            )
        if study_days is None and given:
            raise text_field_error(
                "validated_shelf_life_days", "required when the study's conditions are set"
            )


class ShelfLifeEstimateRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/shelf-life/estimate: a product's shelf-life fields, a dose, a date."""

    category: CategoryCode
    purpose: Purpose
    base_shelf_life_days: ShelfLifeDays
    reference_temp_c: TemperatureC
    storage_temp_c: TemperatureC
    packaging: Packaging
    dose_min_kgy: DoseKgy
    production_date: date
    water_activity: WaterActivity | None = None
    ph: Ph | None = None
    validated_shelf_life_days: ShelfLifeDays | None = None
    validated_study_ref: StudyRef | None = None
    validated_study_temp_c: TemperatureC | None = None
    validated_study_dose_kgy: DoseKgy | None = None
    validated_study_packaging: Packaging | None = None
    # the dosimetry system's expanded uncertainty (k = 2) of the dose map the treatment would use
    expanded_uncertainty_pct: Annotated[float, msgspec.Meta(ge=0, le=20)] = 0.0
    # a product's own fields, for a preview of the product form: only `min_dose_kgy` is checked
    # (against the purpose's typical minimum, with `process_validation_ref`)
    name: Name | None = None
    min_dose_kgy: Annotated[float, msgspec.Meta(ge=0.001, le=100)] | None = None
    process_validation_ref: ProcessValidationRef | None = None

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_study_fields(self)
        # `\S` and `.` still let tabs and other control characters through; a reference is printed
        # and stored, so only printable text.
        for field in ("validated_study_ref", "process_validation_ref"):
            check_one_line(field, getattr(self, field))
        if not PRODUCTION_DATE_MIN <= self.production_date <= PRODUCTION_DATE_MAX:
            raise text_field_error(
                "production_date",
                f"must be between {PRODUCTION_DATE_MIN.isoformat()} "
                f"and {PRODUCTION_DATE_MAX.isoformat()}",
            )

    def to_inputs(self) -> ShelfLifeInputs:
        """The model inputs this request describes."""
        return ShelfLifeInputs(
            category=self.category,
            purpose=self.purpose,
            base_shelf_life_days=self.base_shelf_life_days,
            reference_temp_c=self.reference_temp_c,
            storage_temp_c=self.storage_temp_c,
            packaging=self.packaging,
            dose_min_kgy=self.dose_min_kgy,
            production_date=self.production_date,
            water_activity=self.water_activity,
            ph=self.ph,
            validated_shelf_life_days=self.validated_shelf_life_days,
            validated_study_ref=self.validated_study_ref,
            expanded_uncertainty_pct=self.expanded_uncertainty_pct,
            validated_study_temp_c=self.validated_study_temp_c,
            validated_study_dose_kgy=self.validated_study_dose_kgy,
            validated_study_packaging=self.validated_study_packaging,
        )
