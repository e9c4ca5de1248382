"""The radura-sl/3 shelf-life model (SPEC.md §4, "Changes in radura-sl/3"; DOMAIN.md §8): dates
that are never unsafe. Raw fish and meat out of the cold chain, a warm reduced-oxygen pack
without a control that stops proteolytic C. botulinum, and a sterile meal outside its study get
no date at all; a dry or warm-stored product earns no dose credit; a study sets the date only
inside the temperature, dose and packaging it validated."""

import math
from fractions import Fraction
from typing import Final

from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import parameters as p
from service.shelf_life import refusals, steps
from service.shelf_life.derivation import Derivation, Refusal, RuleCode, ShelfLifeRefused

VERSION: Final = "radura-sl/3"


def derive(inputs: ShelfLifeInputs) -> Derivation:
    """Steps 1–6 of SPEC.md §4 with every change of radura-sl/2 and radura-sl/3; raises
    ShelfLifeRefused listing every rule that refuses a date, in SPEC's order."""
    _check(inputs)
    if inputs.validated_shelf_life_days is not None and not _study_conditions_known(inputs):
        # a study whose conditions were never recorded cannot be held to them (SPEC §4 step 3)
        raise ShelfLifeRefused(refusals.study_conditions_missing(inputs))
    storage_c = steps.exact(inputs.storage_temp_c)
    uncertainty = steps.exact(inputs.expanded_uncertainty_pct) / 100
    # the dose used everywhere — credit, study, sterile threshold — is D_min·(1 − U)
    dose_used_kgy = steps.exact(inputs.dose_min_kgy) * (1 - uncertainty)

    study_failed = _study_failed(inputs, storage_c, dose_used_kgy)
    has_study = inputs.validated_shelf_life_days is not None
    study_applies = has_study and not study_failed
    sterile_meal = inputs.category == p.STERILE_CATEGORY
    sterile_failed = _sterile_failed(inputs, dose_used_kgy, study_failed) if sterile_meal else []
    sterile = sterile_meal and not sterile_failed
    reduced_oxygen = inputs.packaging in p.REDUCED_OXYGEN_PACKAGINGS_SL3 and not sterile_meal
    group_ii_control = steps.documented_control(inputs)  # aw < 0.97 or pH < 5.0
    group_i_control = _shelf_stable_control(inputs)  # aw ≤ 0.85 or pH ≤ 4.6

    refused: list[Refusal] = []
    if (
        inputs.category in p.RAW_FOOD_CATEGORIES
        and storage_c > p.RAW_FOOD_MAX_STORAGE_C
        and not _dried(inputs)
    ):
        refused.append(refusals.raw_food_requires_chilling(inputs))
    # a study that applies is a challenge test at this temperature and packaging (DOMAIN §8.1)
    if reduced_oxygen and not study_applies:
        if storage_c >= p.GROUP_I_MIN_GROWTH_C and group_i_control is None:
            refused.append(refusals.reduced_oxygen_uncontrolled(inputs))
        elif (
            p.REDUCED_OXYGEN_CHILLED_MAX_C < storage_c < p.GROUP_I_MIN_GROWTH_C
            and group_ii_control is None
        ):
            refused.append(refusals.vacuum_requires_chilling(inputs))
    if sterile_meal and not sterile:
        refused.append(refusals.study_not_applicable(inputs, float(dose_used_kgy), sterile_failed))
    if refused:
        raise ShelfLifeRefused(*refused)

    rules: list[RuleCode] = []
    adjusted_base, temp_rule = steps.adjusted_base_days(inputs)
    if temp_rule is not None:
        rules.append(temp_rule)
    multiplier, credit_rules = _multiplier(inputs, storage_c, dose_used_kgy)
    rules.extend(credit_rules)
    model_days = steps.floor_days(adjusted_base * multiplier)

    extended_days = model_days
    study_days = inputs.validated_shelf_life_days
    if study_days is not None and study_applies:
        extended_days = study_days
        rules.append(RuleCode.VALIDATED_STUDY)
        if sterile:
            rules.append(RuleCode.STERILE_VALIDATED)
    elif study_days is not None:
        # a study never lengthens a date outside what it validated; a shorter one still holds
        extended_days = min(model_days, study_days)
        rules.append(RuleCode.STUDY_NOT_APPLICABLE)

    # Step 5: the 10-day cap of the UK FSA rule for any dated reduced-oxygen pack above 3 °C
    # without aw < 0.97 or pH < 5.0. Above 8 °C such a pack is dated only when a study covers it;
    # the cap holds there too, or a pack kept at 9 °C would outlast the same pack kept at 6 °C.
    above_safe = storage_c > p.REDUCED_OXYGEN_SAFE_MAX_C
    if reduced_oxygen and above_safe and group_ii_control is None:
        extended_days = min(extended_days, p.REDUCED_OXYGEN_CAP_DAYS)
        rules.append(RuleCode.VACUUM_CHILLED_CAP)

    return Derivation(
        model=VERSION,
        inputs=inputs,
        adjusted_base_days=adjusted_base,
        multiplier=multiplier,
        model_days=model_days,
        extended_days=extended_days,
        rules=tuple(rules),
        frozen_base_not_transferable=(
            temp_rule is RuleCode.TEMP_ADJUST_SQRT and adjusted_base == 0
        ),
        cap_lifted_by=group_ii_control if reduced_oxygen and above_safe else None,
        dose_used_kgy=dose_used_kgy,
        study_failed=tuple(study_failed),
        warm_control=(
            group_i_control if reduced_oxygen and storage_c >= p.GROUP_I_MIN_GROWTH_C else None
        ),
    )


