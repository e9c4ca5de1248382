"""Steps shared by every radura-sl version: temperature adjustment, studies, exact arithmetic."""

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import parameters as p
from service.shelf_life.derivation import RuleCode

# Arithmetic is exact (Fraction) so that a product that lands on a whole day is dated on that day:
# in binary floating point 5 · (1 + 3.0/3) happens to give 10, but 15 · (1 + 2.4/3) gives
# 26.999999999999996 and 49 · (12/21)² gives 15.999999999999998, and floor() would silently take a
# day off. Every input float is read as the decimal it was written as (its shortest repr), which is
# what the producer typed. Only a Q10 factor with a non-integer exponent is irrational; it is
# evaluated to 50 significant digits.
_IRRATIONAL_DIGITS = 50
# B · m is rounded to this many decimals of a day before the floor. It absorbs the 50-digit
# approximation above, and it keeps a storage temperature a hair (say 1e-12 °C) above the reference
# from costing a whole day: nothing measurable is that precise. 1e-9 day is 86 µs.
_DAY_DECIMALS = 9


def adjusted_base_days(inputs: ShelfLifeInputs) -> tuple[Fraction, RuleCode | None]:
    """Step 1: base shelf life at the label's storage temperature."""
    base = Fraction(inputs.base_shelf_life_days)
    reference_c = exact(inputs.reference_temp_c)
    storage_c = exact(inputs.storage_temp_c)
    if storage_c <= reference_c:
        return base, None  # no credit for colder storage
    t_min = Fraction(p.SQRT_MODEL_T_MIN_C)
    if inputs.category in p.SQRT_MODEL_CATEGORIES and storage_c > t_min:
        # The square-root model's rate is (T − T_min)² above T_min and zero at or below it. Written
        # literally, ((Tr + 10)/(T + 10))² would turn a reference below −10 °C into a *longer* shelf
        # life when warmer (the square hides the sign). With the rate clamped at zero, a base
        # established at or below T_min says nothing about storage above it: B = 0.
        reference_excess = max(reference_c - t_min, Fraction(0))
        return base * (reference_excess / (storage_c - t_min)) ** 2, RuleCode.TEMP_ADJUST_SQRT
    # Other categories, and the sqrt categories when even the warmer storage is at or below T_min
    # (where the literal formula divides by zero or flips sign): the model predicts no microbial
    # growth there, but frozen quality still declines chemically, so the general Q10 applies.
    return base * q10_factor(storage_c - reference_c), RuleCode.TEMP_ADJUST_Q10


def q10_factor(warmer_by_c: Fraction) -> Fraction:
    exponent = -warmer_by_c / p.Q10_STEP_C
    if exponent.denominator == 1:
        return Fraction(p.Q10) ** exponent.numerator
    # Irrational: never a whole number, so a 50-digit value cannot move the floor (see above).
    with localcontext() as context:
        context.prec = _IRRATIONAL_DIGITS
        factor = Decimal(p.Q10) ** (Decimal(exponent.numerator) / Decimal(exponent.denominator))
    return Fraction(factor)


def documented_control(inputs: ShelfLifeInputs) -> str | None:
    """Which UK FSA controlling factor the inputs document, if any (strict: 0.97 is no control)."""
    if inputs.water_activity is not None and inputs.water_activity < p.CONTROL_WATER_ACTIVITY_BELOW:
        return "aw"
    if inputs.ph is not None and inputs.ph < p.CONTROL_PH_BELOW:
        return "ph"
    return None


def floor_days(days: Fraction) -> int:
    scale = 10**_DAY_DECIMALS
    return round(days * scale) // scale


def exact(value: float) -> Fraction:
    return Fraction(repr(float(value)))


def check(inputs: ShelfLifeInputs) -> None:
    # Inputs arrive validated (request decoding or a product row); these guard the arithmetic
    # against a caller that built a Struct by hand, since Struct __init__ does not validate.
    numbers = [inputs.reference_temp_c, inputs.storage_temp_c, inputs.dose_min_kgy]
    if not all(math.isfinite(number) for number in numbers):
        raise ValueError("temperatures and dose must be finite numbers")
    if inputs.base_shelf_life_days < 1:
        raise ValueError("base_shelf_life_days must be at least 1")
    if inputs.dose_min_kgy < 0:
        raise ValueError("dose_min_kgy must not be negative")
    if inputs.validated_shelf_life_days is not None and inputs.validated_shelf_life_days < 1:
        raise ValueError("validated_shelf_life_days must be at least 1")


# the packagings radura-sl/1 and radura-sl/2 knew: `hermetic` came with radura-sl/3, and an older
# version would read it as air
_PACKAGINGS_BEFORE_SL3 = frozenset({"air", "vacuum", "map"})


def check_packaging_known(inputs: ShelfLifeInputs, version: str) -> None:
    """An older version never dates a packaging it did not know (no stored result has one)."""
    if inputs.packaging not in _PACKAGINGS_BEFORE_SL3:
        raise ValueError(f"{version} does not know packaging {inputs.packaging!r}")


@dataclass(frozen=True, slots=True)
class StudyOutcome:
    """Steps 3–4: what a validated storage study does to the model's days."""

    extended_days: int
    rules: list[RuleCode]
    sterile: bool
    study_needs_sterile_dose: bool
    sterile_dose_without_study: bool


def apply_study(inputs: ShelfLifeInputs, dose_kgy: Fraction, model_days: int) -> StudyOutcome:
    """Steps 3–4. Step 4 needs a study as well as the dose: without one there are no "validated
    study's days" to use, so a sterilising dose alone does not make the product count as sterile
    (it stays under step 5)."""
    study_days = inputs.validated_shelf_life_days
    sterile_dose = (
        inputs.category == p.STERILE_CATEGORY
        and inputs.purpose == p.STERILE_PURPOSE
        and dose_kgy >= p.STERILE_MIN_DOSE_KGY
    )
    sterile = sterile_dose and study_days is not None
    rules: list[RuleCode] = []
    study_needs_sterile_dose = False
    extended_days = model_days
    if study_days is not None and sterile:
        extended_days = study_days
        rules += [RuleCode.VALIDATED_STUDY, RuleCode.STERILE_VALIDATED]
    elif study_days is not None and inputs.category == p.STERILE_CATEGORY:
        # SPEC ambiguity, decided conservatively: read literally, step 3 would let a sterile meal's
        # study (months at 30 °C) date a batch that never got the sterilising dose. That study
        # validated a ≥ 45 kGy process, so for a lower dose it can only cap the date, not raise it.
        study_needs_sterile_dose = True
        if study_days < model_days:
            extended_days = study_days
            rules.append(RuleCode.VALIDATED_STUDY)
    elif study_days is not None:
        extended_days = study_days
        rules.append(RuleCode.VALIDATED_STUDY)
    return StudyOutcome(
        extended_days=extended_days,
        rules=rules,
        sterile=sterile,
        study_needs_sterile_dose=study_needs_sterile_dose,
        sterile_dose_without_study=sterile_dose and study_days is None,
    )
