"""Dose maps: the ratios of an irradiator's performance qualification that turn a reference
reading into the product's minimum and maximum dose (SPEC §3.3, DOMAIN.md §7)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from schemas.common import FieldRule, Name, ShortText, check_public_texts, check_rules

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
        ge=RATIO_MIN_LOWEST,
        le=1,
        description="Lowest dose in the product ÷ dose at the reference position (a dose-mapping "
        "study finds 0.2 to 1; below, the map is a typing error and DUR = max ÷ min runs away).",
    ),
]
RatioMax = Annotated[
    float,
    msgspec.Meta(
        ge=1,
        le=RATIO_MAX_HIGHEST,
        description="Highest dose in the product ÷ dose at the reference position (1 to 5).",
    ),
]
RatioAverage = Annotated[
    float,
    msgspec.Meta(
        ge=RATIO_MIN_LOWEST,
        le=RATIO_MAX_HIGHEST,
        description="Overall average dose in the product ÷ dose at the reference position "
        "(ISO/ASTM 51702), between ratio_min and ratio_max. Markets that limit the overall "
        "average dose (the EU) need it; a map without it leaves that average unknown.",
    ),
]
UncertaintyPct = Annotated[
    float,
    msgspec.Meta(
        ge=0, le=20, description="Expanded uncertainty (k = 2) of the dosimetry system, percent."
    ),
]


def _check_ratios(body: Any) -> None:
    # the Meta bounds hold a decoded body; this holds a Struct built in code just the same
    if not ratios_within_bounds(body.ratio_min, body.ratio_max):
        raise ValueError("ratio_min: must be between 0.2 and 1, and ratio_max between 1 and 5")


def _check_ratio_average(body: Any) -> None:
    average = body.ratio_average
    if average is not None and not body.ratio_min <= average <= body.ratio_max:
        raise ValueError("ratio_average: must lie between ratio_min and ratio_max")


def _check_performed_on(body: Any) -> None:
    # the study is a past fact; a date ahead of today (in any time zone) is a typing error
    if body.performed_on > date.today() + timedelta(days=1):
        raise ValueError("performed_on: must not be in the future")


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
    ratio_average: RatioAverage | None = None

    RULES: ClassVar[tuple[FieldRule, ...]] = (
        FieldRule(("ratio_min", "ratio_max"), _check_ratios),
        FieldRule(("ratio_min", "ratio_max", "ratio_average"), _check_ratio_average),
        FieldRule(("performed_on",), _check_performed_on),
    )

    def __post_init__(self) -> None:
        check_public_texts(self)
        check_rules(self, self.RULES)


class DoseMapPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of PATCH /api/v1/irradiators/{id}/dose-maps/{map_id}: a JSON merge patch whose
    result is the map's next version (a new map, with its own id); the map it replaces stays
    as treatments used it, and a new treatment may name only the newest version."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    loading_pattern: ShortText | msgspec.UnsetType = msgspec.UNSET
    reference_position: ShortText | msgspec.UnsetType = msgspec.UNSET
    ratio_min: RatioMin | msgspec.UnsetType = msgspec.UNSET
    ratio_max: RatioMax | msgspec.UnsetType = msgspec.UNSET
    expanded_uncertainty_pct: UncertaintyPct | msgspec.UnsetType = msgspec.UNSET
    study_ref: Name | msgspec.UnsetType = msgspec.UNSET
    performed_on: date | msgspec.UnsetType = msgspec.UNSET
    # the overall average's ratio, added to a map recorded before it was asked (or null)
    ratio_average: RatioAverage | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        check_public_texts(self)

    def changes(self) -> dict[str, object]:
        """The fields this patch sets."""
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if getattr(self, f) is not msgspec.UNSET
        }


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
    # 1 for a new map; a new version is a new map that replaces the one before it
    version: int = 1
    replaces_id: UUID | None = None
    # the newer version, once there is one: a treatment may no longer name this map
    replaced_by_id: UUID | None = None
    ratio_average: float | None = None


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
    version: int = 1  # maps recorded before versions were all the first
    # None: a map recorded before the field existed (its overall average dose is unknown)
    ratio_average: float | None = None
