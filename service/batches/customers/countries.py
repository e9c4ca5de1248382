"""Country names in the reader's language, for the console's choices and lists (Babel's CLDR
names, so "DE" reads "Jerman" in Bahasa Indonesia and "Germany" in English)."""

from __future__ import annotations

from functools import cache

from babel import Locale

from schemas.parties import ISO_COUNTRIES
from service.core.formatting import LOCALES


@cache
def _names(lang: str) -> dict[str, str]:
    territories = Locale.parse(LOCALES.get(lang, "id_ID")).territories
    return {code: territories.get(code, code) for code in ISO_COUNTRIES}


def country_name(code: str, lang: str) -> str:
    return _names(lang).get(code, code)


@cache
def country_options(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every country, by name in `lang`."""
    names = _names(lang)
    return tuple(sorted(names.items(), key=lambda item: item[1].casefold()))
