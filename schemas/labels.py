"""Value types of labels: what a QR points to, what a label prints, what a scanned URI says."""

from __future__ import annotations

import datetime
from typing import Literal

import msgspec

from schemas.common import Purpose

LabelForm = Literal["gs1", "short"]


class LabelRef(msgspec.Struct, frozen=True, kw_only=True):
    """What one QR identifies: a batch (by code, or GTIN + lot) and optionally one serial.

    With `gtin14` the URI is a GS1 Digital Link (`/01/…/10/…`), else the short `/v/{code}` form.
    """

    code: str
    lot: str
    gtin14: str | None = None
    serial: str | None = None
    best_before: datetime.date | None = None


class LabelContent(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one printed label shows (SPEC §5.2); `uri` is what its QR encodes."""

    uri: str
    code: str
    serial: str | None = None
    product_name: str
    producer_name: str
    producer_address: str = ""
    producer_city: str = ""
    registration_no: str | None = None
    lot: str
    production_date: datetime.date
    best_before: datetime.date
    storage_temp_c: float
    # the product's food category and packaging: frozen fish packed under vacuum is thawed
    # in the refrigerator (labels.wording.storage_phrases)
    category: str = ""
    packaging: str = ""
    purpose: Purpose
    facility_name: str
    facility_address: str  # street address and city (the certificate prints it)
    facility_city: str = ""  # a sticker prints the facility's name and city
    # Only the month and year are printed; a full date keeps the type honest.
    irradiated_on: datetime.date
    irradiation_country: str = "Indonesia"
    net_content: str | None = None
    # an export market's statutory words, as its table gives them for the label's language
    # ("Treated with radiation", "辐照食品"), printed next to the product name (SPEC §13.3)
    market_words: str = ""


class ParsedLabel(msgspec.Struct, frozen=True, kw_only=True):
    """A label URI taken apart by `labels.uri.parse_label_uri`.

    `signed_message` is the canonical path + query without `s`: the exact bytes the signature
    covers. `canonical_path` is the canonical path + query with `s` last, for a redirect when
    `canonical` is False (AIs 10/21 out of order, a GTIN shorter than 14 digits, odd escaping).
    """

    form: LabelForm
    gtin14: str | None
    lot: str | None
    serial: str | None
    code: str | None
    expiry: datetime.date | None
    signature: bytes | None
    signature_b64: str | None
    signed_message: bytes
    canonical: bool
    canonical_path: str
