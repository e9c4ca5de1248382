"""Numbers, dates and times as a reader in Indonesia (or in English) writes them, through Babel:
`2,5`, `12 Mei 2028`, times in Asia/Jakarta. One Jinja filter, `fmt`, picks by the value's type."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

import jinja2
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal

from labels.wording import MINUS_SIGN
from schemas.batches import JAKARTA

# Babel's locale for each console language
LOCALES = {"id": "id_ID", "en": "en_GB"}


# a list page formats the same few dates and numbers many times over: Babel's locale lookups
# cost more than the page's query, so each result is kept
@lru_cache(maxsize=8192)
def format_number(value: float, lang: str = "id", *, digits: int = 3) -> str:
    """2.5 → `2,5`, 12345 → `12.345`, -18 → `−18` (the minus sign U+2212, as on the label);
    at most `digits` decimals, no trailing zeros."""
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    text = format_decimal(value, format=pattern, locale=LOCALES.get(lang, "id_ID"))
    return MINUS_SIGN + text[1:] if text.startswith("-") else text


def format_dose(value: float, lang: str = "id") -> str:
    """An absorbed dose on a public page: one decimal, no more precision than a shopper can use
    (47.975 → `48,0`, 55.08 → `55,1`; `48.0`, `55.1` in English), a half rounded up as a
    reader rounds it (2.25 → `2,3`). Records and JSON keep the measured values."""
    tenths = Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_decimal(tenths, format="#,##0.0", locale=LOCALES.get(lang, "id_ID"))


def format_dose_range(low: float, high: float, lang: str = "id") -> str:
    """`48,0–55,1 kGy`, with a no-break space before the unit (it stays with its number, in
    copied text too)."""
    return f"{format_dose(low, lang)}–{format_dose(high, lang)}\u00a0kGy"


@lru_cache(maxsize=8192)
def format_day(value: date, lang: str = "id", *, short: bool = False) -> str:
    """`12 Mei 2028` (or `12 May 2028`); short: `12 Mei`."""
    return babel_date(value, "d MMM" if short else "d MMMM yyyy", locale=LOCALES.get(lang, "id_ID"))


def format_month(value: date, lang: str = "id") -> str:
    """`Mei 2028` (or `May 2028`): a month, as column headings of monthly figures."""
    return babel_date(value, "MMM yyyy", locale=LOCALES.get(lang, "id_ID"))


def format_moment(value: datetime, lang: str = "id") -> str:
    """A timestamp in Asia/Jakarta: `12 Mei 2028 14.30 WIB` (`14:30` in English)."""
    local = value.astimezone(JAKARTA)
    pattern = "d MMMM yyyy HH.mm" if lang == "id" else "d MMMM yyyy HH:mm"
    return babel_datetime(local, pattern, locale=LOCALES.get(lang, "id_ID")) + " WIB"


def format_value(value: Any, lang: str = "id", *, digits: int = 3, short: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return format_moment(value, lang)
    if isinstance(value, date):
        return format_day(value, lang, short=short)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(value, lang, digits=digits)
    return str(value)


@jinja2.pass_context
def fmt(context: Mapping[str, Any], value: Any, digits: int = 3, short: bool = False) -> str:
    """`{{ batch.best_before | fmt }}`, `{{ dose | fmt(2) }}`: formatted in the page's language."""
    return format_value(value, context.get("lang", "id"), digits=digits, short=short)
