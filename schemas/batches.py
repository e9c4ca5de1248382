"""Batches and their life: registration, receipt, treatment with dosimeters, QA, recall, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, get_args
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from schemas.common import (
    NAME_PATTERN,
    FieldRule,
    LongText,
    Reason,
    check_public_texts,
    check_rules,
    one_line,
    text_field_error,
)
from schemas.dose_maps import DoseMapUsed
from schemas.products import Product
from schemas.shelf_life import PRODUCTION_DATE_MIN, ShelfLifeResult

BatchStatus = Literal[
    "registered", "received", "treated", "released", "rejected", "cancelled", "recalled"
]
# every status in the order of a batch's life (SPEC §2), for lists and counts
BATCH_STATUSES: tuple[BatchStatus, ...] = get_args(BatchStatus)
Unit = Literal["pcs", "kg"]
DosimeterPosition = Literal["min", "max", "reference", "other"]

JAKARTA = ZoneInfo("Asia/Jakarta")
# Clocks of the facility's PC and of the server disagree a little; "not in the future" allows this.
CLOCK_SKEW = timedelta(minutes=2)
# Earliest instant any record may carry: keeps far-past offsets from overflowing on conversion.
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)

Lot = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9-]{1,20}$",
        description="The producer's lot number, unique per product.",
        examples=["RDG-2611-01"],
    ),
]
# at least a gram (kg); pieces are a whole number besides, so at least 1 (5e-324 kg is no batch)
Quantity = Annotated[
    float,
    msgspec.Meta(
        ge=0.001,
        le=1e9,
        description="At least 0.001 (kg); in pieces a whole number, so at least 1.",
    ),
]
# A reading or a computed dose, kGy. Zero cannot be a routine dosimeter reading of a treated batch
# (and would make DUR = max/min undefined).
# below 0.001 kGy a reading is not a dose (and 5e-324 next to 100 would make DUR infinite)
MeasuredDoseKgy = Annotated[
    float, msgspec.Meta(ge=0.001, le=100, description="Absorbed dose in kGy.")
]
# routine dosimeters of one treatment: at least one at each extreme (or reference readings with a
# dose map), and at most what one record holds
MIN_DOSIMETERS, MAX_DOSIMETERS = 2, 500
Instant = Annotated[datetime, msgspec.Meta(tz=True, description="RFC 3339 with an offset.")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NAME_PATTERN)]


def today_in_jakarta() -> date:
    return datetime.now(JAKARTA).date()


def check_instant(field: str, value: datetime | None) -> None:
    """A recorded instant lies between 2000 and now (plus clock skew)."""
    if value is None:
        return
    if value < EARLIEST_INSTANT:
        raise text_field_error(field, "must not be before 2000-01-01")
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise text_field_error(field, "must not be in the future")


def instant(field: str) -> FieldRule:
    """`check_instant` of one field, as a rule."""
    return FieldRule((field,), lambda body: check_instant(field, getattr(body, field)))


# --- registration ---------------------------------------------------------------------------


def _check_production_date(body: Any) -> None:
    if body.production_date > today_in_jakarta():
        raise text_field_error("production_date", "must not be in the future (Asia/Jakarta)")
    if body.production_date < PRODUCTION_DATE_MIN:
        raise text_field_error(
            "production_date", f"must not be before {PRODUCTION_DATE_MIN.isoformat()}"
        )


def _check_whole_pieces(body: Any) -> None:
    if body.unit == "pcs" and not body.quantity.is_integer():
        raise text_field_error("quantity", "must be a whole number of pieces")


class BatchCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/batches."""

    product_id: UUID
    facility_id: UUID
    lot: Lot
    production_date: date
    quantity: Quantity
    unit: Unit

    RULES: ClassVar[tuple[FieldRule, ...]] = (
        *one_line("lot"),
        FieldRule(("production_date",), _check_production_date),
        FieldRule(("quantity", "unit"), _check_whole_pieces),
    )

    def __post_init__(self) -> None:
        check_rules(self, self.RULES)


