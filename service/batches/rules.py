"""Pure domain rules of products and treatments: normalisation, sterile meals, doses, shelf life."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from litestar.exceptions import ValidationException

from labels import registration
from schemas.batches import JAKARTA
from schemas.products import ProductCreate
from schemas.shelf_life import ShelfLifeInputs, ShelfLifeResult
from service.core.errors import RuleViolation
from service.shelf_life import ShelfLifeRefused, estimate_shelf_life, refusals
from service.shelf_life.derivation import Refusal
from service.shelf_life.parameters import (
    STERILE_CATEGORY,
    STERILE_MIN_DOSE_KGY,
    STERILE_PURPOSE,
)

# Codex / BATAN: a sterilising dose of a shelf-stable meal is at least STERILE_MIN_DOSE_KGY (the
# shelf-life model's own parameter), and a storage study of the treated product must back its
# date; 548 days (1.5 years) is the longest BATAN reported.
# a can or retort pouch is `hermetic`; a vacuum laminate is what BATAN's study used
STERILE_PACKAGINGS = ("vacuum", "hermetic")
STERILE_MAX_STUDY_DAYS = 548


def invalid_field(field: str, message: str) -> ValidationException:
    """A 400 naming the field, for format checks the service makes after decoding."""
    return ValidationException(
        f"Invalid value for {field}.", extra=[{"key": field, "message": message}]
    )


def normalize_gtin_field(gtin: str | None) -> str | None:
    """The GTIN-14 form, or a 400 naming `gtin` (wrong length or check digit)."""
    if gtin is None:
        return None
    from labels.gtin import normalize_gtin

    try:
        return normalize_gtin(gtin)
    except ValueError as exc:
        raise invalid_field("gtin", str(exc)) from None


def normalize_registration_no(registration_no: str | None) -> str | None:
    """`MD 2245-1000-1234` → `MD224510001234`, `PSAT PD 1234 5678` → `PSAT-PD12345678`: the
    scheme and the digits, no grouping (labels.registration), or a 400 naming the field."""
    if registration_no is None:
        return None
    try:
        return registration.normalize_registration_no(registration_no)
    except ValueError as exc:  # only a hand-built Struct gets here: decoding checked the shape
        raise invalid_field("registration_no", str(exc)) from None


def check_annex_limit(
    category: str,
    purpose: str,
    dose_kgy: float,
    legal_max_dose_kgy: float | None,
    *,
    dose_name: str,
) -> None:
    """BPOM 3/2018 Annex I: the (category, purpose) pair must be listed (422
    `purpose_not_allowed`) and `dose_kgy` must not exceed its maximum (422
    `dose_above_legal_maximum`). `legal_max_dose_kgy` is None when the pair is not listed."""
    if legal_max_dose_kgy is None:
        raise RuleViolation(
            "purpose_not_allowed",
            f"BPOM 3/2018 Annex I does not allow irradiation of {category!r} "
            f"for {purpose!r} (or the category does not exist).",
            category=category,
            purpose=purpose,
        )
    if dose_kgy > legal_max_dose_kgy:
        raise RuleViolation(
            "dose_above_legal_maximum",
            f"The {dose_name} {dose_kgy} kGy is above the legal maximum "
            f"{legal_max_dose_kgy} kGy for {category} / {purpose}.",
            legal_max_dose_kgy=legal_max_dose_kgy,
        )


def check_product_rules(data: ProductCreate, legal_max_dose_kgy: float | None) -> None:
    """The rules that need the food-category table (422 with a code)."""
    check_annex_limit(
        data.category,
        data.purpose,
        data.min_dose_kgy,
        legal_max_dose_kgy,
        dose_name="validated minimum dose",
    )
    if data.category == STERILE_CATEGORY:
        _check_sterile_meal(data)


def _check_sterile_meal(data: ProductCreate) -> None:
    check_sterile_meal(
        packaging=data.packaging,
        validated_shelf_life_days=data.validated_shelf_life_days,
        purpose=data.purpose,
        min_dose_kgy=data.min_dose_kgy,
    )


def check_sterile_meal(
    *,
    packaging: str,
    validated_shelf_life_days: int | None,
    purpose: str | None = None,
    min_dose_kgy: float | None = None,
) -> None:
    """The rules of a shelf-stable sterile meal (SPEC §3.2): one 422 naming every field that
    breaks them. Purpose and minimum dose are checked when the caller has them (a product has,
    a shelf-life preview has not)."""
    problems: list[dict[str, str]] = []
    if purpose is not None and purpose != STERILE_PURPOSE:
        problems.append({"field": "purpose", "message": "must be sterilisation"})
    if min_dose_kgy is not None and min_dose_kgy < STERILE_MIN_DOSE_KGY:
        problems.append(
            {"field": "min_dose_kgy", "message": f"must be at least {STERILE_MIN_DOSE_KGY:.1f} kGy"}
        )
    if packaging not in STERILE_PACKAGINGS:
        problems.append({"field": "packaging", "message": "must be vacuum or hermetic"})
    if validated_shelf_life_days is None:
        problems.append(
            {
                "field": "validated_shelf_life_days",
                "message": "a validated storage study is required",
            }
        )
    elif validated_shelf_life_days > STERILE_MAX_STUDY_DAYS:
        problems.append(
            {
                "field": "validated_shelf_life_days",
                "message": f"must not exceed {STERILE_MAX_STUDY_DAYS} days",
            }
        )
    if problems:
        raise RuleViolation(
            "sterile_meal_requirements",
            f"A shelf-stable sterile meal needs purpose sterilisation, at least "
            f"{STERILE_MIN_DOSE_KGY:.1f} kGy, vacuum or hermetic packaging and a validated storage "
            f"study of at most {STERILE_MAX_STUDY_DAYS} days.",
            errors=problems,
        )


def check_product_shelf_life(
    data: ProductCreate, today: date, *, typical_min_dose_kgy: float | None
) -> None:
    """A product must get a date, and keep for at least a day, when treated at its own validated
    minimum dose; and that minimum must achieve its purpose, or be backed by a process
    validation. Every refusal is listed in one 422 (SPEC §4 radura-sl/3).

    E never falls as D_min rises, so a conforming treatment (D_min ≥ min_dose_kgy) can only give
    more; a product refused here would otherwise be labelled expired the day it is released."""
    inputs = shelf_life_inputs(
        msgspec.structs.asdict(data), dose_min_kgy=data.min_dose_kgy, production_date=today
    )
    below_minimum = purpose_minimum_refusal(
        data.purpose, data.min_dose_kgy, typical_min_dose_kgy, data.process_validation_ref
    )
    subject = f"Treated at its minimum dose of {data.min_dose_kgy} kGy, this product"
    require_shelf_life(date_shelf_life(inputs, also_refused=below_minimum), subject)


def purpose_minimum_refusal(
    purpose: str,
    min_dose_kgy: float,
    typical_min_dose_kgy: float | None,
    process_validation_ref: str | None,
) -> list[Refusal]:
    """`dose_below_purpose_minimum` (DOMAIN §8.6) when the validated minimum is below what the
    purpose typically needs and no process validation backs it; else nothing."""
    if typical_min_dose_kgy is None or min_dose_kgy >= typical_min_dose_kgy:
        return []
    if process_validation_ref is not None:
        return []
    return [refusals.dose_below_purpose_minimum(purpose, min_dose_kgy, typical_min_dose_kgy)]


def refusal_violation(refused: Sequence[Refusal]) -> RuleViolation:
    """One 422 for every rule that refuses a date: `code` and `explanation` are the first's (in
    SPEC §4's order), `errors` lists each with its field and its message in both languages."""
    first = refused[0]
    return RuleViolation(
        first.code,
        " ".join(refusal.explanation_en for refusal in refused),
        explanation={"id": first.explanation_id, "en": first.explanation_en},
        errors=[
            {
                "code": refusal.code,
                "field": refusal.field,
                "message": refusal.explanation_en,
                "explanation": {"id": refusal.explanation_id, "en": refusal.explanation_en},
                **refusal.details,
            }
            for refusal in refused
        ],
    )


