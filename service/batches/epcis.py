"""EPCIS 2.0 (SPEC §11): a batch's life cycle as GS1 `ObjectEvent`s, built from plain facts.

Pure functions, no database and no web: `epcis_event` turns one step of a batch (read from its
audit log) into a JSON-LD event, `batch_document` and `query_document` wrap events in the two
document shapes of GS1's EPCIS 2.0 JSON schema.

Each event's `eventID` is its EPCIS Event Hash ID (CBV 2.0 §8.9): the SHA-256 of a pre-hash
string that concatenates the event's fields in the standard's fixed order, as `name=value` with
no separators, times in UTC with milliseconds, list items sorted, CBV values as their
`https://ref.gs1.org/cbv/…` URIs and GS1 Digital Link URIs on the `https://id.gs1.org` domain.
The same facts always give the same id; any change in them gives another.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from uuid import UUID

import msgspec

from labels.uri import unsigned_path
from schemas.batches import JAKARTA
from schemas.labels import LabelRef

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
SCHEMA_VERSION = "2.0"
MEDIA_TYPE = "application/ld+json"
# the canonical domain of GS1 Digital Link URIs in the event hash (CBV 2.0 §8.9)
GS1_CANONICAL_DOMAIN = "https://id.gs1.org"
# UN/CEFACT Recommendation 20: A95 is the gray; no common code names the kilogray
GRAY_UOM = "A95"
KILOGRAM_UOM = "KGM"
GY_PER_KGY = 1000
# every facility and producer is in Indonesia's western time zone (WIB, UTC+7, no DST)
TIME_ZONE_OFFSET = "+07:00"


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
    at: datetime
    code: str
    lot: str
    gtin14: str | None
    quantity: float
    unit: str  # 'kg' or 'pcs'
    producer_id: UUID
    facility_id: UUID
    serials: list[str] = []  # label serials issued by `at`
    treatment: TreatmentFacts | None = None


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


def organization_uri(base_url: str, organization_id: UUID) -> str:
    return f"{base_url.rstrip('/')}/organizations/{organization_id}"


def dosimeter_uri(base_url: str, facility_id: UUID, dosimeter_id: str) -> str:
    return f"{organization_uri(base_url, facility_id)}/dosimeters/{quote(dosimeter_id, safe='')}"


def _label_uri(base_url: str, step: BatchStep, serial: str | None) -> str:
    """The label's identity: its GS1 Digital Link (or /v/) URI without the date and signature,
    which describe the label rather than name the goods."""
    ref = LabelRef(code=step.code, lot=step.lot, gtin14=step.gtin14, serial=serial)
    return base_url.rstrip("/") + unsigned_path(ref)


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
            "deviceID": dosimeter_uri(base_url, step.facility_id, reading.dosimeter_id),
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


def epcis_event(base_url: str, step: BatchStep) -> dict[str, Any]:
    """The ObjectEvent of one life-cycle step, with its event hash id."""
    words = STEPS[step.kind]
    place = organization_uri(base_url, step.facility_id if words.at_facility else step.producer_id)
    quantity: dict[str, Any] = {
        "epcClass": _label_uri(base_url, step, None),
        "quantity": step.quantity,
    }
    if step.unit == "kg":
        quantity["uom"] = KILOGRAM_UOM  # pieces are a count, which EPCIS writes without a uom
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": event_time(step.at),
        "eventTimeZoneOffset": TIME_ZONE_OFFSET,
    }
    if step.serials:
        event["epcList"] = [_label_uri(base_url, step, serial) for serial in step.serials]
    event["quantityList"] = [quantity]
    event["action"] = words.action
    if words.biz_step is not None:
        event["bizStep"] = words.biz_step
    event["disposition"] = words.disposition
    event["readPoint"] = {"id": place}
    event["bizLocation"] = {"id": place}
    sensors = _sensor_elements(base_url, step)
    if sensors:
        event["sensorElementList"] = sensors
    return {"eventID": event_hash_id(event, base_url)} | event


# --- the EPCIS Event Hash ID (CBV 2.0 §8.9) ----------------------------------------------------


def _hash_time(text: str) -> str:
    at = datetime.fromisoformat(text).astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def hash_number(value: float) -> str:
    """Plain decimal text without trailing zeros or an exponent: 2100.0 → 2100, 1e-06 →
    0.000001 (the shortest text that reads back as the same float)."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _hash_uri(uri: str, base_url: str) -> str:
    """GS1 Digital Link URIs on the canonical domain; anything else as it is."""
    base = base_url.rstrip("/")
    if uri.startswith(base + "/01/"):
        return GS1_CANONICAL_DOMAIN + uri[len(base) :]
    return uri


