"""The EPCIS 2.0 builder: events from batch steps and shipments, the event hash id, the
documents."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

import service.api_docs
from service.batches.epcis.event_hash import event_hash_id, hash_number, pre_hash_string
from service.batches.epcis.events import (
    EPCIS_CONTEXT,
    batch_document,
    cancelled_shipping_event,
    epcis_event,
    query_document,
    shipment_steps,
    shipping_event,
    with_shipments,
)
from service.batches.epcis.identifiers import Party
from tests.epcis_schema import SHARED_SCHEMA, SHIPPED_SCHEMA, schema_errors
from tests.unit.batches.epcis.facts import (
    BASE,
    CUSTOMER,
    FACILITY,
    PRODUCER,
    T0,
    cancelled,
    life,
    shipment,
    step,
    treatment,
)

GLN_PRODUCER = "8991234500003"
GLN_FACILITY = "8991234500010"
GLN_CUSTOMER = "8991234500027"


# SHA-256 of GS1's EPCIS 2.0 JSON schema as published, the file the shared standards folder holds
GS1_SCHEMA_SHA256 = "ed3228d7867198b4a5be9748fe77f473457c6ed98224fab28a950b4ce634a041"


def test_every_copy_of_the_schema_is_gs1s_published_file() -> None:
    """The tests' copy, the one the API document embeds, and the shared folder's where it sits
    beside this checkout: one file, byte for byte, so no copy drifts from GS1's."""
    served = Path(service.api_docs.__file__).parent / "standards" / SHIPPED_SCHEMA.name
    copies = [SHIPPED_SCHEMA, served, *([SHARED_SCHEMA] if SHARED_SCHEMA.is_file() else [])]
    assert {hashlib.sha256(path.read_bytes()).hexdigest() for path in copies} == {GS1_SCHEMA_SHA256}


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
    assert document["@context"] == [EPCIS_CONTEXT]
    assert EPCIS_CONTEXT == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def test_event_time_is_when_it_happened_record_time_when_it_was_stored() -> None:
    received = step("received", 60, happened_at=T0 - timedelta(days=1))
    event = epcis_event(BASE, received)
    assert event["eventTime"] == "2026-05-03T08:02:03.456+07:00"  # the receipt's own time
    assert event["recordTime"] == "2026-05-04T09:03:33.456+07:00"
    # a receipt dated before the registration still comes after it: documents keep the order
    # Radura recorded the steps in
    document = batch_document(BASE, [received, step("registered", 0)], T0)
    assert [e["bizStep"] for e in document["epcisBody"]["eventList"]] == [
        "commissioning",
        "receiving",
    ]
    # the record time is no part of the id: recording a step later gives the same event id
    later = msgspec.structs.replace(received, recorded_at=T0 + timedelta(days=3))
    assert epcis_event(BASE, later)["eventID"] == event["eventID"]


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
            "deviceID": f"{BASE}/organizations/{FACILITY.id}/dosimeters/AM%2F{i}",
            "value": gy,
            "uom": "A95",
        }
        for i, gy in enumerate((2100.0, 2600.0, 450.0))
    ]
    place = {"id": f"{BASE}/organizations/{FACILITY.id}"}
    assert event["readPoint"] == event["bizLocation"] == place


def test_a_lot_is_a_class_and_a_pack_an_instance_without_the_lot() -> None:
    registered = epcis_event(BASE, step("registered", unit="kg", quantity=80.5))
    assert registered["quantityList"] == [
        {"epcClass": f"{BASE}/01/08991234567891/10/L-0504", "quantity": 80.5, "uom": "KGM"}
    ]
    assert "epcList" not in registered
    assert registered["bizLocation"] == {"id": f"{BASE}/organizations/{PRODUCER.id}"}
    recalled = epcis_event(BASE, step("recalled", serials=["SER0000001"]))
    assert recalled["epcList"] == [f"{BASE}/01/08991234567891/21/SER0000001"]
    assert "uom" not in recalled["quantityList"][0]  # pieces: a count


