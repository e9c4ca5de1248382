"""Real examples for every value the API document describes: one frozen shrimp batch of one
producer, treated at one facility, so that every example fits every other — a GTIN with its
check digit, a lot and a code as Radura issues them, doses in kGy under the legal maximum of the
product's purpose, dates in order, times with their offset.

Keyed by field (or parameter) name, with a schema's own meaning first where a name means
different things (`name` of a product, of a user, of an irradiator). An example a Struct declares
itself (msgspec's `Meta(examples=…)`) stays. `tests/integration/test_openapi_document.py` holds
every scalar of the document to having one, valid against its own schema, and to the rules a
GTIN, a UUID, a date or a dose follows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from service.api_docs import bodies
from service.core.pagination import encode_cursor
from service.verify.documented_forms import (
    EXAMPLE_CERTIFICATE_NUMBER,
    EXAMPLE_CODE,
    EXAMPLE_EXPIRY,
    EXAMPLE_GTIN,
    EXAMPLE_LOT,
    EXAMPLE_SERIAL,
    EXAMPLE_SIGNATURE,
)
from service.verify.resolver import linkset

_BATCH_ID = "0b7d4f0e-3c9a-4a51-8d2e-6f1b9c7a2e54"
_PRODUCT_ID = "5e2a8c41-7d6b-4f39-9a0e-1c3b5d7f9e21"
_PRODUCER_ID = "a3c9e1f7-2b4d-4e6a-8c0f-9d1b3e5a7c92"
_FACILITY_ID = "c8e2a4f6-1b3d-4c5e-9f7a-2d4b6e8a0c13"
_IRRADIATOR_ID = "e4b6d8f0-3a5c-4e7b-9d1f-5a7c9e1b3d48"
_DOSE_MAP_ID = "7f9b1d3e-5c7a-4b9d-8e1f-3b5d7f9a1c26"
_USER_ID = "2d4f6b8a-9c1e-4a3b-8d5f-7e9a1c3b5d60"
_MESSAGE_ID = "msg_9c1e3a5b7d9f4b1d8e3a5c7e9b1d3f50"
_LABEL_BASE = "https://radura.id"

# by field name, whatever the schema
BY_NAME: dict[str, Any] = {
    "id": _BATCH_ID,
    "batch_id": _BATCH_ID,
    "product_id": _PRODUCT_ID,
    "producer_id": _PRODUCER_ID,
    "organization_id": _PRODUCER_ID,
    "facility_id": _FACILITY_ID,
    "irradiator_id": _IRRADIATOR_ID,
    "dose_map_id": _DOSE_MAP_ID,
    "user_id": _USER_ID,
    "actor_id": _USER_ID,
    "subject_id": _PRODUCER_ID,
    "webhook_id": "4a6c8e0b-2d4f-4b6d-8f0b-6c8e0a2c4e71",
    "token_id": "9e1c3a5d-7b9f-4d1b-8a3c-5e7b9d1f3a82",
    "endpoint_id": "4a6c8e0b-2d4f-4b6d-8f0b-6c8e0a2c4e71",
    "code": EXAMPLE_CODE,
    "lot": EXAMPLE_LOT,
    "serial": EXAMPLE_SERIAL,
    "gtin": EXAMPLE_GTIN,
    "name": "PT Sumber Laut Nusantara",
    "address": "Jl. Raya Industri No. 12, Kawasan Industri Cibitung",
    "city": "Bekasi",
    "province": "Jawa Barat",
    "country": "Indonesia",
    "phone": "+62 21 8990 1234",
    "nib": "9120001234567",
    "email": "sri.wahyuni@sumberlaut.co.id",
    "licence_no": "BAPETEN/IU/1234/2024",
    "facility_licence_no": "BAPETEN/IU/1234/2024",
    "licence_valid_until": "2028-06-30",
    "facility_licence_valid_until": "2028-06-30",
    "role": "producer",
    "actor_name": "Sri Wahyuni",
    "actor_role": "qa",
    "subject_name": "PT Sumber Laut Nusantara",
    "organization_name": "PT Sumber Laut Nusantara",
    "category": "fish_seafood",
    "purpose": "reduce_pathogens",
    "packaging": "vacuum",
    "validated_study_packaging": "vacuum",
    "source_type": "cobalt-60",
    "unit": "kg",
    "status": "released",
    "registration_no": "MD224510001234",
    "net_content": "500 g",
    "hs_code": "030617",
    "production_date": "2026-11-20",
    "best_before": "2027-01-31",
    "performed_on": "2026-03-14",
    "date": "2026-11-28",
    "irradiated_on": "2026-11",
    "created_at": "2026-11-20T09:12:44+07:00",
    "updated_at": "2026-11-27T15:40:08+07:00",
    "received_at": "2026-11-25T08:30:00+07:00",
    "started_at": "2026-11-26T07:45:00+07:00",
    "ended_at": "2026-11-26T09:15:00+07:00",
    "recorded_at": "2026-11-26T10:02:31+07:00",
    "released_at": "2026-11-27T15:40:08+07:00",
    "cancelled_at": "2026-11-21T11:05:00+07:00",
    "disabled_at": "2026-12-01T08:00:00+07:00",
    "revoked_at": "2026-12-01T08:00:00+07:00",
    "expires_at": "2027-11-20T00:00:00+07:00",
    "at": "2026-12-03T14:05:00+07:00",
    "first_at": "2026-11-29T18:22:10+07:00",
    "last_at": "2026-12-06T12:47:55+07:00",
    "attempted_at": "2026-11-27T15:40:09+07:00",
    "next_attempt_at": "2026-11-27T15:40:39+07:00",
    "finished_at": "2026-11-27T15:40:09+07:00",
    "since": "2026-11-01T00:00:00+07:00",
    "until": "2026-12-01T00:00:00+07:00",
    "quantity": 1200.0,
    "quantity_received": 1198.5,
    "condition": "Beku, kemasan utuh",
    "notes": "Suhu produk saat diterima -19 °C.",
    "reason": "Kemasan bocor di gudang distributor",
    "min_dose_kgy": 1.5,
    "product_min_dose_kgy": 1.5,
    "typical_min_dose_kgy": 1.5,
    "max_dose_kgy": 5.0,
    "legal_max_dose_kgy": 5.0,
    "dose_min_kgy": 2.4,
    "dose_max_kgy": 3.2,
    "dose_kgy": 2.6,
    "dose_min_corrected_kgy": 2.28,
    "dose_max_corrected_kgy": 3.36,
    "validated_study_dose_kgy": 2.0,
    "dur": 1.33,
    "expanded_uncertainty_pct": 5.0,
    "ratio_min": 0.85,
    "ratio_max": 1.32,
    "reference_temp_c": -18.0,
    "storage_temp_c": -18.0,
    "validated_study_temp_c": -18.0,
    "product_temp_c": -15.0,
    "base_shelf_life_days": 180,
    "validated_shelf_life_days": 360,
    "base_days": 180,
    "adjusted_base_days": 180.0,
    "extended_days": 270,
    "multiplier": 1.5,
    "water_activity": 0.98,
    "ph": 6.8,
    "activity_kci": 450.0,
    "max_energy_mev": 1.33,
    "passes": 2,
    "dwell_time_s": 5400.0,
    "conveyor_speed_m_min": 0.35,
    "atmosphere": "udara",
    "run_id": "R-2611-07",
    "pq_ref": "PQ-2026-03",
    "loading_pattern": "Palet 120 × 100 cm, 40 karton",
    "reference_position": "Tengah karton bawah",
    "study_ref": "DM-2026-014",
    "dose_map_study_ref": "DM-2026-014",
    "validated_study_ref": "BRIN-SL-2025-031",
    "process_validation_ref": "PV-2026-002",
    "calibration_ref": "KAL-ALN-2026-05",
    "dosimeter_id": "ALN-0412",
    "position": "D_min, tengah karton bawah",
    "type": "alanine",
    "legal_basis": "Peraturan BPOM No. 3 Tahun 2018, Lampiran I",
    "source": "Peraturan BPOM No. 3 Tahun 2018, Lampiran I",
    "typical_min_dose_source": "IAEA-TECDOC-1530",
    "name_id": "Ikan dan hasil laut, segar atau beku",
    "name_en": "Fish and seafood, fresh or frozen",
    "model": "radura-sl/3",
    "seq": 4,
    "kind": "released",
    "hash": "5f0c2b8e9a1d4c7b3e6f8a0d2c4b6e8f1a3c5e7b9d0f2a4c6e8b0d2f4a6c8e0b",
    "prev_hash": "9e7c5a3f1d0b8e6c4a2f0d8b6e4c2a0f9d7b5e3c1a9f8d6b4e2c0a8f6d4b2e0c",
    "count": 3,
    "total": 1520,
    "issued": 1200,
    "serials_issued": 1200,
    "distinct_clients": 3,
    "distinct_serials": 940,
    "suspect_serials": 1,
    "genuine": 1480,
    "expired": 12,
    "recalled": 0,
    "suspect": 2,
    "invalid": 26,
    "attempt": 1,
    "duration_ms": 142,
    "http_status": 204,
    "error": "ConnectError: All connection attempts failed",
    "message_id": _MESSAGE_ID,
    "event_type": "batch.released",
    "url": "https://erp.sumberlaut.co.id/radura-webhook",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "token": "q8Xw3RZ0mYbT5nVQ2kLpA7cJ9dE1fG4hI6jK8lM0nOs",
    "invite_url": "https://radura.id/app/invite/Tq5VnW8xZa2Bc4De6Fg8Hi0Jk2Lm4No6Pq8Rs0Tu2V",
    "next_cursor": encode_cursor(
        datetime.fromisoformat("2026-11-20T09:12:44+07:00"), UUID(_BATCH_ID)
    ),
    "cursor": encode_cursor(datetime.fromisoformat("2026-11-20T09:12:44+07:00"), UUID(_BATCH_ID)),
    "limit": 50,
    "message": "The best-before date this release fixes, 2027-01-31, is already past.",
    "detail": "",
    "title": "Sertifikat iradiasi",
    "q": EXAMPLE_LOT,
    "dpi": 300,
    "copies": 1,
    "from": 0,
    "to": "2026-11-30",
    "first": 1,
    "lang": "id",
    "Idempotency-Key": "3b1f8e2a-6c4d-4e9b-a7f0-5d2c8b1e9a46",
    # versions: the product and dose map as they stood when the batch used them
    "product_version": 2,
    "version": 2,
    # distribution: one buyer, one shipment of the batch, one market
    "gln": "8991234500010",
    "whatsapp": "+6281234567890",
    "market": "ID",
    "customer_name": "CV Distribusi Pangan Nusantara",
    "customer_country": "ID",
    "batch_code": EXAMPLE_CODE,
    "product_name": "Udang vaname beku kupas",
    "document_no": "SJ/2026/11/0457",
    "serial_from": 0,
    "serial_to": 199,
    "cancel_reason": "Salah pelanggan: dikirim ke gudang lain",
    "ratio_average": 1.18,
    "dose_limit_kgy": 10.0,
    "reference": "EU/IRR/ID/0003",
    # a market's label language and where its statutory words come from
    "label_language": "en",
    "statutory_words_source": '21 CFR 179.26(c)(1): "Treated with radiation" or "Treated by '
    'irradiation", with the Radura symbol',
    "acknowledged_share": 0.5,
    "scans": 42,
    # the cooperative office's network: one month's figures of its producers
    "network_name": "Dinas Koperasi dan UKM Provinsi Jawa Timur",
    "producer_name": "UD Udang Windu Sidoarjo",
    "month": "2026-11",
    "producers": 14,
    "irradiated_products": 23,
    "batches_this_month": 9,
    "shipments_home": 31,
    "shipments_abroad": 4,
    "shipments": 6,
    "products": 3,
    "customers": 2,
    "acknowledged": 1,
}

# where a name means something else in one schema: (schema, field) first; for a parameter,
# (operationId, name)
BY_SCHEMA: dict[tuple[str, str], Any] = {
    # a label for an export market: the words in its language (the US's English, China's 辐照食品)
    ("getLabelsPdf", "market"): "US",
    ("getLabelsPdf", "lang"): "zh",
    ("getLabelSvg", "market"): "US",
    ("getLabelSvg", "lang"): "en",
    ("getLabelPng", "market"): "CN",
    ("getLabelPng", "lang"): "zh",
    # the export certificate of one shipment of the shrimp to the US (its check at /c/{number})
    ("CertificateCheck", "number"): EXAMPLE_CERTIFICATE_NUMBER,
    ("CertificateCheck", "issued_on"): "2026-12-02",
    ("CertificateCheck", "market"): "US",
    ("CertificateCheck", "market_name"): "United States",
    ("CertificateCheck", "shipped_on"): "2026-12-01",
    ("CertificateCheck", "document_no"): "INV/2026/12/0031",
    ("CertificateCheck", "consignee_country"): "US",
    ("CertificateCheck", "product"): "Udang vaname beku kupas",
    ("CertificateCheck", "producer"): "PT Sumber Laut Nusantara, Bekasi",
    ("CertificateCheck", "recall_reason"): "Cemaran Salmonella pada sampel retensi",
    ("CertifiedTreatment", "facility"): "PT Iradiasi Pangan Cibitung, Bekasi",
    ("CertifiedTreatment", "irradiated_on"): "2026-11-26",
    ("CertifiedTreatment", "overall_average_kgy"): 2.8,
    ("Product", "id"): _PRODUCT_ID,
    ("ProductInfo", "name"): "Udang vaname beku kupas",
    ("Product", "name"): "Udang vaname beku kupas",
    ("ProductCreate", "name"): "Udang vaname beku kupas",
    ("ShelfLifeEstimateRequest", "name"): "Udang vaname beku kupas",
    ("Facility", "id"): _FACILITY_ID,
    ("Facility", "name"): "PT Iradiasi Pangan Cibitung",
    ("FacilityInfo", "name"): "PT Iradiasi Pangan Cibitung",
    ("FacilityInfo", "address"): "Jl. Raya Industri No. 12, Bekasi",
    ("OrganizationRef", "id"): _PRODUCER_ID,
    ("Organization", "id"): _PRODUCER_ID,
    ("ProducerInfo", "city"): "Sidoarjo",
    ("Irradiator", "id"): _IRRADIATOR_ID,
    ("Irradiator", "name"): "Iradiator gamma IG-2",
    ("IrradiatorRef", "id"): _IRRADIATOR_ID,
    ("IrradiatorRef", "name"): "Iradiator gamma IG-2",
    ("IrradiatorInfo", "name"): "Iradiator gamma IG-2",
    ("IrradiatorCreate", "name"): "Iradiator gamma IG-2",
    ("DoseMap", "id"): _DOSE_MAP_ID,
    ("DoseMap", "name"): "Palet udang beku 120 × 100 cm",
    ("DoseMapUsed", "id"): _DOSE_MAP_ID,
    ("DoseMapUsed", "name"): "Palet udang beku 120 × 100 cm",
    ("DoseMapCreate", "name"): "Palet udang beku 120 × 100 cm",
    ("AuthUser", "id"): _USER_ID,
    ("AuthUser", "name"): "Sri Wahyuni",
    ("ActorRef", "id"): _USER_ID,
    ("ActorRef", "name"): "Sri Wahyuni",
    ("ActorRef", "role"): "qa",
    ("UserLine", "id"): _USER_ID,
    ("UserLine", "name"): "Sri Wahyuni",
    ("UserCreate", "name"): "Sri Wahyuni",
    ("UserCreated", "id"): _USER_ID,
    ("UserCreated", "name"): "Sri Wahyuni",
    ("UserDisabled", "id"): _USER_ID,
    ("TokenCreate", "name"): "ERP gudang Surabaya",
    ("TokenIssued", "id"): "9e1c3a5d-7b9f-4d1b-8a3c-5e7b9d1f3a82",
    ("TokenIssued", "name"): "ERP gudang Surabaya",
    ("TokenLine", "id"): "9e1c3a5d-7b9f-4d1b-8a3c-5e7b9d1f3a82",
    ("TokenLine", "name"): "ERP gudang Surabaya",
    ("AdminAuditEntry", "id"): "6b8d0f2a-4c6e-4a8c-9e0a-8d0f2b4d6f93",
    ("WebhookEndpoint", "id"): "4a6c8e0b-2d4f-4b6d-8f0b-6c8e0a2c4e71",
    ("WebhookCreated", "id"): "4a6c8e0b-2d4f-4b6d-8f0b-6c8e0a2c4e71",
    ("WebhookDelivery", "id"): "1c3e5a7b-9d1f-4c3e-8a5b-7d9f1b3d5e04",
    ("WebhookDelivery", "status"): "delivered",
    ("TreatmentCertificate", "status"): "released",
    ("ShelfLifeExplanation", "id"): "Umur simpan dasar 180 hari pada -18 °C; iradiasi 2,4 kGy "
    "menambah 90 hari.",
    ("ShelfLifeExplanation", "en"): "Base shelf life 180 days at -18 °C; irradiation at 2.4 kGy "
    "adds 90 days.",
    ("Health", "status"): "ready",
    ("Health", "detail"): "",
    ("ReleaseWarning", "code"): "best_before_passed",
    ("FoodCategory", "code"): "fish_seafood",
    ("Event", "kind"): "released",
    ("CertifiedDosimeterReading", "type"): "alanine",
    ("Verification", "storage_temp_c"): -18.0,
    ("ScanSummary", "count"): 3,
    ("AdminAuditEntry", "subject_id"): _PRODUCER_ID,
    ("ProblemDetails", "type"): "https://radura.id/problems/batch_not_released",
    ("ProblemDetails", "title"): "Conflict",
    ("ProblemDetails", "status"): 409,
    ("ProblemDetails", "detail"): "Labels are issued only for a released batch; this one is "
    "treated.",
    ("ProblemDetails", "code"): "batch_not_released",
}
# where the name says nothing a value could follow, the format does
BY_FORMAT: dict[str, Any] = {
    "date": "2026-11-01",
    "date-time": BY_NAME["created_at"],
    "uuid": _BATCH_ID,
}
# GS1's schemas, placed in the document unchanged: their examples are whole documents
_UNCHANGED = ("EPCIS", "Linkset", "ResolverDescription")
_SCALAR_TYPES = ("string", "number", "integer")
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
}


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether a value is of the schema's type and, for a date or a time, of its format."""
    (only,) = _scalar_options(schema)
    if isinstance(value, bool) or not isinstance(value, _PYTHON_TYPES[only["type"]]):
        return False
    kind = only.get("format")
    return kind not in ("date", "date-time") or (len(str(value)) == 10) == (kind == "date")


