"""Numbers and dates as a reader in Indonesia writes them (and in English), times in WIB."""

from __future__ import annotations

from datetime import UTC, date, datetime

import jinja2

from service.core.formatting import (
    fmt,
    format_day,
    format_dose,
    format_dose_range,
    format_moment,
    format_number,
    format_value,
)


def test_numbers_take_a_decimal_comma_and_dotted_thousands_in_bahasa_indonesia() -> None:
    assert format_number(2.5) == "2,5"
    assert format_number(12345.678) == "12.345,678"
    assert format_number(-18.0) == "\u221218"  # the minus sign, as on the label
    assert format_number(-0.5, "en") == "\u22120.5"
    assert format_number(1.23456, digits=2) == "1,23"
    assert format_number(2.5, "en") == "2.5"
    assert format_number(100000, "en") == "100,000"


def test_dates_name_the_month_in_the_readers_language() -> None:
    assert format_day(date(2028, 5, 12)) == "12 Mei 2028"
    assert format_day(date(2028, 5, 12), "en") == "12 May 2028"
    assert format_day(date(2028, 8, 17), short=True) == "17 Agu"


def test_times_are_shown_in_jakarta_whatever_they_were_stored_in() -> None:
    stored = datetime(2028, 5, 12, 20, 30, tzinfo=UTC)  # 03.30 the next day in Jakarta
    assert format_moment(stored) == "13 Mei 2028 03.30 WIB"
    assert format_moment(stored, "en") == "13 May 2028 03:30 WIB"


def test_one_filter_picks_by_type_and_by_the_pages_language() -> None:
    environment = jinja2.Environment(autoescape=True)
    environment.filters["fmt"] = fmt
    template = environment.from_string("{{ d | fmt }} · {{ n | fmt(2) }} · {{ missing | fmt }}")
    values = {"d": date(2028, 5, 12), "n": 2.456, "missing": None}
    assert template.render(lang="id", **values) == "12 Mei 2028 · 2,46 · –"
    assert template.render(lang="en", **values) == "12 May 2028 · 2.46 · –"
    assert format_value("Sambal") == "Sambal"


def test_a_dose_on_a_public_page_has_one_decimal_rounded_as_a_reader_rounds() -> None:
    assert format_dose(47.975) == "48,0" and format_dose(55.08) == "55,1"
    assert format_dose(47.975, "en") == "48.0"
    assert format_dose(3) == "3,0"  # a whole dose keeps its decimal, as dosimetry writes it
    assert format_dose(2.25) == "2,3" and format_dose(2.35) == "2,4"  # half up, both ways
    assert format_dose(0.04) == "0,0"
    assert format_dose_range(47.975, 55.08) == "48,0–55,1\u00a0kGy"
    assert format_dose_range(47.975, 55.08, "en") == "48.0–55.1\u00a0kGy"
