"""Products: the producer's validated process specification and the food's shelf-life facts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from schemas.common import NAME_PATTERN, Name
from schemas.shelf_life import (
    CategoryCode,
    Packaging,
    Ph,
    Purpose,
    ShelfLifeDays,
    StudyRef,
    TemperatureC,
    WaterActivity,
)

# The validated minimum dose of the product's process; the legal maximum is a 422, not a range.
# below 0.001 kGy a dose is no dose
MinDoseKgy = Annotated[float, msgspec.Meta(ge=0.001, le=100, description="Absorbed dose in kGy.")]
# Only the digits are checked here; the check digit and the GTIN-8/12/13/14 lengths are checked by
# the service with labels.gtin (400 naming `gtin` either way).
GtinText = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]{8,14}$",
        description="GTIN-8, -12, -13 or -14 with a valid check digit; stored as 14 digits.",
        examples=["8991234567891"],  # a valid check digit
    ),
]
# BPOM MD (domestic) or ML (imported) + 12 digits, or P-IRT + 15 digits; digits may be grouped
# by spaces or dashes. The service stores it without the grouping.
RegistrationNo = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(?:M[DL][ -]?(?:[0-9][ -]?){11}[0-9]|P-IRT[ -]?(?:[0-9][ -]?){14}[0-9])$",
        description="`MD`/`ML` + 12 digits, or `P-IRT` + 15 digits; spaces or dashes may group "
        "the digits.",
        examples=["MD 224510001234", "P-IRT 2063174010123-25"],
    ),
]
NetContent = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=NAME_PATTERN, examples=["250 g"])
]


def text_field_error(field: str, message: str) -> ValueError:
    """A __post_init__ error whose message ends the way msgspec's own do, so the 400 names it."""
    return ValueError(f"{message} - at `$.{field}`")


def check_one_line(field: str, value: str | None) -> None:
    """Printed and exported text is one line of printable characters.

    Patterns cannot refuse everything: `$` also matches before a trailing newline, and `.` matches
    control characters (PostgreSQL refuses NUL in text)."""
    if value is not None and not value.isprintable():
        raise text_field_error(field, "must be printable text on one line")


class ProductCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/products."""

    name: Name
    category: CategoryCode
    purpose: Purpose
    min_dose_kgy: MinDoseKgy
    base_shelf_life_days: ShelfLifeDays
    reference_temp_c: TemperatureC
    storage_temp_c: TemperatureC
    packaging: Packaging
    gtin: GtinText | None = None
    registration_no: RegistrationNo | None = None
    net_content: NetContent | None = None
    water_activity: WaterActivity | None = None
    ph: Ph | None = None
    validated_shelf_life_days: ShelfLifeDays | None = None
    validated_study_ref: StudyRef | None = None

    def __post_init__(self) -> None:
        for field in ("name", "gtin", "registration_no", "net_content", "validated_study_ref"):
            check_one_line(field, getattr(self, field))
        if self.validated_shelf_life_days is not None and self.validated_study_ref is None:
            raise text_field_error(
                "validated_study_ref", "required when `validated_shelf_life_days` is set"
            )


class Product(msgspec.Struct, kw_only=True):
    id: UUID
    organization_id: UUID
    name: str
    category: str
    purpose: str
    min_dose_kgy: float
    # the Annex I maximum for (category, purpose) today; a treatment stores the one it was held to
    legal_max_dose_kgy: float
    base_shelf_life_days: int
    reference_temp_c: float
    storage_temp_c: float
    packaging: str
    gtin: str | None
    registration_no: str | None
    net_content: str | None
    water_activity: float | None
    ph: float | None
    validated_shelf_life_days: int | None
    validated_study_ref: str | None
    created_at: datetime
