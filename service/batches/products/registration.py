"""Which registration scheme a product may carry (SPEC §3.2 "Registration types", DOMAIN §8.7).

P-IRT (BPOM 22/2018, home-industry food) is not for commercially sterile meals, frozen food, fish
and meat products other than dried ones, nor food keeping under 7 days at room temperature: those
need a BPOM MD number. PSAT (Permentan 53/2018) is for fresh food of plant origin only; fresh fish
and meat carry no BPOM number at all. MD and ML numbers are allowed for every food.

Pure: the product's fields in, every rule it breaks out. Creating a product refuses on them, and a
product stored before these rules is judged by the same function when its page is shown and when
a batch of it is registered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import msgspec

from labels.registration import registration_type
from service.batches.rules import shelf_life_inputs
from service.core.errors import RuleViolation
from service.shelf_life import ShelfLifeRefused, estimate_shelf_life
from service.shelf_life.parameters import STERILE_CATEGORY

PLANT_FRESH_CATEGORIES = frozenset({"fresh_produce", "mango", "mangosteen", "bulbs_tubers"})
ANIMAL_CATEGORIES = frozenset({"fish_seafood", "processed_fish", "meat_poultry"})
FROZEN_AT_OR_BELOW_C = -12.0  # as the frozen storage words (DOMAIN §8.9) and the model's line
DRIED_AT_OR_BELOW_AW = 0.85  # hasil olahan kering: no bacterial growth (DOMAIN §8.1, §8.5)
ROOM_TEMPERATURE_FROM_C = 25.0
SHORT_KEEPING_DAYS = 7
CODE = "registration_type_not_allowed"


class RegistrationRuleFailure(msgspec.Struct, frozen=True, kw_only=True):
    """One rule a product's registration number breaks: a stable code and a sentence naming it."""

    rule: str
    message: str
    days: int | None = None  # the model's date, for the 7-day rule


def _number(value: float) -> str:
    return f"{value:g}".replace("-", "\u2212")


def registration_rule_failures(
    product: Mapping[str, Any], *, today: date
) -> list[RegistrationRuleFailure]:
    """Every registration rule `product` breaks (a products row, or a new product's fields with
    its number normalized); empty when its number (or its lack of one) is allowed.

    "Keeps under 7 days" is the current shelf-life model's date for the product's own minimum
    dose at its storage temperature; a product the model refuses to date is refused by that
    rule, not by this one."""
    kind = registration_type(product["registration_no"])
    category, storage_temp_c = product["category"], product["storage_temp_c"]
    failures: list[RegistrationRuleFailure] = []
    if kind == "PSAT" and category not in PLANT_FRESH_CATEGORIES:
        failures.append(
            RegistrationRuleFailure(
                rule="psat_plant_origin_only",
                message=f"A PSAT number is for fresh food of plant origin only "
                f"({', '.join(sorted(PLANT_FRESH_CATEGORIES))}), not {category}: fresh fish and "
                "meat carry no BPOM number (leave the field empty), other food an MD or P-IRT "
                "number.",
            )
        )
    if kind != "P-IRT":
        return failures
    if category == STERILE_CATEGORY:
        failures.append(
            RegistrationRuleFailure(
                rule="pirt_sterile_meal",
                message="P-IRT may not be used for a commercially sterile meal "
                f"({STERILE_CATEGORY}): it needs a BPOM MD number.",
            )
        )
    if storage_temp_c <= FROZEN_AT_OR_BELOW_C:
        failures.append(
            RegistrationRuleFailure(
                rule="pirt_frozen",
                message=f"P-IRT may not be used for frozen food (stored at "
                f"{_number(storage_temp_c)} °C, at or below {_number(FROZEN_AT_OR_BELOW_C)} °C): "
                "it needs a BPOM MD number.",
            )
        )
    water_activity = product["water_activity"]
    if category in ANIMAL_CATEGORIES and not (
        water_activity is not None and water_activity <= DRIED_AT_OR_BELOW_AW
    ):
        failures.append(
            RegistrationRuleFailure(
                rule="pirt_animal_not_dried",
                message=f"P-IRT admits fish, seafood, meat and poultry products ({category}) "
                f"only when dried, with a water activity of at most {DRIED_AT_OR_BELOW_AW}: this "
                "one needs a BPOM MD number.",
            )
        )
    if storage_temp_c >= ROOM_TEMPERATURE_FROM_C:
        days = _model_days(product, today)
        if days is not None and days < SHORT_KEEPING_DAYS:
            failures.append(
                RegistrationRuleFailure(
                    rule="pirt_under_7_days_warm",
                    message=f"P-IRT may not be used for food keeping under {SHORT_KEEPING_DAYS} "
                    f"days at room temperature: treated at its minimum dose of "
                    f"{_number(product['min_dose_kgy'])} kGy and stored at "
                    f"{_number(storage_temp_c)} °C, the shelf-life model dates it {days} days. It "
                    "needs a BPOM MD number.",
                    days=days,
                )
            )
    return failures


def _model_days(product: Mapping[str, Any], today: date) -> int | None:
    """The current model's days for the product at its own minimum dose; None when it refuses."""
    inputs = shelf_life_inputs(product, dose_min_kgy=product["min_dose_kgy"], production_date=today)
    try:
        return estimate_shelf_life(inputs).extended_days
    except (ShelfLifeRefused, ValueError):
        return None


def check_registration_type(
    product: Mapping[str, Any], *, today: date, before_batch: bool = False
) -> None:
    """422 `registration_type_not_allowed` naming every rule the product's number breaks.

    `before_batch`: the product was stored before these rules, and a batch of it waits for a
    valid number."""
    failures = registration_rule_failures(product, today=today)
    if not failures:
        return
    lead = (
        "This product's registration number is no longer allowed; edit the product with a valid "
        "one before registering a batch. "
        if before_batch
        else ""
    )
    raise RuleViolation(
        CODE,
        lead + " ".join(f.message for f in failures),
        registration_type=registration_type(product["registration_no"]),
        errors=[
            {"field": "registration_no", "rule": f.rule, "message": f.message}
            | ({"days": f.days} if f.days is not None else {})
            for f in failures
        ],
    )
