"""Organizations, users, irradiators and the food-category table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args
from uuid import UUID

import msgspec

from schemas.common import (
    CONTROL_CHARS,
    TEXT_END,
    FieldRule,
    Name,
    Role,
    ShortText,
    check_public_texts,
    check_rules,
)
from schemas.parties import Gln, gln_problem

OrganizationKind = Literal["producer", "facility", "regulator", "market_network"]
SourceType = Literal["cobalt-60", "cesium-137", "electron-beam", "x-ray"]
SOURCE_TYPES: tuple[SourceType, ...] = get_args(SourceType)
# Codex CXS 106-1983 Rev.1-2003: machine sources above these energies may induce radioactivity
MAX_ENERGY_MEV: dict[SourceType, float] = {"electron-beam": 10.0, "x-ray": 7.5}
MACHINE_SOURCES = frozenset(MAX_ENERGY_MEV)

# TEXT_END, not a bare `$`: that would let a final newline through
Phone = Annotated[str, msgspec.Meta(pattern=rf"^\+?[0-9][0-9 ()-]{{5,19}}{TEXT_END}")]
# Nomor Induk Berusaha, the 13-digit business number from OSS
Nib = Annotated[str, msgspec.Meta(pattern=rf"^[0-9]{{13}}{TEXT_END}")]
_EMAIL_PART = rf"[^@\s{CONTROL_CHARS}]+"
Email = Annotated[
    str,
    msgspec.Meta(max_length=254, pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}{TEXT_END}"),
]


# A BAPETEN licence number as printed on the licence (letters, digits, dots, slashes, dashes).
LicenceNo = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^[A-Za-z0-9][A-Za-z0-9./ -]{{0,63}}{TEXT_END}",
        description="BAPETEN licence number of the irradiation facility (PP 29/2008).",
        examples=["BAPETEN/IU/1234/2024"],
    ),
]


def _check_licence_of_a_facility(body: Any) -> None:
    has_licence = body.licence_no is not None or body.licence_valid_until is not None
    if has_licence and body.kind != "facility":
        field = "licence_no" if body.licence_no is not None else "licence_valid_until"
        raise ValueError(f"{field}: only a facility organization holds a BAPETEN licence")


def _check_licence_whole(body: Any) -> None:
    if (body.licence_no is None) != (body.licence_valid_until is None):
        missing = "licence_no" if body.licence_no is None else "licence_valid_until"
        raise ValueError(f"{missing}: licence_no and licence_valid_until go together")


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: OrganizationKind
    name: Name
    address: ShortText
    city: Name
    province: Name | None = None
    phone: Phone | None = None
    nib: Nib | None = None
    # facilities only: the licence under which the irradiators operate, and where they stand
    licence_no: LicenceNo | None = None
    licence_valid_until: date | None = None
    country: Name = "Indonesia"
    # GS1 Global Location Number: names the organization in EPCIS and shipping records
    gln: Gln | None = None

    RULES: ClassVar[tuple[FieldRule, ...]] = (
        FieldRule(("kind", "licence_no", "licence_valid_until"), _check_licence_of_a_facility),
        FieldRule(("licence_no", "licence_valid_until"), _check_licence_whole),
    )

    def __post_init__(self) -> None:
        check_public_texts(self)
        if problem := gln_problem(self.gln):
            raise ValueError(f"gln: {problem}")
        check_rules(self, self.RULES)


class Organization(msgspec.Struct):
    id: UUID
    kind: OrganizationKind
    name: str
    address: str
    city: str
    province: str | None
    phone: str | None
    nib: str | None
    licence_no: str | None
    licence_valid_until: date | None
    country: str
    gln: str | None
    created_at: datetime
    # the first day of the current licence period (None: recorded without one, it then covers
    # every day up to licence_valid_until)
    licence_valid_from: date | None = None


class Facility(msgspec.Struct):
    """What any signed-in user may know of an irradiation facility."""

    id: UUID
    name: str
    address: str
    city: str
    province: str | None
    licence_no: str | None
    licence_valid_until: date | None
    country: str


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    role: Role
    organization_id: UUID | None = None
    email: Email | None = None

    def __post_init__(self) -> None:
        check_public_texts(self)


class User(msgspec.Struct):
    id: UUID
    name: str
    role: Role
    organization_id: UUID | None
    email: str | None
    created_at: datetime


class UserCreated(msgspec.Struct):
    """The new user and its token; the token is shown this once and stored only as a hash."""

    id: UUID
    name: str
    role: Role
    organization_id: UUID | None
    email: str | None
    token: str
    # with an email: a one-time link (72 h) where the person sets a password for the console
    invite_url: str | None = None


MailLanguage = Literal["id", "en"]


class EmailSettings(msgspec.Struct):
    """What the caller's emails say and which they get: the language of every email, and (for a
    producer's people) the notices of a batch received, released or rejected."""

    language: MailLanguage
    batch_notices: bool


class EmailSettingsChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Only what is given changes."""

    language: MailLanguage | None = None
    batch_notices: bool | None = None


class UserDisabled(msgspec.Struct):
    """The account is disabled; its tokens and console sessions have ended."""

    id: UUID
    disabled_at: datetime


def _check_machine_energy(body: Any) -> None:
    if body.source_type in MACHINE_SOURCES and body.max_energy_mev is None:
        raise ValueError("max_energy_mev: required for a machine source (electron beam, x-ray)")


class IrradiatorCreate(msgspec.Struct, forbid_unknown_fields=True):
    facility_id: UUID
    name: Name
    source_type: SourceType
    activity_kci: Annotated[float, msgspec.Meta(gt=0, le=10_000)] | None = None
    # Only absurd numbers are malformed (400); an energy above a source's legal limit (SPEC §3.1:
    # electron beam 10 MeV, x-ray 7.5 MeV) is a domain rule, answered 422 `energy_above_limit`.
    max_energy_mev: Annotated[float, msgspec.Meta(gt=0, le=1e6)] | None = None

    RULES: ClassVar[tuple[FieldRule, ...]] = (
        FieldRule(("source_type", "max_energy_mev"), _check_machine_energy),
    )

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_rules(self, self.RULES)


class Irradiator(msgspec.Struct):
    id: UUID
    facility_id: UUID
    name: str
    source_type: SourceType
    activity_kci: float | None
    max_energy_mev: float | None
    created_at: datetime


class PurposeLimit(msgspec.Struct):
    purpose: str
    max_dose_kgy: float
    source: str
    confirmed: bool
    # the dose the purpose typically needs (DOMAIN §8.6), only where it is below the maximum: a
    # product with a lower validated minimum needs a process-validation reference
    typical_min_dose_kgy: float | None = None
    typical_min_dose_source: str | None = None


class FoodCategory(msgspec.Struct):
    code: str
    name_id: str
    name_en: str
    purposes: list[PurposeLimit]


AdminAction = Literal[
    "organization.created",
    "organization.changed",
    "user.created",
    "user.changed",
    "user.disabled",
    "user.enabled",
    "user.invited",
    "irradiator.created",
    "irradiator.changed",
    "dose_map.created",
    "dose_map.versioned",
    "food_category.limit_changed",
    "product.amended",
    "product.versioned",
    "market.rules_replaced",
    "market.label_language_changed",
    "organization.approval_added",
]
AdminSubject = Literal[
    "organization", "user", "irradiator", "dose_map", "food_category", "product", "market"
]


class AdminAuditEntry(msgspec.Struct):
    """One administrative change: who (a user, or `actor_id` null for the server's command
    line), what, to which record, and when. The log is append-only."""

    id: UUID
    created_at: datetime
    actor_id: UUID | None
    actor_name: str
    actor_role: str | None
    action: AdminAction
    subject_type: AdminSubject
    subject_id: str
    subject_name: str
    details: dict[str, Any]


class PurposeLimitChange(msgspec.Struct, forbid_unknown_fields=True):
    """An administrator's correction of one row of the food-category table (BPOM 3/2018
    Annex I): the maximum dose, where it comes from, and whether it was read from the annex."""

    max_dose_kgy: Annotated[float, msgspec.Meta(gt=0, le=100)]
    source: ShortText
    confirmed: bool

    def __post_init__(self) -> None:
        check_public_texts(self)


class UserLine(msgspec.Struct):
    """A user as the administrator's list shows it."""

    id: UUID
    name: str
    role: Role
    organization_id: UUID | None
    organization_name: str | None
    email: str | None
    has_password: bool
    disabled_at: datetime | None
    created_at: datetime


class InviteIssued(msgspec.Struct):
    """A fresh one-time link (72 h) for the user to set a new password; earlier links stop."""

    user_id: UUID
    invite_url: str
