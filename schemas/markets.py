"""Export markets (SPEC §13.3): countries and unions a shipment goes to, with their rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from schemas.common import TEXT_END, Name, ShortText

MarketCode = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^[A-Z]{{2,3}}{TEXT_END}",
        description="A market: an ISO 3166-1 alpha-2 country code, or a union's code (`EU`, "
        "`GCC`). A member country of a union stands for the union.",
        examples=["ID", "EU", "GCC", "JP"],
    ),
]


class Market(msgspec.Struct, kw_only=True):
    """An export market: a country, or a union of countries whose shipments it takes."""

    code: str
    name: str
    kind: Literal["country", "union"]
    # a union's member countries (ISO 3166-1 alpha-2); empty for a country
    members: list[str]
    # the language of a label printed for the market when none is asked for (ISO 639-1);
    # None: the buyer country's language must be named (`lang`), as for the EU
    label_language: str | None = None
    # what may be shipped there (category × purpose, dose limit, words, approvals): data
    # maintained by an administrator; a market without rules admits nothing but `ID`
    rules: list[MarketRule]


DoseMetric = Literal["maximum", "overall_average"]
ApprovalKind = Literal["eu_facility_list", "fda_registration", "aphis", "gacc", "other"]
Confidence = Literal["H", "M", "L"]
SourceType = Literal["cobalt-60", "cesium-137", "electron-beam", "x-ray"]
HsPrefix = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2,10}$", examples=["0701"])]
Language = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2}$", examples=["en", "zh"])]
Category = Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,60}$")]


class MarketRule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One row of a market's rules: a food category × purpose (optionally only the HS codes
    starting with one of `hs_prefixes`) → allowed or not, the dose limit by its metric, and what
    the label and the facility need. `confidence` H/M/L as DOMAIN §8.10 grades its source."""

    category: Category
    purpose: Category
    hs_prefixes: Annotated[list[HsPrefix], msgspec.Meta(max_length=20)] = []
    allowed: bool
    dose_limit_kgy: Annotated[float, msgspec.Meta(gt=0, le=100)] | None = None
    dose_metric: DoseMetric = "maximum"
    # the highest source energy per machine source type, e.g. {"x-ray": 5}
    max_source_energy_mev: dict[SourceType, Annotated[float, msgspec.Meta(gt=0, le=20)]] = {}
    # statutory words per language, e.g. {"en": ["Treated with radiation"]}
    statutory_words: dict[Language, Annotated[list[Name], msgspec.Meta(max_length=10)]] = {}
    # the labelling provision the words come from (often not the one admitting the food)
    statutory_words_source: ShortText | None = None
    symbol_required: bool = False
    # the approval kind the irradiating facility needs for this market; None: none needed
    facility_approval: ApprovalKind | None = None
    source: ShortText
    confidence: Confidence
    unconfirmed: bool = False

    def __post_init__(self) -> None:
        if self.allowed and self.dose_limit_kgy is None:
            raise ValueError("dose_limit_kgy: an allowed rule needs its dose limit")


class MarketRulesPut(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """Body of PUT /api/v1/markets/{code}: the market's rules, all of them (they replace the
    market's rows), and the language its labels are printed in when none is asked for."""

    # ISO 639-1, a language the rules' statutory words are in (422 otherwise); null: the buyer
    # country's language must be named, as for the EU; left out: unchanged. First, so that the
    # console's form shows it above the rules.
    label_language: Language | msgspec.UnsetType | None = msgspec.UNSET
    rules: Annotated[list[MarketRule], msgspec.Meta(max_length=200)]


class FacilityApproval(msgspec.Struct, kw_only=True):
    """A facility's approval for a market, valid from `valid_from` to `valid_until` inclusive."""

    market: str
    kind: ApprovalKind
    reference: str
    valid_from: date
    valid_until: date


class FacilityApprovalCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/organizations/{id}/approvals."""

    market: MarketCode
    kind: ApprovalKind
    reference: Name
    valid_from: date
    valid_until: date

    def __post_init__(self) -> None:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until: must not be before valid_from")


class FacilityApprovalRecord(msgspec.Struct, kw_only=True):
    id: UUID
    organization_id: UUID
    market: str
    kind: ApprovalKind
    reference: str
    valid_from: date
    valid_until: date
    created_at: datetime


FailedRule = Literal[
    "category_purpose", "hs_code", "dose_limit", "source_energy", "facility_approval"
]


class MarketFailure(msgspec.Struct, kw_only=True):
    """One rule of a market that a product or shipment does not meet, with the rule's source."""

    rule: FailedRule
    detail: str
    source: str
    confidence: Confidence


class ProductMarket(msgspec.Struct, kw_only=True):
    """Whether a product may go to a market, and every rule it fails there."""

    market: str
    allowed: bool
    failed: list[MarketFailure]


class ProductMarkets(msgspec.Struct, kw_only=True):
    items: list[ProductMarket]