class Batch(msgspec.Struct, kw_only=True):
    """A batch as lists show it."""

    id: UUID
    code: str
    status: BatchStatus
    product_id: UUID
    # the product's version the batch was registered with, which it reads everywhere (the
    # default: answers stored for idempotent retries before versions existed, all of version 1)
    product_version: int = 1
    producer_id: UUID
    facility_id: UUID
    lot: str
    production_date: date
    quantity: float
    unit: str
    best_before: date | None
    created_at: datetime
    updated_at: datetime


# --- facility work --------------------------------------------------------------------------


class ActorRef(msgspec.Struct):
    """Who did something: the user's id, name and role at the time."""

    id: UUID | None
    name: str | None
    role: str | None


class ReceiptCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/batches/{id}/receipt."""

    quantity_received: Quantity
    condition: Label | None = None
    notes: LongText | None = None
    received_at: Instant | None = None

    RULES: ClassVar[tuple[FieldRule, ...]] = (*one_line("condition"), instant("received_at"))

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_rules(self, self.RULES)


class Receipt(msgspec.Struct, kw_only=True):
    quantity_received: float
    condition: str | None
    notes: str | None
    received_at: datetime
    received_by: ActorRef


class ReceiptRecorded(Receipt, kw_only=True):
    """The receipt and the batch's new status."""

    batch_id: UUID
    status: BatchStatus


