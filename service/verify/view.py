"""A verified label as the cache keeps it: the record's facts, and the answers built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from schemas.labels import ParsedLabel
from schemas.verify import (
    FacilityInfo,
    ProducerInfo,
    ProductInfo,
    RecallInfo,
    TreatmentInfo,
)
from service.verify.page_body import PageBody


@dataclass(slots=True, eq=False)
class LabelView:
    """What one label (batch + serial) shows; `signatures` are the `s` tokens verified for it.

    Everything here changes only through a row update that NOTIFYs (status, recall, names), so
    it is safe to cache while the listener is connected; the scan figures live in `Tallies`.
    """

    batch_id: UUID
    code: str
    serial: str | None
    lot: str
    status: str
    best_before: date
    storage_temp_c: float
    product: ProductInfo
    producer: ProducerInfo
    treatment: TreatmentInfo
    recall: RecallInfo | None
    category_names: tuple[str, str]
    irradiation_country: str  # the facility's country, as the label prints it
    net_content: str | None
    unsigned_path: str  # the signed message, as text: the links of the page and the linkset
    signatures: set[bytes] = field(default_factory=set)
    # rendered pages per (language, verdict), split at the scan count
    pages: dict[tuple[str, str], PageBody] = field(default_factory=dict)


def product_of(row: Any) -> ProductInfo:
    """The product as a label's row (or a GTIN's, for an unsigned request) names it."""
    return ProductInfo(
        name=row["product_name"],
        category=row["category"],
        registration_no=row["registration_no"],
        gtin=row["gtin"],
    )


def producer_of(row: Any) -> ProducerInfo:
    return ProducerInfo(
        name=row["producer_name"], city=row["producer_city"], phone=row["producer_phone"]
    )


def view_from_row(row: Any, parsed: ParsedLabel) -> LabelView:
    recall = None
    if row["status"] == "recalled":
        # a recall written straight in SQL may lack its time: the row's last change stands in
        at = row["recalled_at"] or row["updated_at"]
        recall = RecallInfo(reason=row["recall_reason"] or "", at=at)
    return LabelView(
        batch_id=row["batch_id"],
        code=row["code"],
        serial=parsed.serial,
        lot=row["lot"],
        status=row["status"],
        best_before=row["best_before"],
        storage_temp_c=row["storage_temp_c"],
        product=product_of(row),
        producer=producer_of(row),
        treatment=TreatmentInfo(
            facility=FacilityInfo(name=row["facility_name"], address=row["facility_address"]),
            irradiated_on=row["irradiated_on"],
            purpose=row["purpose"],
            source_type=row["source_type"],
            dose_min_kgy=row["dose_min_kgy"],
            dose_max_kgy=row["dose_max_kgy"],
        ),
        recall=recall,
        category_names=(row["category_name_id"], row["category_name_en"]),
        irradiation_country=row["facility_country"],
        net_content=row["net_content"],
        unsigned_path=parsed.signed_message.decode("ascii"),
    )
