"""Value types shared by every schema: names, short texts, pages."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

import msgspec

T = TypeVar("T")

# What no stored or printed text may hold: C0 controls other than tab and line feed, DEL, C1
# controls, the Unicode line and paragraph separators, and the bidirectional controls (which can
# make a label or a page show text in another order than it was stored). PostgreSQL refuses NUL.
CONTROL_CHARS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
# msgspec searches with Python's `re`, where `$` also matches before a final newline; `(?!\n)`
# refuses that newline (`\Z` would too, but is not a regex the OpenAPI document may carry).
TEXT_END = r"$(?!\n)"

# Characters that print as nothing: zero-width spaces and joiners, the word joiner and BOM, the
# soft hyphen, the Mongolian vowel separator, the combining grapheme joiner and the Hangul and
# Braille fillers. A name made only of these looks blank on a label or a page.
INVISIBLE_CHARS = (
    r"\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u2060-\u2064\u2800\u3164\ufeff\uffa0"
)
# Somewhere in the text (a lookahead from its start), one character that prints.
_VISIBLE = rf"(?=[\s\S]*?[^\s{CONTROL_CHARS}{INVISIBLE_CHARS}])"

# One line: none of the above, and no tab or line feed either.
ONE_LINE_PATTERN = rf"^{_VISIBLE}[^\t\n{CONTROL_CHARS}]*{TEXT_END}"
# One line that neither starts nor ends with whitespace.
NAME_PATTERN = (
    rf"^{_VISIBLE}[^\s{CONTROL_CHARS}](?:[^\t\n{CONTROL_CHARS}]*[^\s{CONTROL_CHARS}])?{TEXT_END}"
)
# Several lines: tabs and line feeds, and a carriage return only in a CRLF line break (what a
# browser's text area sends).
TEXT_PATTERN = rf"^{_VISIBLE}(?:[^{CONTROL_CHARS}]|\r\n)*{TEXT_END}"

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NAME_PATTERN)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=ONE_LINE_PATTERN)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=TEXT_PATTERN)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000, pattern=TEXT_PATTERN)]

ROLES = ("admin", "producer", "operator", "qa", "regulator")

# the purposes of irradiation (SPEC §3.1); which category allows which is data, in the database
Purpose = Literal[
    "sprout_inhibition",
    "delay_ripening",
    "disinfestation",
    "quarantine",
    "extend_shelf_life",
    "reduce_pathogens",
    "reduce_microbial_load",
    "control_parasites",
    "eliminate_salmonella",
    "sterilisation",
]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; pass `next_cursor` back as `?cursor=` for the next one."""

    items: list[T]
    next_cursor: str | None
