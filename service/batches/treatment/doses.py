"""D_min, D_max and conformity of a treatment from its dosimeters and dose map (SPEC §3.3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from schemas.dose_maps import DoseMapUsed, ratios_within_bounds
from service.core.errors import RuleViolation


@dataclass(frozen=True, slots=True)
class DoseVerdict:
    """The extremes of the dose in the product and whether they conform (DOMAIN.md §3, §7)."""

    dose_min_kgy: float
    dose_max_kgy: float
    dur: float
    expanded_uncertainty_pct: float
    # D_min·(1 − U) and D_max·(1 + U): what conformity and the shelf life are judged on
    dose_min_corrected_kgy: float
    dose_max_corrected_kgy: float
    conforming: bool
    nonconformities: list[str]


def judge_doses(
    readings: Sequence[tuple[str, float]],
    dose_map: DoseMapUsed | None,
    *,
    product_min_dose_kgy: float,
    legal_max_dose_kgy: float,
) -> DoseVerdict:
    """`readings` are (position, dose in kGy). With a map, a reference reading times the map's
    ratio bounds the product's extremes, and a reading at a `min` (`max`) position counts too:
    the lower (higher) wins. Without a map only `min` and `max` positions say anything about the
    extremes — a reference dosimeter does not sit at the product's minimum, so taking its reading
    as D_min would overstate the minimum. 422 `dose_map_required` when an extreme is unknown."""
    by_position: dict[str, list[Decimal]] = {}
    for position, dose_kgy in readings:
        by_position.setdefault(position, []).append(_exact(dose_kgy))
    lows = list(by_position.get("min", []))
    highs = list(by_position.get("max", []))
    references = by_position.get("reference", [])
    uncertainty = Decimal(0)
    if dose_map is not None and not ratios_within_bounds(dose_map.ratio_min, dose_map.ratio_max):
        # a map stored before the bounds (migration 0111 keeps such rows, and says so)
        raise RuleViolation(
            "dose_map_out_of_bounds",
            "The dose map's ratios lie outside what a dose-mapping study can find (ratio_min 0.2 "
            "to 1, ratio_max 1 to 5); record a corrected dose map and use that one.",
            ratio_min=dose_map.ratio_min,
            ratio_max=dose_map.ratio_max,
        )
    if dose_map is not None and references:
        lows.append(min(references) * _exact(dose_map.ratio_min))
        highs.append(max(references) * _exact(dose_map.ratio_max))
    if dose_map is not None:
        uncertainty = _exact(dose_map.expanded_uncertainty_pct) / 100
    if not lows or not highs:
        _refuse_unknown_extremes(dose_map, missing="minimum" if not lows else "maximum")
    dose_min, dose_max = min(lows), max(highs)
    if dose_min <= 0:  # readings are positive after decoding; guards a hand-built call
        raise ValueError("a dose record needs positive readings")
    dose_min_corrected = dose_min * (1 - uncertainty)
    dose_max_corrected = dose_max * (1 + uncertainty)
    nonconformities = []
    if dose_min_corrected < _exact(product_min_dose_kgy):
        nonconformities.append("dose_below_minimum")
    if dose_max_corrected > _exact(legal_max_dose_kgy):
        nonconformities.append("dose_above_legal_maximum")
    return DoseVerdict(
        dose_min_kgy=float(dose_min),
        dose_max_kgy=float(dose_max),
        dur=float(dose_max / dose_min),
        expanded_uncertainty_pct=float(uncertainty * 100),
        dose_min_corrected_kgy=float(dose_min_corrected),
        dose_max_corrected_kgy=float(dose_max_corrected),
        conforming=not nonconformities,
        nonconformities=nonconformities,
    )


def _refuse_unknown_extremes(dose_map: DoseMapUsed | None, *, missing: str) -> None:
    if dose_map is None:
        detail = (
            "Without a dose map a treatment needs at least one dosimeter at a `min` position "
            "and one at a `max` position: reference and other readings say nothing about the "
            f"product's {missing} dose. Name the irradiator's dose map (`dose_map_id`) or add "
            "the dosimeter."
        )
    else:
        detail = (
            f"The product's {missing} dose is unknown: the treatment has no `reference` reading "
            f"to apply the dose map's ratio to, and no reading at the `{missing[:3]}` position."
        )
    raise RuleViolation("dose_map_required", detail, missing=missing)


def _exact(value: float) -> Decimal:
    # the decimal as typed: 2.2 × 0.9 is 1.98, not 1.9800000000000002
    return Decimal(repr(float(value)))
