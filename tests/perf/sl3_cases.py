"""DOMAIN.md §8's cases under radura-sl/2 and radura-sl/3, side by side (days, or the refusal
code). Not a test: `python -m tests.perf.sl3_cases` prints a Markdown table.

radura-sl/2 never knew `hermetic`: it reads such a pack as vacuum (what a producer of sambal in a
jar had to choose), and the sambal row also shows what it gave a producer who chose "air"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec

from schemas.shelf_life import ShelfLifeInputs
from service.shelf_life import ShelfLifeRefused, estimate_shelf_life

PRODUCTION_DATE = date(2026, 12, 7)


@dataclass(frozen=True)
class Case:
    name: str
    inputs: ShelfLifeInputs
    note: str = ""


def _inputs(**fields: Any) -> ShelfLifeInputs:
    defaults: dict[str, Any] = {
        "purpose": "extend_shelf_life",
        "packaging": "air",
        "production_date": PRODUCTION_DATE,
    }
    return ShelfLifeInputs(**(defaults | fields))


def _study(days: int, temp_c: float, dose_kgy: float, packaging: str) -> dict[str, Any]:
    return {
        "validated_shelf_life_days": days,
        "validated_study_ref": "uji simpan",
        "validated_study_temp_c": temp_c,
        "validated_study_dose_kgy": dose_kgy,
        "validated_study_packaging": packaging,
    }


CASES = [
    Case(
        "Non-sterile rendang, vacuum, 30 °C, aw 0.95, 3.0 kGy",
        _inputs(
            category="meat_poultry",
            base_shelf_life_days=5,
            reference_temp_c=30,
            storage_temp_c=30,
            packaging="vacuum",
            dose_min_kgy=3.0,
            water_activity=0.95,
        ),
        "meat_poultry; S0 5 d at 30 °C",
    ),
    Case(
        "Sambal in a jar, pH 4.9, 30 °C, 2.0 kGy",
        _inputs(
            category="processed_produce",
            base_shelf_life_days=30,
            reference_temp_c=30,
            storage_temp_c=30,
            packaging="hermetic",
            dose_min_kgy=2.0,
            ph=4.9,
        ),
        "processed_produce; S0 30 d at 30 °C; hermetic (sl/2: vacuum)",
    ),
    Case(
        'Sambal in a jar declared "air", pH 4.9, 30 °C, 2.0 kGy',
        _inputs(
            category="processed_produce",
            base_shelf_life_days=30,
            reference_temp_c=30,
            storage_temp_c=30,
            packaging="air",
            dose_min_kgy=2.0,
            ph=4.9,
        ),
        "the form now explains that a jar is hermetic",
    ),
    Case(
        "Pindang, air, 30 °C, aw 0.94, 5.0 kGy",
        _inputs(
            category="processed_fish",
            base_shelf_life_days=3,
            reference_temp_c=30,
            storage_temp_c=30,
            dose_min_kgy=5.0,
            water_activity=0.94,
        ),
        "processed_fish; S0 3 d at 30 °C (boiled salted fish, sold ambient)",
    ),
    Case(
        "Pindang, vacuum, 30 °C, aw 0.94, 5.0 kGy",
        _inputs(
            category="processed_fish",
            base_shelf_life_days=3,
            reference_temp_c=30,
            storage_temp_c=30,
            packaging="vacuum",
            dose_min_kgy=5.0,
            water_activity=0.94,
        ),
        "as above, vacuum packed",
    ),
    Case(
        "Raw chicken, air, 30 °C, 3.0 kGy",
        _inputs(
            category="meat_poultry",
            base_shelf_life_days=5,
            reference_temp_c=4,
            storage_temp_c=30,
            dose_min_kgy=3.0,
        ),
        "S0 5 d at 4 °C",
    ),
    Case(
        "Fish, air, 10 °C, 2.5 kGy",
        _inputs(
            category="fish_seafood",
            base_shelf_life_days=7,
            reference_temp_c=2,
            storage_temp_c=10,
            dose_min_kgy=2.5,
        ),
        "S0 7 d on ice at 2 °C",
    ),
    Case(
        "Dodol, air, 30 °C, aw 0.75, 2.5 kGy",
        _inputs(
            category="processed_produce",
            base_shelf_life_days=240,
            reference_temp_c=30,
            storage_temp_c=30,
            dose_min_kgy=2.5,
            water_activity=0.75,
        ),
        "S0 240 d at 30 °C; published: 10 months (Tanhindarto 1998)",
    ),
    Case(
        "Low-dose study: 30-day meat study (4 °C, 3.0 kGy, air), batch at 0.5 kGy",
        _inputs(
            category="meat_poultry",
            base_shelf_life_days=5,
            reference_temp_c=4,
            storage_temp_c=4,
            dose_min_kgy=0.5,
            **_study(30, 4, 3.0, "air"),
        ),
        "S0 5 d at 4 °C",
    ),
    Case(
        "The same study, batch at 3.0 kGy labelled 8 °C",
        _inputs(
            category="meat_poultry",
            base_shelf_life_days=5,
            reference_temp_c=4,
            storage_temp_c=8,
            dose_min_kgy=3.0,
            **_study(30, 4, 3.0, "air"),
        ),
        "a 4 °C study dating a pack labelled 8 °C",
    ),
    Case(
        "SPEC example: chicken S0 5 d at 4 °C, stored 4 °C, air, 3.0 kGy",
        _inputs(
            category="meat_poultry",
            base_shelf_life_days=5,
            reference_temp_c=4,
            storage_temp_c=4,
            dose_min_kgy=3.0,
        ),
    ),
    Case(
        "SPEC example: chicken S0 5 d at 8 °C, stored 8 °C, air, 3.0 kGy",
        _inputs(
            category="meat_poultry",
            base_shelf_life_days=5,
            reference_temp_c=8,
            storage_temp_c=8,
            dose_min_kgy=3.0,
        ),
    ),
]


def outcome(inputs: ShelfLifeInputs, model: str) -> str:
    if model == "radura-sl/2" and inputs.packaging == "hermetic":
        inputs = msgspec.structs.replace(inputs, packaging="vacuum")
    try:
        result = estimate_shelf_life(inputs, model)
    except ShelfLifeRefused as refused:
        return " + ".join(refusal.code for refusal in refused.refusals)
    return f"{result.extended_days} d"


def table() -> str:
    rows = [("case", "inputs", "radura-sl/2", "radura-sl/3")]
    rows += [
        (
            case.name,
            case.note,
            outcome(case.inputs, "radura-sl/2"),
            outcome(case.inputs, "radura-sl/3"),
        )
        for case in CASES
    ]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
