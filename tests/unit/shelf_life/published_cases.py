"""Published shelf-life results beside what radura-sl/1, radura-sl/2 and radura-sl/3 give for the
same product. `python -m tests.unit.shelf_life.published_cases` prints the table; the test beside
this module holds radura-sl/2 and radura-sl/3 to never being more optimistic than the study."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import ShelfLifeRefused, estimate_shelf_life

PRODUCTION_DATE = date(2026, 1, 5)


@dataclass(frozen=True)
class PublishedCase:
    name: str
    source: str
    inputs: ShelfLifeInputs
    # the longest shelf life the study reports; None: the study gives no basis for any date
    study_days_max: int | None
    study_text: str


def _inputs(**fields: object) -> ShelfLifeInputs:
    defaults: dict[str, object] = {
        "purpose": "extend_shelf_life",
        "packaging": "air",
        "production_date": PRODUCTION_DATE,
    }
    return ShelfLifeInputs(**(defaults | fields))  # type: ignore[arg-type]


def _strawberries(base_days: int, temp_c: float, dose_kgy: float) -> ShelfLifeInputs:
    return _inputs(
        category="fresh_produce",
        base_shelf_life_days=base_days,
        reference_temp_c=temp_c,
        storage_temp_c=temp_c,
        dose_min_kgy=dose_kgy,
    )


def _chilled_fish(dose_kgy: float) -> ShelfLifeInputs:
    # chilled fish, 7 days untreated on ice at 2 °C
    return _inputs(
        category="fish_seafood",
        base_shelf_life_days=7,
        reference_temp_c=2.0,
        storage_temp_c=2.0,
        dose_min_kgy=dose_kgy,
    )


CASES: list[PublishedCase] = [
    PublishedCase(
        "Strawberries, 3 °C, 0.3 kGy (untreated 14 d)",
        "DOMAIN.md §7",
        _strawberries(14, 3.0, 0.3),
        14,
        "no gain: 14 d",
    ),
    PublishedCase(
        "Strawberries, 3 °C, 0.9 kGy (untreated 14 d)",
        "DOMAIN.md §7",
        _strawberries(14, 3.0, 0.9),
        14,
        "no gain: 14 d",
    ),
    PublishedCase(
        "Strawberries, 8 °C, 2 kGy (untreated 8 d)",
        "DOMAIN.md §4, §7",
        _strawberries(8, 8.0, 2.0),
        12,
        "11–12 d",
    ),
    PublishedCase(
        "Strawberries, 8 °C, 3 kGy (untreated 8 d; above the 2.5 kGy legal maximum)",
        "DOMAIN.md §4",
        _strawberries(8, 8.0, 3.0),
        16,
        "14–16 d",
    ),
    PublishedCase(
        "Packaged chicken, 8 °C, 3 kGy (untreated 5 d) = SPEC §4 example",
        "DOMAIN.md §4; SPEC.md §4",
        _inputs(
            category="meat_poultry",
            base_shelf_life_days=5,
            reference_temp_c=8.0,
            storage_temp_c=8.0,
            dose_min_kgy=3.0,
        ),
        # "> 10 d": the only figure the study states is 10 days
        10,
        "> 10 d",
    ),
    PublishedCase(
        "Chilled fish, 2 °C, 1.5 kGy (untreated 7 d)",
        "DOMAIN.md §4",
        _chilled_fish(1.5),
        21,
        "×2–3: 14–21 d",
    ),
    PublishedCase(
        "Chilled fish, 2 °C, 2.5 kGy (untreated 7 d)",
        "DOMAIN.md §4",
        _chilled_fish(2.5),
        21,
        "×2–3: 14–21 d",
    ),
    PublishedCase(
        "Sterile rendang, 30 °C, 45 kGy, vacuum, study 540 d",
        "DOMAIN.md §4 (BATAN)",
        _inputs(
            category="ready_meal_sterile",
            purpose="sterilisation",
            base_shelf_life_days=5,
            reference_temp_c=30.0,
            storage_temp_c=30.0,
            packaging="vacuum",
            dose_min_kgy=45.0,
            validated_shelf_life_days=540,
            validated_study_ref="BATAN rendang/pepes",
            validated_study_temp_c=30.0,
            validated_study_dose_kgy=45.0,
            validated_study_packaging="vacuum",
        ),
        548,
        "1.5 years: 548 d",
    ),
    PublishedCase(
        "Vacuum-packed pepes ikan, 30 °C, 5 kGy, not sterile (untreated 14 d)",
        "DOMAIN.md §7 (UK FSA 10-day rule: 3–8 °C only)",
        _inputs(
            category="processed_fish",
            purpose="reduce_pathogens",
            base_shelf_life_days=14,
            reference_temp_c=30.0,
            storage_temp_c=30.0,
            packaging="vacuum",
            dose_min_kgy=5.0,
        ),
        None,
        "no basis for a date",
    ),
]


def days_under(model: str, inputs: ShelfLifeInputs) -> int | None:
    """The model's days, or None where it refuses to date the pack."""
    try:
        return estimate_shelf_life(inputs, model).extended_days
    except ShelfLifeRefused:
        return None


def table() -> str:
    models = ("radura-sl/1", "radura-sl/2", "radura-sl/3")
    rows = [("case", "source", "study", *models)]
    for case in CASES:
        days = [days_under(model, case.inputs) for model in models]
        rows.append(
            (
                case.name,
                case.source,
                case.study_text,
                *("refused (422)" if d is None else f"{d} d" for d in days),
            )
        )
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
