"""Rule codes of the radura-sl models and the record of one derivation, for model and text."""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
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
    NO_CREDIT_DRY = "no_credit_dry"  # radura-sl/3
    NO_CREDIT_WARM_STORAGE = "no_credit_warm_storage"  # radura-sl/3
    STUDY_NOT_APPLICABLE = "study_not_applicable"  # radura-sl/3


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
    # radura-sl/3: the conditions of the study the batch is outside ("temperature", "dose",
    # "packaging"); empty when there is no study or it applies
    study_failed: tuple[str, ...] = ()
    # radura-sl/3: a reduced-oxygen pack at 10 °C or warmer dated by a group I control ("aw" for
    # aw ≤ 0.85, "ph" for pH ≤ 4.6)
    warm_control: str | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """One reason the model gives no date: the API's 422 code, the request field it is about,
    and why, in Bahasa Indonesia and English."""

    code: str
    field: str
    explanation_id: str
    explanation_en: str
    # numbers a reader of the 422 may want beside the words (the typical minimum dose, say)
    details: dict[str, float] = dataclass_field(default_factory=dict)


class ShelfLifeRefused(Exception):
    """Inputs the model refuses to date at all, with every reason (radura-sl/2 has one, a warm
    reduced-oxygen pack; radura-sl/3 lists each rule that refuses, in SPEC §4's order). `code`
    and the explanation are the first reason's."""

    def __init__(self, *refusals: Refusal) -> None:
        if not refusals:
            raise ValueError("a refusal needs at least one reason")
        super().__init__(" ".join(refusal.explanation_en for refusal in refusals))
        self.refusals = refusals
        self.code = refusals[0].code
        self.explanation_id = refusals[0].explanation_id
        self.explanation_en = refusals[0].explanation_en
