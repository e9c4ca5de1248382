"""Value types shared by every schema: names, short texts, pages."""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

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

Role = Literal["admin", "producer", "operator", "qa", "regulator", "market_network"]
ROLES: tuple[Role, ...] = get_args(Role)
# the languages of the console, the scan page and the labels: Bahasa Indonesia first
Lang = Literal["id", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)

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


# --- public text: what every stored text a person or a shopper reads must be ----------------------
# The patterns above refuse controls and line breaks where the schema can say so; the characters
# below pass a pattern a JSON Schema can reasonably state, so `check_public_text` refuses them with
# a message naming the kind of character (every message says "printable text", the phrase the API's
# contract test accepts for a rule beyond the schema).

# bidirectional marks, embeddings, overrides and isolates: they reorder what a page or label shows
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "\u2066\u2067\u2068\u2069"
)
# zero-width and invisible format characters: zero-width space, (non-)joiner, word joiner and the
# invisible operators, BOM, Mongolian vowel separator, tag characters, interlinear annotation
INVISIBLE_FORMAT = frozenset(
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\ufff9\ufffa\ufffb"
    + "".join(map(chr, range(0xE0000, 0xE0080)))
)
ZERO_WIDTH_JOINER = "\u200d"
# in a multi-line text: tab, line feed, and carriage return (a CRLF line break)
_LINE_CONTROLS = frozenset("\t\n\r")

BIDI_MESSAGE = "must be printable text: no bidirectional control characters"
INVISIBLE_MESSAGE = "must be printable text: no zero-width or invisible characters"
CONTROL_MESSAGE = "must be printable text: no control or format characters"
MARKS_MESSAGE = "must be printable text: not only combining marks"


def _emoji_side(char: str) -> bool:
    """A character an emoji ZWJ sequence joins: a symbol, VS16 or a skin-tone modifier."""
    return (
        unicodedata.category(char) == "So"
        or char == "\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def public_text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` may not be public text, or None. A zero-width joiner is kept only inside an
    emoji sequence (👨‍👩‍👧), where it belongs; everything else listed above is refused."""
    for at, char in enumerate(value):
        if char in BIDI_CONTROLS:
            return BIDI_MESSAGE
        if char == ZERO_WIDTH_JOINER:
            if (
                0 < at < len(value) - 1
                and _emoji_side(value[at - 1])
                and _emoji_side(value[at + 1])
            ):
                continue
            return INVISIBLE_MESSAGE
        if char in INVISIBLE_FORMAT:
            return INVISIBLE_MESSAGE
        if multiline and char in _LINE_CONTROLS:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return CONTROL_MESSAGE
    if all(unicodedata.category(c).startswith("M") or c.isspace() for c in value):
        return MARKS_MESSAGE
    return None


_ONE_LINE_PATTERNS = frozenset({NAME_PATTERN, ONE_LINE_PATTERN})


def _public_text_kind(tp: Any) -> bool | None:
    """For a field's type: None if it is no public text, else whether it may span lines."""
    for arg in (tp, *get_args(tp)):  # `T | None` → T
        for meta in getattr(arg, "__metadata__", ()):
            pattern = getattr(meta, "pattern", None)
            if pattern in _ONE_LINE_PATTERNS:
                return False
            if pattern == TEXT_PATTERN:
                return True
    return None


@functools.cache
def _public_text_fields(struct_type: type) -> tuple[tuple[str, bool], ...]:
    fields = msgspec.structs.fields(struct_type)
    kinds = ((f.name, _public_text_kind(f.type)) for f in fields)
    return tuple((name, kind) for name, kind in kinds if kind is not None)


def public_text_problems(struct_type: type, values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, problem) for each public text field of `struct_type` among `values` that
    `public_text_problem` refuses."""
    for name, multiline in _public_text_fields(struct_type):
        value = values.get(name)
        if isinstance(value, str) and (problem := public_text_problem(value, multiline=multiline)):
            yield name, problem


def check_public_texts(struct: msgspec.Struct) -> None:
    """Refuse, naming the field, any public text field of `struct` that `public_text_problem`
    refuses; call it first in a request Struct's `__post_init__`."""
    values = {name: getattr(struct, name) for name, _ in _public_text_fields(type(struct))}
    for name, problem in public_text_problems(type(struct), values):
        raise ValueError(f"{problem} - at `$.{name}`")


# --- rules over several fields ----------------------------------------------------------------


def text_field_error(field: str, message: str) -> ValueError:
    """A rule's error whose message ends the way msgspec ends its own ("- at `$.field`"), so the
    API's 400 and the console's form both name the field."""
    return ValueError(f"{message} - at `$.{field}`")


def check_one_line(field: str, value: str | None) -> None:
    """Printed and exported text is one line of printable characters.

    Patterns cannot refuse everything: `$` also matches before a trailing newline, and `.` matches
    control characters (PostgreSQL refuses NUL in text)."""
    if value is not None and not value.isprintable():
        raise text_field_error(field, "must be printable text on one line")


@dataclasses.dataclass(frozen=True, slots=True)
class FieldRule:
    """A check a request Struct makes beyond its fields' own types, over the fields it `reads`;
    it raises ValueError naming the field it is about (`text_field_error`). `__post_init__` runs a
    Struct's `RULES` in order and raises the first problem (the API answers one 400); a console
    form runs every rule whose fields it could read, so one post shows every problem at once
    (SPEC §10)."""

    reads: tuple[str, ...]
    check: Callable[[Any], None]


def check_rules(body: Any, rules: Iterable[FieldRule]) -> None:
    """Every rule on `body`, in order; the first problem is raised."""
    for rule in rules:
        rule.check(body)


def one_line(*fields: str) -> tuple[FieldRule, ...]:
    """`check_one_line` of each field, as a rule of its own."""

    def rule(field: str) -> FieldRule:
        return FieldRule((field,), lambda body: check_one_line(field, getattr(body, field)))

    return tuple(rule(field) for field in fields)
