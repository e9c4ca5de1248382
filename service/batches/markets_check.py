"""The export-market check of SPEC §13.3, pure: a product (and, once treated, its treatment)
against one market's rules → every rule it fails, each with the rule's source and confidence.

The shipment refusal and `GET /api/v1/products/{id}/markets` both answer from here; the data
they pass in comes from the database, the verdict from nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean

from schemas.markets import FacilityApproval, MarketFailure, MarketRule

HOME_MARKET = "ID"

# where a refusal comes from when the market's table has no row for the product at all
NO_ROW_SOURCE = "No row of this market's rules admits it (the markets table)"
# why a product going abroad needs its HS code (SPEC §13.3): customs classify it by it
_HS_CODE_SOURCE = "Harmonized System (WCO); the export declaration (PEB) and the export certificate"


@dataclass(frozen=True)
class ProductFacts:
    category: str
    purpose: str
    hs_code: str | None = None


@dataclass(frozen=True)
class TreatmentFacts:
    """What a treatment says about dose, source and date; `ratio_average` is the dose map's
    (None for a map recorded before it existed, or no map)."""

    treated_on: date
    dose_max_kgy: float
    reference_readings_kgy: Sequence[float]
    ratio_average: float | None
    source_type: str
    max_energy_mev: float | None
    facility_approvals: Sequence[FacilityApproval] = field(default_factory=tuple)


def overall_average_kgy(treatment: TreatmentFacts) -> float | None:
    """The overall average dose: the reference readings' mean × the map's average ratio
    (ISO/ASTM 51702); None when either is missing."""
    if treatment.ratio_average is None or not treatment.reference_readings_kgy:
        return None
    return fmean(treatment.reference_readings_kgy) * treatment.ratio_average


def _matches(rule: MarketRule, product: ProductFacts) -> bool:
    if (rule.category, rule.purpose) != (product.category, product.purpose):
        return False
    if not rule.hs_prefixes:
        return True
    return product.hs_code is not None and product.hs_code.startswith(tuple(rule.hs_prefixes))


def matching_rule(rules: Sequence[MarketRule], product: ProductFacts) -> MarketRule | None:
    """The market's row for the product (its category × purpose, and its HS code where the row
    narrows itself to prefixes), if any: the one whose verdict, limits and statutory words hold
    for it."""
    return next((r for r in rules if _matches(r, product)), None)


def _no_rule(product: ProductFacts, rules: Sequence[MarketRule], market: str) -> MarketFailure:
    narrowed = [r for r in rules if (r.category, r.purpose) == (product.category, product.purpose)]
    if narrowed and product.hs_code is None:
        prefixes = ", ".join(p for r in narrowed for p in r.hs_prefixes)
        detail = (
            f"{market} admits {product.category} × {product.purpose} only under HS codes "
            f"{prefixes}; the product has no hs_code."
        )
        return MarketFailure(
            rule="category_purpose",
            detail=detail,
            source=narrowed[0].source,
            confidence=narrowed[0].confidence,
        )
    if narrowed:
        prefixes = ", ".join(p for r in narrowed for p in r.hs_prefixes)
        return MarketFailure(
            rule="category_purpose",
            detail=f"{market} admits {product.category} × {product.purpose} only under HS codes "
            f"{prefixes}; the product's is {product.hs_code}.",
            source=narrowed[0].source,
            confidence=narrowed[0].confidence,
        )
    # the market's strongest source says what it admits; nothing else is admitted
    best = min(rules, key=lambda r: "HML".index(r.confidence), default=None)
    return MarketFailure(
        rule="category_purpose",
        detail=f"{market} does not admit irradiated {product.category} for {product.purpose}.",
        source=best.source if best else NO_ROW_SOURCE,
        confidence=best.confidence if best else "L",
    )


def _dose(rule: MarketRule, treatment: TreatmentFacts) -> MarketFailure | None:
    limit = rule.dose_limit_kgy
    if limit is None:
        return None
    if rule.dose_metric == "maximum":
        dose, what = treatment.dose_max_kgy, "maximum dose"
    else:
        average = overall_average_kgy(treatment)
        if average is None:
            return MarketFailure(
                rule="dose_limit",
                detail="average_dose_unknown: the limit is on the overall average dose, and the "
                "treatment's dose map has no ratio_average (or no reference reading).",
                source=rule.source,
                confidence=rule.confidence,
            )
        dose, what = average, "overall average dose"
    if dose > limit:
        return MarketFailure(
            rule="dose_limit",
            detail=f"The {what} is {dose:g} kGy; the limit is {limit:g} kGy.",
            source=rule.source,
            confidence=rule.confidence,
        )
    return None


def _energy(rule: MarketRule, treatment: TreatmentFacts) -> MarketFailure | None:
    limit = rule.max_source_energy_mev.get(treatment.source_type)  # type: ignore[call-overload]
    if limit is None:
        return None
    energy = treatment.max_energy_mev
    if energy is not None and energy <= limit:
        return None
    said = "unknown" if energy is None else f"{energy:g} MeV"
    return MarketFailure(
        rule="source_energy",
        detail=f"The {treatment.source_type} source's energy is {said}; at most {limit:g} MeV.",
        source=rule.source,
        confidence=rule.confidence,
    )


def _approval(rule: MarketRule, market: str, treatment: TreatmentFacts) -> MarketFailure | None:
    kind = rule.facility_approval
    if kind is None:
        return None
    for approval in treatment.facility_approvals:
        if (
            approval.market == market
            and approval.kind == kind
            and approval.valid_from <= treatment.treated_on <= approval.valid_until
        ):
            return None
    return MarketFailure(
        rule="facility_approval",
        detail=f"The facility has no {kind} approval for {market} valid on "
        f"{treatment.treated_on.isoformat()}, the treatment's date.",
        source=rule.source,
        confidence=rule.confidence,
    )


def check_market(
    market: str,
    rules: Sequence[MarketRule],
    product: ProductFacts,
    treatment: TreatmentFacts | None,
) -> list[MarketFailure]:
    """Every rule of `market` the product fails (empty: it may go there). Without a treatment
    (a product not yet treated) only category and purpose are judged. The home market's rules
    are BPOM's, which every released batch already meets."""
    if market == HOME_MARKET:
        return []
    rule = matching_rule(rules, product)
    if rule is None:
        return [_no_rule(product, rules, market)]
    if not rule.allowed:
        return [
            MarketFailure(
                rule="category_purpose",
                detail=f"{market} does not admit irradiated {product.category} for "
                f"{product.purpose}.",
                source=rule.source,
                confidence=rule.confidence,
            )
        ]
    unclassified = _hs_code(product)
    if treatment is None:
        return [unclassified] if unclassified else []
    found = (
        unclassified,
        _dose(rule, treatment),
        _energy(rule, treatment),
        _approval(rule, market, treatment),
    )
    return [failure for failure in found if failure is not None]


def _hs_code(product: ProductFacts) -> MarketFailure | None:
    if product.hs_code is not None:
        return None
    return MarketFailure(
        rule="hs_code",
        detail="A product going abroad needs its hs_code: the export declaration and the export "
        "certificate name it. Record it on the product.",
        source=_HS_CODE_SOURCE,
        confidence="H",
    )
