"""The radura-sl/1 shelf-life model (SPEC.md §4): a pure function from inputs to a dated result."""

from fractions import Fraction
from typing import Final

from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import parameters as p
from service.shelf_life import steps
from service.shelf_life.derivation import Derivation, RuleCode

# The version of the stored results this module re-derives; its numbers never change.
VERSION: Final = "radura-sl/1"


def derive(inputs: ShelfLifeInputs) -> Derivation:
    """Steps 1–6 of SPEC.md §4 as radura-sl/1 had them, with exact intermediate values."""
    steps.check(inputs)
    steps.check_packaging_known(inputs, VERSION)
    storage_c = steps.exact(inputs.storage_temp_c)
    dose_kgy = steps.exact(inputs.dose_min_kgy)
    rules: list[RuleCode] = []

    adjusted_base, temp_rule = steps.adjusted_base_days(inputs)
    if temp_rule is not None:
        rules.append(temp_rule)
    multiplier, credit_rules = _multiplier(inputs, storage_c, dose_kgy)
    rules.extend(credit_rules)
    model_days = steps.floor_days(adjusted_base * multiplier)

    study = steps.apply_study(inputs, dose_kgy, model_days)
    rules.extend(study.rules)
    extended_days = study.extended_days
    sterile = study.sterile

    # Step 5 caps whatever steps 3–4 or 6 produced; only a validated sterile product is exempt.
    reduced_oxygen_chilled = (
        inputs.packaging in p.REDUCED_OXYGEN_PACKAGINGS
        and storage_c > p.REDUCED_OXYGEN_SAFE_MAX_C
        and not sterile
    )
    control = steps.documented_control(inputs)
    if reduced_oxygen_chilled and control is None:
        extended_days = min(extended_days, p.REDUCED_OXYGEN_CAP_DAYS)
        # Listed whenever the cap is in force, not only when it shortens the date: the producer
        # must know that no dose or study can take this pack past 10 days.
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
        study_needs_sterile_dose=study.study_needs_sterile_dose,
        sterile_dose_without_study=study.sterile_dose_without_study,
        cap_lifted_by=control if reduced_oxygen_chilled else None,
    )


def _multiplier(
    inputs: ShelfLifeInputs, storage_c: Fraction, dose_kgy: Fraction
) -> tuple[Fraction, list[RuleCode]]:
    """Step 2: the dose multiplier, or every reason there is none."""
    # All reasons are listed, not just the first: a producer reading "sprout inhibition" alone
    # might think another purpose would earn a credit for onions.
    reasons: list[RuleCode] = []
    if inputs.purpose not in p.CREDIT_PURPOSES:
        reasons.append(RuleCode.NO_CREDIT_PURPOSE)
    if inputs.category in p.NO_CREDIT_CATEGORIES:
        reasons.append(RuleCode.NO_CREDIT_CATEGORY)
    if storage_c <= p.FROZEN_MAX_STORAGE_C:
        reasons.append(RuleCode.NO_CREDIT_FROZEN)
    if reasons:
        return Fraction(1), reasons
    cap = steps.exact(p.MULTIPLIER_CAP)
    uncapped = 1 + dose_kgy / steps.exact(p.DOSE_PER_UNIT_CREDIT_KGY)
    if uncapped >= cap:  # at exactly the cap (3.0 kGy) the cap is what sets m
        return cap, [RuleCode.DOSE_CREDIT_CAPPED]
    return uncapped, [RuleCode.DOSE_CREDIT]