def _cbv(kind: str, value: str) -> str:
    return f"https://ref.gs1.org/cbv/{kind}-{value}"


def _sensor_report_text(report: dict[str, Any], base_url: str) -> str:
    text = "sensorReport" + f"type=https://gs1.org/voc/{report['type']}"
    text += f"deviceID={_hash_uri(report['deviceID'], base_url)}"
    text += f"value={hash_number(report['value'])}"
    return text + f"uom={report['uom']}"


def pre_hash_string(event: dict[str, Any], base_url: str) -> str:
    """The event's canonical text: its fields in the standard's order, each `name=value`."""
    parts = [
        f"eventType={event['type']}",
        f"eventTime={_hash_time(event['eventTime'])}",
        f"eventTimeZoneOffset={event['eventTimeZoneOffset']}",
    ]
    if event.get("epcList"):
        epcs = sorted(_hash_uri(epc, base_url) for epc in event["epcList"])
        parts.append("epcList" + "".join(f"epc={epc}" for epc in epcs))
    if event.get("quantityList"):
        elements = sorted(
            "quantityElement"
            + f"epcClass={_hash_uri(element['epcClass'], base_url)}"
            + (f"quantity={hash_number(element['quantity'])}" if "quantity" in element else "")
            + (f"uom={element['uom']}" if "uom" in element else "")
            for element in event["quantityList"]
        )
        parts.append("quantityList" + "".join(elements))
    parts.append(f"action={event['action']}")
    if "bizStep" in event:
        parts.append(f"bizStep={_cbv('BizStep', event['bizStep'])}")
    if "disposition" in event:
        parts.append(f"disposition={_cbv('Disp', event['disposition'])}")
    for place in ("readPoint", "bizLocation"):
        if place in event:
            parts.append(f"{place}id={_hash_uri(event[place]['id'], base_url)}")
    for element in event.get("sensorElementList", []):
        metadata = element.get("sensorMetadata", {})
        text = "sensorElement"
        if metadata:
            text += "sensorMetadata"
            text += "".join(
                f"{name}={_hash_time(metadata[name])}"
                for name in ("time", "startTime", "endTime")
                if name in metadata
            )
        reports = sorted(_sensor_report_text(r, base_url) for r in element["sensorReport"])
        parts.append(text + "".join(reports))
    return "".join(parts)


def event_hash_id(event: dict[str, Any], base_url: str) -> str:
    """`ni:///sha-256;<hex>?ver=CBV2.0`: the hex digest is what CBV 2.0 writes, not RFC 6920's
    base64url, so the id matches other implementations of the standard."""
    digest = hashlib.sha256(pre_hash_string(event, base_url).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


# --- documents -----------------------------------------------------------------------------


def _creation_date(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def batch_document(base_url: str, steps: list[BatchStep], now: datetime) -> dict[str, Any]:
    """An EPCISDocument with one event per exportable step, oldest first."""
    ordered = sorted((s for s in steps if s.kind in STEPS), key=lambda s: s.at)
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _creation_date(now),
        "epcisBody": {"eventList": [epcis_event(base_url, s) for s in ordered]},
    }


def query_document(base_url: str, steps: list[BatchStep], now: datetime) -> dict[str, Any]:
    """An EPCISQueryDocument holding the steps' events in the order given."""
    events = [epcis_event(base_url, s) for s in steps if s.kind in STEPS]
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
