"""Which months `radura scans archive --before` takes: a past YYYY-MM only."""

from __future__ import annotations

from datetime import date

import pytest

from service.verify.scans.archive import ArchiveRefused, check_past, parse_month


def test_a_month_is_its_first_day() -> None:
    assert parse_month("2024-01") == date(2024, 1, 1)
    assert parse_month("1999-12") == date(1999, 12, 1)


@pytest.mark.parametrize(
    "text",
    ["2024-00", "2024-13", "2024-1", "24-01", "2024-01-01", " 2024-01", "2024-01\n", "２０２４-01"],
)
def test_anything_else_names_the_form(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


def test_only_months_before_this_one_pass() -> None:
    today = date(2026, 11, 28)
    check_past(date(2026, 10, 1), today)
    with pytest.raises(ArchiveRefused, match="current month"):
        check_past(date(2026, 11, 1), today)
    with pytest.raises(ArchiveRefused, match="future"):
        check_past(date(2027, 1, 1), today)
