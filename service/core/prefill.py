"""A stored record as the text of an edit form's inputs: what the person sees before changing
anything, in the form the form reads back (`core.forms`) — so saving an untouched form changes
nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any


def field_text(value: Any, lang: str) -> str:
    """One stored value as an input's text: empty for none; numbers without a needless `.0`
    and, in Indonesian, with a decimal comma (never a thousands separator, which the form
    would read as a decimal point); dates as ISO (what a date input holds)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
        return text.replace(".", ",") if lang == "id" else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def prefilled(record: Mapping[str, Any], names: Iterable[str], lang: str) -> dict[str, str]:
    """The named fields of `record` as input texts."""
    return {name: field_text(record[name], lang) for name in names if name in record}
