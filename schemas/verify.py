"""Public verification of a label (SPEC §6) and the scan statistics of a batch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

Verdict = Literal["genuine", "expired", "recalled", "suspect", "unverified", "invalid"]
SignatureState = Literal["valid", "invalid", "missing"]


class ProductInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    category: str
    registration_no: str | None
    gtin: str | None


class ProducerInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    city: str
    # the number the producer gave for shoppers' questions, as they entered it
    phone: str | None = None


class FacilityInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    address: str


class TreatmentInfo(msgspec.Struct, frozen=True, kw_only=True):
    facility: FacilityInfo
    irradiated_on: str  # YYYY-MM, in Asia/Jakarta
    purpose: str
    source_type: str
    dose_min_kgy: float
    dose_max_kgy: float


class RecallInfo(msgspec.Struct, frozen=True, kw_only=True):
    reason: str
    at: datetime


class ScanSummary(msgspec.Struct, frozen=True, kw_only=True):
    """How often this label (its serial, or the batch-level label) was scanned, this scan too."""

    count: int
    first_at: datetime | None


class Verification(msgspec.Struct, frozen=True, kw_only=True):
    """What a scan of a label issued by Radura answers (200)."""

    verdict: Verdict
    signature: SignatureState
    code: str
    serial: str | None
    lot: str
    product: ProductInfo
    producer: ProducerInfo
    treatment: TreatmentInfo
    best_before: date
    storage_temp_c: float
    recall: RecallInfo | None
    scans: ScanSummary


class UnverifiedVerification(msgspec.Struct, frozen=True, kw_only=True):
    """A GS1 URI of one of Radura's GTINs without a signature (200): the product and its producer,
    never the lot's data, treatment or best-before, since nothing proves this pack is one of
    Radura's; a recall of the lot it names is shown all the same (SPEC §6.1)."""

    verdict: Literal["unverified"]
    signature: Literal["missing"]
    product: ProductInfo
    producer: ProducerInfo
    recall: RecallInfo | None


class InvalidVerification(msgspec.Struct, frozen=True, kw_only=True):
    """A label Radura did not issue (404): nothing more is said, not even if the code exists."""

    verdict: Literal["invalid"]
    signature: SignatureState


class ScanDay(msgspec.Struct, frozen=True, kw_only=True):
    """Scans of one day (Asia/Jakarta), per verdict, and how many distinct clients scanned."""

    date: date
    total: int
    distinct_clients: int
    genuine: int
    expired: int
    recalled: int
    suspect: int
    invalid: int


class BatchScans(msgspec.Struct, frozen=True, kw_only=True):
    """GET /api/v1/batches/{id}/scans: the batch's scan log, per day and per verdict."""

    batch_id: UUID
    total: int
    by_verdict: dict[str, int]
    distinct_serials: int
    suspect_serials: int
    first_at: datetime | None
    last_at: datetime | None
    days: list[ScanDay]


class CertifiedDosimeterReading(msgspec.Struct, frozen=True, kw_only=True):
    position: str
    type: str
    dose_kgy: float


class IrradiatorInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    source_type: str


class TreatmentCertificate(msgspec.Struct, frozen=True, kw_only=True):
    """The dose record behind a label (its GS1 `certificationInfo` link): what was done, where,
    with which readings, against which limits."""

    certificate: Literal["radura-treatment/1"]
    code: str
    lot: str
    serial: str | None
    status: str
    product: ProductInfo
    producer: ProducerInfo
    purpose: str
    facility: FacilityInfo
    irradiator: IrradiatorInfo
    run_id: str
    started_at: datetime
    ended_at: datetime
    passes: int | None
    dose_min_kgy: float
    dose_max_kgy: float
    dur: float
    # the dose-mapping study the extremes come from, and the dosimetry uncertainty applied
    dose_map_study_ref: str | None
    expanded_uncertainty_pct: float
    dose_min_corrected_kgy: float
    dose_max_corrected_kgy: float
    product_min_dose_kgy: float
    legal_max_dose_kgy: float
    legal_basis: str
    conforming: bool
    # the facility's BAPETEN licence under which the treatment was performed
    facility_licence_no: str | None
    dosimeters: list[CertifiedDosimeterReading]
    released_at: datetime | None
    best_before: date
