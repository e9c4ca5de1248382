"""The shared text types refuse control characters, and `$` lets no final newline through."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from schemas.common import LongText, Name, Reason, ShortText

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"]
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029"]
BIDI = ["\u202a", "\u202e", "\u2066", "\u2069"]


def _valid(text_type: Any, value: str) -> bool:
    try:
        msgspec.convert(value, text_type)
    except msgspec.ValidationError:
        return False
    return True


@pytest.mark.parametrize("char", CONTROLS + BIDI + LINE_BREAKS + ["\t"])
@pytest.mark.parametrize("text_type", [Name, ShortText], ids=["Name", "ShortText"])
def test_one_line_types_refuse_controls_anywhere(text_type: Any, char: str):
    for value in (f"{char}Bu Sri", f"Bu{char}Sri", f"Bu Sri{char}"):
        assert not _valid(text_type, value), repr(value)


@pytest.mark.parametrize("char", CONTROLS + BIDI + ["\r", "\u2028"])
@pytest.mark.parametrize("text_type", [LongText, Reason], ids=["LongText", "Reason"])
def test_long_texts_refuse_every_other_control(text_type: Any, char: str):
    assert not _valid(text_type, f"Suhu{char} 4 °C")


@pytest.mark.parametrize("text_type", [LongText, Reason], ids=["LongText", "Reason"])
def test_long_texts_keep_tabs_and_line_breaks(text_type: Any):
    assert _valid(text_type, "Suhu 4 °C\n\tsegel utuh\r\nkarton 3 penyok\n")


def test_a_name_has_no_space_at_either_end_but_a_short_text_may():
    assert _valid(Name, "Rendang Uni Ros — Bukittinggi, 東京 №3")
    assert not _valid(Name, " Rendang") and not _valid(Name, "Rendang ")
    assert _valid(ShortText, " Jl. Melati 3 ")


INVISIBLE = ["\u3164", "\u200b", "\u200c\u200d", "\u2060", "\ufeff", "\u00ad", "\u115f", "\uffa0"]


@pytest.mark.parametrize("blank", INVISIBLE)
@pytest.mark.parametrize(
    "text_type",
    [Name, ShortText, LongText, Reason],
    ids=["Name", "ShortText", "LongText", "Reason"],
)
def test_a_text_of_invisible_characters_only_is_refused(text_type: Any, blank: str):
    assert not _valid(text_type, blank * 3)
    assert not _valid(text_type, f"{blank} {blank}\u3000{blank}")


@pytest.mark.parametrize(
    "text_type", [Name, ShortText, LongText], ids=["Name", "ShortText", "LongText"]
)
def test_invisible_characters_beside_visible_ones_are_kept(text_type: Any):
    # a zero-width joiner belongs inside many scripts' words and emoji
    assert _valid(text_type, "Sambal\u200dIbu")
    assert _valid(text_type, "\u3164Rendang")
