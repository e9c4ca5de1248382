"""A producer's customers: who buys its batches (SPEC §13.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from schemas.accounts import Email
from schemas.common import Name, check_public_texts
from schemas.parties import CountryCode, Gln, Whatsapp, gln_problem
from schemas.products import check_one_line, text_field_error

CustomerKind = Literal["distributor", "retailer", "marketplace", "importer", "other"]
CUSTOMER_KINDS: tuple[str, ...] = ("distributor", "retailer", "marketplace", "importer", "other")
# the fields a customer is made of, in the order forms show them
CUSTOMER_FIELDS = ("name", "kind", "country", "city", "gln", "email", "whatsapp")


def check_customer_fields(struct: Any) -> None:
    """The checks no pattern can state: printable one-line texts and the GLN's check digit.
    Each failure names its field (400)."""
    check_public_texts(struct)
    for field in ("name", "city"):
        value = getattr(struct, field)
        if isinstance(value, str):
            check_one_line(field, value)
    gln = struct.gln if isinstance(struct.gln, str) else None
    if problem := gln_problem(gln):
        raise text_field_error("gln", problem)


class CustomerCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/customers."""

    name: Name
    kind: CustomerKind
    country: CountryCode
    city: Name | None = None
    gln: Gln | None = None
    email: Email | None = None
    whatsapp: Whatsapp | None = None

    def __post_init__(self) -> None:
        check_customer_fields(self)


class CustomerPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of PATCH /api/v1/customers/{id}: a JSON merge patch (RFC 7396). A field left out
    stays; null removes an optional one (name, kind and country are required)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: CustomerKind | msgspec.UnsetType = msgspec.UNSET
    country: CountryCode | msgspec.UnsetType = msgspec.UNSET
    city: Name | msgspec.UnsetType | None = msgspec.UNSET
    gln: Gln | msgspec.UnsetType | None = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    whatsapp: Whatsapp | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        check_customer_fields(self)

    def changes(self) -> dict[str, Any]:
        """The fields this patch names, with their new values (None removes one)."""
        return {
            field: getattr(self, field)
            for field in self.__struct_fields__
            if getattr(self, field) is not msgspec.UNSET
        }


class Customer(msgspec.Struct, kw_only=True):
    id: UUID
    organization_id: UUID
    name: str
    kind: CustomerKind
    country: str
    city: str | None
    gln: str | None
    email: str | None
    whatsapp: str | None
    # the market a shipment to this customer goes to unless it names another: the country's
    # union (EU, GCC) or the country itself; null when no market row holds it (shipping to
    # this customer then needs a `market` that exists)
    market: str | None
    created_at: datetime
    updated_at: datetime
