"""Shipments of a released batch to a producer's customers (SPEC §13.1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from schemas.batches import Instant, Label, Quantity, Unit, check_instant
from schemas.common import Purpose, check_public_texts
from schemas.markets import MarketCode
from schemas.products import check_one_line, text_field_error

# a position in the batch's serials in issue order, from 0 (as labels.pdf?from= counts)
SerialPosition = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
ShipmentStatus = Literal["shipped", "cancelled"]


class ShipmentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/batches/{id}/shipments."""

    customer_id: UUID
    shipped_at: Instant
    quantity: Quantity
    unit: Unit
    document_no: Label | None = None
    market: MarketCode | None = None
    serial_from: SerialPosition | None = None
    serial_to: SerialPosition | None = None

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_one_line("document_no", self.document_no)
        check_instant("shipped_at", self.shipped_at)
        if self.unit == "pcs" and not float(self.quantity).is_integer():
            raise text_field_error("quantity", "must be a whole number of pieces")
        if (self.serial_from is None) != (self.serial_to is None):
            missing = "serial_from" if self.serial_from is None else "serial_to"
            raise text_field_error(missing, "serial_from and serial_to go together")
        if (
            self.serial_from is not None
            and self.serial_to is not None
            and (self.serial_to < self.serial_from)
        ):
            raise text_field_error("serial_to", "must not be before serial_from")


class Shipment(msgspec.Struct, kw_only=True):
    """One shipment of a batch to a customer; a cancelled one stays, with its reason."""

    id: UUID
    batch_id: UUID
    batch_code: str
    lot: str
    product_name: str
    customer_id: UUID
    customer_name: str
    customer_country: str
    shipped_at: datetime
    quantity: float
    unit: str
    document_no: str | None
    market: str
    serial_from: int | None
    serial_to: int | None
    status: ShipmentStatus
    cancelled_at: datetime | None
    cancel_reason: str | None
    created_at: datetime


class CertifiedTreatment(msgspec.Struct, frozen=True, kw_only=True):
    """The treatment an export certificate states; `overall_average_kgy` None where the dose
    map has no average ratio."""

    facility: str
    irradiated_on: date
    purpose: Purpose
    source_type: str
    dose_min_kgy: float
    dose_max_kgy: float
    overall_average_kgy: float | None


class CertificateCheck(msgspec.Struct, frozen=True, kw_only=True):
    """GET /c/{number} with a valid `s`: the certificate as it stands now. `recalled`: the batch
    was recalled since; `cancelled`: the shipment was cancelled; else `genuine`."""

    verdict: Literal["genuine", "recalled", "cancelled"]
    signature: Literal["valid"]
    number: str
    issued_on: date
    market: str
    market_name: str
    shipped_on: date
    document_no: str | None
    quantity: float
    unit: str
    consignee_country: str
    product: str
    hs_code: str | None
    producer: str
    lot: str
    treatment: CertifiedTreatment
    recall_reason: str | None
