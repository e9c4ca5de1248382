"""The EPCIS 2.0 builder: events from batch steps, the event hash id, the documents."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec
import pytest

from service.batches.epcis import (
    BatchStep,
    DosimeterReading,
    TreatmentFacts,
    batch_document,
    epcis_event,
    event_hash_id,
    hash_number,
    pre_hash_string,
    query_document,
)
from tests.epcis_schema import SHARED_SCHEMA, SHIPPED_SCHEMA, schema_errors

BASE = "https://radura.example"
BATCH = UUID("00000000-0000-4000-8000-000000000001")
PRODUCER = UUID("00000000-0000-4000-8000-0000000000aa")
FACILITY = UUID("00000000-0000-4000-8000-0000000000bb")
T0 = datetime(2026, 5, 4, 1, 2, 3, 456789, tzinfo=UTC)


def step(kind: str, minutes: int = 0, **changes: object) -> BatchStep:
    facts: dict[str, object] = {
        "batch_id": BATCH,
        "kind": kind,
        "at": T0 + timedelta(minutes=minutes),
        "code": "7KQ2M9XH4T",
        "lot": "L-0504",
        "gtin14": "08991234567891",
        "quantity": 120.0,
        "unit": "pcs",
        "producer_id": PRODUCER,
        "facility_id": FACILITY,
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


def test_the_shipped_schema_is_the_shared_one() -> None:
    if not SHARED_SCHEMA.is_file():
        pytest.skip("no shared standards folder beside this checkout")  # CI has only the copy
    assert SHIPPED_SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_a_released_then_recalled_life_is_a_valid_document_in_time_order() -> None:
    steps = life("SER0000001", "SER0000002")
    document = batch_document(BASE, list(reversed(steps)), T0 + timedelta(days=1))
    assert schema_errors(document) == []
    events = document["epcisBody"]["eventList"]
    # labels_issued has no EPCIS event; the others come oldest first
    assert [(e.get("bizStep"), e["disposition"]) for e in events] == [
        ("commissioning", "active"),
        ("receiving", "in_progress"),
        ("sensor_reporting", "in_progress"),
        ("inspecting", "conformant"),
        (None, "recalled"),
    ]
    assert [e["action"] for e in events] == ["ADD"] + ["OBSERVE"] * 4
    assert document["creationDate"] == "2026-05-05T01:02:03Z"


def test_the_treatment_reports_each_dosimeter_in_gray() -> None:
    event = epcis_event(BASE, step("treated", treatment=treatment(2.1, 2.6, 0.45)))
    [element] = event["sensorElementList"]
    assert element["sensorMetadata"] == {
        "startTime": "2026-05-04T09:02:03.456+07:00",
        "endTime": "2026-05-04T12:02:03.456+07:00",
    }
    assert element["sensorReport"] == [
        {
            "type": "AbsorbedDose",
            "deviceID": f"{BASE}/organizations/{FACILITY}/dosimeters/AM%2F{i}",
            "value": gy,
            "uom": "A95",
        }
        for i, gy in enumerate((2100.0, 2600.0, 450.0))
    ]
    assert event["readPoint"] == event["bizLocation"] == {"id": f"{BASE}/organizations/{FACILITY}"}


def test_identifiers_are_the_label_uris() -> None:
    registered = epcis_event(BASE, step("registered", unit="kg", quantity=80.5))
    assert registered["quantityList"] == [
        {"epcClass": f"{BASE}/01/08991234567891/10/L-0504", "quantity": 80.5, "uom": "KGM"}
    ]
    assert "epcList" not in registered
    assert registered["bizLocation"] == {"id": f"{BASE}/organizations/{PRODUCER}"}
    recalled = epcis_event(BASE, step("recalled", serials=["SER0000001"]))
    assert recalled["epcList"] == [f"{BASE}/01/08991234567891/10/L-0504/21/SER0000001"]
    assert "uom" not in recalled["quantityList"][0]  # pieces: a count


def test_a_product_without_gtin_uses_the_short_form() -> None:
    steps = [
        step("registered", gtin14=None),
        step("rejected", 5, gtin14=None, serials=["SER0000001"]),
    ]
    document = batch_document(BASE, steps, T0)
    assert schema_errors(document) == []
    rejected = document["epcisBody"]["eventList"][1]
    assert rejected["quantityList"][0]["epcClass"] == f"{BASE}/v/7KQ2M9XH4T"
    assert rejected["epcList"] == [f"{BASE}/v/7KQ2M9XH4T/SER0000001"]
    assert (rejected["bizStep"], rejected["disposition"]) == ("inspecting", "non_conformant")


def test_the_pre_hash_string_follows_the_cbv_order_and_forms() -> None:
    event = epcis_event(BASE, step("treated", serials=["B", "A"], treatment=treatment(2.6, 2.1)))
    facility = f"{BASE}/organizations/{FACILITY}"
    assert pre_hash_string(event, BASE) == (
        "eventType=ObjectEvent"
        "eventTime=2026-05-04T01:02:03.456Z"
        "eventTimeZoneOffset=+07:00"
        "epcListepc=https://id.gs1.org/01/08991234567891/10/L-0504/21/A"
        "epc=https://id.gs1.org/01/08991234567891/10/L-0504/21/B"
        "quantityListquantityElementepcClass=https://id.gs1.org/01/08991234567891/10/L-0504"
        "quantity=120"
        "action=OBSERVE"
        "bizStep=https://ref.gs1.org/cbv/BizStep-sensor_reporting"
        "disposition=https://ref.gs1.org/cbv/Disp-in_progress"
        f"readPointid={facility}"
        f"bizLocationid={facility}"
        "sensorElementsensorMetadata"
        "startTime=2026-05-04T02:02:03.456ZendTime=2026-05-04T05:02:03.456Z"
        f"sensorReporttype=https://gs1.org/voc/AbsorbedDosedeviceID={facility}/dosimeters/AM%2F0"
        "value=2600uom=A95"
        f"sensorReporttype=https://gs1.org/voc/AbsorbedDosedeviceID={facility}/dosimeters/AM%2F1"
        "value=2100uom=A95"
    )
    digest = hashlib.sha256(pre_hash_string(event, BASE).encode()).hexdigest()
    assert event["eventID"] == f"ni:///sha-256;{digest}?ver=CBV2.0"


def test_the_hash_id_is_stable_and_ignores_form() -> None:
    first = epcis_event(BASE, step("treated", treatment=treatment(2.1, 2.6)))
    again = epcis_event(BASE, step("treated", treatment=treatment(2.1, 2.6)))
    assert first == again
    # the same instant written in another zone, the fields in another order: the same id
    reordered = dict(reversed(list(first.items())))
    reordered["eventTime"] = T0.isoformat()  # UTC, microseconds: the same millisecond
    assert event_hash_id(reordered, BASE) == first["eventID"]
    # the GTIN's identity in the hash does not depend on the host serving it
    other = "https://other.example"
    elsewhere = epcis_event(other, step("registered"))
    here = epcis_event(BASE, step("registered"))
    assert elsewhere["quantityList"] != here["quantityList"]
    before_action = pre_hash_string(elsewhere, other).split("action=")[0]
    assert before_action == pre_hash_string(here, BASE).split("action=")[0]


@pytest.mark.parametrize(
    "change",
    [
        {"at": T0 + timedelta(milliseconds=1)},
        {"lot": "L-0505"},
        {"quantity": 121.0},
        {"unit": "kg"},
        {"serials": ["SER0000001"]},
        {"facility_id": PRODUCER},
        {"treatment": treatment(2.1, 2.7)},
        {"kind": "received"},
    ],
)
def test_any_change_of_content_changes_the_id(change: dict[str, object]) -> None:
    base = step("treated", treatment=treatment(2.1, 2.6))
    changed = msgspec.structs.replace(base, **change)
    assert epcis_event(BASE, changed)["eventID"] != epcis_event(BASE, base)["eventID"]


def test_a_query_document_is_valid_and_keeps_the_order_given() -> None:
    steps = life()
    document = query_document(BASE, steps, T0)
    assert schema_errors(document) == []
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(events) == 5
    empty = query_document(BASE, [], T0)
    assert schema_errors(empty) == []


def test_the_schema_catches_what_it_should() -> None:
    """The validator is live: a document with a wrong disposition or no eventTime fails."""
    document = batch_document(BASE, life(), T0)
    document["epcisBody"]["eventList"][0]["disposition"] = "radiated"
    del document["epcisBody"]["eventList"][1]["eventTime"]
    document["epcisBody"]["eventList"][2]["readPoint"]["id"] = "not a uri"
    errors = schema_errors(document)
    assert len(errors) >= 3, errors


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2100.0, "2100"),
        (0.45, "0.45"),
        (120.5, "120.5"),
        (1e-06, "0.000001"),
        (1e16, "10000000000000000"),
        (0.0, "0"),
    ],
)
def test_numbers_in_the_pre_hash_string_are_plain_decimals(value: float, text: str) -> None:
    assert hash_number(value) == text
