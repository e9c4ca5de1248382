"""GS1 six-digit dates (YYMMDD): the century window and the DD=00 'end of month' rule."""

from __future__ import annotations

import calendar
import datetime


def gs1_year(yy: int, today: datetime.date) -> int:
    """Expand a two-digit year with the GS1 sliding window (General Specifications §7.12).

    A year 51-99 ahead of this one is in the previous century, one 50-99 behind in the next.
    """
    century = today.year - today.year % 100
    difference = yy - today.year % 100
    if 51 <= difference <= 99:
        century -= 100
    elif -99 <= difference <= -50:
        century += 100
    return century + yy


def parse_gs1_date(text: str, today: datetime.date) -> datetime.date:
    """Parse YYMMDD; DD=00 means the last day of that month. Raises ValueError with a reason."""
    if len(text) != 6 or not (text.isascii() and text.isdigit()):
        raise ValueError(f"date must be 6 digits YYMMDD, got {text!r}")
    yy, mm, dd = int(text[0:2]), int(text[2:4]), int(text[4:6])
    if not 1 <= mm <= 12:
        raise ValueError(f"month {mm:02d} does not exist in date {text}")
    year = gs1_year(yy, today)
    last_day = calendar.monthrange(year, mm)[1]
    if dd == 0:
        return datetime.date(year, mm, last_day)
    if dd > last_day:
        raise ValueError(f"day {dd:02d} does not exist in {year}-{mm:02d} (date {text})")
    return datetime.date(year, mm, dd)


def format_gs1_date(day: datetime.date) -> str:
    """YYMMDD for a date; the century is implied by the GS1 window when read back."""
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"
