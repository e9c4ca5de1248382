"""The overview's months: the last twelve, this one first, across a new year."""

from __future__ import annotations

from datetime import date

from service.batches.figures.overview import month_starts


def test_twelve_months_newest_first_across_the_new_year():
    months = month_starts(date(2026, 2, 17), 12)
    assert months[0] == date(2026, 2, 1) and months[1] == date(2026, 1, 1)
    assert months[2] == date(2025, 12, 1) and months[-1] == date(2025, 3, 1)
    assert len(set(months)) == 12


def test_the_first_of_a_month_is_its_own_month():
    assert month_starts(date(2026, 1, 1), 2) == [date(2026, 1, 1), date(2025, 12, 1)]