def test_places_are_sglns_where_the_organization_has_a_gln() -> None:
    producer = Party(id=PRODUCER.id, gln=GLN_PRODUCER)
    facility = Party(id=FACILITY.id, gln=GLN_FACILITY)
    registered = epcis_event(BASE, step("registered", producer=producer, facility=facility))
    assert registered["readPoint"] == {"id": f"https://id.gs1.org/414/{GLN_PRODUCER}"}
    treated = epcis_event(BASE, step("treated", facility=facility, treatment=treatment(2.1)))
    assert treated["bizLocation"] == {"id": f"https://id.gs1.org/414/{GLN_FACILITY}"}
    # the dosimeter stays the facility's, whatever names its place
    report = treated["sensorElementList"][0]["sensorReport"][0]
    assert report["deviceID"] == f"{BASE}/organizations/{FACILITY.id}/dosimeters/AM%2F0"
    # a blank GLN (a char column) is no GLN
    blank = epcis_event(BASE, step("registered", producer=Party(id=PRODUCER.id, gln="  ")))
    assert blank["readPoint"] == {"id": f"{BASE}/organizations/{PRODUCER.id}"}


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
    facility = f"{BASE}/organizations/{FACILITY.id}"
    assert pre_hash_string(event) == (
        "eventType=ObjectEvent"
        "eventTime=2026-05-04T01:02:03.456Z"
        "eventTimeZoneOffset=+07:00"
        "epcListepc=https://id.gs1.org/01/08991234567891/21/A"
        "epc=https://id.gs1.org/01/08991234567891/21/B"
        "quantityListquantityElementepcClass=https://id.gs1.org/01/08991234567891/10/L-0504"
        "quantity=120"
        "action=OBSERVE"
        "bizStep=https://ref.gs1.org/cbv/BizStep-sensor_reporting"
        "disposition=https://ref.gs1.org/cbv/Disp-in_progress"
        f"readPointid={facility}"
        f"bizLocationid={facility}"
        "sensorElementListsensorElementsensorMetadata"
        "startTime=2026-05-04T02:02:03.456ZendTime=2026-05-04T05:02:03.456Z"
        f"sensorReporttype=https://gs1.org/voc/AbsorbedDosedeviceID={facility}/dosimeters/AM%2F0"
        "value=2600uom=A95"
        f"sensorReporttype=https://gs1.org/voc/AbsorbedDosedeviceID={facility}/dosimeters/AM%2F1"
        "value=2100uom=A95"
    )
    digest = hashlib.sha256(pre_hash_string(event).encode()).hexdigest()
    assert event["eventID"] == f"ni:///sha-256;{digest}?ver=CBV2.0"


def test_the_hash_id_is_stable_and_ignores_form() -> None:
    first = epcis_event(BASE, step("treated", treatment=treatment(2.1, 2.6)))
    again = epcis_event(BASE, step("treated", treatment=treatment(2.1, 2.6)))
    assert first == again
    # the same instant written in another zone, the fields in another order: the same id
    reordered = dict(reversed(list(first.items())))
    reordered["eventTime"] = T0.isoformat()  # UTC, microseconds: the same millisecond
    assert event_hash_id(reordered) == first["eventID"]
    # the GTIN's identity in the hash does not depend on the host serving it
    other = "https://other.example"
    elsewhere = epcis_event(other, step("registered"))
    here = epcis_event(BASE, step("registered"))
    assert elsewhere["quantityList"] != here["quantityList"]
    before_action = pre_hash_string(elsewhere).split("action=")[0]
    assert before_action == pre_hash_string(here).split("action=")[0]


@pytest.mark.parametrize(
    "change",
    [
        {"happened_at": T0 + timedelta(milliseconds=1)},
        {"lot": "L-0505"},
        {"quantity": 121.0},
        {"unit": "kg"},
        {"serials": ["SER0000001"]},
        {"facility": PRODUCER},
        {"facility": Party(id=FACILITY.id, gln=GLN_FACILITY)},
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
        (1e-06, "1e-06"),  # as the reference tool prints it
        (1e16, "10000000000000000"),
        (0.0, "0"),
    ],
)
def test_numbers_in_the_pre_hash_string_are_plain_decimals(value: float, text: str) -> None:
    assert hash_number(value) == text


# --- shipments (SPEC §13.1) ------------------------------------------------------------------


def test_a_shipment_is_a_shipping_event_from_the_producer_to_the_customer() -> None:
    event = shipping_event(BASE, shipment())
    assert (event["action"], event["bizStep"], event["disposition"]) == (
        "OBSERVE",
        "shipping",
        "in_transit",
    )
    assert event["eventTime"] == "2026-05-05T08:02:03.456+07:00"  # shipped_at
    assert event["recordTime"] == "2026-05-05T10:02:03.456+07:00"
    assert event["readPoint"] == {"id": f"{BASE}/organizations/{PRODUCER.id}"}
    assert "bizLocation" not in event  # in transit
    assert event["sourceList"] == [
        {"type": "owning_party", "source": f"{BASE}/organizations/{PRODUCER.id}"}
    ]
    assert event["destinationList"] == [
        {"type": "owning_party", "destination": f"{BASE}/customers/{CUSTOMER.id}"}
    ]
    assert event["quantityList"] == [
        {"epcClass": f"{BASE}/01/08991234567891/10/L-0504", "quantity": 40.0}
    ]
    assert "epcList" not in event and "errorDeclaration" not in event


