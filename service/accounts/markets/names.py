"""Market names in the reader's language, for the console's pages."""

from __future__ import annotations

from babel import Locale

from service.core.code_names import UNION_NAMES
from service.core.formatting import LOCALES

__all__ = ["UNION_NAMES", "market_name"]


def market_name(code: str, name: str, lang: str) -> str:
    """A market's name in the reader's language: a union's from the catalog (a msgid), a
    country's as CLDR names it (Babel), the table's own name otherwise."""
    if code in UNION_NAMES:
        return UNION_NAMES[code]
    named: str | None = Locale.parse(LOCALES.get(lang, "id_ID")).territories.get(code)
    return named or name
