"""The EPCIS Event Hash ID (CBV 2.0 §8.9) of an event, exactly as GS1's reference
implementation computes it (`epcis-event-hash-generator`, which the tests compare against).

The pre-hash string concatenates the event's fields as `name=value`, with no separators, in the
standard's fixed order; a list or a nested object is its name followed by its items, the items
sorted as text. Times are UTC to the millisecond, CBV words their `https://ref.gs1.org/cbv/…`
URIs, GS1 Digital Link URIs are on `https://id.gs1.org` with only the finest key (a serial
without its lot), numbers as Python prints them without a trailing `.0`. Fields outside the
standard order (here the source and destination lists) follow, sorted by name, each pair of a
list written type first. `recordTime`, `eventID` and `errorDeclaration` stay out: an error
declaration keeps the id of the event it declares wrong.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from service.batches.epcis.identifiers import GS1_DOMAIN

# the fields of an ObjectEvent Radura writes, in the standard's order; a nested field lists its
# own in order, a list field the (singular) name of its items and their fields
_QUANTITY = ("quantityElement", ("epcClass", "quantity", "uom"))
_SENSOR_METADATA = ("time", "startTime", "endTime", "deviceID")
_SENSOR_REPORT = ("type", "exception", "deviceID", "time", "value", "stringValue", "uom")
# the field names whose values are CBV words in JSON-LD, and the CBV vocabulary of each
_CBV = {"bizStep": "BizStep", "disposition": "Disp"}
_SOURCE_DESTINATION_TYPE = "SDT"
# every field an event of Radura's may have: those above, and those the hash leaves out. A new
# field must be placed in the order before it is written, or the ids would quietly differ from
# the reference's.
_KNOWN_FIELDS = frozenset(
    {
        "eventID", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "epcList",
        "quantityList", "action", "bizStep", "disposition", "readPoint", "bizLocation",
        "sensorElementList", "sourceList", "destinationList", "errorDeclaration",
    }
)  # fmt: skip
# GS1 Digital Link paths the hash reads on the canonical domain (the tool's syntax check: GS1's
# set of characters it accepts in AI 10 and 21, at most 20 of them)
_AI_TEXT = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20}"
_DIGITAL_LINK = re.compile(
    rf"^/01/(?P<gtin>\d{{14}})(?:/10/(?P<lot>{_AI_TEXT}))?(?:/21/(?P<serial>{_AI_TEXT}))?$"
    r"|^/(?P<gln_ai>414|417)/(?P<gln>\d{13})$"
)


def hash_time(text: str) -> str:
    """An ISO 8601 time as the hash reads it: UTC, milliseconds, `Z` (Radura writes times to
    the millisecond already, so nothing is lost)."""
    at = datetime.fromisoformat(text).astimezone(UTC)
    at = at.replace(microsecond=at.microsecond // 1000 * 1000)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def hash_number(value: float) -> str:
    """A number as the reference tool prints it: Python's text of the float, without a
    trailing `.0` for a whole number (2100.0 → 2100, 0.45 → 0.45, 1e-06 → 1e-06)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def hash_uri(uri: str) -> str:
    """A GS1 Digital Link URI on the canonical domain with its finest key only (a serial
    drops the lot), whichever host serves it; any other URI as it is."""
    path = _gs1_key_path(uri)
    match = None if path is None else _DIGITAL_LINK.match(path.split("?", 1)[0])
    if match is None:
        return uri
    if match["gln"]:
        return f"{GS1_DOMAIN}/{match['gln_ai']}/{match['gln']}"
    key = f"{GS1_DOMAIN}/01/{match['gtin']}"
    if match["serial"] is not None:
        return f"{key}/21/{match['serial']}"
    return key if match["lot"] is None else f"{key}/10/{match['lot']}"