def test_parties_with_a_gln_are_pglns_and_a_shipped_range_lists_its_packs() -> None:
    event = shipping_event(
        BASE,
        shipment(
            source=Party(id=PRODUCER.id, gln=GLN_PRODUCER),
            destination=Party(id=CUSTOMER.id, gln=GLN_CUSTOMER, kind="customer"),
            serials=["SER0000002", "SER0000001"],
            unit="kg",
            quantity=12.5,
        ),
    )
    assert event["readPoint"] == {"id": f"https://id.gs1.org/414/{GLN_PRODUCER}"}
    assert event["sourceList"][0]["source"] == f"https://id.gs1.org/417/{GLN_PRODUCER}"
    assert event["destinationList"][0]["destination"] == f"https://id.gs1.org/417/{GLN_CUSTOMER}"
    assert event["epcList"] == [
        f"{BASE}/01/08991234567891/21/SER0000002",
        f"{BASE}/01/08991234567891/21/SER0000001",
    ]
    assert event["quantityList"][0]["uom"] == "KGM"
    no_gtin = shipping_event(BASE, shipment(gtin14=None, serials=["SER0000001"]))
    assert no_gtin["epcList"] == [f"{BASE}/v/7KQ2M9XH4T/SER0000001"]
    assert no_gtin["quantityList"][0]["epcClass"] == f"{BASE}/v/7KQ2M9XH4T"


def test_a_cancelled_shipment_declares_its_event_an_error() -> None:
    facts = cancelled()
    shipped = shipping_event(BASE, facts)
    declared = cancelled_shipping_event(BASE, facts)
    assert declared["eventID"] == shipped["eventID"]  # the same event, declared wrong
    assert declared["errorDeclaration"] == {
        "declarationTime": "2026-05-06T08:02:03.456+07:00",
        "reason": "did_not_occur",
        "rdfs:comment": "Salah pelanggan",
    }
    assert declared["recordTime"] == declared["errorDeclaration"]["declarationTime"]
    assert {k: v for k, v in declared.items() if k not in ("errorDeclaration", "recordTime")} == {
        k: v for k, v in shipped.items() if k != "recordTime"
    }
    with pytest.raises(ValueError, match="not cancelled"):
        cancelled_shipping_event(BASE, shipment())
    no_words = cancelled_shipping_event(BASE, cancelled(cancel_reason=None))
    assert "rdfs:comment" not in no_words["errorDeclaration"]


def test_shipments_join_a_batch_document_in_record_order_and_validate() -> None:
    assert [s.cancellation for s in shipment_steps(shipment())] == [False]
    assert [s.cancellation for s in shipment_steps(cancelled())] == [False, True]
    second = shipment(quantity=10.0, recorded_at=T0 + timedelta(days=1, hours=3))
    steps = with_shipments(life("SER0000001"), [cancelled(), second])
    for make in (batch_document, query_document):
        document = make(BASE, steps, T0)
        assert schema_errors(document) == []
    events = batch_document(BASE, steps, T0)["epcisBody"]["eventList"]
    assert [(e.get("bizStep"), e["disposition"], "errorDeclaration" in e) for e in events] == [
        ("commissioning", "active", False),
        ("receiving", "in_progress", False),
        ("sensor_reporting", "in_progress", False),
        ("inspecting", "conformant", False),
        (None, "recalled", False),  # T0 + 500 minutes
        ("shipping", "in_transit", False),  # recorded T0 + 1 day 2 hours
        ("shipping", "in_transit", False),  # T0 + 1 day 3 hours
        ("shipping", "in_transit", True),  # cancelled T0 + 2 days
    ]
    assert events[5]["quantityList"][0]["quantity"] == 40.0
    assert events[6]["quantityList"][0]["quantity"] == 10.0
    assert events[7]["eventID"] == events[5]["eventID"]


def test_a_field_the_hash_has_no_place_for_is_refused() -> None:
    """Silently leaving it out would give ids that differ from GS1's reference."""
    event = epcis_event(BASE, step("registered"))
    event["bizTransactionList"] = [{"type": "po", "bizTransaction": "urn:example:po:1"}]
    with pytest.raises(ValueError, match="bizTransactionList"):
        pre_hash_string(event)