def _multiplier(
    inputs: ShelfLifeInputs, storage_c: Fraction, dose_kgy: Fraction
) -> tuple[Fraction, list[RuleCode]]:
    """Step 2 with the radura-sl/2 and radura-sl/3 changes; every reason for no credit."""
    reasons: list[RuleCode] = []
    if inputs.purpose not in p.CREDIT_PURPOSES:
        reasons.append(RuleCode.NO_CREDIT_PURPOSE)
    if inputs.category in p.NO_CREDIT_CATEGORIES:
        reasons.append(RuleCode.NO_CREDIT_CATEGORY)
    if storage_c <= p.FROZEN_MAX_STORAGE_C:
        reasons.append(RuleCode.NO_CREDIT_FROZEN)
    if dose_kgy < steps.exact(p.LOW_DOSE_THRESHOLD_KGY):
        reasons.append(RuleCode.NO_CREDIT_LOW_DOSE)
    if _dried(inputs):
        reasons.append(RuleCode.NO_CREDIT_DRY)
    chill_limit = p.CHILL_LIMIT_C.get(inputs.category)
    if chill_limit is not None and storage_c > steps.exact(chill_limit):
        reasons.append(RuleCode.NO_CREDIT_WARM_STORAGE)
    if reasons:
        return Fraction(1), reasons
    if inputs.category in p.PRODUCE_CATEGORIES:
        cap = steps.exact(p.PRODUCE_MULTIPLIER_CAP)
        uncapped = 1 + dose_kgy / steps.exact(p.PRODUCE_DOSE_PER_UNIT_CREDIT_KGY)
        return min(cap, uncapped), [RuleCode.DOSE_CREDIT_PRODUCE]
    cap = steps.exact(p.MULTIPLIER_CAP)
    uncapped = 1 + dose_kgy / steps.exact(p.DOSE_PER_UNIT_CREDIT_KGY)
    if uncapped >= cap:  # at exactly the cap (3.0 kGy) the cap is what sets m
        return cap, [RuleCode.DOSE_CREDIT_CAPPED]
    return uncapped, [RuleCode.DOSE_CREDIT]


def _dried(inputs: ShelfLifeInputs) -> bool:
    return inputs.water_activity is not None and inputs.water_activity <= p.DRY_WATER_ACTIVITY_MAX


def _shelf_stable_control(inputs: ShelfLifeInputs) -> str | None:
    """Which control stops proteolytic C. botulinum (aw ≤ 0.85 or pH ≤ 4.6), if any."""
    aw = inputs.water_activity
    if aw is not None and aw <= p.SHELF_STABLE_WATER_ACTIVITY_MAX:
        return "aw"
    if inputs.ph is not None and inputs.ph <= p.SHELF_STABLE_PH_MAX:
        return "ph"
    return None


def _study_conditions_known(inputs: ShelfLifeInputs) -> bool:
    return None not in (
        inputs.validated_study_temp_c,
        inputs.validated_study_dose_kgy,
        inputs.validated_study_packaging,
    )


def _study_failed(inputs: ShelfLifeInputs, storage_c: Fraction, dose_kgy: Fraction) -> list[str]:
    """The study's conditions this batch is outside; empty without a study or when it applies."""
    if inputs.validated_shelf_life_days is None:
        return []
    assert inputs.validated_study_temp_c is not None  # checked by the caller
    assert inputs.validated_study_dose_kgy is not None
    failed = []
    if storage_c > steps.exact(inputs.validated_study_temp_c):
        failed.append("temperature")
    if dose_kgy < steps.exact(inputs.validated_study_dose_kgy):
        failed.append("dose")
    if inputs.packaging != inputs.validated_study_packaging:
        failed.append("packaging")
    return failed


def _sterile_failed(
    inputs: ShelfLifeInputs, dose_kgy: Fraction, study_failed: list[str]
) -> list[str]:
    """Why a ready_meal_sterile product is not a validated sterile process here (it is dated only
    by its study, step 4): empty when it is."""
    failed = list(study_failed)
    if inputs.purpose != p.STERILE_PURPOSE:
        failed.append("purpose")
    if dose_kgy < p.STERILE_MIN_DOSE_KGY:
        failed.append("sterilising_dose")
    if inputs.validated_shelf_life_days is None:
        failed.append("no_study")
    return failed


def _check(inputs: ShelfLifeInputs) -> None:
    steps.check(inputs)
    numbers = [inputs.validated_study_temp_c, inputs.validated_study_dose_kgy]
    if not all(number is None or math.isfinite(number) for number in numbers):
        raise ValueError("the study's temperature and dose must be finite numbers")
    if not 0 <= inputs.expanded_uncertainty_pct < 100:
        raise ValueError("expanded_uncertainty_pct must be at least 0 and below 100")