def example_for(schema_name: str | None, field: str, schema: dict[str, Any]) -> Any | None:
    value = BY_SCHEMA.get((schema_name or "", field), BY_NAME.get(field))
    if value is not None and _fits(value, schema):
        return value
    (only,) = _scalar_options(schema)
    return BY_FORMAT.get(only.get("format", ""))


def _scalar_options(schema: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return [o for o in options if o.get("type") != "null"]
    return [schema]


def needs_example(schema: dict[str, Any]) -> bool:
    """A scalar that is neither an enum nor a constant: what an example says something about."""
    options = _scalar_options(schema)
    if len(options) != 1:
        return False
    only = options[0]
    return (
        only.get("type") in _SCALAR_TYPES
        and "enum" not in only
        and "const" not in only
        and "examples" not in only
        and "examples" not in schema
        and "example" not in schema
    )


def body_example(component: str) -> Any | None:
    """A whole body of one of `bodies`' schemas, as the app writes it for the example label."""
    if component == bodies.LINKSET:
        unsigned = f"/01/{EXAMPLE_GTIN}/10/{EXAMPLE_LOT}/21/{EXAMPLE_SERIAL}?17={EXAMPLE_EXPIRY}"
        title = "Label Radura: Udang vaname beku kupas"
        return linkset.label_linkset(_LABEL_BASE, unsigned, EXAMPLE_SIGNATURE, title)
    if component == bodies.RESOLVER_DESCRIPTION:
        return linkset.resolver_description(_LABEL_BASE)
    if component == bodies.JWKS:
        key = {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig"}
        return {
            "keys": [
                key
                | {
                    "x": "oyEFJuJsJezJf5WqNI6MlnNAUTXGJwKX80E7gIAxm_c",
                    "kid": "a857fcbd7099429d",
                    "status": "active",
                },
                key
                | {
                    "x": "Zm3sQe0y1VtJb8nq2X7cRk4dPa9LwH5uTg6fYh1Ei0o",
                    "kid": "3c91e0d27f5a8b64",
                    "status": "retired",
                },
            ]
        }
    return None


def add_examples(document: dict[str, Any]) -> None:
    """Put an example on every scalar property and parameter that has none."""
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if name.startswith(_UNCHANGED):
            continue
        for field, property_schema in schema.get("properties", {}).items():
            if needs_example(property_schema):
                value = example_for(name, field, property_schema)
                if value is not None:
                    property_schema["examples"] = [value]
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if "example" in parameter or not needs_example(schema):
                    continue
                # a parameter's meaning may be its operation's: (operationId, name) first
                value = example_for(operation.get("operationId"), parameter["name"], schema)
                if value is not None:
                    parameter["example"] = value
