"""The warning a release gives: only for a best-before date already before today."""

from __future__ import annotations

from datetime import date

from schemas.shelf_life import ShelfLifeInputs
from service.batches.lifecycle import release_warnings
from service.shelf_life import estimate_shelf_life

# packaged chicken, 5 days at 8 °C and stored at 8 °C: the dose adds nothing (above the 4 °C cold
# chain), so produced on 1 March it is good until 6 March
CHICKEN = ShelfLifeInputs(
    category="meat_poultry",
    purpose="extend_shelf_life",
    base_shelf_life_days=5,
    reference_temp_c=8,
    storage_temp_c=8,
    packaging="air",
    dose_min_kgy=2.1,
    production_date=date(2026, 3, 1),
)


def test_a_date_before_today_warns_and_today_itself_does_not() -> None:
    result = estimate_shelf_life(CHICKEN)
    assert result.best_before == date(2026, 3, 6)
    assert release_warnings(result, date(2026, 3, 6)) == []
    assert release_warnings(result, date(2026, 3, 5)) == []
    (warning,) = release_warnings(result, date(2026, 3, 7))
    assert warning.code == "best_before_passed"
    assert "2026-03-06" in warning.message and "2026-03-07" in warning.message
