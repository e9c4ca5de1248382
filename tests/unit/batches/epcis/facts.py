"""Plain facts of a batch's steps and shipments, as the EPCIS builders take them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from service.batches.epcis.events import (
    BatchStep,
    DosimeterReading,
    ShipmentFacts,
    TreatmentFacts,
)
from service.batches.epcis.identifiers import Party

BASE = "https://radura.example"
BATCH = UUID("00000000-0000-4000-8000-000000000001")
PRODUCER = Party(id=UUID("00000000-0000-4000-8000-0000000000aa"))
FACILITY = Party(id=UUID("00000000-0000-4000-8000-0000000000bb"))
CUSTOMER = Party(id=UUID("00000000-0000-4000-8000-0000000000cc"), kind="customer")
SHIPMENT = UUID("00000000-0000-4000-8000-0000000000dd")
T0 = datetime(2026, 5, 4, 1, 2, 3, 456789, tzinfo=UTC)
# when Radura records a step: a little after it happened
RECORDED_AFTER = timedelta(seconds=90)


def step(kind: str, minutes: int = 0, **changes: object) -> BatchStep:
    at = T0 + timedelta(minutes=minutes)
    facts: dict[str, object] = {
        "batch_id": BATCH,
        "kind": kind,
        "happened_at": at,
        "recorded_at": at + RECORDED_AFTER,
        "code": "7KQ2M9XH4T",
        "lot": "L-0504",
        "gtin14": "08991234567891",
        "quantity": 120.0,
        "unit": "pcs",
        "producer": PRODUCER,
        "facility": FACILITY,
    }
    return BatchStep(**(facts | changes))  # type: ignore[arg-type]


def treatment(*doses_kgy: float) -> TreatmentFacts:
    return TreatmentFacts(
        started_at=T0 + timedelta(hours=1),
        ended_at=T0 + timedelta(hours=4),
        dosimeters=[
            DosimeterReading(dosimeter_id=f"AM/{i}", dose_kgy=d) for i, d in enumerate(doses_kgy)
        ],
    )


def life(*serials: str) -> list[BatchStep]:
    return [
        step("registered", 0),
        step("received", 60),
        step("treated", 300, treatment=treatment(2.1, 2.6, 0.45)),
        step("released", 400),
        step("labels_issued", 410),
        step("recalled", 500, serials=list(serials)),
    ]


def shipment(**changes: object) -> ShipmentFacts:
    shipped_at = T0 + timedelta(days=1)
    facts: dict[str, object] = {
        "shipment_id": SHIPMENT,
        "batch_id": BATCH,
        "shipped_at": shipped_at,
        "recorded_at": shipped_at + timedelta(hours=2),
        "quantity": 40.0,
        "unit": "pcs",
        "code": "7KQ2M9XH4T",
        "lot": "L-0504",
        "gtin14": "08991234567891",
        "source": PRODUCER,
        "destination": CUSTOMER,
    }
    return ShipmentFacts(**(facts | changes))  # type: ignore[arg-type]


def cancelled(**changes: object) -> ShipmentFacts:
    cancellation: dict[str, object] = {
        "cancelled_at": T0 + timedelta(days=2),
        "cancel_reason": "Salah pelanggan",
    }
    return shipment(**(cancellation | changes))