def _gs1_key_path(uri: str) -> str | None:
    """The part of an http(s) URI's path from its GS1 key on (`/01/…`, `/414/…`, `/417/…`),
    past any prefix the host serves it under."""
    if not uri.startswith(("https://", "http://")):
        return None
    path_start = uri.find("/", uri.index("//") + 2)
    if path_start < 0:
        return None
    path = uri[path_start:].split("#", 1)[0]
    starts = [i for i in (path.find(f"/{ai}/") for ai in ("01", "414", "417")) if i >= 0]
    return path[min(starts) :] if starts else None


def _value(name: str, value: Any) -> str:
    if isinstance(value, int | float):
        return hash_number(value)
    text = str(value).strip()
    if "time" in name.lower() and "offset" not in name.lower():
        return hash_time(text)
    if name in _CBV and ":" not in text:
        return f"https://ref.gs1.org/cbv/{_CBV[name]}-{text}"
    return hash_uri(text)


def _field(name: str, value: Any) -> str:
    return f"{name}={_value(name, value)}"


def _ordered(obj: dict[str, Any], names: tuple[str, ...]) -> str:
    return "".join(_field(name, obj[name]) for name in names if name in obj)


def _sensor_report(report: dict[str, Any]) -> str:
    fields = dict(report)
    fields["type"] = _vocabulary_type(report["type"])
    return "sensorReport" + _ordered(fields, _SENSOR_REPORT)


def _vocabulary_type(value: str) -> str:
    # a bare measurement type is a term of GS1's web vocabulary (gs1:AbsorbedDose)
    return value if ":" in value else f"https://gs1.org/voc/{value}"


def _sensor_element(element: dict[str, Any]) -> str:
    text = "sensorElement"
    metadata = _ordered(element.get("sensorMetadata", {}), _SENSOR_METADATA)
    if metadata:
        text += "sensorMetadata" + metadata
    return text + "".join(sorted(_sensor_report(r) for r in element.get("sensorReport", [])))


def _source_or_destination(kind: str, item: dict[str, Any]) -> str:
    # written type first, then the party, as the event lists them (the tool keeps this pair's
    # order); the type is a CBV word
    sdt = item["type"]
    if ":" not in sdt:
        sdt = f"https://ref.gs1.org/cbv/{_SOURCE_DESTINATION_TYPE}-{sdt}"
    return f"type={sdt}{kind}={hash_uri(item[kind])}"


def _listed(name: str, items: list[str]) -> str:
    return name + "".join(sorted(items)) if items else ""


def pre_hash_string(event: dict[str, Any]) -> str:
    """The event's canonical text, which the hash id digests."""
    unknown = set(event) - _KNOWN_FIELDS
    if unknown:
        raise ValueError(f"no place in the event hash for {sorted(unknown)}")
    parts = [f"eventType={event['type']}", _ordered(event, ("eventTime", "eventTimeZoneOffset"))]
    parts.append(_listed("epcList", [_field("epc", epc) for epc in event.get("epcList", [])]))
    quantities = [
        _QUANTITY[0] + _ordered(element, _QUANTITY[1]) for element in event.get("quantityList", [])
    ]
    parts.append(_listed("quantityList", quantities))
    parts.append(_ordered(event, ("action", "bizStep", "disposition")))
    for place in ("readPoint", "bizLocation"):
        if place in event:
            parts.append(place + _field("id", event[place]["id"]))
    sensors = [_sensor_element(element) for element in event.get("sensorElementList", [])]
    parts.append(_listed("sensorElementList", sensors))
    # the reference tool reads these two as fields outside its order: after the ordered ones,
    # sorted by name (so the destinations come first)
    for kind in ("destination", "source"):
        items = [_source_or_destination(kind, item) for item in event.get(f"{kind}List", [])]
        parts.append(_listed(f"{kind}List", items))
    return "".join(parts)


def event_hash_id(event: dict[str, Any]) -> str:
    """`ni:///sha-256;<hex>?ver=CBV2.0`: the hex digest is what CBV 2.0 writes, not RFC 6920's
    base64url, so the id matches other implementations of the standard."""
    digest = hashlib.sha256(pre_hash_string(event).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"