def date_shelf_life(
    inputs: ShelfLifeInputs, *, also_refused: Sequence[Refusal] = ()
) -> ShelfLifeResult:
    """The current model's result, or a 422 listing the model's own refusals followed by
    `also_refused` (the product rules' own, such as `dose_below_purpose_minimum`), or
    `shelf_life_not_computable` for inputs the model cannot take."""
    try:
        result = estimate_shelf_life(inputs)
    except ShelfLifeRefused as refusal:
        raise refusal_violation([*refusal.refusals, *also_refused]) from None
    except ValueError as exc:  # validated input never gets here; no input may produce a 500
        raise RuleViolation("shelf_life_not_computable", str(exc)) from None
    if also_refused:
        raise refusal_violation(also_refused)
    return result


def require_shelf_life(result: ShelfLifeResult, subject: str) -> None:
    """422 `no_shelf_life` for a result of 0 days, with the model's explanation of why."""
    if result.extended_days < 1:
        raise RuleViolation(
            "no_shelf_life",
            f"{subject} would keep no days at its storage temperature: every label would be out "
            f"of date on the day it is made. {result.explanation.en}",
            explanation={"id": result.explanation.id, "en": result.explanation.en},
            rules=list(result.rules),
        )


def check_receipt_after_production(received_at: datetime | None, production_date: date) -> None:
    """A batch cannot reach the facility before it was made (SPEC §3.3): 422 naming both. The
    production date is an Asia/Jakarta day, so the receipt is read as a Jakarta day too. A receipt
    entered after the batch's registration but dated before it stays allowed (data entry lags)."""
    if received_at is None:  # now: never before a production date, which is not in the future
        return
    if received_at.astimezone(JAKARTA).date() < production_date:
        raise RuleViolation(
            "receipt_before_production",
            f"The batch was received at {received_at.isoformat()}, before its production date "
            f"{production_date.isoformat()}.",
            received_at=received_at.isoformat(),
            production_date=production_date.isoformat(),
        )


