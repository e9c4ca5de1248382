"""Shelf-life value types: the model's inputs and result, and the public preview request body."""

from datetime import date
from typing import Annotated, Literal

import msgspec

from schemas.common import NAME_PATTERN, Purpose, check_public_texts

Packaging = Literal["air", "vacuum", "map"]

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


def _field_error(field: str, message: str) -> ValueError:
    # msgspec reports a __post_init__ error without a path; ending the message the way msgspec ends
    # its own ("- at `$.field`") lets Litestar's error mapping name the field like any other.
    return ValueError(f"{message} - at `$.{field}`")


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
    # the dosimetry system's expanded uncertainty (k = 2) of the dose map the treatment would use
    expanded_uncertainty_pct: Annotated[float, msgspec.Meta(ge=0, le=20)] = 0.0

    def __post_init__(self) -> None:
        check_public_texts(self)
        if self.validated_shelf_life_days is not None and self.validated_study_ref is None:
            raise _field_error(
                "validated_study_ref", "required when `validated_shelf_life_days` is set"
            )
        # `\S` and `.` still let tabs and other control characters through; a reference is printed
        # and stored, so only printable text.
        if self.validated_study_ref is not None and not self.validated_study_ref.isprintable():
            raise _field_error("validated_study_ref", "must be printable text on one line")
        if not PRODUCTION_DATE_MIN <= self.production_date <= PRODUCTION_DATE_MAX:
            raise _field_error(
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
        )
