"""Edits of organizations, irradiators and users (SPEC §3.2 "Editing"): JSON merge patches
(RFC 7396) whose named fields change and whose absent fields stay; null removes an optional
value. The identity fields are named so that a patch of them answers 422 `immutable_field`
rather than 400 "unknown field"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from schemas.accounts import LicenceNo, Nib, Phone, Role, SourceType
from schemas.common import Name, ShortText, check_public_texts

_UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


def given_fields(patch: msgspec.Struct) -> list[str]:
    """The fields a patch names, in the Struct's order."""
    return [f for f in patch.__struct_fields__ if getattr(patch, f) is not _UNSET]


class OrganizationPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of PATCH /api/v1/organizations/{id}. A facility's licence fields renew it: each
    change adds a licence period (number, first and last day), and release checks a
    treatment's day against every period. `licence_valid_from` defaults to the day after the
    current period ends (a renewal that continues the licence); give it when the new licence
    began later, so the days in between stay unlicensed."""

    name: Name | Unset = _UNSET
    address: ShortText | Unset = _UNSET
    city: Name | Unset = _UNSET
    province: Name | Unset | None = _UNSET
    phone: Phone | Unset | None = _UNSET
    nib: Nib | Unset | None = _UNSET
    country: Name | Unset = _UNSET
    licence_no: LicenceNo | Unset = _UNSET
    licence_valid_from: date | Unset = _UNSET
    licence_valid_until: date | Unset = _UNSET
    id: Any = _UNSET
    kind: Any = _UNSET
    created_at: Any = _UNSET

    def __post_init__(self) -> None:
        check_public_texts(self)
        if self.licence_valid_from is not _UNSET and self.licence_valid_until is _UNSET:
            raise ValueError(
                "licence_valid_from: licence_valid_from and licence_valid_until go together "
                "(a renewal names its last day)"
            )
        if (
            isinstance(self.licence_valid_from, date)
            and isinstance(self.licence_valid_until, date)
            and self.licence_valid_from > self.licence_valid_until
        ):
            raise ValueError("licence_valid_until: must not be before licence_valid_from")


ORGANIZATION_IDENTITY = ("id", "kind", "created_at")
LICENCE_FIELDS = ("licence_no", "licence_valid_from", "licence_valid_until")


class LicencePeriod(msgspec.Struct, kw_only=True):
    """One period of a facility's BAPETEN licence; `valid_from` None: from before it was
    recorded."""

    licence_no: str
    valid_from: date | None
    valid_until: date
    recorded_at: datetime


class IrradiatorPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of PATCH /api/v1/irradiators/{id}. A treatment keeps the irradiator's details as
    they were when it was recorded, so an edit never rewrites a past treatment."""

    name: Name | Unset = _UNSET
    source_type: SourceType | Unset = _UNSET
    activity_kci: Annotated[float, msgspec.Meta(gt=0, le=10_000)] | Unset | None = _UNSET
    max_energy_mev: Annotated[float, msgspec.Meta(gt=0, le=1e6)] | Unset | None = _UNSET
    id: Any = _UNSET
    facility_id: Any = _UNSET
    created_at: Any = _UNSET

    def __post_init__(self) -> None:
        check_public_texts(self)


IRRADIATOR_IDENTITY = ("id", "facility_id", "created_at")


class UserPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of PATCH /api/v1/users/{id}: the name, and the role (it must fit the user's
    organization, SPEC §3.1). A role change holds at once for every session and token."""

    name: Name | Unset = _UNSET
    role: Role | Unset = _UNSET
    id: Any = _UNSET
    organization_id: Any = _UNSET
    created_at: Any = _UNSET

    def __post_init__(self) -> None:
        check_public_texts(self)


USER_IDENTITY = ("id", "organization_id", "created_at")
