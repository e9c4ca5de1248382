"""Products: the producer's validated process specification and the food's shelf-life facts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from schemas.common import (
    NAME_PATTERN,
    FieldRule,
    Name,
    check_one_line,
    check_public_texts,
    check_rules,
    one_line,
    text_field_error,
)
from schemas.shelf_life import (
    STUDY_CONDITIONS,
    CategoryCode,
    DoseKgy,
    Packaging,
    Ph,
    ProcessValidationRef,
    Purpose,
    ShelfLifeDays,
    StudyRef,
    TemperatureC,
    WaterActivity,
    check_study_fields,
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


# The Harmonized System code a customs declaration and an export certificate name (6 digits
# internationally, up to 10 in national tariffs such as Indonesia's BTKI).
HsCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]{6,10}$(?!\n)",
        description="HS code: 6 to 10 digits, no dots or spaces.",
        examples=["030617"],
    ),
]
NetContent = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=NAME_PATTERN, examples=["250 g"])
]


def _check_not_traditional_medicine(body: Any) -> None:
    if body.registration_no is not None and _TRADITIONAL_MEDICINE.match(body.registration_no):
        raise text_field_error("registration_no", TRADITIONAL_MEDICINE_MESSAGE)


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
    # what the study validated (radura-sl/3 holds a study only inside these)
    validated_study_temp_c: TemperatureC | None = None
    validated_study_dose_kgy: DoseKgy | None = None
    validated_study_packaging: Packaging | None = None
    process_validation_ref: ProcessValidationRef | None = None
    hs_code: HsCode | None = None

    RULES: ClassVar[tuple[FieldRule, ...]] = (
        *one_line(
            "name",
            "gtin",
            "registration_no",
            "net_content",
            "validated_study_ref",
            "process_validation_ref",
        ),
        FieldRule(("registration_no",), _check_not_traditional_medicine),
        FieldRule(
            ("validated_shelf_life_days", "validated_study_ref", *STUDY_CONDITIONS),
            check_study_fields,
        ),
    )

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_rules(self, self.RULES)


ONE_LINE_FIELDS = (
    "name",
    "gtin",
    "registration_no",
    "net_content",
    "validated_study_ref",
    "process_validation_ref",
)
# Fields that add evidence without changing anything printed: a PATCH of these alone amends the
# current version in place (SPEC §3.2 editing); any other field changes by a new product version.
EVIDENCE_FIELDS = (
    "validated_study_temp_c",
    "validated_study_dose_kgy",
    "validated_study_packaging",
    "process_validation_ref",
    "hs_code",
)
# what a product is: a PATCH of these is refused, a different one is a new product
# (and what the service sets: the owner, the creation time, the annex's maximum, the version)
IMMUTABLE_FIELDS = (
    "id",
    "gtin",
    "category",
    "purpose",
    "organization_id",
    "created_at",
    "legal_max_dose_kgy",
    "version",
)
# the fields a new version may change: every field of a product but its identity
VERSIONED_FIELDS = tuple(f for f in ProductCreate.__struct_fields__ if f not in IMMUTABLE_FIELDS)


class ProductPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of PATCH /api/v1/products/{id}: a JSON merge patch (RFC 7396) of the product; null
    removes an optional value. Only evidence fields: the current version is amended in place.
    Any other field: a new version of the product, carrying the whole patch. The identity
    fields answer 422 `immutable_field`."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    min_dose_kgy: MinDoseKgy | msgspec.UnsetType = msgspec.UNSET
    base_shelf_life_days: ShelfLifeDays | msgspec.UnsetType = msgspec.UNSET
    reference_temp_c: TemperatureC | msgspec.UnsetType = msgspec.UNSET
    storage_temp_c: TemperatureC | msgspec.UnsetType = msgspec.UNSET
    packaging: Packaging | msgspec.UnsetType = msgspec.UNSET
    registration_no: RegistrationNo | msgspec.UnsetType | None = msgspec.UNSET
    net_content: NetContent | msgspec.UnsetType | None = msgspec.UNSET
    water_activity: WaterActivity | msgspec.UnsetType | None = msgspec.UNSET
    ph: Ph | msgspec.UnsetType | None = msgspec.UNSET
    validated_shelf_life_days: ShelfLifeDays | msgspec.UnsetType | None = msgspec.UNSET
    validated_study_ref: StudyRef | msgspec.UnsetType | None = msgspec.UNSET
    validated_study_temp_c: TemperatureC | msgspec.UnsetType | None = msgspec.UNSET
    validated_study_dose_kgy: DoseKgy | msgspec.UnsetType | None = msgspec.UNSET
    validated_study_packaging: Packaging | msgspec.UnsetType | None = msgspec.UNSET
    process_validation_ref: ProcessValidationRef | msgspec.UnsetType | None = msgspec.UNSET
    hs_code: HsCode | msgspec.UnsetType | None = msgspec.UNSET
    # named so that a patch of them is a 422 that says why, not a 400 "unknown field"
    id: Any = msgspec.UNSET
    organization_id: Any = msgspec.UNSET
    gtin: Any = msgspec.UNSET
    category: Any = msgspec.UNSET
    purpose: Any = msgspec.UNSET
    created_at: Any = msgspec.UNSET
    legal_max_dose_kgy: Any = msgspec.UNSET
    version: Any = msgspec.UNSET

    def __post_init__(self) -> None:
        # the texts' own checks; the patched product is checked whole as a ProductCreate
        for field in ONE_LINE_FIELDS:
            value = getattr(self, field)
            if field in VERSIONED_FIELDS and isinstance(value, str):
                check_one_line(field, value)

    def given(self) -> list[str]:
        """The fields this patch names, in the Struct's order."""
        return [f for f in self.__struct_fields__ if getattr(self, f) is not msgspec.UNSET]


class Product(msgspec.Struct, kw_only=True):
    id: UUID
    organization_id: UUID
    # 1 at creation, one more at each edit of what a label prints; a batch keeps its own
    version: int
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
    validated_study_temp_c: float | None
    validated_study_dose_kgy: float | None
    validated_study_packaging: str | None
    process_validation_ref: str | None
    hs_code: str | None
    created_at: datetime
