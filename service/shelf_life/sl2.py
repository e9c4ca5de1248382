"""The radura-sl/2 shelf-life model (SPEC.md §4 with its "Changes"): radura-sl/1 made
conservative where published results showed it optimistic — no credit below 1.0 kGy, a smaller
credit for mould-limited produce, the dose corrected for the dosimetry uncertainty, and no date
at all for a warm non-sterile reduced-oxygen pack."""

from fractions import Fraction
from typing import Final

from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import parameters as p
from service.shelf_life import steps
from service.shelf_life.derivation import Derivation, Refusal, RuleCode, ShelfLifeRefused

VERSION: Final = "radura-sl/2"


def derive(inputs: ShelfLifeInputs) -> Derivation:
    """Steps 1–6 of SPEC.md §4; raises ShelfLifeRefused (`vacuum_requires_chilling`)."""
    steps.check(inputs)
    steps.check_packaging_known(inputs, VERSION)
    storage_c = steps.exact(inputs.storage_temp_c)
    uncertainty = steps.exact(inputs.expanded_uncertainty_pct) / 100
    dose_used_kgy = steps.exact(inputs.dose_min_kgy) * (1 - uncertainty)
    rules: list[RuleCode] = []

    adjusted_base, temp_rule = steps.adjusted_base_days(inputs)
    if temp_rule is not None:
        rules.append(temp_rule)
    multiplier, credit_rules = _multiplier(inputs, storage_c, dose_used_kgy)
    rules.extend(credit_rules)
    model_days = steps.floor_days(adjusted_base * multiplier)

    study = steps.apply_study(inputs, dose_used_kgy, model_days)
    rules.extend(study.rules)
    extended_days = study.extended_days

    # Step 5: only a validated sterile product or a documented control is exempt.
    control = steps.documented_control(inputs)
    reduced_oxygen = inputs.packaging in p.REDUCED_OXYGEN_PACKAGINGS and not study.sterile
    if reduced_oxygen and control is None and storage_c > p.REDUCED_OXYGEN_CHILLED_MAX_C:
        _refuse_warm_reduced_oxygen(inputs)
    above_safe = storage_c > p.REDUCED_OXYGEN_SAFE_MAX_C
    if reduced_oxygen and above_safe and control is None:
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
        study_needs_sterile_dose=study.study_needs_sterile_dose,
        sterile_dose_without_study=study.sterile_dose_without_study,
        cap_lifted_by=control if reduced_oxygen and above_safe else None,
        dose_used_kgy=dose_used_kgy,
    )


def _multiplier(
    inputs: ShelfLifeInputs, storage_c: Fraction, dose_kgy: Fraction
) -> tuple[Fraction, list[RuleCode]]:
    """Step 2 with the sl/2 changes; every reason for no credit is listed."""
    reasons: list[RuleCode] = []
    if inputs.purpose not in p.CREDIT_PURPOSES:
        reasons.append(RuleCode.NO_CREDIT_PURPOSE)
    if inputs.category in p.NO_CREDIT_CATEGORIES:
        reasons.append(RuleCode.NO_CREDIT_CATEGORY)
    if storage_c <= p.FROZEN_MAX_STORAGE_C:
        reasons.append(RuleCode.NO_CREDIT_FROZEN)
    if dose_kgy < steps.exact(p.LOW_DOSE_THRESHOLD_KGY):
        reasons.append(RuleCode.NO_CREDIT_LOW_DOSE)
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


def _refuse_warm_reduced_oxygen(inputs: ShelfLifeInputs) -> None:
    packaging = {"vacuum": ("vakum", "vacuum"), "map": ("MAP", "MAP")}[inputs.packaging]
    temp_en = f"{inputs.storage_temp_c:g} °C"
    temp_id = temp_en.replace(".", ",")
    limit = p.REDUCED_OXYGEN_CHILLED_MAX_C
    raise ShelfLifeRefused(
        Refusal(
            "vacuum_requires_chilling",
            "storage_temp_c",
            f"Kemasan {packaging[0]} yang tidak steril dan tanpa faktor pengendali "
            "(aw < 0,97 atau pH < 5,0) "
            f"harus disimpan dingin, paling tinggi {limit} °C (C. botulinum non-proteolitik): "
            f"pada {temp_id} tidak ada dasar untuk menetapkan tanggal.",
            f"A non-sterile {packaging[1]} pack with no control (aw < 0.97 or pH < 5.0) must be "
            f"kept chilled, at most {limit} °C (non-proteolytic C. botulinum): at {temp_en} there "
            "is no basis for a date.",
        )
    )
