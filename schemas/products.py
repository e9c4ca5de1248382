"""Products: the producer's validated process specification and the food's shelf-life facts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from schemas.common import NAME_PATTERN, Name, check_public_texts
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
# BPOM MD (domestic) or ML (imported) + 12 digits, P-IRT + 15 digits, or PSAT PD|PL|PDUK + 8 to
# 20 digits (plant-origin fresh food, Permentan 53/2018); digits may be grouped by spaces or dashes.
# The service stores it without the grouping. A TR number (traditional medicine) has the shape
# admitted only to be refused with a 400 that says why, rather than "wrong format".
TRADITIONAL_MEDICINE_NO = r"(?:POM[ -]?)?TR[ -]?(?:[0-9][ -]?){0,19}[0-9]"
RegistrationNo = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(?:M[DL][ -]?(?:[0-9][ -]?){11}[0-9]|P-IRT[ -]?(?:[0-9][ -]?){14}[0-9]"
        r"|PSAT[ -]?(?:PDUK|PD|PL)[ -]?(?:[0-9][ -]?){7,19}[0-9]"
        rf"|{TRADITIONAL_MEDICINE_NO})$",
        description="`MD`/`ML` + 12 digits, `P-IRT` + 15 digits, or `PSAT PD`, `PSAT PL` or "
        "`PSAT PDUK` + 8 to 20 digits (fresh food of plant origin only); spaces or dashes may "
        "group the digits. A `TR` number (traditional medicine, jamu) is refused with a 400: "
        "traditional medicines are outside this service.",
        examples=["MD 224510001234", "P-IRT 2063174010123-25", "PSAT PD 1234 5678"],
    ),
]
_TRADITIONAL_MEDICINE = re.compile(rf"^{TRADITIONAL_MEDICINE_NO}$")
TRADITIONAL_MEDICINE_MESSAGE = (
    "a TR number is a traditional medicine (jamu): traditional medicines are outside this "
    "service, which records irradiated food"
)
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
        check_public_texts(self)
        for field in ("name", "gtin", "registration_no", "net_content", "validated_study_ref"):
            check_one_line(field, getattr(self, field))
        if self.registration_no is not None and _TRADITIONAL_MEDICINE.match(self.registration_no):
            raise text_field_error("registration_no", TRADITIONAL_MEDICINE_MESSAGE)
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
