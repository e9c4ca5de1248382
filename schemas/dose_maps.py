"""Dose maps: the ratios of an irradiator's performance qualification that turn a reference
reading into the product's minimum and maximum dose (SPEC §3.3, DOMAIN.md §7)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Annotated
from uuid import UUID

import msgspec

from schemas.common import Name, ShortText, check_public_texts

# What a dose-mapping study can find; the database holds new rows to the same (migration 0111).
RATIO_MIN_LOWEST, RATIO_MAX_HIGHEST = 0.2, 5.0


def ratios_within_bounds(ratio_min: float, ratio_max: float) -> bool:
    """Both ratios within their bounds, so DUR = max ÷ min stays finite (at most 25)."""
    return RATIO_MIN_LOWEST <= ratio_min <= 1 <= ratio_max <= RATIO_MAX_HIGHEST and math.isfinite(
        ratio_max / ratio_min
    )


RatioMin = Annotated[
    float,
    msgspec.Meta(
        ge=0.2,
        le=1,
        description="Lowest dose in the product ÷ dose at the reference position (a dose-mapping "
        "study finds 0.2 to 1; below, the map is a typing error and DUR = max ÷ min runs away).",
    ),
]
RatioMax = Annotated[
    float,
    msgspec.Meta(
        ge=1,
        le=5,
        description="Highest dose in the product ÷ dose at the reference position (1 to 5).",
    ),
]
UncertaintyPct = Annotated[
    float,
    msgspec.Meta(
        ge=0, le=20, description="Expanded uncertainty (k = 2) of the dosimetry system, percent."
    ),
]


class DoseMapCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of POST /api/v1/irradiators/{id}/dose-maps."""

    name: Name
    loading_pattern: ShortText
    reference_position: ShortText
    ratio_min: RatioMin
    ratio_max: RatioMax
    expanded_uncertainty_pct: UncertaintyPct
    study_ref: Name
    performed_on: date

    def __post_init__(self) -> None:
        check_public_texts(self)
        # the Meta bounds hold a decoded body; this holds a Struct built in code just the same
        if not ratios_within_bounds(self.ratio_min, self.ratio_max):
            raise ValueError("ratio_min: must be between 0.2 and 1, and ratio_max between 1 and 5")
        # the study is a past fact; a date ahead of today (in any time zone) is a typing error
        if self.performed_on > date.today() + timedelta(days=1):
            raise ValueError("performed_on: must not be in the future")


class DoseMap(msgspec.Struct, kw_only=True):
    id: UUID
    irradiator_id: UUID
    name: str
    loading_pattern: str
    reference_position: str
    ratio_min: float
    ratio_max: float
    expanded_uncertainty_pct: float
    study_ref: str
    performed_on: date
    created_at: datetime


class DoseMapUsed(msgspec.Struct, kw_only=True):
    """The map's values as a treatment used them; kept with the treatment, never looked up again."""

    id: UUID
    name: str
    loading_pattern: str
    reference_position: str
    ratio_min: float
    ratio_max: float
    expanded_uncertainty_pct: float
    study_ref: str
    performed_on: date
