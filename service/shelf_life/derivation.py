"""Rule codes of the radura-sl models and the record of one derivation, for model and text."""

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from schemas.shelf_life import ShelfLifeInputs


class RuleCode(StrEnum):
    """The codes a result lists in `rules`, in the order the model's steps fire them (SPEC §4)."""

    TEMP_ADJUST_SQRT = "temp_adjust_sqrt"
    TEMP_ADJUST_Q10 = "temp_adjust_q10"
    DOSE_CREDIT = "dose_credit"
    DOSE_CREDIT_CAPPED = "dose_credit_capped"
    NO_CREDIT_PURPOSE = "no_credit_purpose"
    NO_CREDIT_CATEGORY = "no_credit_category"
    NO_CREDIT_FROZEN = "no_credit_frozen"
    NO_CREDIT_LOW_DOSE = "no_credit_low_dose"  # radura-sl/2
    DOSE_CREDIT_PRODUCE = "dose_credit_produce"  # radura-sl/2
    VALIDATED_STUDY = "validated_study"
    STERILE_VALIDATED = "sterile_validated"
    VACUUM_CHILLED_CAP = "vacuum_chilled_cap"


@dataclass(frozen=True, slots=True)
class Derivation:
    """Exact intermediate values of one run, and the facts the explanation must mention."""

    model: str
    inputs: ShelfLifeInputs
    adjusted_base_days: Fraction
    multiplier: Fraction
    model_days: int
    extended_days: int
    rules: tuple[RuleCode, ...]
    # Base established at or below T_min, stored above it: the square-root model gives no days.
    frozen_base_not_transferable: bool = False
    # ready_meal_sterile whose measured dose is below the sterilising minimum: its study may only
    # lower the date, never raise it.
    study_needs_sterile_dose: bool = False
    # Sterilising dose but no validated study, so the product is not treated as sterile.
    sterile_dose_without_study: bool = False
    # Reduced-oxygen pack above 3 °C whose documented control ("aw" or "ph") lifts the 10-day cap.
    cap_lifted_by: str | None = None
    # radura-sl/2: the dose the credit was computed from, D_min·(1 − U); None means D_min itself
    dose_used_kgy: Fraction | None = None


class ShelfLifeRefused(Exception):
    """Inputs the model refuses to date at all (radura-sl/2: a warm reduced-oxygen pack); `code`
    is the API's 422 code and the explanation says why in both languages."""

    def __init__(self, code: str, explanation_id: str, explanation_en: str) -> None:
        super().__init__(explanation_en)
        self.code = code
        self.explanation_id = explanation_id
        self.explanation_en = explanation_en
