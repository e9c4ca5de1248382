"""Radura's EPCIS event ids are the ones GS1's reference implementation computes.

The reference is PyPI's `epcis-event-hash-generator` (GS1 Germany's, CBV 2.0 §8.9), fed each
document as Radura serves it, JSON text and all. It expands the JSON-LD with the EPCIS 2.0
context it bundles: the tests refuse any download, so they run offline and would fail if a
document named a context the tool does not carry.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels.codes import CROCKFORD_ALPHABET
from service.batches.epcis.event_hash import pre_hash_string
from service.batches.epcis.events import (
    BatchStep,
    DosimeterReading,
    EpcisStep,
    ShipmentFacts,
    ShipmentStep,
    TreatmentFacts,
    batch_document,
    shipment_steps,
)
from service.batches.epcis.identifiers import Party
from tests.epcis_reference import reference_hashes, refuse_downloads
from tests.epcis_schema import schema_errors
from tests.unit.batches.epcis.facts import (
    BASE,
    CUSTOMER,
    FACILITY,
    PRODUCER,
    T0,
    cancelled,
    shipment,
    step,
    treatment,
)

# the tool reads its bundled context through a deprecated importlib call
pytestmark = pytest.mark.filterwarnings("ignore:open_text is deprecated:DeprecationWarning")
SERIALS = ["SER0000002", "SER0000001", "7KQ2M9XW4T"]
WITH_GLN = {
    "producer": Party(id=PRODUCER.id, gln="8991234500003"),
    "facility": Party(id=FACILITY.id, gln="8991234500010"),
}


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_downloads(monkeypatch)


def reference(document: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The tool's pre-hash strings and event ids for the document as Radura serves it."""
    return reference_hashes(msgspec.json.encode(document).decode())


def assert_ids_match_the_reference(steps: list[EpcisStep]) -> list[dict[str, Any]]:
    document = batch_document(BASE, steps, T0)
    assert schema_errors(document) == []
    events = document["epcisBody"]["eventList"]
    pre_hashes, ids = reference(document)
    assert len(ids) == len(events) == len(steps)
    for event, tool_pre_hash, tool_id in zip(events, pre_hashes, ids, strict=True):
        assert pre_hash_string(event) == tool_pre_hash
        assert event["eventID"] == tool_id
    return events


def _shipped(facts: ShipmentFacts, *, declared: bool = False) -> ShipmentStep:
    return ShipmentStep(shipment=facts, cancellation=declared)


KINDS: dict[str, list[EpcisStep]] = {
    "commissioning": [step("registered")],
    "commissioning in kg, with GLNs": [step("registered", unit="kg", quantity=80.5, **WITH_GLN)],
    "receiving": [step("received", quantity=118.0)],
    "treatment with sensors": [step("treated", treatment=treatment(2.1, 2.6, 0.45, 1e-9))],
    "treatment with serials and GLNs": [
        step("treated", treatment=treatment(3.0), serials=SERIALS, **WITH_GLN)
    ],
    "release": [step("released")],
    "reject": [step("rejected", serials=SERIALS[:1])],
    "reject without a GTIN": [step("rejected", gtin14=None, serials=SERIALS)],
    "recall": [step("recalled", serials=SERIALS)],
    "shipping": [_shipped(shipment())],
    "shipping a serial range with PGLNs": [
        _shipped(
            shipment(
                serials=SERIALS,
                unit="kg",
                quantity=12.25,
                source=WITH_GLN["producer"],
                destination=Party(id=CUSTOMER.id, gln="8991234500027", kind="customer"),
            )
        )
    ],
    "shipping without a GTIN": [_shipped(shipment(gtin14=None, serials=SERIALS))],
    "errorDeclaration": [_shipped(cancelled(), declared=True)],
    "shipping and its errorDeclaration": shipment_steps(cancelled(serials=SERIALS)),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_event_kind_has_the_reference_id(kind: str) -> None:
    assert_ids_match_the_reference(KINDS[kind])


def test_an_error_declaration_keeps_the_id_of_the_event_it_declares() -> None:
    shipped, declared = assert_ids_match_the_reference(shipment_steps(cancelled()))
    assert "errorDeclaration" in declared and declared["eventID"] == shipped["eventID"]


def test_the_reference_tells_the_events_apart() -> None:
    """The comparison is live: the tool's ids differ where the events do."""
    _, ids = reference(batch_document(BASE, [k[0] for k in KINDS.values()], T0))
    assert len(set(ids)) == len(ids) - 1  # the errorDeclaration shares its event's id


# --- any facts ---------------------------------------------------------------------------------

_instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
_lots = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=20)
_serials = st.lists(st.text(CROCKFORD_ALPHABET, min_size=10, max_size=10), max_size=4, unique=True)
_gtins = st.sampled_from([None, "08991234567891", "00012345678905"])
_amounts = st.floats(min_value=1e-6, max_value=1e7, allow_nan=False, allow_infinity=False)


@st.composite
def _parties(draw: st.DrawFn, kind: str = "organization") -> Party:
    gln = draw(st.none() | st.text(string.digits, min_size=13, max_size=13))
    return Party(id=UUID(int=draw(st.integers(0, 2**64))), gln=gln, kind=kind)  # type: ignore[arg-type]


@st.composite
def _batch_steps(draw: st.DrawFn) -> BatchStep:
    kind = draw(st.sampled_from(["registered", "received", "treated", "released", "recalled"]))
    started = draw(_instants)
    readings = st.builds(
        DosimeterReading,
        dosimeter_id=st.text(min_size=1, max_size=20),
        dose_kgy=st.floats(min_value=0, max_value=100, allow_nan=False),
    )
    facts = TreatmentFacts(
        started_at=started,
        ended_at=draw(_instants.filter(lambda end: end > started)),
        dosimeters=draw(st.lists(readings, min_size=1, max_size=4)),
    )
    return BatchStep(
        batch_id=UUID(int=1),
        kind=kind,
        happened_at=draw(_instants),
        recorded_at=draw(_instants),
        code="7KQ2M9XH4T",
        lot=draw(_lots),
        gtin14=draw(_gtins),
        quantity=draw(_amounts),
        unit=draw(st.sampled_from(["kg", "pcs"])),
        producer=draw(_parties()),
        facility=draw(_parties()),
        serials=draw(_serials),
        treatment=facts if kind == "treated" else None,
    )


@st.composite
def _shipment_steps(draw: st.DrawFn) -> ShipmentStep:
    cancelled_at = draw(st.none() | _instants)
    facts = ShipmentFacts(
        shipment_id=UUID(int=2),
        batch_id=UUID(int=1),
        shipped_at=draw(_instants),
        recorded_at=draw(_instants),
        quantity=draw(_amounts),
        unit=draw(st.sampled_from(["kg", "pcs"])),
        code="7KQ2M9XH4T",
        lot=draw(_lots),
        gtin14=draw(_gtins),
        serials=draw(_serials),
        source=draw(_parties()),
        destination=draw(_parties("customer")),
        cancelled_at=cancelled_at,
        cancel_reason=draw(st.text(max_size=40)) if cancelled_at else None,
    )
    return _shipped(facts, declared=cancelled_at is not None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_batch_steps() | _shipment_steps(), min_size=1, max_size=3))
def test_any_facts_give_the_reference_ids(steps: list[EpcisStep]) -> None:
    assert_ids_match_the_reference(steps)