def check_treatment_after_receipt(started_at: datetime, received_at: datetime) -> None:
    """A batch cannot be irradiated before the facility had it (422 naming both times)."""
    if started_at < received_at:
        raise RuleViolation(
            "treatment_before_receipt",
            f"The treatment started at {started_at.isoformat()}, before the batch was received "
            f"at {received_at.isoformat()}.",
            started_at=started_at.isoformat(),
            received_at=received_at.isoformat(),
        )


def shelf_life_inputs(
    product: Any,
    *,
    dose_min_kgy: float,
    production_date: date,
    expanded_uncertainty_pct: float = 0.0,
) -> ShelfLifeInputs:
    """The radura-sl inputs of a release: the product's fields, the treatment's D_min and the
    uncertainty of its dose map (the model uses D_min·(1 − U)).

    `product` is a products row (or a new product's fields as a dict); at release the result is
    stored with the batch, so the date never moves whatever happens to the product afterwards."""
    return ShelfLifeInputs(
        category=product["category"],
        purpose=product["purpose"],
        base_shelf_life_days=product["base_shelf_life_days"],
        reference_temp_c=product["reference_temp_c"],
        storage_temp_c=product["storage_temp_c"],
        packaging=product["packaging"],
        dose_min_kgy=dose_min_kgy,
        production_date=production_date,
        water_activity=product["water_activity"],
        ph=product["ph"],
        validated_shelf_life_days=product["validated_shelf_life_days"],
        validated_study_ref=product["validated_study_ref"],
        expanded_uncertainty_pct=expanded_uncertainty_pct,
        validated_study_temp_c=product["validated_study_temp_c"],
        validated_study_dose_kgy=product["validated_study_dose_kgy"],
        validated_study_packaging=product["validated_study_packaging"],
    )
