"""EPCIS 2.0 (SPEC §11, §13.1): a batch's life cycle and its shipments as GS1 `ObjectEvent`s,
built from plain facts.

Pure functions, no database and no web: `epcis_event` turns one step of a batch (read from its
audit log) into a JSON-LD event, `shipping_event` and `cancelled_shipping_event` one shipment,
`batch_document` and `query_document` wrap events in the two document shapes of GS1's EPCIS 2.0
JSON schema.

`eventTime` is when the step happened in the world (the receipt's `received_at`, the
treatment's end, `shipped_at`, the moment of registration, release, rejection or recall),
`recordTime` when Radura stored it. Each `eventID` is the EPCIS Event Hash ID (`event_hash`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from schemas.batches import JAKARTA
from service.batches.epcis.event_hash import event_hash_id
from service.batches.epcis.identifiers import (
    Goods,
    Party,
    class_uri,
    dosimeter_uri,
    instance_uri,
    location_uri,
    party_uri,
)

# the versioned context, which GS1's tools (the event hash generator among them) carry offline
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
SCHEMA_VERSION = "2.0"
MEDIA_TYPE = "application/ld+json"
# UN/CEFACT Recommendation 20: A95 is the gray; no common code names the kilogray
GRAY_UOM = "A95"
KILOGRAM_UOM = "KGM"
GY_PER_KGY = 1000
# every facility and producer is in Indonesia's western time zone (WIB, UTC+7, no DST)
TIME_ZONE_OFFSET = "+07:00"
# CBV 2.0 error reason of a cancelled shipment: the shipment as recorded did not take place
CANCELLED_SHIPMENT_REASON = "did_not_occur"


class DosimeterReading(msgspec.Struct, frozen=True, kw_only=True):
    dosimeter_id: str
    dose_kgy: float


class TreatmentFacts(msgspec.Struct, frozen=True, kw_only=True):
    started_at: datetime
    ended_at: datetime
    dosimeters: list[DosimeterReading]


class BatchStep(msgspec.Struct, frozen=True, kw_only=True):
    """One audit-log event of a batch and what the batch was when it happened."""

    batch_id: UUID
    kind: str  # the audit event's kind: registered, received, treated, released, …
    happened_at: datetime  # in the world: the receipt's time, the treatment's end, …
    recorded_at: datetime  # when Radura stored it: the audit event's time
    code: str
    lot: str
    gtin14: str | None
    quantity: float
    unit: str  # 'kg' or 'pcs'
    producer: Party
    facility: Party
    serials: list[str] = []  # label serials issued by `recorded_at`
    treatment: TreatmentFacts | None = None

    @property
    def goods(self) -> Goods:
        return Goods(code=self.code, lot=self.lot, gtin14=self.gtin14)


class ShipmentFacts(msgspec.Struct, frozen=True, kw_only=True):
    """One shipment of a batch to a customer (SPEC §13.1), and its cancellation if any."""

    shipment_id: UUID
    batch_id: UUID
    shipped_at: datetime
    recorded_at: datetime
    quantity: float
    unit: str  # the batch's: 'kg' or 'pcs'
    code: str
    lot: str
    gtin14: str | None = None
    serials: list[str] = []  # the labels of a shipped serial range, when the producer named one
    source: Party  # the producer shipping it
    destination: Party  # the customer
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None

    @property
    def goods(self) -> Goods:
        return Goods(code=self.code, lot=self.lot, gtin14=self.gtin14)


class ShipmentStep(msgspec.Struct, frozen=True, kw_only=True):
    """One EPCIS event of a shipment: its shipping, or (`cancellation`) the error declaration
    its cancellation adds to that event."""

    shipment: ShipmentFacts
    cancellation: bool = False

    @property
    def recorded_at(self) -> datetime:
        if self.cancellation:
            assert self.shipment.cancelled_at is not None  # shipment_steps makes no other
            return self.shipment.cancelled_at
        return self.shipment.recorded_at


EpcisStep = BatchStep | ShipmentStep


class _Vocabulary(msgspec.Struct, frozen=True):
    action: str
    biz_step: str | None
    disposition: str
    at_facility: bool  # where it happens: the facility, else the producer


# audit event kind → the CBV words of its EPCIS event. CBV has no business step for an
# irradiation: `sensor_reporting` carries its dose readings. A QA decision is `inspecting`. A
# recall has no step at all; its `recalled` disposition says it.
STEPS: dict[str, _Vocabulary] = {
    "registered": _Vocabulary("ADD", "commissioning", "active", at_facility=False),
    "received": _Vocabulary("OBSERVE", "receiving", "in_progress", at_facility=True),
    "treated": _Vocabulary("OBSERVE", "sensor_reporting", "in_progress", at_facility=True),
    "released": _Vocabulary("OBSERVE", "inspecting", "conformant", at_facility=True),
    "rejected": _Vocabulary("OBSERVE", "inspecting", "non_conformant", at_facility=True),
    "recalled": _Vocabulary("OBSERVE", None, "recalled", at_facility=False),
}
EXPORTED_KINDS = tuple(STEPS)


def event_time(at: datetime) -> str:
    """Milliseconds, in WIB with its offset: what the event shows and the hash reads back."""
    local = at.astimezone(JAKARTA)
    return local.isoformat(timespec="milliseconds")


def _dose_gy(dose_kgy: float) -> float:
    # rounded to the micro-gray so float noise (0.45 × 1000) does not show
    return round(dose_kgy * GY_PER_KGY, 6)


def _sensor_elements(base_url: str, step: BatchStep) -> list[dict[str, Any]]:
    treatment = step.treatment
    if treatment is None:
        return []
    reports = [
        {
            "type": "AbsorbedDose",
            "deviceID": dosimeter_uri(base_url, step.facility.id, reading.dosimeter_id),
            "value": _dose_gy(reading.dose_kgy),
            "uom": GRAY_UOM,
        }
        for reading in treatment.dosimeters
    ]
    metadata = {
        "startTime": event_time(treatment.started_at),
        "endTime": event_time(treatment.ended_at),
    }
    return [{"sensorMetadata": metadata, "sensorReport": reports}]


def _what(
    base_url: str, goods: Goods, quantity: float, unit: str, serials: list[str]
) -> dict[str, Any]:
    """The goods of an event: the serials' instances, and the lot's class with a quantity."""
    element: dict[str, Any] = {"epcClass": class_uri(base_url, goods), "quantity": quantity}
    if unit == "kg":
        element["uom"] = KILOGRAM_UOM  # pieces are a count, which EPCIS writes without a uom
    what: dict[str, Any] = {}
    if serials:
        what["epcList"] = [instance_uri(base_url, goods, serial) for serial in serials]
    what["quantityList"] = [element]
    return what


def _when(happened_at: datetime, recorded_at: datetime) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": event_time(happened_at),
        "recordTime": event_time(recorded_at),
        "eventTimeZoneOffset": TIME_ZONE_OFFSET,
    }


def _with_id(event: dict[str, Any]) -> dict[str, Any]:
    return {"eventID": event_hash_id(event)} | event


def epcis_event(base_url: str, step: BatchStep) -> dict[str, Any]:
    """The ObjectEvent of one life-cycle step, with its event hash id."""
    words = STEPS[step.kind]
    place = location_uri(base_url, step.facility if words.at_facility else step.producer)
    event = _when(step.happened_at, step.recorded_at)
    event |= _what(base_url, step.goods, step.quantity, step.unit, step.serials)
    event["action"] = words.action
    if words.biz_step is not None:
        event["bizStep"] = words.biz_step
    event["disposition"] = words.disposition
    event["readPoint"] = {"id": place}
    event["bizLocation"] = {"id": place}
    sensors = _sensor_elements(base_url, step)
    if sensors:
        event["sensorElementList"] = sensors
    return _with_id(event)


def shipping_event(base_url: str, shipment: ShipmentFacts) -> dict[str, Any]:
    """A shipment as it was recorded: `shipping`, `in_transit`, read at the shipper's place,
    from the producer's ownership to the customer's. No `bizLocation`: goods in transit are
    nowhere in particular (CBV)."""
    event = _when(shipment.shipped_at, shipment.recorded_at)
    event |= _what(
        base_url, shipment.goods, shipment.quantity, shipment.unit, list(shipment.serials)
    )
    event["action"] = "OBSERVE"
    event["bizStep"] = "shipping"
    event["disposition"] = "in_transit"
    event["readPoint"] = {"id": location_uri(base_url, shipment.source)}
    # each pair type first, then the party: the hash reads them in this order
    event["sourceList"] = [{"type": "owning_party", "source": party_uri(base_url, shipment.source)}]
    event["destinationList"] = [
        {"type": "owning_party", "destination": party_uri(base_url, shipment.destination)}
    ]
    return _with_id(event)


def cancelled_shipping_event(base_url: str, shipment: ShipmentFacts) -> dict[str, Any]:
    """The shipping event again with an `errorDeclaration` (EPCIS 2.0 §7.4.1.5): the same
    fields and `eventID`, recorded when the shipment was cancelled; the producer's reason in
    words as an `rdfs:comment`."""
    if shipment.cancelled_at is None:
        raise ValueError("the shipment is not cancelled")
    event = shipping_event(base_url, shipment)
    event["recordTime"] = event_time(shipment.cancelled_at)
    declaration: dict[str, Any] = {
        "declarationTime": event_time(shipment.cancelled_at),
        "reason": CANCELLED_SHIPMENT_REASON,
    }
    if shipment.cancel_reason:
        declaration["rdfs:comment"] = shipment.cancel_reason
    event["errorDeclaration"] = declaration
    return event


def shipment_steps(shipment: ShipmentFacts) -> list[ShipmentStep]:
    """The events a shipment gives: its shipping, and the declaration of its cancellation."""
    steps = [ShipmentStep(shipment=shipment)]
    if shipment.cancelled_at is not None:
        steps.append(ShipmentStep(shipment=shipment, cancellation=True))
    return steps


def with_shipments(
    steps: Sequence[EpcisStep], shipments: Sequence[ShipmentFacts]
) -> list[EpcisStep]:
    """A batch's steps and its shipments' events together, in the order Radura recorded them:
    how shipments (read from their own table) join a batch's events."""
    joined = list(steps) + [s for shipment in shipments for s in shipment_steps(shipment)]
    return sorted(joined, key=lambda s: s.recorded_at)