class DosimeterReading(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One routine dosimeter: where it sat in the load and what it read."""

    dosimeter_id: Label
    type: Label
    position: DosimeterPosition
    dose_kgy: MeasuredDoseKgy
    calibration_ref: Label | None = None

    RULES: ClassVar[tuple[FieldRule, ...]] = one_line("dosimeter_id", "type", "calibration_ref")

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_rules(self, self.RULES)


def _check_ends_after_start(body: Any) -> None:
    if body.ended_at <= body.started_at:
        raise text_field_error("ended_at", "must be after started_at")


def _check_dosimeters_once(body: Any) -> None:
    ids = [d.dosimeter_id for d in body.dosimeters]
    if len(set(ids)) != len(ids):
        raise text_field_error("dosimeters", "each dosimeter_id may appear only once")


class TreatmentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/batches/{id}/treatment: the dose record of one (multi-pass) run."""

    irradiator_id: UUID
    run_id: Label
    started_at: Instant
    ended_at: Instant
    dosimeters: Annotated[
        list[DosimeterReading],
        msgspec.Meta(min_length=MIN_DOSIMETERS, max_length=MAX_DOSIMETERS),
    ]
    passes: Annotated[int, msgspec.Meta(ge=1, le=1000)] | None = None
    dwell_time_s: Annotated[float, msgspec.Meta(gt=0, le=1e7)] | None = None
    conveyor_speed_m_min: Annotated[float, msgspec.Meta(gt=0, le=1000)] | None = None
    # down to liquid nitrogen: some products are irradiated deep-frozen
    product_temp_c: Annotated[float, msgspec.Meta(ge=-200, le=100)] | None = None
    atmosphere: Label | None = None
    pq_ref: Label | None = None
    # a dose map of the same irradiator: reference readings × its ratios give the extremes
    dose_map_id: UUID | None = None

    RULES: ClassVar[tuple[FieldRule, ...]] = (
        *one_line("run_id", "atmosphere", "pq_ref"),
        instant("started_at"),
        instant("ended_at"),
        FieldRule(("started_at", "ended_at"), _check_ends_after_start),
        FieldRule(("dosimeters",), _check_dosimeters_once),
    )

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_rules(self, self.RULES)


class IrradiatorRef(msgspec.Struct):
    """The irradiator as the treatment used it: its details are copied when the treatment is
    recorded, so a later edit of the irradiator never rewrites a past treatment."""

    id: UUID
    name: str
    source_type: str
    activity_kci: float | None = None
    max_energy_mev: float | None = None


class Dosimeter(msgspec.Struct, kw_only=True):
    dosimeter_id: str
    type: str
    position: DosimeterPosition
    dose_kgy: float
    calibration_ref: str | None


class Treatment(msgspec.Struct, kw_only=True):
    """The dose record: D_min, D_max and DUR computed from the dosimeters, and the verdict."""

    irradiator: IrradiatorRef
    run_id: str
    started_at: datetime
    ended_at: datetime
    passes: int | None
    dwell_time_s: float | None
    conveyor_speed_m_min: float | None
    product_temp_c: float | None
    atmosphere: str | None
    pq_ref: str | None
    dose_min_kgy: float
    dose_max_kgy: float
    dur: float
    # the dose map as used (None: extremes from min/max positions only) and the uncertainty U
    dose_map: DoseMapUsed | None
    expanded_uncertainty_pct: float
    # D_min·(1 − U) and D_max·(1 + U): the doses conformity and the shelf life are judged on
    dose_min_corrected_kgy: float
    dose_max_corrected_kgy: float
    # the limits this treatment was judged against, as they stood when it was recorded
    product_min_dose_kgy: float
    legal_max_dose_kgy: float
    conforming: bool
    nonconformities: list[str]
    dosimeters: list[Dosimeter]
    # the facility's BAPETEN licence when the treatment was recorded
    facility_licence_no: str | None
    facility_licence_valid_until: date | None
    recorded_by: ActorRef
    recorded_at: datetime


class TreatmentRecorded(Treatment, kw_only=True):
    """The treatment and the batch's new status."""

    batch_id: UUID
    status: BatchStatus


def _check_readable_reason(body: Any) -> None:
    if not body.reason.strip():
        raise text_field_error("reason", "must be readable text")


class ReasonBody(msgspec.Struct, forbid_unknown_fields=True):
    """Why a batch is rejected or recalled; shown to shoppers on a recall."""

    reason: Reason

    RULES: ClassVar[tuple[FieldRule, ...]] = (FieldRule(("reason",), _check_readable_reason),)

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_rules(self, self.RULES)


# --- the whole record -----------------------------------------------------------------------


class OrganizationRef(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    address: str
    city: str
    province: str | None
    country: str
    # facilities only: the BAPETEN licence as it stands now
    licence_no: str | None = None
    licence_valid_until: date | None = None


class Decision(msgspec.Struct, kw_only=True):
    """A QA release, a QA rejection or a recall: who, when and (except a release) why."""

    by: ActorRef
    at: datetime
    reason: str | None = None


class LabelCounts(msgspec.Struct, kw_only=True):
    serials_issued: int


class BatchRecord(Batch, kw_only=True):
    """GET /api/v1/batches/{id}: the batch with everything recorded about it."""

    product: Product
    producer: OrganizationRef
    facility: OrganizationRef
    receipt: Receipt | None
    treatment: Treatment | None
    release: Decision | None
    rejection: Decision | None
    cancelled_at: datetime | None
    shelf_life: ShelfLifeResult | None
    recall: Decision | None
    labels: LabelCounts


class ReleaseWarning(msgspec.Struct):
    """Something a QA officer should know about a release the service still performs."""

    code: str
    message: str


class BatchReleased(BatchRecord, kw_only=True):
    """POST /api/v1/batches/{id}/release: the released batch and the release's warnings:
    `best_before_passed` when the fixed best-before date is before today (Asia/Jakarta), so
    every scan of its labels says it is out of date. Empty when there is nothing to warn of;
    the release is never refused for a warning (the program decides)."""

    warnings: list[ReleaseWarning]


# --- audit log ------------------------------------------------------------------------------


class Event(msgspec.Struct, kw_only=True):
    """One audit event; `hash` = sha256(prev_hash ‖ canonical JSON), both hex."""

    seq: int
    kind: str
    at: datetime
    actor: ActorRef | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


class EventLog(msgspec.Struct, kw_only=True):
    items: list[Event]
    chain_valid: bool
