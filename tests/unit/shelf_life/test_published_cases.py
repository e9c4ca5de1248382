"""radura-sl/2 and radura-sl/3 are never more optimistic than a published study
(tests/unit/shelf_life/published_cases.py holds the cases; `python -m
tests.unit.shelf_life.published_cases` prints them beside radura-sl/1)."""

import pytest

from tests.unit.shelf_life.published_cases import CASES, PublishedCase, days_under, table


@pytest.mark.parametrize("model", ["radura-sl/2", "radura-sl/3"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_never_more_optimistic_than_the_study(case: PublishedCase, model: str) -> None:
    days = days_under(model, case.inputs)
    if case.study_days_max is None:
        assert days is None  # the study gives no basis for a date: the model refuses one
    else:
        assert days is not None and days <= case.study_days_max


def test_radura_sl1_was_more_optimistic_in_the_cases_that_led_to_sl2() -> None:
    # the reason radura-sl/2 exists (SPEC §4 "Changes"): without these the table proves nothing
    beaten = [
        case.name
        for case in CASES
        if (sl1 := days_under("radura-sl/1", case.inputs)) is not None
        and (case.study_days_max is None or sl1 > case.study_days_max)
    ]
    assert beaten == [
        "Strawberries, 3 °C, 0.3 kGy (untreated 14 d)",
        "Strawberries, 3 °C, 0.9 kGy (untreated 14 d)",
        "Strawberries, 8 °C, 2 kGy (untreated 8 d)",
        "Vacuum-packed pepes ikan, 30 °C, 5 kGy, not sterile (untreated 14 d)",
    ]


def test_the_table_has_a_row_per_case() -> None:
    assert len(table().splitlines()) == len(CASES) + 2