def step_event(base_url: str, step: EpcisStep) -> dict[str, Any]:
    if isinstance(step, ShipmentStep):
        if step.cancellation:
            return cancelled_shipping_event(base_url, step.shipment)
        return shipping_event(base_url, step.shipment)
    return epcis_event(base_url, step)


def _exported(steps: Sequence[EpcisStep]) -> list[EpcisStep]:
    return [s for s in steps if isinstance(s, ShipmentStep) or s.kind in STEPS]


# --- documents -----------------------------------------------------------------------------


def _creation_date(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def batch_document(base_url: str, steps: Sequence[EpcisStep], now: datetime) -> dict[str, Any]:
    """An EPCISDocument with one event per exportable step, in the order Radura recorded them
    (the life cycle's order: a receipt may be dated before the registration)."""
    ordered = sorted(_exported(steps), key=lambda s: s.recorded_at)
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _creation_date(now),
        "epcisBody": {"eventList": [step_event(base_url, s) for s in ordered]},
    }


def query_document(base_url: str, steps: Sequence[EpcisStep], now: datetime) -> dict[str, Any]:
    """An EPCISQueryDocument holding the steps' events in the order given."""
    events = [step_event(base_url, s) for s in _exported(steps)]
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _creation_date(now),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": events},
            }
        },
    }
